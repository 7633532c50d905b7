#!/usr/bin/python3
"""Mail-log benchmark: `edgewatch replay --mail-log`, and edgewatch and
prometheus-postfix-exporter following the same file, on a 1,000,000-line Postfix + amavis log,
in one run.

The log repeats the synthetic snowshoe and normal streams of tests/testdata/mail_log (postscreen,
smtpd, cleanup, qmgr, amavis, smtp lines). Each follower starts on an empty file; the script
appends the whole log at once and times until the exporter's /metrics accounts for every line:
for edgewatch `edgewatch_log_lines_total`, for postfix_exporter the sum of the counters its
lines feed (see `postfix_exporter_lines`). Usage (after a Release build):
    bench/mail_log/run.py [BUILD_DIR] [LINES]
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from benchlib import free_port, metrics, series, wait_up  # noqa: E402

TESTDATA = os.path.join(HERE, "..", "..", "tests", "testdata", "mail_log")


def make_log(path, lines):
    block = []
    for name in ("snowshoe.log", "normal.log"):
        with open(os.path.join(TESTDATA, name)) as f:
            block.extend(f.read().splitlines())
    with open(path, "w") as f:
        for i in range(lines):
            f.write(block[i % len(block)] + "\n")


def postfix_exporter_lines(text):
    """Lines postfix_exporter has accounted for: each line it reads feeds one of these (an smtp
    delivery line feeds the four stages of the delay histogram)."""
    total = 0.0
    for name in ("postfix_cleanup_messages_processed_total",
                 "postfix_cleanup_messages_rejected_total",
                 "postfix_cleanup_messages_not_accepted_total",
                 "postfix_qmgr_messages_inserted_receipients_count",
                 "postfix_qmgr_messages_removed_total", "postfix_smtpd_connects_total",
                 "postfix_smtpd_disconnects_total", "postfix_smtpd_messages_processed_total",
                 "postfix_smtpd_messages_rejected_total", "postfix_unsupported_log_entries_total",
                 "postfix_smtpd_sasl_authentication_failures_total"):
        total += series(text, name)
    total += series(text, "postfix_smtp_delivery_delay_seconds_count") / 4
    return total


def follow(command, port, log, lines, accounted):
    """Appends `log` to an empty file that the exporter `command(directory, file)` follows;
    returns the seconds until it accounts for every line, and what it accounted for."""
    with tempfile.TemporaryDirectory() as d:
        target = os.path.join(d, "mail.log")
        open(target, "w").close()
        proc = subprocess.Popen(command(d, target), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            wait_up(port, tries=200)
            time.sleep(0.5)
            start = time.monotonic()
            with open(log, "rb") as src, open(target, "ab") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            got = 0
            while time.monotonic() - start < 300:
                got = accounted(metrics(port))
                if got >= lines:
                    return time.monotonic() - start, got
                time.sleep(0.01)
            return None, got
        finally:
            proc.terminate()
            proc.wait()


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "build",
                                                               "release")
    lines = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    edgewatch = os.path.join(build, "exporter", "edgewatch")
    peer = shutil.which("prometheus-postfix-exporter")
    if peer is None or not os.access(edgewatch, os.X_OK):
        raise SystemExit("needs prometheus-postfix-exporter (apt-get install "
                         "prometheus-postfix-exporter) and a built edgewatch")
    ew_port, pf_port = free_port(), free_port()

    def edgewatch_command(d, target):
        cfg = os.path.join(d, "edgewatch.yml")
        with open(cfg, "w") as f:
            f.write("process:\n  enabled: false\nreflection:\n  enabled: false\nhttpd:\n"
                    "  enabled: false\nbgp:\n  enabled: false\naccess_log:\n  enabled: false\n"
                    f"mail_log:\n  logs:\n    - name: bench\n      path: {target}\n")
        return [edgewatch, f"--config.file={cfg}", f"--web.listen-address=127.0.0.1:{ew_port}"]

    def peer_command(d, target):
        return [peer, f"--postfix.logfile_path={target}",
                f"--web.listen-address=127.0.0.1:{pf_port}",
                f"--postfix.showq_path={d}/showq"]

    with tempfile.TemporaryDirectory() as d:
        log = os.path.join(d, "mail.log")
        make_log(log, lines)
        size_mb = os.path.getsize(log) / 1e6
        subprocess.run(["cat", log], stdout=subprocess.DEVNULL, check=True)  # page cache
        best = None
        for _ in range(3):
            t0 = time.monotonic()
            out = subprocess.run([edgewatch, "replay", "--mail-log", log], capture_output=True,
                                 text=True, check=True).stdout
            elapsed = time.monotonic() - t0
            best = elapsed if best is None else min(best, elapsed)
        replay_lines = series(out, "edgewatch_log_lines_total")
        ew_seconds, ew_got = follow(edgewatch_command, ew_port, log, lines,
                                    lambda text: series(text, "edgewatch_log_lines_total"))
        pf_seconds, pf_got = follow(peer_command, pf_port, log, lines, postfix_exporter_lines)

    print(f"## mail_log: {lines:,} Postfix + amavis lines ({size_mb:.0f} MB), one run\n")
    print("| tool | seconds | lines/s | vs postfix_exporter |")
    print("|---|---|---|---|")
    rows = [("edgewatch replay --mail-log (best of 3)", best, replay_lines),
            ("edgewatch following the file", ew_seconds, ew_got),
            ("prometheus-postfix-exporter 0.3.0 following the file", pf_seconds, pf_got)]
    for name, seconds, got in rows:
        if seconds is None:
            print(f"| {name} | did not account for every line in 300 s ({got:,.0f}) | | |")
            continue
        ratio = f"{pf_seconds / seconds:.1f}x" if pf_seconds else "n/a"
        print(f"| {name} | {seconds:.2f} | {lines / seconds:,.0f} | {ratio} |")


if __name__ == "__main__":
    main()
