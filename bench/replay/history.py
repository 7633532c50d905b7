#!/usr/bin/python3
"""History replay benchmark: `edgewatch replay` of the access benchmark's 2,000,000-line log and
the reflection benchmark's 3,000,000-packet capture, plain (the final exposition) and with
`--output.history --output.step=15s`, best of 3 each, in one run; with the history's size, its
steps and the peak resident memory of each run, whose heap must not grow with the steps.

The capture spans 3 seconds of packet time at 1M packets a second (bench/reflection), the access
log the four days of the elastic sample (and the incident's lines, whose times are other days):
the history has one step per 15 s of the log's own time, the first hour of each quiet stretch.
A third input, the same number of lines spread evenly over 30 days, makes 172,800 steps: the
peak memory beside the short ones is the bound: anonymous memory (heap) stays flat, the
file-backed pages are the mapped spool being read back (page cache the kernel may drop).
Usage (after a Release build): bench/replay/history.py [BUILD_DIR] [LINES] [PACKETS]
"""

import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.join(HERE, "..")
sys.path.insert(0, BENCH)
from benchlib import load  # noqa: E402


def rss(pid):
    """(RssAnon, RssFile) of `pid` in kB: heap and stacks, and mapped files' pages in memory."""
    got = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(("RssAnon:", "RssFile:")):
                    got[line.split(":")[0]] = int(line.split()[1])
    except OSError:
        pass
    return got.get("RssAnon", 0), got.get("RssFile", 0)


def timed(cmd, out_path):
    """Best-of-3 seconds, and the peak anonymous and file-backed resident memory (MB) of `cmd`
    writing to `out_path`, sampled from /proc every 10 ms."""
    best, anon, mapped = None, 0, 0
    for _ in range(3):
        t0 = time.monotonic()
        with open(out_path, "w") as out:
            proc = subprocess.Popen(cmd, stdout=out)
            while proc.poll() is None:
                a, f = rss(proc.pid)
                anon, mapped = max(anon, a), max(mapped, f)
                time.sleep(0.01)
        elapsed = time.monotonic() - t0
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode})")
        best = elapsed if best is None else min(best, elapsed)
    return best, anon / 1024, mapped / 1024


def spread_log(path, lines, days):
    """Combined-format lines evenly over `days` days: a history of many steps."""
    start = 1_796_184_000
    gap = days * 86400 / lines
    with open(path, "w") as f:
        for i in range(lines):
            t = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(start + int(i * gap)))
            path_ = "/xmlrpc.php" if i % 50 == 0 else f"/page{i % 100}"
            f.write(f'192.0.2.{i % 250 + 1} - - [{t}] "GET {path_} HTTP/1.1" 200 512 "-" "x"\n')


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(BENCH, "..", "build", "release")
    lines = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000_000
    packets = int(sys.argv[3]) if len(sys.argv) > 3 else 3_000_000
    edgewatch = os.path.join(build, "exporter", "edgewatch")
    with tempfile.TemporaryDirectory() as d:
        access, capture = os.path.join(d, "access.log"), os.path.join(d, "x.pcap")
        load("access_bench", "access_log/run.py").make_log(access, lines)
        load("capture", "reflection/make_capture.py").main(capture, packets)
        month = os.path.join(d, "month.log")
        spread_log(month, lines, 30)
        out = os.path.join(d, "out")
        print(f"## replay history: {lines:,} access-log lines, {packets:,} packets, one run\n")
        print("| input | output | seconds | records/s | output MB | steps | peak anon MB | "
              "peak file-backed MB |")
        print("|---|---|---|---|---|---|---|---|")
        for name, n, flag, path in (("access log", lines, "--access-log", access),
                                    ("access log over 30 days", lines, "--access-log", month),
                                    ("capture", packets, "--pcap", capture)):
            for output, extra in (("final exposition", []),
                                  ("history, 15 s step", ["--output.history",
                                                          "--output.step=15s"])):
                seconds, anon, mapped = timed([edgewatch, "replay", *extra, flag, path], out)
                steps = ""
                if extra:
                    with open(out) as f:
                        steps = sum(1 for l in f if l.startswith("up{"))
                print(f"| {name} | {output} | {seconds:.2f} | {n / seconds:,.0f} | "
                      f"{os.path.getsize(out) / 1e6:.1f} | {steps} | {anon:.1f} | {mapped:.1f} |")


if __name__ == "__main__":
    main()
