#!/usr/bin/python3
"""Before/after benchmark of a change: two edgewatch builds replay the same access log, mail log
and capture, alternately, in one run; the median wall time of each is printed, and their
expositions must hold the same lines (edgewatch_build_info aside, in any order), so a refactoring that changes a count
shows here too.

Inputs are the benchmarks' own: bench/access_log's log (the elastic Apache log with one line in
ten from the xmlrpc incident), bench/mail_log's (snowshoe + normal Postfix/amavis streams) and
bench/reflection's mixed capture. A metric the change renamed on purpose is named with --rename
OLD=NEW (repeatable), and the before exposition is compared under the new name; a family the
change added is named with --added FAMILY (repeatable) and left out of the after exposition.
Usage (two
Release builds, e.g. one from a git worktree of the base commit):
    bench/replay/ab.py BEFORE_BINARY AFTER_BINARY [--lines N] [--packets N] [--runs N]
                       [--rename OLD=NEW ...] [--added FAMILY ...]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.join(HERE, "..")
sys.path.insert(0, BENCH)
from benchlib import load  # noqa: E402


def exposition(text):
    return "\n".join(l for l in text.splitlines() if "edgewatch_build_info" not in l)


def run(binary, args, renames=(), added=()):
    t0 = time.monotonic()
    out = subprocess.run([binary, "replay"] + args, capture_output=True, text=True, check=True)
    seconds = time.monotonic() - t0
    text = exposition(out.stdout)
    for old, new in renames:
        text = text.replace(old, new)
    if added:
        text = "\n".join(l for l in text.splitlines()
                         if not any(f"{family} " in l or f"{family}{{" in l for family in added))
    return seconds, text


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--packets", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rename", action="append", default=[], metavar="OLD=NEW")
    parser.add_argument("--added", action="append", default=[], metavar="FAMILY")
    a = parser.parse_args()
    before, after, lines, packets, runs = a.before, a.after, a.lines, a.packets, a.runs
    renames = [tuple(r.split("=", 1)) for r in a.rename]
    added = a.added
    with tempfile.TemporaryDirectory() as d:
        access, mail, capture = (os.path.join(d, n) for n in ("access.log", "mail.log", "x.pcap"))
        load("access_bench", "access_log/run.py").make_log(access, lines)
        load("mail_bench", "mail_log/run.py").make_log(mail, lines)
        load("capture", "reflection/make_capture.py").main(capture, packets)
        inputs = [("access log", f"{lines} lines", ["--access-log", access]),
                  ("mail log", f"{lines} lines", ["--mail-log", mail]),
                  ("capture", f"{packets} packets", ["--pcap", capture])]
        print("| input | size | before (s) | after (s) | after/before | same exposition |")
        print("|---|---|---|---|---|---|")
        same_all = True
        for name, size, args in inputs:
            times = {before: [], after: []}
            outputs = {}
            for _ in range(runs):
                for binary in (before, after):
                    seconds, outputs[binary] = run(binary, args,
                                                   renames if binary == before else (),
                                                   added if binary == after else ())
                    times[binary].append(seconds)
            b, a = statistics.median(times[before]), statistics.median(times[after])
            # The same lines: an order of families that changed (a family moved within its
            # collector's catalogue) is no change of a count.
            same = sorted(outputs[before].splitlines()) == sorted(outputs[after].splitlines())
            same_all = same_all and same
            print(f"| {name} | {size} | {b:.3f} | {a:.3f} | {a / b:.2f} | "
                  f"{'yes' if same else 'NO'} |")
    return 0 if same_all else 1


if __name__ == "__main__":
    sys.exit(main())
