#!/usr/bin/python3
"""Series per collector, for sizing a global store: edgewatch with its embedded default
config, and with N access logs, M BGP neighbours and two mail logs, each log fed with real
lines (tests/testdata) so the label sets are those of real traffic.

    bench/sizing/series.py [BINARY] [N] [M]      # defaults: build/release, 10, 10

Prints a Markdown table (docs/deployment.md has one)."""

import collections
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from benchlib import free_port, metrics, wait_up  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
TESTDATA = os.path.join(ROOT, "tests", "testdata")

# Metric name prefix -> the collector that exports it (the first match wins).
COLLECTORS = [
    ("edgewatch_capture_", "reflection"), ("edgewatch_reflection_", "reflection"),
    ("edgewatch_ntp_", "reflection"), ("edgewatch_bgp_", "bgp"), ("edgewatch_httpd_", "httpd"),
    ("edgewatch_host_", "httpd"), ("edgewatch_http_", "access_log"),
    ("edgewatch_xmlrpc_", "access_log"), ("edgewatch_wp_login_", "access_log"),
    ("edgewatch_mail_", "mail_log"), ("edgewatch_log_", "log followers"),
    ("", "exporter (process, build, scrape)"),
]


def series(port):
    counts = collections.Counter()
    for line in metrics(port).splitlines():
        if line and not line.startswith("#"):
            counts[next(c for p, c in COLLECTORS if line.startswith(p))] += 1
    return counts


def run(binary, *args):
    port = free_port()
    proc = subprocess.Popen([binary, f"--web.listen-address=127.0.0.1:{port}", *args],
                            stderr=subprocess.DEVNULL)
    wait_up(port)
    return proc, port


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "release",
                                                                 "exporter", "edgewatch")
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    m = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    with open(os.path.join(TESTDATA, "access_log", "elastic-examples-apache_logs.log")) as f:
        access = f.read()
    with open(os.path.join(TESTDATA, "mail_log", "normal.log")) as f:
        mail = f.read()
    results = {}
    proc, port = run(binary)
    time.sleep(3)
    results["embedded default"] = series(port)
    proc.terminate()
    proc.wait()
    with tempfile.TemporaryDirectory() as d:
        config = ["access_log:", "  logs:"]
        for i in range(n):
            config += [f"    - name: site{i}", f"      path: {d}/site{i}-access.log",
                       "      format: combined"]
        config += ["mail_log:", "  logs:"]
        for i in range(2):
            config += [f"    - name: mx{i}", f"      path: {d}/mail{i}.log"]
        config += ["bgp:", "  neighbors:"]
        for i in range(m):
            config += [f"    - name: peer{i}", f"      address: 127.0.0.{i + 2}"]
        with open(os.path.join(d, "edgewatch.yml"), "w") as f:
            f.write("\n".join(config) + "\n")
        for i in range(n):
            open(os.path.join(d, f"site{i}-access.log"), "w").close()
        for i in range(2):
            open(os.path.join(d, f"mail{i}.log"), "w").close()
        proc, port = run(binary, f"--config.file={d}/edgewatch.yml")
        for i in range(n):
            with open(os.path.join(d, f"site{i}-access.log"), "a") as f:
                f.write(access)
        for i in range(2):
            with open(os.path.join(d, f"mail{i}.log"), "a") as f:
                f.write(mail)
        time.sleep(5)
        results[f"{n} access logs, 2 mail logs, {m} neighbours"] = series(port)
        proc.terminate()
        proc.wait()
    names = sorted({c for r in results.values() for c in r},
                   key=lambda c: [c for _, c in COLLECTORS].index(c))
    print("| collector | " + " | ".join(results) + " |")
    print("|---|" + "---:|" * len(results))
    for c in names:
        print(f"| {c} | " + " | ".join(str(r[c]) for r in results.values()) + " |")
    print("| **total** | " + " | ".join(str(sum(r.values())) for r in results.values()) + " |")


if __name__ == "__main__":
    main()
