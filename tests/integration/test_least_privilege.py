"""edgewatch needs CAP_NET_RAW and nothing else: a capture on one interface in promiscuous mode
with a large ring and the egress capture beside it, a capture on "any", and raw ICMP probes, all
run as nobody with CAP_NET_RAW as its only capability (the deploy files grant no more)."""

import os
import tempfile
import unittest

from edgewatch_process import Edgewatch, require_tool, scrape, value, wait_value
from netns import VethHost

CAP_NET_RAW = 1 << 13
IFF_PROMISC = 0x100
MONLIST_RESPONSE = "bytes([0x97, 0, 3, 42, 0, 6, 0, 72]) + bytes(6 * 72)"  # 440 B, 6 items


def net_raw_only():
    """A wrapper that runs a command as nobody with CAP_NET_RAW alone, as the systemd unit's
    AmbientCapabilities and CapabilityBoundingSet do."""
    return (require_tool("setpriv"), "--reuid=nobody", "--regid=nogroup", "--clear-groups",
            "--inh-caps=-all,+net_raw", "--ambient-caps=-all,+net_raw",
            "--bounding-set=-all,+net_raw", "--")


def capabilities(pid):
    """{CapEff: int, ...} and the real uid of process `pid`."""
    caps, uid = {}, None
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key.startswith("Cap"):
                caps[key] = int(rest, 16)
            elif key == "Uid":
                uid = int(rest.split()[0])
    return caps, uid


def config(directory, text):
    os.chmod(directory, 0o755)
    path = os.path.join(directory, "edgewatch.yml")
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o644)
    return path


class LeastPrivilegeTest(unittest.TestCase):
    def test_capture_and_icmp_with_cap_net_raw_alone(self):
        with VethHost("p") as host, tempfile.TemporaryDirectory() as d:
            cfg = config(d, f"""
process:
  enabled: true
reflection:
  interface: {host.outer}
  promiscuous: true
  buffer_size_bytes: 268435456
  spoofed_egress: true
bgp:
  interval: 200ms
  neighbors:
    - name: veth
      address: {host.INNER_IP}
access_log:
  enabled: false
mail_log:
  enabled: false
httpd:
  enabled: false
""")
            with Edgewatch(f"--config.file={cfg}", wrapper=net_raw_only()) as ew:
                caps, uid = capabilities(ew.proc.pid)
                self.assertEqual(caps["CapEff"], CAP_NET_RAW)
                self.assertEqual(caps["CapBnd"], CAP_NET_RAW)
                self.assertNotEqual(uid, 0)
                ew.wait_for_log('msg="capture started"', 15)  # not the egress one
                ew.wait_for_log('socket=raw', 15)
                with open(f"/sys/class/net/{host.outer}/flags") as f:
                    self.assertTrue(int(f.read(), 16) & IFF_PROMISC, "not promiscuous")
                # Frames for another MAC, as a mirror port delivers them (a veth passes them to
                # a capture whatever its mode: promiscuity is proven by the flag above).
                host.scapy_in_ns(f"""
flood = Ether(dst="02:00:00:00:00:99") / IP(src="203.0.113.7", dst="{host.OUTER_IP}") / \\
    UDP(sport=123, dport=80) / Raw({MONLIST_RESPONSE})
sendp([flood] * 25, iface=IFACE)
""")
                wait_value(ew, "edgewatch_ntp_monlist_packets_total"
                           '{direction="in",side="response"}', 25)
                wait_value(ew, 'edgewatch_bgp_neighbor_up{neighbor="veth"}', 1)
                text = scrape(ew)
                self.assertEqual(value(text, f'edgewatch_capture_up{{interface="{host.outer}"}}'), 1)
                self.assertEqual(
                    value(text, f'edgewatch_capture_egress_up{{interface="{host.outer}"}}'), 1)
                self.assertGreater(value(text, "process_open_fds"), 0)
                self.assertNotIn("permission denied", ew.read_log())

    def test_capture_on_any_with_cap_net_raw_alone(self):
        with tempfile.TemporaryDirectory() as d:
            cfg = config(d, """
process:
  enabled: false
reflection:
  interface: any
  buffer_size_bytes: 268435456
  spoofed_egress: true
bgp:
  enabled: false
access_log:
  enabled: false
mail_log:
  enabled: false
httpd:
  enabled: false
""")
            with Edgewatch(f"--config.file={cfg}", wrapper=net_raw_only()) as ew:
                self.assertEqual(capabilities(ew.proc.pid)[0]["CapEff"], CAP_NET_RAW)
                ew.wait_for_log('msg="capture started"', 15)  # not the egress one
                self.assertEqual(value(scrape(ew), 'edgewatch_capture_up{interface="any"}'), 1)


if __name__ == "__main__":
    unittest.main()
