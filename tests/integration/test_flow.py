"""The flow collector fed by real exporters on loopback. Debian's pmacct (`pmacctd` with its sFlow
probe plugin) reads a capture and exports sFlow v5: edgewatch's reflection series from the
flows are compared with the capture's own (edgewatch replay --pcap) and with tshark's count of
the capture. softflowd reads a capture and exports NetFlow v5, v9 and IPFIX to edgewatch and to
nfdump's nfcapd at once: edgewatch's per-vector counts are compared with nfdump's sums of the
same records, and when sampled, with tshark's count of the capture."""

import os
import re
import socket
import struct
import subprocess
import tempfile
import time
import unittest

from edgewatch_process import (BIN, TESTDATA, Edgewatch, free_udp_port, require_tool, run, scrape,
                               total, value)
from metrics_docs import promtool_problems

PCAP = os.path.join(TESTDATA, "pcap", "incident-ntp-reflection.pcap")
VICTIM = "198.51.100.10"
LOCAL = "198.51.100.0/24"
# The reflection vectors' service ports (exporter/src/parsers/reflection/vectors.h).
VECTOR_PORTS = {"ntp": 123, "dns": 53, "ssdp": 1900, "memcached": 11211, "cldap": 389,
                "chargen": 19, "snmp": 161}


def config(directory, port):
    path = os.path.join(directory, "edgewatch.yml")
    with open(path, "w") as f:
        f.write(f"""process:
  enabled: false
reflection:
  enabled: false
  local_networks: [198.51.100.0/24]
  ntp:
    servers: [198.51.100.123]
flow:
  enabled: true
  listen: ["127.0.0.1:{port}"]
  agents: [127.0.0.0/8]
  local_networks: [198.51.100.0/24]
  ntp:
    servers: [198.51.100.123]
""")
    return path


def sfprobe(directory, pcap, port, sampling_rate):
    """Runs pmacctd over `pcap` with the sfprobe plugin towards 127.0.0.1:`port`, to its end."""
    pmacctd = require_tool("pmacctd")
    conf = os.path.join(directory, f"pmacctd-{sampling_rate}.conf")
    with open(conf, "w") as f:
        f.write(f"""daemonize: false
pcap_savefile: {pcap}
plugins: sfprobe
sfprobe_receiver: 127.0.0.1:{port}
sfprobe_agentip: 192.0.2.254
sampling_rate: {sampling_rate}
""")
    # pmacctd ends with status 1 at the end of a savefile ("no more plugins active").
    out = subprocess.run([pmacctd, "-f", conf], capture_output=True, text=True, timeout=120)
    if "Exporting flows to [127.0.0.1]" not in out.stdout + out.stderr:
        raise AssertionError(f"pmacctd did not export:\n{out.stdout}{out.stderr}")


def reflection_series(text):
    """The reflection families' samples of sFlow (or the capture's), the source label left
    out."""
    out = {}
    for line in text.splitlines():
        if not re.match(r"edgewatch_(ntp|reflection)_", line) or "_slots" in line:
            continue
        if "source=" in line and 'source="sflow"' not in line:
            continue
        series, number = line.rsplit(" ", 1)
        series = series.replace('source="sflow",', "").replace('{source="sflow"}', "")
        out[series] = float(number)
    return out


def tshark_count(pcap, display_filter):
    tshark = require_tool("tshark")
    out = subprocess.run([tshark, "-r", pcap, "-Y", display_filter], capture_output=True,
                         text=True, timeout=120, check=True).stdout
    return len(out.splitlines())


def write_flood(path, responses, others):
    """A capture of `responses` monlist answers (440 B) from 400 reflectors to the victim and
    `others` NTP client requests from local hosts, interleaved, 1 ms apart."""
    def frame(src, dst, sport, dport, payload):
        udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                         socket.inet_aton(src), socket.inet_aton(dst))
        return b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip + udp
    monlist = bytes([0x97, 0, 3, 42, 0, 6, 0, 72]) + bytes(432)
    client = bytes([0x23]) + bytes(47)
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        n = 0
        for i in range(responses + others):
            if i % ((responses + others) // others) == 0 and n < others:
                data = frame(f"198.51.100.{20 + n % 50}", "203.0.113.200", 40000, 123, client)
                n += 1
            else:
                data = frame(f"203.0.{113 + i % 2}.{1 + i % 200}", VICTIM, 123, 80, monlist)
            t = 1_700_000_000_000_000 + i * 1000
            f.write(struct.pack("<IIII", t // 1_000_000, t % 1_000_000, len(data), len(data)))
            f.write(data)


def settled(ew, series, timeout=30):
    """The value of `series` once it is above 0 and has not moved for a second."""
    deadline = time.monotonic() + timeout
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        got = value(scrape(ew), series)
        if got != last:
            last, since = got, time.monotonic()
        elif got and time.monotonic() - since > 1.0:
            return got
        time.sleep(0.1)
    raise AssertionError(f"{series} did not settle (at {last})\n{ew.read_log()}")


def softflowd(pcap, ports, version, sampling_rate=1):
    """Runs softflowd over `pcap` to its end, exporting `version` (5, 9, 10 for IPFIX) to
    every 127.0.0.1 port of `ports` at once. (No -c: after -r it brings back the control
    socket, and softflowd 1.1.0 then blocks in accept() before reading the capture.)"""
    with tempfile.TemporaryDirectory() as d:
        out = run(require_tool("softflowd"), "-r", pcap, "-v", str(version),
                  "-s", str(sampling_rate), "-d", "-p", os.path.join(d, "pid"),
                  "-n", ",".join(f"127.0.0.1:{p}" for p in ports))
    if "Flows exported" not in out:
        raise AssertionError(f"softflowd did not export:\n{out}")


class Nfcapd:
    """nfdump's collector on a loopback port; its records are read once it has stopped."""

    def __init__(self, directory, port):
        self.dir = os.path.join(directory, "nfcapd")
        os.mkdir(self.dir)
        self.proc = subprocess.Popen([require_tool("nfcapd"), "-w", self.dir, "-b", "127.0.0.1",
                                      "-p", str(port), "-t", "3600"], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 10
        while not any(n.startswith("nfcapd.current") for n in os.listdir(self.dir)):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.proc.kill()
                raise AssertionError(f"nfcapd did not start:\n{self.proc.communicate()[0]}")
            time.sleep(0.05)

    def stop(self):
        """Stops it (SIGTERM writes its last file out)."""
        self.proc.terminate()
        self.proc.communicate(timeout=20)

    def stat(self, key):
        out = run(require_tool("nfdump"), "-R", self.dir, "-I")
        return int(re.search(rf"^{key}: (\d+)$", out, re.M).group(1))

    def packets_and_bytes(self, nfdump_filter):
        """The sums of the packets and (IP) bytes of the records `nfdump_filter` selects."""
        out = run(require_tool("nfdump"), "-R", self.dir, "-q", "-N", "-o", "fmt:%pkt %byt",
                  nfdump_filter)
        rows = [line.split() for line in out.splitlines()
                if line.strip() and line != "No matching flows"]
        return sum(int(r[0]) for r in rows), sum(int(r[1]) for r in rows)


def vector_filters():
    """Per reflection series (vector, direction, side), the nfdump filter of its records: a
    record from the service port is a response, one to it a request (flows carry no content
    to say otherwise); in is to a local address, out from one to elsewhere, transit neither."""
    directions = {"in": f"dst net {LOCAL}",
                  "out": f"src net {LOCAL} and not dst net {LOCAL}",
                  "transit": f"not src net {LOCAL} and not dst net {LOCAL}"}
    out = {}
    for vector, port in VECTOR_PORTS.items():
        sides = {"response": f"src port {port}", "request": f"dst port {port} and not src port {port}"}
        for direction, where in directions.items():
            for side, ports in sides.items():
                out[(vector, direction, side)] = f"proto udp and {ports} and {where}"
    return out


class NetflowTest(unittest.TestCase):
    def export(self, pcap, version, sampling_rate=1):
        """softflowd's export of `pcap` received by edgewatch and by nfcapd: edgewatch's scrape
        once the records stopped coming, and the stopped nfcapd."""
        d = tempfile.mkdtemp()
        self.addCleanup(subprocess.run, ["rm", "-rf", d])
        port, nf_port = free_udp_port(), free_udp_port()
        nfcapd = Nfcapd(d, nf_port)
        try:
            with Edgewatch(f"--config.file={config(d, port)}") as ew:
                ew.wait_for_log("receiving flows", 10)
                softflowd(pcap, [port, nf_port], version, sampling_rate)
                protocol = {5: "netflow5", 9: "netflow9", 10: "ipfix"}[version]
                settled(ew, f'edgewatch_flow_samples_total{{protocol="{protocol}",'
                            'agent="127.0.0.1"}')
                text = scrape(ew)
        finally:
            nfcapd.stop()
        return text, nfcapd

    def test_every_vector_counts_as_nfdump(self):
        for version, protocol in ((5, "netflow5"), (9, "netflow9"), (10, "ipfix")):
            with self.subTest(protocol):
                text, nfcapd = self.export(PCAP, version)
                agent = f'{{protocol="{protocol}",agent="127.0.0.1"}}'
                self.assertEqual(value(text, f"edgewatch_flow_samples_total{agent}"),
                                 nfcapd.stat("Flows"))
                self.assertEqual(nfcapd.stat("Sequence failures"), 0)
                lost = total(text, "edgewatch_flow_datagrams_lost_total", agent="127.0.0.1")
                lost_records = total(text, "edgewatch_flow_records_lost_total", agent="127.0.0.1")
                self.assertEqual((lost or 0) + (lost_records or 0), 0)
                self.assertEqual(total(text, "edgewatch_flow_decode_errors_total",
                                       agent="127.0.0.1"), 0)
                compared = 0
                for (vector, direction, side), where in vector_filters().items():
                    packets, ip_bytes = nfcapd.packets_and_bytes(where)
                    labels = dict(source="netflow", vector=vector, direction=direction, side=side)
                    got_packets = total(text, "edgewatch_reflection_packets_total", **labels)
                    got_bytes = total(text, "edgewatch_reflection_payload_bytes_total", **labels)
                    # Payload: IP bytes less the 20-byte IPv4 and 8-byte UDP headers.
                    self.assertEqual((got_packets, got_bytes), (packets, ip_bytes - 28 * packets),
                                     (vector, direction, side, where))
                    compared += packets > 0
                self.assertGreaterEqual(compared, 5)
                # Unsolicited monlist: records from :123 to the victim of a mean size of a
                # mode-7 answer (ntp::MeanSizeSaysMonlist, 400 B of payload and more).
                packets, ip_bytes = nfcapd.packets_and_bytes(
                    f"proto udp and src port 123 and dst ip {VICTIM} and bpp > 427")
                self.assertEqual(packets, 50)
                self.assertEqual(value(text, 'edgewatch_ntp_unsolicited_responses_total'
                                             '{source="netflow"}'), packets)
                self.assertEqual(value(text, 'edgewatch_reflection_top_target_bytes{source='
                                             f'"netflow",vector="ntp",target="{VICTIM}"}}'),
                                 ip_bytes - 28 * packets)

    def test_one_in_ten_sampled_estimates_the_flood(self):
        # 20000 monlist answers of 440 B through softflowd's 1-in-10 sampler. Exact: edgewatch
        # counts each sampled packet nfdump holds ten times (softflowd says 10 in an options
        # record; nfdump 1.7 does not scale). Estimated: within 5/sqrt(n) of tshark's count of
        # the capture for n sampled answers, as the sFlow test above.
        with tempfile.TemporaryDirectory() as d:
            pcap = os.path.join(d, "flood.pcap")
            write_flood(pcap, 20000, 500)
            truth = tshark_count(pcap, f"ip.dst=={VICTIM} && ntp.priv.reqcode==42")
            self.assertEqual(truth, 20000)
            for version, protocol in ((9, "netflow9"), (10, "ipfix")):
                with self.subTest(protocol):
                    text, nfcapd = self.export(pcap, version, 10)
                    agent = f'{{protocol="{protocol}",agent="127.0.0.1"}}'
                    self.assertEqual(value(text, f"edgewatch_flow_agent_sampling_rate{agent}"), 10)
                    sampled, ip_bytes = nfcapd.packets_and_bytes(
                        f"proto udp and src port 123 and dst ip {VICTIM}")
                    self.assertGreater(sampled, 1000)
                    estimate = value(text, 'edgewatch_ntp_unsolicited_payload_bytes_total'
                                           '{source="netflow"}')
                    self.assertEqual(estimate, 10 * (ip_bytes - 28 * sampled))
                    self.assertLess(abs(estimate - truth * 440) / (truth * 440),
                                    5 / sampled ** 0.5, (estimate, truth, sampled))


class FlowTest(unittest.TestCase):
    def run_sfprobe(self, pcap, sampling_rate):
        """edgewatch receiving pmacctd's export of `pcap`: its scrape once the samples stopped
        coming, and its config."""
        with tempfile.TemporaryDirectory() as d:
            port = free_udp_port()
            cfg = config(d, port)
            with Edgewatch(f"--config.file={cfg}") as ew:
                ew.wait_for_log("receiving flows", 10)
                sfprobe(d, pcap, port, sampling_rate)
                settled(ew, 'edgewatch_flow_samples_total{protocol="sflow",agent="127.0.0.1"}')
                with open(cfg) as f:
                    return scrape(ew), f.read()

    def test_every_frame_sampled_counts_as_the_capture(self):
        text, cfg_text = self.run_sfprobe(PCAP, 1)
        agent = '{protocol="sflow",agent="127.0.0.1"}'
        samples = int(value(text, f"edgewatch_flow_samples_total{agent}"))
        # pmacctd 1.7.7 stops at the end of a savefile with its last packets still buffered
        # (148 of the 152 frames, whatever its buffer settings): the truth is the frames it
        # exported, the capture's first `samples` (its sample_pool says it saw that many).
        self.assertGreater(samples, 140)
        self.assertLessEqual(samples, tshark_count(PCAP, "frame"))
        self.assertEqual(value(text, f"edgewatch_flow_datagrams_lost_total{agent}"), 0)
        self.assertEqual(value(text, f"edgewatch_flow_agent_sampling_rate{agent}"), 1)
        for reason in ("truncated", "version", "address_type", "oversize", "header_protocol"):
            self.assertEqual(value(text, 'edgewatch_flow_decode_errors_total{protocol="sflow",'
                                         f'agent="127.0.0.1",reason="{reason}"}}'), 0)
        with tempfile.TemporaryDirectory() as d:
            exported = os.path.join(d, "exported.pcap")
            subprocess.run([require_tool("editcap"), "-r", PCAP, exported, f"1-{samples}"],
                           check=True, timeout=60)
            # tshark's count of the monlist answers to the victim, who asked for none.
            unasked = tshark_count(exported, f"ip.dst=={VICTIM} && udp.srcport==123 && "
                                             "ntp.priv.reqcode==42")
            self.assertEqual(unasked, 50)
            self.assertEqual(value(text, 'edgewatch_ntp_unsolicited_responses_total'
                                         '{source="sflow"}'), unasked)
            # Every reflection series equals the capture's, replayed by the capture's collector.
            cfg = os.path.join(d, "edgewatch.yml")
            with open(cfg, "w") as f:
                f.write(cfg_text)
            replayed = subprocess.run([BIN, "replay", f"--config.file={cfg}",
                                       "--collector.reflection", "--pcap", exported],
                                      capture_output=True, text=True, timeout=60)
        self.assertEqual(replayed.returncode, 0, replayed.stderr)
        capture = reflection_series(replayed.stdout)
        self.assertGreater(len(capture), 100)
        self.assertEqual(reflection_series(text), capture)
        self.assertEqual(promtool_problems(text), "")

    def test_one_in_ten_sampled_estimates_the_flood(self):
        # 20000 answers of 440 B sampled 1 in 10 by pmacct, its datagrams captured on lo as
        # they go to edgewatch. Exact: edgewatch counts each sampled answer tshark finds in
        # those datagrams ten times. Estimated: that is within 5/sqrt(n) of the answers among the
        # packets pmacct's sampler saw (its sample_pool; under load pmacctd may stop before the
        # file's end): n samples are within 1/sqrt(n) one time in three, 5/sqrt(n) is five
        # standard errors (11 % for the ~2000 samples of a whole run).
        tcpdump, tshark = require_tool("tcpdump"), require_tool("tshark")
        with tempfile.TemporaryDirectory() as d:
            pcap = os.path.join(d, "flood.pcap")
            write_flood(pcap, 20000, 500)
            self.assertEqual(tshark_count(pcap, f"ip.dst=={VICTIM} && ntp.priv.reqcode==42"),
                             20000)
            port = free_udp_port()
            exported = os.path.join(d, "sflow.pcap")
            with Edgewatch(f"--config.file={config(d, port)}") as ew:
                ew.wait_for_log("receiving flows", 10)
                dump = subprocess.Popen([tcpdump, "-i", "lo", "-U", "-w", exported,
                                         f"udp dst port {port}"], stderr=subprocess.PIPE)
                try:
                    time.sleep(1)  # tcpdump listening
                    sfprobe(d, pcap, port, 10)
                    settled(ew, 'edgewatch_flow_samples_total{protocol="sflow",'
                                'agent="127.0.0.1"}')
                    text = scrape(ew)
                finally:
                    dump.terminate()
                    dump.wait(10)
            fields = subprocess.run(
                [tshark, "-r", exported, "-d", f"udp.port=={port},sflow", "-T", "fields",
                 "-e", "sflow.flow_sample.sample_pool", "-e", "ip.dst"],
                capture_output=True, text=True, timeout=120, check=True).stdout
            pools, sampled = [0], 0
            for line in fields.splitlines():
                pool, dst = (line.split("\t") + [""])[:2]
                pools += [int(p) for p in pool.split(",") if p]
                sampled += dst.split(",").count(VICTIM)
            seen = max(pools)
            self.assertGreater(seen, 5000)
            self.assertGreater(sampled, 300)
            truncated = os.path.join(d, "seen.pcap")
            subprocess.run([require_tool("editcap"), "-r", pcap, truncated, f"1-{seen}"],
                           check=True, timeout=60)
            truth = tshark_count(truncated, f"ip.dst=={VICTIM} && ntp.priv.reqcode==42")
        agent = '{protocol="sflow",agent="127.0.0.1"}'
        self.assertEqual(value(text, f"edgewatch_flow_agent_sampling_rate{agent}"), 10)
        self.assertEqual(value(text, 'edgewatch_ntp_unsolicited_responses_total{source="sflow"}'),
                         10 * sampled)
        estimate = value(text, 'edgewatch_ntp_unsolicited_payload_bytes_total{source="sflow"}')
        self.assertEqual(estimate, 10 * sampled * 440)
        self.assertLess(abs(estimate - truth * 440) / (truth * 440), 5 / sampled ** 0.5,
                        (estimate, truth, sampled))
        top = value(text, 'edgewatch_reflection_top_target_bytes{source="sflow",vector="ntp",'
                          f'target="{VICTIM}"}}')
        self.assertEqual(top, estimate)


if __name__ == "__main__":
    unittest.main()
