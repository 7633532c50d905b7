#!/usr/bin/python3
"""Flow ingest benchmark: one sFlow v5 datagram stream sent at top speed on loopback to each
collector in turn, in one run: edgewatch's flow collector, pmacct's sfacctd and FastNetMon
(Debian's fastnetmon 1.2.4, sflow = on).

The stream is DATAGRAMS datagrams made of pmacct's own export of the incident capture
(tests/testdata/pcap/flow/sflow-pmacct-incident.pcap: 25 datagrams, 152 flow samples with raw
headers, sampling rate 1), repeated with the agent's sequence numbers renumbered so that none
looks lost. Each collector gets the same stream from one sender process (sendmmsg is not in
Python's library: sendto in a loop, the sender is the limit on the offered rate). Measured:
  - received: what the kernel delivered to the collector's socket (sent less the drops in
    /proc/net/udp{,6}: the same yardstick for every collector);
  - CPU seconds of the collector's processes (sfacctd forks its plugin) while the stream ran
    and until it was read;
  - flow samples per CPU-second: the per-core rate;
  - peak RSS of the collector's processes.
Every receive buffer is 8 MiB (net.core.rmem_default and rmem_max are set for the run and put
back).
Usage (after a Release build, as root): bench/flow/run.py [BUILD_DIR] [DATAGRAMS]
"""

import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(HERE, ".."))
from benchlib import cpu_seconds, free_port, series, wait_up  # noqa: E402

PCAP = os.path.join(ROOT, "tests", "testdata", "pcap", "flow", "sflow-pmacct-incident.pcap")
PORT = 16343
BUFFER = 8 << 20


def datagrams_of(pcap):
    """The UDP payloads of a classic pcap of Ethernet/IPv4 frames."""
    out = []
    with open(pcap, "rb") as f:
        data = f.read()
    offset = 24
    while offset + 16 <= len(data):
        caplen = struct.unpack_from("<I", data, offset + 8)[0]
        frame = data[offset + 16: offset + 16 + caplen]
        ihl = (frame[14] & 0x0F) * 4
        out.append(frame[14 + ihl + 8:])
        offset += 16 + caplen
    return out


def samples_in(datagram):
    return struct.unpack_from("!I", datagram, 24)[0]  # IPv4 agent: the sample count


class Stream:
    """`count` datagrams cycling through pmacct's 25, sequence numbers 1..count, written into
    the datagram just before it is sent (the whole stream would not fit in memory)."""

    def __init__(self, count):
        self.base = [bytearray(d) for d in datagrams_of(PCAP)]
        self.count = count
        self.samples = sum(samples_in(self.base[i % len(self.base)]) for i in range(count))

    def __len__(self):
        return self.count

    def send(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        target = ("127.0.0.1", PORT)
        base, n = self.base, len(self.base)
        t0 = time.monotonic()
        for i in range(self.count):
            d = base[i % n]
            struct.pack_into("!I", d, 16, i + 1)
            s.sendto(d, target)
        return time.monotonic() - t0


def udp_drops(port):
    """Drops of the sockets bound to `port` (/proc/net/udp and udp6, column 13)."""
    total = 0
    for table in ("/proc/net/udp", "/proc/net/udp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port:
                    total += int(fields[12])
    return total


def group(pid):
    """The process and its descendants."""
    pids = {pid}
    changed = True
    while changed:
        changed = False
        for entry in os.listdir("/proc"):
            if entry.isdigit() and int(entry) not in pids:
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                except OSError:
                    continue
                if ppid in pids:
                    pids.add(int(entry))
                    changed = True
    return pids


def cpu_of(pids):
    total = 0.0
    for p in pids:
        try:
            total += cpu_seconds(p)
        except OSError:
            pass
    return total


def rss_of(pids):
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def wait_bound(port, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for table in ("/proc/net/udp", "/proc/net/udp6"):
            with open(table) as f:
                if any(int(l.split()[1].rsplit(":", 1)[1], 16) == port
                       for l in f.readlines()[1:]):
                    return
        time.sleep(0.1)
    raise SystemExit(f"nothing bound to udp {port}")


def measure(name, proc, datagrams, done):
    """Sends the stream to `proc`'s socket; `done()` says when it has read everything."""
    wait_bound(PORT)
    time.sleep(1)
    pids = group(proc.pid)
    cpu0, drops0 = cpu_of(pids), udp_drops(PORT)
    elapsed = datagrams.send()
    deadline = time.monotonic() + 60
    while not done() and time.monotonic() < deadline:
        time.sleep(0.2)
    pids = group(proc.pid)
    cpu = cpu_of(pids) - cpu0
    drops = udp_drops(PORT) - drops0
    rss = rss_of(pids)
    return {"name": name, "sent": len(datagrams), "received": len(datagrams) - drops,
            "seconds": elapsed, "cpu": cpu, "rss": rss}


def run_edgewatch(build, datagrams, d):
    port = free_port()
    cfg = os.path.join(d, "edgewatch.yml")
    with open(cfg, "w") as f:
        f.write(f"""process:
  enabled: false
reflection:
  enabled: false
httpd:
  enabled: false
bgp:
  enabled: false
access_log:
  enabled: false
mail_log:
  enabled: false
flow:
  enabled: true
  listen: ["127.0.0.1:{PORT}"]
  local_networks: [198.51.100.0/24]
  receive_buffer_bytes: {BUFFER}
""")
    proc = start([os.path.join(build, "exporter", "edgewatch"), f"--config.file={cfg}",
                  f"--web.listen-address=127.0.0.1:{port}"])
    try:
        wait_up(port)
        expected = len(datagrams)

        def done():
            text = wait_up(port)
            got = series(text, "edgewatch_flow_listener_datagrams_total")
            return got + udp_drops(PORT) - drops0 >= expected
        drops0 = udp_drops(PORT)
        return measure("edgewatch", proc, datagrams, done)
    finally:
        stop(proc)


def start(command):
    """A collector in a session of its own, so that it and its children stop together."""
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def stop(proc):
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def quiet_for(proc, seconds=1.5):
    """A `done` for collectors without a counter to ask: their CPU time stopped moving."""
    state = {"cpu": -1.0, "since": time.monotonic()}

    def done():
        cpu = cpu_of(group(proc.pid))
        if cpu != state["cpu"]:
            state["cpu"], state["since"] = cpu, time.monotonic()
            return False
        return time.monotonic() - state["since"] > seconds
    return done


def run_sfacctd(datagrams, d):
    conf = os.path.join(d, "sfacctd.conf")
    with open(conf, "w") as f:
        f.write(f"""daemonize: false
sfacctd_ip: 127.0.0.1
sfacctd_port: {PORT}
sfacctd_pipe_size: {BUFFER}
plugins: print
aggregate: src_host, dst_host, src_port, dst_port, proto
print_output_file: {d}/sfacctd.out
print_refresh_time: 60
""")
    proc = start(["sfacctd", "-f", conf])
    try:
        return measure("sfacctd (pmacct 1.7.7, print plugin)", proc, datagrams, quiet_for(proc))
    finally:
        stop(proc)


def run_fastnetmon(datagrams, d):
    networks = os.path.join(d, "networks")
    with open(networks, "w") as f:
        f.write("198.51.100.0/24\n")
    conf = os.path.join(d, "fastnetmon.conf")
    with open("/etc/fastnetmon.conf") as f:
        base = f.read()
    settings = {"sflow": "on", "sflow_port": str(PORT), "sflow_host": "127.0.0.1",
                "networks_list_path": networks, "prometheus_port": str(free_port()),
                "mirror_afpacket": "off", "netflow": "off", "enable_ban": "off"}
    lines = []
    for line in base.splitlines():
        key = line.split("=", 1)[0].strip()
        lines.append(f"{key} = {settings.pop(key)}" if key in settings else line)
    lines += [f"{k} = {v}" for k, v in settings.items()]
    with open(conf, "w") as f:
        f.write("\n".join(lines) + "\n")
    proc = start(["fastnetmon", "--configuration_file", conf, "--disable_pid_logic",
                  "--log_file", os.path.join(d, "fastnetmon.log")])
    try:
        return measure("FastNetMon 1.2.4 (sflow)", proc, datagrams, quiet_for(proc))
    finally:
        stop(proc)


def main():
    if not (shutil.which("sfacctd") and shutil.which("fastnetmon")):
        raise SystemExit("needs sfacctd and fastnetmon (apt-get install pmacct fastnetmon)")
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "release")
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 500000
    datagrams = Stream(count)
    samples = datagrams.samples
    sysctl = {k: open(f"/proc/sys/net/core/{k}").read().strip()
              for k in ("rmem_default", "rmem_max")}
    for k in sysctl:
        with open(f"/proc/sys/net/core/{k}", "w") as f:
            f.write(str(BUFFER))
    results = []
    try:
        with tempfile.TemporaryDirectory() as d:
            results.append(run_edgewatch(build, datagrams, d))
            results.append(run_sfacctd(datagrams, d))
            results.append(run_fastnetmon(datagrams, d))
    finally:
        for k, v in sysctl.items():
            with open(f"/proc/sys/net/core/{k}", "w") as f:
                f.write(v)
    per = samples / count
    print(f"{count} datagrams, {samples} flow samples ({per:.2f} per datagram), one sender\n")
    print("| collector | sent/s | received | loss | CPU s | samples per CPU-second | peak RSS MB |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        loss = 1 - r["received"] / r["sent"]
        rate = r["received"] * per / r["cpu"] if r["cpu"] > 0 else float("inf")
        print(f"| {r['name']} | {r['sent'] / r['seconds']:,.0f} | {r['received']:,} | "
              f"{loss:.2%} | {r['cpu']:.2f} | {rate:,.0f} | {r['rss']:.1f} |")


if __name__ == "__main__":
    main()
