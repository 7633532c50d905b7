#!/usr/bin/python3
"""BGP prober benchmark: edgewatch and prometheus-smokeping-prober pinging the same 1,000
loopback targets (127.0.0.1 upwards) every second, in the same run, one after the other.

Reports CPU seconds and resident memory of each over the measured period, and how many of the
replies each counted. Usage (as root, after a Release build):
    bench/bgp/run.py [BUILD_DIR] [TARGETS] [SECONDS]
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from benchlib import cpu_seconds, free_port, metrics, series, wait_up  # noqa: E402

def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1)) / 1024


def measure(name, cmd, port, seconds, warmup, counted, sent):
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log)
    try:
        try:
            wait_up(port)
        except SystemExit:
            log.seek(0)
            raise SystemExit(f"{name} did not start:\n{log.read().decode()[-2000:]}")
        time.sleep(warmup)
        t0, c0 = time.monotonic(), cpu_seconds(proc.pid)
        m0 = metrics(port)
        time.sleep(seconds)
        m1 = metrics(port)
        t1, c1 = time.monotonic(), cpu_seconds(proc.pid)
        replies = series(m1, counted) - series(m0, counted)
        probes = series(m1, sent) - series(m0, sent) if sent else None
        return {"name": name, "cpu": (c1 - c0) / (t1 - t0), "rss": rss_mib(proc.pid),
                "replies": replies, "probes": probes, "elapsed": t1 - t0}
    finally:
        proc.terminate()
        proc.wait()


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "build",
                                                               "release")
    targets = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    seconds = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    edgewatch = os.path.join(build, "exporter", "edgewatch")
    peer = shutil.which("prometheus-smokeping-prober")
    if peer is None or not os.access(edgewatch, os.X_OK):
        raise SystemExit("needs prometheus-smokeping-prober and a built edgewatch")
    hosts = [f"127.0.{1 + i // 250}.{1 + i % 250}" for i in range(targets)]
    with tempfile.TemporaryDirectory() as d:
        cfg = os.path.join(d, "edgewatch.yml")
        with open(cfg, "w") as f:
            f.write("process:\n  enabled: false\nreflection:\n  enabled: false\nhttpd:\n"
                    "  enabled: false\nbgp:\n  interval: 1s\n  neighbors:\n")
            for i, h in enumerate(hosts):
                f.write(f"    - name: t{i}\n      address: {h}\n")
        ew_port, peer_port = free_port(), free_port()
        results = [
            measure("edgewatch", [edgewatch, f"--config.file={cfg}",
                                  f"--web.listen-address=127.0.0.1:{ew_port}"],
                    ew_port, seconds, 3, "edgewatch_bgp_neighbor_ping_received_total",
                    "edgewatch_bgp_neighbor_ping_sent_total"),
            measure("prometheus-smokeping-prober 0.6.1",
                    [peer, "--privileged", "--ping.interval=1s",
                     f"--web.listen-address=127.0.0.1:{peer_port}", *hosts],
                    peer_port, seconds, 3, "smokeping_response_duration_seconds_count",
                    "smokeping_requests_total"),
        ]
    expected = targets * seconds
    print(f"## bgp: {targets} loopback targets at 1 s, {seconds} s measured each\n")
    print("| prober | CPU (cores) | RSS (MiB) | probes sent | replies counted | of expected |")
    print("|---|---|---|---|---|---|")
    for r in results:
        probes = "n/a" if r["probes"] is None else f"{r['probes']:.0f}"
        print(f"| {r['name']} | {r['cpu']:.3f} | {r['rss']:.1f} | {probes} | "
              f"{r['replies']:.0f} | {100 * r['replies'] / expected:.0f}% |")
    print(f"\nexpected replies: {targets} targets x {seconds} s = {expected}")


if __name__ == "__main__":
    main()
