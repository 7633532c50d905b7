"""Incident traffic for the end-to-end tests: UDP floods sent on a test host's veth, built
without scapy (fast enough for hundreds of thousands of frames), the routers' flow export of
the incident, and the test data files."""

import os
import socket
import struct

from edgewatch_process import TESTDATA, run

# Sends `count` UDP frames on `iface` in `rounds` bursts (so the capture keeps up), built here
# without scapy: Ethernet, IPv4 (with checksum), UDP (checksum 0, allowed on IPv4).
FLOOD = r"""
import socket, struct, sys, time
iface, dst_mac, src_ip, dst_ip, sport, dport, payload, count, rounds = sys.argv[1:10]
def checksum(b):
    s = sum(struct.unpack("!10H", b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF
payload = bytes.fromhex(payload)
src_mac = bytes.fromhex(open(f"/sys/class/net/{iface}/address").read().strip().replace(":", ""))
udp = struct.pack("!HHHH", int(sport), int(dport), 8 + len(payload), 0) + payload
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                 socket.inet_aton(src_ip), socket.inet_aton(dst_ip))
ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
frame = bytes.fromhex(dst_mac.replace(":", "")) + src_mac + b"\x08\x00" + ip + udp
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
per_round = int(count) // int(rounds)
for _ in range(int(rounds)):
    for _ in range(per_round):
        s.send(frame)
    time.sleep(0.3)
"""

MONLIST_RESPONSE = (bytes([0x97, 0, 3, 42, 0, 19, 0, 72]) + bytes(19 * 72)).hex()  # 1376 B
MONLIST_REQUEST = (bytes([0x17, 0, 3, 42]) + bytes(44)).hex()
CLIENT_REQUEST = (bytes([0x23]) + bytes(47)).hex()  # NTPv4 mode 3
SERVER_RESPONSE = (bytes([0x24]) + bytes(47)).hex()  # mode 4


def flood(host, inside, payload, count, src, dst, sport, dport):
    """Sends `count` frames of `payload` (hex) from src:sport to dst:dport, from the test host
    (inside the namespace) or from here, towards the other side, in 10 bursts."""
    if inside:
        cmd = host.exec("/usr/bin/python3", "-c", FLOOD, host.inner, host.outer_mac(), src,
                        dst, str(sport), str(dport), payload, str(count), "10")
    else:
        inner_mac = run(*host.exec("cat", f"/sys/class/net/{host.inner}/address")).strip()
        cmd = ["/usr/bin/python3", "-c", FLOOD, host.outer, inner_mac, src, dst, str(sport),
               str(dport), payload, str(count), "10"]
    run(*cmd, timeout=120)


def monlist_flood(host, scale=1.0):
    """The seed's NTP incident on `host`: reflected monlist responses from a spoofed reflector
    (.7 on the veth) to this host (454 MB), and this host's NTP server answering monlist (4000
    requests of 48 B, 40000 responses of 1376 B); `scale` times as many frames for rules whose
    windows are shorter than the shipped 5 minutes."""
    flood(host, True, MONLIST_RESPONSE, int(330000 * scale), host.address(7), host.OUTER_IP,
          123, 80)
    flood(host, True, MONLIST_REQUEST, int(4000 * scale), host.INNER_IP, host.OUTER_IP, 5000, 123)
    flood(host, False, MONLIST_RESPONSE, int(40000 * scale), host.OUTER_IP, host.INNER_IP, 123,
          5000)


def read(*parts):
    with open(os.path.join(TESTDATA, *parts)) as f:
        return f.read()


class FlowFeed:
    """The routers' view, for edgewatch's flow listener on 127.0.0.1:`port`: an sFlow counter
    sample of the upstream interface whose octets grow each round and, with `incident`,
    pmacct's sFlow and softflowd's NetFlow v5 and v9 export of the incident capture (tests/
    testdata/pcap/flow), renumbered each round so that nothing looks lost or restarted."""

    def __init__(self, port, incident=True):
        from scapy.all import UDP, rdpcap  # slow to import: only the tests that feed flows
        self.target = ("127.0.0.1", port)
        names = ("sflow-pmacct", "netflow5-softflowd", "netflow9-softflowd") if incident else ()
        self.exports = {name: [bytearray(bytes(p[UDP].payload)) for p in rdpcap(
            os.path.join(TESTDATA, "pcap", "flow", f"{name}-incident.pcap"))] for name in names}
        self.sequence = {name: 0 for name in self.exports}
        self.sequence["counters"] = 0
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

    def send_round(self):
        for name, datagrams in self.exports.items():
            for d in datagrams:
                if name == "netflow5-softflowd":  # v5 numbers records: the header's count
                    struct.pack_into("!I", d, 16, self.sequence[name])
                    self.sequence[name] += struct.unpack_from("!H", d, 2)[0]
                else:  # sFlow and v9 number datagrams
                    self.sequence[name] += 1
                    struct.pack_into("!I", d, 16 if name == "sflow-pmacct" else 12,
                                     self.sequence[name])
                self.socket.sendto(d, self.target)
        self.sequence["counters"] += 1
        self.socket.sendto(self.counter_sample(self.sequence["counters"]), self.target)

    @staticmethod
    def counter_sample(n):
        """SYNTHETIC: sFlow v5 from agent 192.0.2.254, one generic interface counters record
        of its 10 Gbit/s upstream (ifIndex 7): n * 4 GB in, n * 1 GB out."""
        record = struct.pack("!IIQIIQ6IQ5II", 7, 6, 10_000_000_000, 1, 3, n * 4_000_000_000,
                             *([0] * 6), n * 1_000_000_000, *([0] * 5), 0)
        sample = struct.pack("!III", n, 7, 1) + struct.pack("!II", 1, len(record)) + record
        return struct.pack("!IIIIIII", 5, 1, 0xC00002FE, 1, n, n * 1000, 1) + \
            struct.pack("!II", 2, len(sample)) + sample
