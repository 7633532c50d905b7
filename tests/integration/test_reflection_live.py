"""The reflection collector on live captures: real packets on a veth pair between network
namespaces, the monlist self-check against a mode-7 responder, capture loss and recovery, and
capture with only CAP_NET_RAW."""

import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest

from edgewatch_process import Edgewatch, poll, require_tool, scrape, value, wait_value
from netns import VethHost, run

MONLIST_RESPONSE = "bytes([0x97, 0, 3, 42, 0, 6, 0, 72]) + bytes(6 * 72)"  # 440 B, 6 items


def config(directory, text):
    path = os.path.join(directory, "edgewatch.yml")
    with open(path, "w") as f:
        f.write("process:\n  enabled: false\n" + text)
    return path


class ReflectionLiveTest(unittest.TestCase):
    def test_counts_real_traffic_on_a_veth(self):
        with VethHost("a") as host, tempfile.TemporaryDirectory() as d:
            # No local_networks: the interface's own address (host.OUTER_IP) is local.
            cfg = config(d, f"reflection:\n  interface: {host.outer}\n"
                            f"  ntp:\n    servers: [{host.OUTER_IP}]\n")
            with Edgewatch(f"--config.file={cfg}") as ew:
                ew.wait_for_log('msg="capture started"', 15)
                mac = host.outer_mac()
                # From the test host: 30 monlist responses from a spoofed reflector to our web
                # port (the victim view), and 10 monlist requests to our "server".
                host.scapy_in_ns(f"""
flood = Ether(dst={mac!r}) / IP(src="203.0.113.7", dst="{host.OUTER_IP}") / \\
    UDP(sport=123, dport=80) / Raw({MONLIST_RESPONSE})
asks = Ether(dst={mac!r}) / IP(src="{host.INNER_IP}", dst="{host.OUTER_IP}") / \\
    UDP(sport=5000, dport=123) / Raw(bytes([0x17, 0, 3, 42]) + bytes(44))
sendp([flood] * 30 + [asks] * 10, iface=IFACE)
""")
                # From here: our "server" answers with 20 monlist responses.
                host.scapy_here(f"""
answer = Ether() / IP(src="{host.OUTER_IP}", dst="{host.INNER_IP}") / \\
    UDP(sport=123, dport=5000) / Raw({MONLIST_RESPONSE})
sendp([answer] * 20, iface=IFACE)
""")
                wait_value(ew, "edgewatch_ntp_unsolicited_responses_total", 30)
                text = scrape(ew)
                self.assertEqual(value(text, "edgewatch_ntp_unsolicited_payload_bytes_total"),
                                 30 * 440)
                self.assertEqual(value(text, 'edgewatch_ntp_monlist_packets_total'
                                             '{direction="in",side="response"}'), 30)
                self.assertEqual(value(text, 'edgewatch_ntp_monlist_packets_total'
                                             '{direction="in",side="request"}'), 10)
                wait_value(ew, 'edgewatch_ntp_monlist_packets_total'
                             '{direction="out",side="response"}', 20)
                text = scrape(ew)
                server = f'{{server="{host.OUTER_IP}"}}'
                self.assertEqual(value(text, "edgewatch_ntp_server_request_payload_bytes_total"
                                       + server), 10 * 48)
                self.assertEqual(value(text, "edgewatch_ntp_server_response_payload_bytes_total"
                                       + server), 20 * 440)
                self.assertEqual(value(text, 'edgewatch_reflection_top_target_bytes'
                                             f'{{vector="ntp",target="{host.OUTER_IP}"}}'),
                                 30 * 440)
                self.assertEqual(value(text, f'edgewatch_capture_up{{interface="{host.outer}"}}'),
                                 1)
                self.assertGreaterEqual(value(text, 'edgewatch_capture_packets_received_total'
                                                    f'{{interface="{host.outer}"}}'), 60)
                self.assertEqual(value(text, 'edgewatch_capture_packets_dropped_total'
                                             f'{{interface="{host.outer}"}}'), 0)

    def test_local_clients_of_local_servers_are_not_a_flood(self):
        # Both ends of the veth are local (the /24): real sockets in the namespace answer NTP and
        # DNS, a real client here asks them. Their answers are solicited; a spoofed monlist
        # flood at the same time still counts.
        server = r"""
import socket, sys, threading
def serve(port, answer):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((sys.argv[1], port))
    while True:
        data, peer = s.recvfrom(2048)
        s.sendto(answer(data), peer)
threading.Thread(target=serve, args=(123, lambda d: bytes([0x24]) + bytes(47)), daemon=True).start()
threading.Thread(target=serve, args=(53, lambda d: d[:2] + bytes([0x81, 0x80]) + d[4:] + bytes(60)), daemon=True).start()
sys.stdin.read()
"""
        with VethHost("l") as host, tempfile.TemporaryDirectory() as d:
            cfg = config(d, f"reflection:\n  interface: {host.outer}\n"
                            f"  local_networks: [{host.address(0)}/24]\n")
            proc = subprocess.Popen(host.exec("/usr/bin/python3", "-c", server, host.INNER_IP),
                                    stdin=subprocess.PIPE)
            try:
                with Edgewatch(f"--config.file={cfg}") as ew:
                    ew.wait_for_log('msg="capture started"', 15)
                    answered = {"ntp": 0, "dns": 0}
                    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as c:
                        c.settimeout(2)
                        for i in range(20):
                            for name, port, ask in (
                                    ("ntp", 123, bytes([0x23]) + bytes(47)),
                                    ("dns", 53, bytes([0x12, i, 1, 0, 0, 1]) + bytes(6 + 20))):
                                try:
                                    c.sendto(ask, (host.INNER_IP, port))
                                    c.recvfrom(2048)
                                    answered[name] += 1
                                except socket.timeout:
                                    pass
                    self.assertGreaterEqual(min(answered.values()), 18, answered)
                    mac = host.outer_mac()
                    host.scapy_in_ns(f"""
sendp([Ether(dst={mac!r}) / IP(src="203.0.113.7", dst="{host.OUTER_IP}") /
       UDP(sport=123, dport=80) / Raw({MONLIST_RESPONSE})] * 5, iface=IFACE)
""")
                    wait_value(ew, 'edgewatch_reflection_unsolicited_responses_total'
                                   '{vector="ntp"}', 5)
                    wait_value(ew, 'edgewatch_reflection_packets_total'
                                   '{vector="dns",direction="in",side="response"}',
                               answered["dns"])
                    text = scrape(ew)
                    self.assertEqual(value(text, 'edgewatch_reflection_unsolicited_responses_total'
                                                 '{vector="dns"}'), 0)
                    self.assertEqual(value(text, 'edgewatch_reflection_packets_total'
                                                 '{vector="ntp",direction="in",side="response"}'),
                                     answered["ntp"] + 5)
                    self.assertEqual(value(text, 'edgewatch_reflection_packets_total'
                                                 '{vector="ntp",direction="in",side="request"}'),
                                     20)
            finally:
                proc.stdin.close()
                proc.wait(10)

    def check_spoofed_egress(self, tag, interface):
        # edgewatch runs inside the namespace: packets the namespace sends with a source
        # outside its network are counted, those from its own address are not, nor are
        # packets arriving with foreign sources.
        with VethHost(tag) as host, tempfile.TemporaryDirectory() as d:
            iface = interface or host.inner
            cfg = config(d, f"reflection:\n  interface: {iface}\n  spoofed_egress: true\n"
                            f"  local_networks: [{host.address(0)}/24, 127.0.0.0/8]\n")
            os.chmod(d, 0o755)
            with Edgewatch(f"--config.file={cfg}", wrapper=host.exec()) as ew:
                ew.wait_for_log('msg="capture started"', 15)
                if interface is None:
                    ew.wait_for_log("egress capture started", 15)
                mac = host.outer_mac()
                host.scapy_in_ns(f"""
spoofed = [Ether(dst={mac!r}) / IP(src="192.0.2.77", dst="{host.OUTER_IP}") /
           UDP(sport=80, dport=123) / Raw(bytes([0x17, 0, 3, 42]) + bytes(44))] * 7
syn = [Ether(dst={mac!r}) / IP(src="100.64.0.9", dst="{host.OUTER_IP}") /
       TCP(sport=1234, dport=80, flags="S")] * 3
honest = [Ether(dst={mac!r}) / IP(src="{host.INNER_IP}", dst="{host.OUTER_IP}") /
          UDP(sport=5000, dport=123) / Raw(bytes([0x23]) + bytes(47))] * 4
sendp(spoofed + syn + honest, iface=IFACE)
""")
                host.scapy_here(f"""
sendp([Ether() / IP(src="203.0.113.5", dst="{host.INNER_IP}") / UDP(sport=123, dport=80) /
       Raw(bytes([0x97, 0, 3, 42]) + bytes(44))] * 5, iface=IFACE)
""")
                series = f'edgewatch_capture_spoofed_egress_packets_total{{interface="{iface}",'
                deadline = time.monotonic() + 20
                text = ""
                while time.monotonic() < deadline:
                    text = host.scrape(ew)
                    if value(text, series + 'vector="none",protocol="tcp"}') == 3:
                        break
                    time.sleep(0.2)
                self.assertEqual(value(text, series + 'vector="ntp",protocol="udp"}'), 7, text)
                self.assertEqual(value(text, series + 'vector="none",protocol="tcp"}'), 3)
                self.assertEqual(value(text, series + 'vector="none",protocol="udp"}'), 0)
                if interface is None:
                    self.assertEqual(value(text, f'edgewatch_capture_egress_up{{interface='
                                                 f'"{iface}"}}'), 1)

    def test_spoofed_egress_on_the_cooked_any_capture(self):
        self.check_spoofed_egress("s", "any")

    def test_spoofed_egress_on_one_interface(self):
        self.check_spoofed_egress("o", None)

    def test_reloads_keep_the_capture_and_read_addresses_again(self):
        # One reload every 100 ms used to restart the capture and zero every counter, so a flood
        # never showed. Without local_networks a reload now reads the interface's addresses in
        # place: a new address is local from then on, and nothing restarts.
        with VethHost("r") as host, tempfile.TemporaryDirectory() as d:
            cfg = config(d, f"reflection:\n  interface: {host.outer}\n")
            added = host.address(3)
            with Edgewatch(f"--config.file={cfg}") as ew:
                ew.wait_for_log('msg="capture started"', 15)
                mac = host.outer_mac()

                def flood(target, count):
                    host.scapy_in_ns(f"""
p = Ether(dst={mac!r}) / IP(src="203.0.113.7", dst="{target}") / \\
    UDP(sport=123, dport=80) / Raw({MONLIST_RESPONSE})
sendp([p] * {count}, iface=IFACE)
""")

                sender = threading.Thread(target=flood, args=(host.OUTER_IP, 40))
                sender.start()
                for i in range(20):
                    ew.proc.send_signal(signal.SIGHUP)
                    time.sleep(0.1)
                sender.join()
                ew.wait_for_log('msg="configuration reloaded"', 15, count=20)
                wait_value(ew, "edgewatch_ntp_unsolicited_responses_total", 40)
                self.assertEqual(ew.read_log().count("capture started"), 1)
                # Traffic to an address the interface did not have is transit ...
                flood(added, 5)
                poll(ew, 'edgewatch_reflection_packets_total{vector="ntp",direction="transit",'
                         'side="response"}', lambda v: v >= 5)
                # ... until it has it and a reload reads it.
                run(host.ip, "addr", "add", f"{added}/24", "dev", host.outer)
                ew.proc.send_signal(signal.SIGHUP)
                ew.wait_for_log('msg="configuration reloaded"', 15, count=21)
                flood(added, 7)
                wait_value(ew, "edgewatch_ntp_unsolicited_responses_total", 47)
                self.assertEqual(ew.read_log().count("capture started"), 1)

    def test_monlist_self_check(self):
        # Mode-7 responders in a namespace (tests/integration/mode7_responder.py): .2 answers
        # monlist like an old ntpd; .4 answers with an error code; .5 echoes the request (not an
        # answer); nothing listens on .3. Only .2 is exposed.
        with VethHost("7") as host, tempfile.TemporaryDirectory() as d:
            kinds = {host.address(2): "monlist", host.address(4): "error",
                     host.address(5): "echo"}
            for address in (host.address(3), host.address(4), host.address(5)):
                run(*host.exec("ip", "addr", "add", f"{address}/24", "dev", host.inner))
            responder = subprocess.Popen(
                host.exec("/usr/bin/python3",
                          os.path.join(os.path.dirname(__file__), "mode7_responder.py"),
                          *(f"{a}={k}" for a, k in kinds.items())),
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            try:
                self.assertEqual(responder.stdout.readline().strip(), "ready")
                servers = ", ".join(host.address(i) for i in (2, 3, 4, 5))
                cfg = config(d, f"reflection:\n  interface: {host.outer}\n"
                                f"  local_networks: [{host.address(0)}/24]\n"
                                f"  ntp:\n    servers: [{servers}]\n"
                                "    monlist_probe: true\n    probe_interval: 1s\n"
                                "    probe_timeout: 500ms\n")
                with Edgewatch(f"--config.file={cfg}") as ew:
                    exposed = 'edgewatch_ntp_monlist_exposed{{server="{}"}}'
                    wait_value(ew, exposed.format(host.address(2)), 1)
                    for i in (3, 4, 5):
                        wait_value(ew, exposed.format(host.address(i)), 0)
            finally:
                responder.stdin.close()
                responder.terminate()
                requests = responder.stdout.read().split("\n")
                responder.wait()
                responder.stdout.close()
            # The error and the echo did come back, and were judged: not exposed.
            asked = {line.split()[0] for line in requests if line}
            self.assertEqual(asked, set(kinds))
            # What the probe sent is what `ntpdc -nc monlist` sends: v2, mode 7, XNTPD, 42.
            first = bytes.fromhex(requests[0].split()[1])
            self.assertEqual(first[:4], bytes([0x17, 0, 3, 42]))
            self.assertEqual(len(first), 48)

    def test_missing_interface_is_retried_and_recovers(self):
        ip = require_tool("ip")
        name = f"ewlate{os.getpid() % 100000}"
        with tempfile.TemporaryDirectory() as d:
            cfg = config(d, f"reflection:\n  interface: {name}\n"
                            "  local_networks: [10.203.9.0/24]\n  retry_interval: 300ms\n")
            with Edgewatch(f"--config.file={cfg}", "--collector.process") as ew:
                up = f'edgewatch_capture_up{{interface="{name}"}}'
                wait_value(ew, up, 0)
                self.assertIn(f"cannot capture on {name}: no such interface", ew.read_log())
                self.assertEqual(value(scrape(ew), 'edgewatch_scrape_collector_success'
                                                   '{collector="process"}'), 1)
                try:
                    run(ip, "link", "add", name, "type", "veth", "peer", "name", name + "p")
                    run(ip, "link", "set", name, "up")
                    wait_value(ew, up, 1)
                    run(ip, "link", "del", name)
                    wait_value(ew, up, 0)
                    ew.wait_for_log("capture lost; retrying", 10)
                finally:
                    subprocess.run([ip, "link", "del", name], capture_output=True)

    def test_capture_needs_only_cap_net_raw(self):
        setpriv = require_tool("setpriv")
        with tempfile.TemporaryDirectory() as d:
            os.chmod(d, 0o755)
            cfg = config(d, "reflection:\n  interface: lo\n  local_networks: [127.0.0.0/8]\n")
            os.chmod(cfg, 0o644)
            nobody = [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
            # Without privileges: a clear message, and the exporter keeps serving.
            ew = Edgewatch(f"--config.file={cfg}", wrapper=nobody + ["--inh-caps=-all", "--"])
            with ew:
                ew.wait_for_log("permission denied; run as root or grant CAP_NET_RAW", 15)
                wait_value(ew, 'edgewatch_capture_up{interface="lo"}', 0)
            # With CAP_NET_RAW alone (ambient, as the systemd unit grants it): capturing.
            ew = Edgewatch(f"--config.file={cfg}",
                           wrapper=nobody + ["--inh-caps=+net_raw", "--ambient-caps=+net_raw",
                                             "--"])
            with ew:
                ew.wait_for_log('msg="capture started"', 15)
                wait_value(ew, 'edgewatch_capture_up{interface="lo"}', 1)


if __name__ == "__main__":
    unittest.main()
