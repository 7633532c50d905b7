#!/usr/bin/python3
"""Flow ingest benchmark: datagram streams sent at top speed on loopback to each collector in
turn, in one run: sFlow v5 to edgewatch, pmacct's sfacctd and FastNetMon (Debian's fastnetmon
1.2.4); NetFlow v5, NetFlow v9 and IPFIX to edgewatch, nfdump's nfcapd, pmacct's nfacctd and
FastNetMon.

The sFlow stream is pmacct's own export of the incident capture (tests/testdata/pcap/flow/
sflow-pmacct-incident.pcap: 25 datagrams, 152 flow samples with raw headers, sampling rate 1).
The NetFlow and IPFIX streams are softflowd's export of bench/reflection/make_capture.py's mixed
capture (65,536 frames, nearly every one a flow of its own), received on loopback at the start
of the run: its datagrams as softflowd sends them, templates every 16 datagrams. Each stream
is repeated to DATAGRAMS datagrams with its sequence numbers renumbered so that none looks lost
(per datagram for sFlow and v9, per record for v5 and IPFIX). Each collector gets the same
stream from one sender process (sendmmsg is not in Python's library: sendto in a loop, the
sender is the limit on the offered rate). Measured:
  - received: what the kernel delivered to the collector's socket (sent less the drops in
    /proc/net/udp{,6}: the same yardstick for every collector);
  - CPU seconds of the collector's processes (pmacct forks its plugin) while the stream ran
    and until it was read;
  - records (flow samples, flow records) per CPU-second: the per-core rate;
  - peak RSS of the collector's processes.
Every receive buffer is 8 MiB (net.core.rmem_default and rmem_max are set for the run and put
back).
Each collector is measured RUNS times (3), the runs of all collectors interleaved, and the
table shows each column's median: on a shared VM one run is noise.
Usage (after a Release build, as root): bench/flow/run.py [BUILD_DIR] [DATAGRAMS] [RUNS]
"""

import os
import re
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(HERE, ".."))
from benchlib import cpu_seconds, free_port, load, series, wait_up  # noqa: E402

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


def softflowd_export(version, d):
    """softflowd's datagrams exporting make_capture.py's capture as NetFlow `version` (5, 9 or
    10), received on a loopback socket as it sends them."""
    pcap = os.path.join(d, "mixed.pcap")
    if not os.path.exists(pcap):
        load("make_capture", os.path.join("reflection", "make_capture.py")).main(pcap, 65536)
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, BUFFER)
    rx.bind(("127.0.0.1", 0))
    out = subprocess.run(["softflowd", "-r", pcap, "-v", str(version), "-m", "65536", "-d",
                          "-p", os.path.join(d, "softflowd.pid"),
                          "-n", f"127.0.0.1:{rx.getsockname()[1]}"],
                         capture_output=True, text=True, timeout=300, check=True).stdout
    sent = int(re.search(r"Flows exported: .* in (\d+) packets", out).group(1))
    rx.setblocking(False)
    datagrams = []
    while True:
        try:
            datagrams.append(rx.recv(65535))
        except BlockingIOError:
            break
    rx.close()
    if len(datagrams) != sent:
        raise SystemExit(f"softflowd sent {sent} datagrams, {len(datagrams)} arrived")
    return datagrams


def template_lengths(datagram, version, lengths):
    """Adds the record length of every (options) template in a v9 or IPFIX datagram."""
    offset = 20 if version == 9 else 16
    while offset + 4 <= len(datagram):
        set_id, length = struct.unpack_from("!HH", datagram, offset)
        end, at = offset + length, offset + 4
        while set_id in (0, 1, 2, 3) and at + 4 <= end:
            if set_id == 1:  # v9 options: id, scope bytes, option bytes, then fields
                tid, scope, option = struct.unpack_from("!HHH", datagram, at)
                n, at = (scope + option) // 4, at + 6
            elif set_id == 3:  # IPFIX options: id, fields, scope fields
                tid, n = struct.unpack_from("!HH", datagram, at)
                at += 6
            else:
                tid, n = struct.unpack_from("!HH", datagram, at)
                at += 4
            total = 0
            for _ in range(n):
                kind, size = struct.unpack_from("!HH", datagram, at)
                at += 8 if version == 10 and kind & 0x8000 else 4
                total += size
            lengths[tid] = total
            if set_id == 1:
                at = end  # v9 options templates are padded to the set's end
        offset = end


def data_records(datagram, version, lengths):
    """The data records of a v9 or IPFIX datagram, by the templates' record lengths."""
    offset, records = (20 if version == 9 else 16), 0
    while offset + 4 <= len(datagram):
        set_id, length = struct.unpack_from("!HH", datagram, offset)
        if set_id >= 256 and lengths.get(set_id):
            records += (length - 4) // lengths[set_id]
        offset += max(length, 4)
    return records


class Stream:
    """`count` datagrams cycling through `base`, renumbered as they go (the whole stream would
    not fit in memory): `sequence_at` is the header's sequence field, `per_record` says it
    counts records (v5, IPFIX) rather than datagrams (sFlow, v9), `records` the records of
    each datagram of `base`."""

    def __init__(self, name, base, records, sequence_at, per_record, count):
        self.name, self.base, self.records = name, [bytearray(d) for d in base], records
        self.sequence_at, self.per_record, self.count = sequence_at, per_record, count
        self.total = sum(records[i % len(base)] for i in range(count))

    def __len__(self):
        return self.count

    def send(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        target = ("127.0.0.1", PORT)
        base, records, n, at = self.base, self.records, len(self.base), self.sequence_at
        sequence = 0
        t0 = time.monotonic()
        for i in range(self.count):
            d = base[i % n]
            struct.pack_into("!I", d, at, sequence & 0xFFFFFFFF)
            sequence += records[i % n] if self.per_record else 1
            s.sendto(d, target)
        return time.monotonic() - t0


def sflow_stream(count):
    base = datagrams_of(PCAP)
    samples = [struct.unpack_from("!I", d, 24)[0] for d in base]  # IPv4 agent: sample count
    return Stream("sflow", base, samples, 16, False, count)


def netflow_stream(version, count, d):
    base = softflowd_export(version, d)
    if version == 5:
        records = [struct.unpack_from("!H", b, 2)[0] for b in base]
        return Stream("netflow5", base, records, 16, True, count)
    lengths, records = {}, []
    for b in base:
        template_lengths(b, version, lengths)
        records.append(data_records(b, version, lengths))
    if version == 9:
        return Stream("netflow9", base, records, 12, False, count)
    return Stream("ipfix", base, records, 8, True, count)


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
  local_networks: [198.51.100.0/24, 203.0.113.0/24]
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


def run_pmacct(daemon, datagrams, d):
    """sfacctd or nfacctd: pmacct's sFlow and NetFlow/IPFIX collectors, the same print plugin."""
    conf = os.path.join(d, f"{daemon}.conf")
    with open(conf, "w") as f:
        f.write(f"""daemonize: false
{daemon}_ip: 127.0.0.1
{daemon}_port: {PORT}
{daemon}_pipe_size: {BUFFER}
plugins: print
aggregate: src_host, dst_host, src_port, dst_port, proto
print_output_file: {d}/{daemon}.out
print_refresh_time: 60
""")
    proc = start([daemon, "-f", conf])
    try:
        return measure(f"{daemon} (pmacct 1.7.7, print plugin)", proc, datagrams,
                       quiet_for(proc))
    finally:
        stop(proc)


def run_nfcapd(datagrams, d):
    store = os.path.join(d, "nfcapd")
    shutil.rmtree(store, ignore_errors=True)
    os.mkdir(store)
    proc = start(["nfcapd", "-w", store, "-b", "127.0.0.1", "-p", str(PORT), "-B", str(BUFFER),
                  "-t", "3600"])
    try:
        return measure("nfcapd (nfdump 1.7.1)", proc, datagrams, quiet_for(proc))
    finally:
        stop(proc)


def run_fastnetmon(protocol, datagrams, d):
    networks = os.path.join(d, "networks")
    with open(networks, "w") as f:
        f.write("198.51.100.0/24\n203.0.113.0/24\n")
    conf = os.path.join(d, "fastnetmon.conf")
    with open("/etc/fastnetmon.conf") as f:
        base = f.read()
    kind = "sflow" if protocol == "sflow" else "netflow"
    settings = {"sflow": "off", "netflow": "off", f"{kind}": "on", f"{kind}_port": str(PORT),
                f"{kind}_host": "127.0.0.1", "networks_list_path": networks,
                "prometheus_port": str(free_port()), "mirror_afpacket": "off", "enable_ban": "off"}
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
        return measure(f"FastNetMon 1.2.4 ({kind})", proc, datagrams, quiet_for(proc))
    finally:
        stop(proc)


def medians(runs):
    """Per collector, the median of each measure over its runs."""
    out = []
    for results in zip(*runs):
        r = dict(results[0])
        for key in ("sent", "received", "seconds", "cpu", "rss"):
            r[key] = statistics.median(x[key] for x in results)
        out.append(r)
    return out


def table(stream, results):
    per = stream.total / len(stream)
    print(f"\n{stream.name}: {len(stream)} datagrams, {stream.total} records ({per:.2f} per "
          "datagram), one sender\n")
    print("| collector | sent/s | received | loss | CPU s | records per CPU-second | peak RSS MB |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        loss = 1 - r["received"] / r["sent"]
        rate = r["received"] * per / r["cpu"] if r["cpu"] > 0 else float("inf")
        print(f"| {r['name']} | {r['sent'] / r['seconds']:,.0f} | {r['received']:,} | "
              f"{loss:.2%} | {r['cpu']:.2f} | {rate:,.0f} | {r['rss']:.1f} |")


def main():
    tools = ("sfacctd", "nfacctd", "nfcapd", "softflowd", "fastnetmon")
    if not all(shutil.which(t) for t in tools):
        raise SystemExit("needs " + ", ".join(tools) +
                         " (apt-get install pmacct nfdump softflowd fastnetmon)")
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "release")
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 500000
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    sysctl = {k: open(f"/proc/sys/net/core/{k}").read().strip()
              for k in ("rmem_default", "rmem_max")}
    for k in sysctl:
        with open(f"/proc/sys/net/core/{k}", "w") as f:
            f.write(str(BUFFER))
    try:
        with tempfile.TemporaryDirectory() as d:
            stream = sflow_stream(count)
            table(stream, medians([[run_edgewatch(build, stream, d),
                                    run_pmacct("sfacctd", stream, d),
                                    run_fastnetmon("sflow", stream, d)] for _ in range(runs)]))
            for version in (5, 9, 10):
                stream = netflow_stream(version, count, d)
                table(stream, medians([[run_edgewatch(build, stream, d), run_nfcapd(stream, d),
                                        run_pmacct("nfacctd", stream, d),
                                        run_fastnetmon(stream.name, stream, d)]
                                       for _ in range(runs)]))
    finally:
        for k, v in sysctl.items():
            with open(f"/proc/sys/net/core/{k}", "w") as f:
                f.write(v)


if __name__ == "__main__":
    main()
