"""Incident forensics: an incident's capture and logs replayed into Prometheus history
(`edgewatch replay --output.history`, `promtool tsdb create-blocks-from openmetrics`, a real
Prometheus serving the blocks) and scripts/incident-timeline's table of the shipped alerts that
would have fired, when. The inputs span the incident's real time (an hour), so the shipped
rules run with their own windows and `for`: an NTP monlist flood arriving from outside, an
xmlrpc.php flood on a WordPress site, each after a quiet start, and a snowshoe spam run (the
alert end-to-end test's streams); and a clean hour (page views, NTP, normal mail) that raises
nothing."""

import calendar
import json
import os
import struct
import subprocess
import tempfile
import time
import unittest
import urllib.request

from prometheus_client.openmetrics.parser import text_string_to_metric_families

from edgewatch_process import BIN, TESTDATA, require_tool

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TIMELINE = os.path.join(ROOT, "scripts", "incident-timeline")
T0 = 1_796_184_000  # 2026-12-02 04:00:00 UTC: the quiet start
FLOOD_START = T0 + 600  # ten quiet minutes, then the floods
NTP_FLOOD_S = 480  # 8 minutes of reflected monlist answers at 1,000 a second
XMLRPC_FLOOD_S = 720  # 12 minutes of xmlrpc.php at 20 a second
MAIL_START = T0 + 300  # the mail logs' 50 minutes, moved to start here
END = T0 + 3600

CONFIG = """process:
  enabled: false
reflection:
  local_networks: [198.51.100.0/24]
"""


def checksum(header):
    s = sum(struct.unpack("!10H", header))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def udp_frame(src, dst, sport, dport, payload_len, first_bytes):
    """An Ethernet/IPv4/UDP frame of `payload_len` payload bytes (the wire length) and the first
    bytes the capture kept (snaplen 96)."""
    udp_len = 8 + payload_len
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, 0, 0, 64, 17, 0,
                     bytes(map(int, src.split("."))), bytes(map(int, dst.split("."))))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    eth = bytes.fromhex("020000000001020000000002") + b"\x08\x00"
    frame = eth + ip + struct.pack("!HHHH", sport, dport, udp_len, 0) + first_bytes
    wire = 14 + 20 + udp_len
    return frame[:96], wire


def write_pcap(path, packets):
    """packets: (time_seconds, (frame, wire_length)), in time order."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 96, 1))
        for t, (frame, wire) in packets:
            sec = int(t)
            f.write(struct.pack("<IIII", sec, int((t - sec) * 1e6), len(frame), wire))
            f.write(frame)


def ntp_capture(path, flood):
    """A local client's NTP exchanges once a minute all along and, with `flood`, reflected
    monlist answers (mode 7, 1376 payload bytes, from port 123 of outside hosts) to a local
    host that asked nothing."""
    client = udp_frame("198.51.100.10", "192.0.2.123", 40123, 123, 48, bytes([0x23]) + bytes(47))
    server = udp_frame("192.0.2.123", "198.51.100.10", 123, 40123, 48, bytes([0x24]) + bytes(47))
    monlist = bytes([0x97, 0, 3, 42, 0, 19, 0, 72]) + bytes(40)
    packets = []
    for minute in range(0, END - T0, 60):
        packets += [(T0 + minute, client), (T0 + minute + 0.01, server)]
    if flood:
        reflectors = [udp_frame(f"203.0.113.{1 + i}", "198.51.100.80", 123, 80, 1376, monlist)
                      for i in range(50)]
        for i in range(NTP_FLOOD_S * 1000):
            packets.append((FLOOD_START + i / 1000, reflectors[i % 50]))
    packets.sort(key=lambda p: p[0])
    write_pcap(path, packets)


def access_log(path, flood):
    """Combined-format lines: a page view every 2 s all along and, with `flood`, 20 POSTs a
    second to /xmlrpc.php from a botnet."""
    lines = []
    stamp = lambda t: time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(t))
    for t in range(T0, END, 2):
        lines.append((t, f'192.0.2.{t % 200 + 1} - - [{stamp(t)}] "GET /blog/ HTTP/1.1" 200 5120 '
                         '"-" "Mozilla/5.0"'))
    if flood:
        for i in range(XMLRPC_FLOOD_S * 20):
            t = FLOOD_START + i // 20
            lines.append((t, f'203.0.113.{i % 250 + 1} - - [{stamp(t)}] "POST /xmlrpc.php '
                             'HTTP/1.1" 200 370 "-" "Mozilla/4.0"'))
    lines.sort(key=lambda l: l[0])
    with open(path, "w") as f:
        f.writelines(l + "\n" for _, l in lines)


def mail_log(path, flood):
    """tests/testdata's snowshoe (flood) or normal Postfix stream, its RFC 3164 times moved to
    start at MAIL_START and written as RFC 3339 (rsyslog's high-precision format): a time with
    its year, whatever year the test runs in."""
    with open(os.path.join(TESTDATA, "mail_log", "snowshoe.log" if flood else "normal.log")) as f:
        lines = f.read().splitlines()
    first = time.strptime("2026 " + lines[0][:15], "%Y %b %d %H:%M:%S")
    shift = MAIL_START - calendar.timegm(first)
    with open(path, "w") as f:
        for line in lines:
            t = calendar.timegm(time.strptime("2026 " + line[:15], "%Y %b %d %H:%M:%S")) + shift
            f.write(time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(t)) + line[15:] + "\n")


def timeline(d, flood):
    pcap, log = os.path.join(d, "border.pcap"), os.path.join(d, "access.log")
    mail = os.path.join(d, "mail.log")
    ntp_capture(pcap, flood)
    access_log(log, flood)
    mail_log(mail, flood)
    config = os.path.join(d, "edgewatch.yml")
    with open(config, "w") as f:
        f.write(CONFIG)
    keep = os.path.join(d, "kept")
    out = subprocess.run([TIMELINE, "--edgewatch", BIN, "--rules", os.path.join(ROOT, "rules"),
                          f"--config.file={config}", "--json", "--keep", keep,
                          "--pcap", pcap, "--access-log", log, "--mail-log", mail],
                         capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise AssertionError(f"incident-timeline failed: {out.stderr}")
    return json.loads(out.stdout), keep


class TimelineTest(unittest.TestCase):
    def setUp(self):
        require_tool("prometheus")
        require_tool("promtool")

    def test_the_incident_raises_its_alerts_at_their_times(self):
        with tempfile.TemporaryDirectory() as d:
            rows, keep = timeline(d, flood=True)
            by_alert = {}
            for r in rows:
                by_alert.setdefault(r["alert"], []).append(r)
            self.assertEqual(sorted(by_alert), ["EdgewatchReflectedTrafficInbound",
                                                "EdgewatchSnowshoeSurge",
                                                "EdgewatchXmlrpcFlood"], rows)
            # Reflected monlist answers, 1.376 MB/s from FLOOD_START: rate5m passes 1 MB/s
            # after 3.6 minutes, so pending at the first evaluation after that, firing 2
            # minutes (its `for`) later, resolved once the 5m window holds less than 1 MB/s.
            (ntp,) = by_alert["EdgewatchReflectedTrafficInbound"]
            self.assertIn('vector="ntp"', ntp["labels"])
            self.assertIn('instance="replay"', ntp["labels"])
            self.assertEqual(ntp["severity"], "critical")
            pending = ntp["pending"] - FLOOD_START
            self.assertTrue(3.6 * 60 <= pending <= 3.6 * 60 + 120, ntp)
            self.assertEqual(ntp["firing"] - ntp["pending"], 120)
            resolved = ntp["resolved"] - (FLOOD_START + NTP_FLOOD_S)
            self.assertTrue(0 <= resolved <= 3 * 60, ntp)
            # 20 xmlrpc POSTs a second: rate5m passes 5/s after 75 s; firing 5 minutes later.
            (xmlrpc,) = by_alert["EdgewatchXmlrpcFlood"]
            self.assertIn('log="access.log"', xmlrpc["labels"])
            self.assertEqual(xmlrpc["severity"], "warning")
            pending = xmlrpc["pending"] - FLOOD_START
            self.assertTrue(75 <= pending <= 75 + 120, xmlrpc)
            self.assertEqual(xmlrpc["firing"] - xmlrpc["pending"], 300)
            resolved = xmlrpc["resolved"] - (FLOOD_START + XMLRPC_FLOOD_S)
            self.assertTrue(0 <= resolved <= 5 * 60, xmlrpc)
            # Snowshoe: more than 200 client networks in the hour, under 3 messages each, for
            # 15 minutes; still so when the input ends (the window holds the run).
            (snowshoe,) = by_alert["EdgewatchSnowshoeSurge"]
            self.assertIn('log="mail.log"', snowshoe["labels"])
            self.assertEqual(snowshoe["firing"] - snowshoe["pending"], 900)
            self.assertGreater(snowshoe["pending"], MAIL_START)
            # The blocks it kept hold the incident at its real time for the boards.
            self.assertTrue(os.listdir(os.path.join(keep, "data")))
            with open(os.path.join(keep, "history.om")) as f:
                history = f.read()
            self.assertTrue(history.endswith("# EOF\n"))
            self.assertIn(f'up{{job="edgewatch",instance="replay"}} 1 {T0 + 15}.000\n', history)
            # A real OpenMetrics parser reads it (the python client's, strict about the format);
            # every series in time order, every counter never falling.
            samples = 0
            for family in text_string_to_metric_families(history):
                last = {}
                for sample in family.samples:
                    key = (sample.name, tuple(sorted(sample.labels.items())))
                    if key in last:
                        self.assertGreater(sample.timestamp, last[key][0], key)
                        if family.type == "counter":
                            self.assertGreaterEqual(sample.value, last[key][1], key)
                    last[key] = (sample.timestamp, sample.value)
                    samples += 1
            steps = history.count("\nup{")
            self.assertEqual(steps, (END - T0) // 15 + 1)  # T0 to END, both ends in
            self.assertGreater(samples, steps * 100)

    def test_a_clean_day_raises_nothing(self):
        with tempfile.TemporaryDirectory() as d:
            rows, _ = timeline(d, flood=False)
            self.assertEqual(rows, [])


if __name__ == "__main__":
    unittest.main()
