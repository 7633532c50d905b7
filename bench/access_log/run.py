#!/usr/bin/python3
"""Access-log benchmark: `edgewatch replay --access-log`, `mtail --one_shot` with
edgewatch.mtail (the same counts) and `grep -c xmlrpc.php` on the same 2,000,000-line combined
log, in one run; the two tools' counts are compared. Then live following: edgewatch follows a
file while this script appends 200,000 lines per second to it, and every line must be counted.
Last, a hosting server's many virtual hosts: edgewatch and mtail both follow one glob over 500
logs while this script writes 20,000 lines per second spread over all of them; their CPU time
and counts are compared.

The log is the real elastic/examples Apache log from tests/testdata (10,000 lines) repeated,
with one line in ten from the synthetic xmlrpc-flood incident log. Usage (after a Release build):
    bench/access_log/run.py [BUILD_DIR] [LINES] [LIVE_SECONDS]
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from benchlib import cpu_seconds, free_port, metrics, series, wait_up  # noqa: E402

TESTDATA = os.path.join(HERE, "..", "..", "tests", "testdata", "access_log")


def make_log(path, lines):
    with open(os.path.join(TESTDATA, "elastic-examples-apache_logs.log")) as f:
        base = f.read().splitlines()
    with open(os.path.join(TESTDATA, "incident-xmlrpc-flood.log")) as f:
        incident = [l for l in f.read().splitlines() if l.count('"') >= 6]
    out = []
    for i in range(lines):
        out.append(incident[(i // 10) % len(incident)] if i % 10 == 9 else base[i % len(base)])
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def timed(cmd, runs=1):
    best, result = None, None
    for _ in range(runs):
        t0 = time.monotonic()
        result = subprocess.run(cmd, capture_output=True, text=True, check=True)
        elapsed = time.monotonic() - t0
        best = elapsed if best is None else min(best, elapsed)
    return best, result.stdout


def live(edgewatch, d, seconds, rate=200_000):
    path = os.path.join(d, "live.log")
    open(path, "w").close()
    cfg = os.path.join(d, "live.yml")
    with open(cfg, "w") as f:
        f.write("process:\n  enabled: false\nreflection:\n  enabled: false\nhttpd:\n"
                "  enabled: false\nbgp:\n  enabled: false\naccess_log:\n  logs:\n"
                f"    - name: live\n      path: {path}\n      format: combined\n")
    with open(os.path.join(TESTDATA, "elastic-examples-apache_logs.log")) as f:
        base = f.read().splitlines(keepends=True)
    chunk_lines = rate // 100  # every 10 ms
    chunks = ["".join(base[(i * chunk_lines + j) % len(base)] for j in range(chunk_lines))
              for i in range(10)]
    port = free_port()
    proc = subprocess.Popen([edgewatch, f"--config.file={cfg}",
                             f"--web.listen-address=127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_up(port, tries=200)
        written = 0
        start = time.monotonic()
        with open(path, "a") as f:
            for i in range(seconds * 100):
                f.write(chunks[i % len(chunks)])
                f.flush()
                written += chunk_lines
                delay = start + (i + 1) / 100 - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
        wrote_for = time.monotonic() - start
        done = None
        got = 0
        while time.monotonic() - start < wrote_for + 30:
            text = metrics(port)
            got = series(text, "edgewatch_log_lines_total", log="live")
            if got >= written:
                done = time.monotonic() - start - wrote_for
                break
            time.sleep(0.01)
        errors = series(metrics(port), "edgewatch_http_unparsed_lines_total", log="live")
        return written, wrote_for, got, done, errors
    finally:
        proc.terminate()
        proc.wait()


def many_files(edgewatch, mtail, progs, d, seconds, files=500, rate=20_000):
    logs = os.path.join(d, "vhosts")
    os.makedirs(logs)
    paths = [os.path.join(logs, f"site{i:03}.access.log") for i in range(files)]
    for p in paths:
        open(p, "w").close()
    pattern = os.path.join(logs, "*.access.log")
    cfg = os.path.join(d, "vhosts.yml")
    with open(cfg, "w") as f:
        f.write("process:\n  enabled: false\nreflection:\n  enabled: false\nhttpd:\n"
                "  enabled: false\nbgp:\n  enabled: false\nmail_log:\n  enabled: false\n"
                f"access_log:\n  max_files: {files}\n  logs:\n"
                f"    - name: vhosts\n      path: '{pattern}'\n      format: combined\n")
    with open(os.path.join(TESTDATA, "elastic-examples-apache_logs.log")) as f:
        base = f.read().splitlines(keepends=True)
    chunk_lines = 10
    writes_per_second = rate // chunk_lines
    ew_port, mt_port = free_port(), free_port()
    procs = [subprocess.Popen([edgewatch, f"--config.file={cfg}",
                               f"--web.listen-address=127.0.0.1:{ew_port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
             subprocess.Popen([mtail, "--progs", progs, "--logs", pattern, "--address",
                               "127.0.0.1", "--port", str(mt_port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        wait_up(ew_port, tries=200)
        wait_up(mt_port, tries=200)
        time.sleep(1)  # mtail finds the files on its first poll
        before = [cpu_seconds(p.pid) for p in procs]
        handles = [open(p, "a") for p in paths]
        written = 0
        start = time.monotonic()
        for i in range(seconds * writes_per_second):
            f = handles[i % files]
            f.write("".join(base[(i * chunk_lines + j) % len(base)] for j in range(chunk_lines)))
            f.flush()
            written += chunk_lines
            delay = start + (i + 1) / writes_per_second - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        wrote_for = time.monotonic() - start
        for f in handles:
            f.close()
        counted = lambda: (
            series(metrics(ew_port), "edgewatch_log_lines_total", log="vhosts"),
            series(metrics(mt_port), "http_requests_total")
            + series(metrics(mt_port), "accesslog_parse_errors_total"))
        got = counted()
        while min(got) < written and time.monotonic() - start < wrote_for + 30:
            time.sleep(0.1)
            got = counted()
        used = [cpu_seconds(p.pid) - b for p, b in zip(procs, before)]
        return written, wrote_for, got, used
    finally:
        for p in procs:
            p.terminate()
            p.wait()


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "build",
                                                               "release")
    lines = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000_000
    live_seconds = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    edgewatch = os.path.join(build, "exporter", "edgewatch")
    mtail = shutil.which("mtail")
    if mtail is None or not os.access(edgewatch, os.X_OK):
        raise SystemExit("needs mtail (apt-get install mtail) and a built edgewatch")
    with tempfile.TemporaryDirectory() as d:
        log = os.path.join(d, "access.log")
        make_log(log, lines)
        size_mb = os.path.getsize(log) / 1e6
        progs = os.path.join(d, "progs")
        os.makedirs(progs)
        shutil.copy(os.path.join(HERE, "edgewatch.mtail"), progs)
        subprocess.run(["cat", log], stdout=subprocess.DEVNULL, check=True)  # warm the page cache
        ew_s, ew_out = timed([edgewatch, "replay", "--access-log", log], runs=3)
        mt_s, mt_out = timed([mtail, "--one_shot", "--one_shot_format", "prometheus",
                              "--progs", progs, "--logs", log])
        grep_s, grep_out = timed(["grep", "-c", "xmlrpc.php", log], runs=3)

        checks = [
            ("lines", series(ew_out, "edgewatch_log_lines_total"), lines),
            ("POST 200", series(ew_out, "edgewatch_http_requests_total", method="POST", code="200"),
             series(mt_out, "http_requests_total", method="POST", code="200")),
            ("xmlrpc", series(ew_out, "edgewatch_xmlrpc_requests_total"),
             series(mt_out, "xmlrpc_requests_total")),
            ("wp-login", series(ew_out, "edgewatch_wp_login_requests_total"),
             series(mt_out, "wp_login_requests_total")),
            ("pingbacks", series(ew_out, "edgewatch_http_pingback_requests_total"),
             series(mt_out, "http_pingback_requests_total")),
            ("shellshock", series(ew_out, "edgewatch_http_exploit_probes_total", kind="shellshock"),
             series(mt_out, "http_shellshock_probes_total")),
            ("parse errors", series(ew_out, "edgewatch_http_unparsed_lines_total"),
             series(mt_out, "accesslog_parse_errors_total")),
        ]
        written, wrote_for, got, lag, live_errors = live(edgewatch, d, live_seconds)
        many = many_files(edgewatch, mtail, progs, d, live_seconds)

    print(f"## access_log: {lines:,} combined lines ({size_mb:.0f} MB), one run\n")
    print("| tool | seconds | lines/s | vs mtail |")
    print("|---|---|---|---|")
    for name, s in (("edgewatch replay --access-log (best of 3)", ew_s),
                    ("mtail 3.0.0~rc50 --one_shot", mt_s),
                    ("grep -c xmlrpc.php (best of 3)", grep_s)):
        print(f"| {name} | {s:.2f} | {lines / s:,.0f} | {mt_s / s:.1f}x |")
    print(f"\nedgewatch / grep time: {ew_s / grep_s:.2f}x; grep counted {grep_out.strip()}")
    print("\n| count | edgewatch | mtail (or expected) |")
    print("|---|---|---|")
    for name, a, b in checks:
        print(f"| {name} | {a:.0f} | {b:.0f} |{'' if a == b else ' MISMATCH'}")
    print(f"\nlive: appended {written:,} lines in {wrote_for:.1f} s "
          f"({written / wrote_for:,.0f} lines/s); edgewatch counted {got:,.0f}, "
          f"{'all' if lag is not None else 'NOT all'} of them"
          + (f", {lag * 1000:.0f} ms after the last write" if lag is not None else "")
          + f"; parse errors {live_errors:.0f}")
    m_written, m_for, (m_ew, m_mt), (ew_cpu, mt_cpu) = many
    print(f"\nmany files: {m_written:,} lines written in {m_for:.1f} s over 500 logs matched by one "
          "glob (10-line writes, round robin)\n")
    print("| tool | lines counted | CPU seconds | % of one core |")
    print("|---|---|---|---|")
    for name, got, cpu in (("edgewatch", m_ew, ew_cpu), ("mtail 3.0.0~rc50", m_mt, mt_cpu)):
        print(f"| {name} | {got:,.0f}{'' if got == m_written else ' MISSING'} | {cpu:.2f} | "
              f"{100 * cpu / m_for:.1f}% |")


if __name__ == "__main__":
    main()
