#!/usr/bin/python3
"""SPAN capture at rate: how many packets per second edgewatch's capture keeps, against tcpdump
on the same feed, with a sender far faster than tcpreplay.

netsniff-ng's trafgen (PACKET_MMAP TX ring) sends make_capture.py's mixed frames (4,096 of
them, most of them the vectors' and so passed by the filter; converted with `netsniff-ng --in
X.pcap --out X.cfg` and sent round robin) from a network namespace onto a veth at a set rate; on
the outer end one capture runs at a time, edgewatch (its reflection collector, the default ring)
or tcpdump (`-B` the same ring, the same BPF filter as edgewatch's capture, `-w /dev/null`),
each against the same trafgen run. Per rate: what the sender got out (the veth's counter), what
each capture kept and dropped (edgewatch's capture counters, tcpdump's "dropped by kernel"), and
the capture process's CPU time per kept packet.

Then the ring (`reflection.buffer_size_bytes`), which only matters while the capture thread is
not reading: per size, edgewatch is stopped (SIGSTOP) for a second of traffic at full speed,
so the ring fills and the rest is dropped; what it kept is the ring's capacity in packets, and
so how long a stall (scheduling on a busy host, swap) it rides out at the rate it filled at.
Peak RSS is taken after that, with every page of the ring touched, and the drops of each size
at the veth's maximum with nothing stopped.
Usage (after a Release build, as root): bench/reflection/span.py [BUILD_DIR] [SECONDS]
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(HERE, ".."))
from benchlib import cpu_seconds, free_port, load, metrics, series, wait_up  # noqa: E402

NS, OUTER, INNER = "ewspan", "ewspo", "ewspi"
# edgewatch's capture filter for the default vectors (CaptureFilter in reflection_collector.cc).
PORTS = (123, 53, 1900, 11211, 389, 19, 161)
FILTER = ("(udp and (" + " or ".join(f"port {p}" for p in PORTS) + ")) or (ip and ip[6:2] & "
          "0x3fff != 0) or (ip6 and ip6[6] != 17 and ip6[6] != 6 and ip6[6] != 58) or (ip proto "
          "47) or (udp port 4789) or (ether proto 0x8847) or (ether proto 0x8848) or (ether "
          "proto 0x8864)")
MIB = 1 << 20


def sh(*cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def veth_up():
    subprocess.run(["ip", "netns", "del", NS], capture_output=True)
    subprocess.run(["ip", "link", "del", OUTER], capture_output=True)
    sh("ip", "netns", "add", NS)
    sh("ip", "link", "add", OUTER, "type", "veth", "peer", "name", INNER)
    sh("ip", "link", "set", INNER, "netns", NS)
    sh("ip", "link", "set", OUTER, "up")
    sh("ip", "-n", NS, "link", "set", INNER, "up")


def veth_down():
    subprocess.run(["ip", "link", "del", OUTER], capture_output=True)
    subprocess.run(["ip", "netns", "del", NS], capture_output=True)


def tx_packets():
    """What the sender got through the veth: its outer end's receive counter (a sysfs read,
    cheap enough to poll while the capture runs)."""
    with open(f"/sys/class/net/{OUTER}/statistics/rx_packets") as f:
        return int(f.read())


def send(cfg, rate, seconds):
    """trafgen at `rate` packets/s (0: as fast as it goes) for about `seconds`, on one CPU; the
    packets the veth took, and their rate from the veth's counter while they flowed (trafgen's
    start, compiling its packets, not counted)."""
    # trafgen stops on SIGINT; `timeout` (inside the namespace, trafgen's parent) sends it. At
    # full speed that is the stop: trafgen's start, then `seconds` of sending.
    limit = seconds * 4 + 20 if rate else seconds + 2
    cmd = ["ip", "netns", "exec", NS, "timeout", "-s", "INT", str(limit), "trafgen", "-i", cfg,
           "-o", INNER, "-P", "1", "-q", "-C"]
    cmd += ["-n", str(int(rate * seconds)), "-b", f"{rate}pps"] if rate else []
    before = tx_packets()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    first = None  # (time, count) of the first packet seen out
    last = (time.monotonic(), before)
    while proc.poll() is None:
        now, count = time.monotonic(), tx_packets()
        if count > last[1]:
            first = first or last
            last = (now, count)
        time.sleep(0.05)
    proc.wait(30)
    sent = tx_packets() - before
    flowing = last[0] - first[0] if first else 0
    return sent, (last[1] - first[1]) / flowing if flowing > 0 else 0.0


def edgewatch_run(build, d, cfg, rate, seconds, ring, stalled=False):
    """One send against edgewatch; `stalled`: edgewatch stopped while it runs, so the ring fills
    and what it kept is what the ring holds."""
    conf = os.path.join(d, "edgewatch.yml")
    with open(conf, "w") as f:
        f.write(f"process:\n  enabled: false\nreflection:\n  interface: {OUTER}\n"
                f"  local_networks: [203.0.113.0/24]\n  buffer_size_bytes: {ring}\n")
    port = free_port()
    log = open(os.path.join(d, "ew.log"), "w")
    proc = subprocess.Popen([os.path.join(build, "exporter", "edgewatch"),
                             f"--config.file={conf}", f"--web.listen-address=127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=log)
    try:
        wait_up(port)
        for _ in range(100):
            if "capture started" in open(os.path.join(d, "ew.log")).read():
                break
            time.sleep(0.1)
        cpu0 = cpu_seconds(proc.pid)
        if stalled:
            os.kill(proc.pid, signal.SIGSTOP)
        sent, pps = send(cfg, rate, seconds)
        if stalled:
            os.kill(proc.pid, signal.SIGCONT)
        time.sleep(1.5)  # the ring read out
        text = metrics(port)
        cpu = cpu_seconds(proc.pid) - cpu0
        with open(f"/proc/{proc.pid}/status") as f:
            rss = int(re.search(r"VmHWM:\s+(\d+)", f.read()).group(1)) / 1024
        # ps_recv, like tcpdump's "received by filter", counts the dropped packets too.
        dropped = series(text, "edgewatch_capture_packets_dropped_total")
        kept = series(text, "edgewatch_capture_packets_received_total") - dropped
        return {"sent": sent, "pps": pps, "kept": kept, "dropped": dropped, "cpu": cpu,
                "rss": rss}
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


def tcpdump_run(d, cfg, rate, seconds, ring):
    err = os.path.join(d, "tcpdump.log")
    with open(err, "w") as e:
        proc = subprocess.Popen(["tcpdump", "-i", OUTER, "-B", str(ring // 1024), "-n", "-w",
                                 "/dev/null", FILTER], stdout=subprocess.DEVNULL, stderr=e)
    try:
        for _ in range(100):
            if "listening on" in open(err).read():
                break
            time.sleep(0.1)
        cpu0 = cpu_seconds(proc.pid)
        sent, pps = send(cfg, rate, seconds)
        time.sleep(1.5)
        cpu = cpu_seconds(proc.pid) - cpu0
    finally:
        proc.send_signal(2)
        proc.wait(10)
    out = open(err).read()
    # "received by filter" counts the ring's packets, kept or not; "dropped by kernel" those
    # the ring had no room for.
    dropped = int(re.search(r"(\d+) packets? dropped by kernel", out).group(1))
    received = int(re.search(r"(\d+) packets? received by filter", out).group(1))
    return {"sent": sent, "pps": pps, "kept": received - dropped, "dropped": dropped, "cpu": cpu,
            "rss": 0.0}


def main():
    for tool in ("trafgen", "netsniff-ng", "tcpdump", "ip"):
        if not shutil.which(tool):
            raise SystemExit(f"needs {tool} (apt-get install netsniff-ng tcpdump iproute2)")
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "release")
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
    ring = 8 * MIB  # reflection.buffer_size_bytes' default
    with tempfile.TemporaryDirectory() as d:
        pcap, cfg = os.path.join(d, "mixed.pcap"), os.path.join(d, "mixed.cfg")
        load("make_capture", os.path.join("reflection", "make_capture.py")).main(pcap, 4096)
        sh("netsniff-ng", "--in", pcap, "--out", cfg, "-q")
        veth_up()
        try:
            print("| offered pps | tool | sent | sent pps | kept | dropped "
                  "| CPU ns per kept packet |")
            print("|---|---|---|---|---|---|---|")
            for rate in (250_000, 500_000, 1_000_000, 2_000_000, 4_000_000, 0):
                for name, run in (("edgewatch", lambda: edgewatch_run(build, d, cfg, rate,
                                                                       seconds, ring)),
                                  ("tcpdump", lambda: tcpdump_run(d, cfg, rate, seconds, ring))):
                    r = run()
                    per = r["cpu"] / r["kept"] * 1e9 if r["kept"] else float("nan")
                    print(f"| {rate or 'max'} | {name} | {r['sent']:,} | {r['pps']:,.0f} | "
                          f"{r['kept']:,.0f} | {r['dropped']:,.0f} | {per:.0f} |", flush=True)
            print("\nRing size: edgewatch stopped while trafgen sends at full speed, then "
                  "running:\n")
            print("| ring | kept while stopped | ring bytes per packet | passed pps while stopped "
                  "| stall ridden out, ms | peak RSS MB | dropped at max |")
            print("|---|---|---|---|---|---|---|")
            for mib in (2, 4, 8, 16, 32):
                held = edgewatch_run(build, d, cfg, 0, 1, mib * MIB, stalled=True)
                top = edgewatch_run(build, d, cfg, 0, seconds, mib * MIB)
                # The rate the ring filled at: what the veth took, times the share the filter
                # passed.
                passed = held["pps"] * (held["kept"] + held["dropped"]) / held["sent"]
                print(f"| {mib} MiB | {held['kept']:,.0f} | {mib * MIB / held['kept']:.0f} | "
                      f"{passed:,.0f} | {held['kept'] / passed * 1e3:.0f} | {held['rss']:.1f} | "
                      f"{top['dropped']:,.0f} |", flush=True)
        finally:
            veth_down()


if __name__ == "__main__":
    main()
