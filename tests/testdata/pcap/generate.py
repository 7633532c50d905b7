#!/usr/bin/python3
"""Writes the synthetic pcaps of this folder (see README.md) with scapy.

Run with Debian's /usr/bin/python3 (python3-scapy). The output is deterministic: fixed
timestamps, addresses and payloads. The expected numbers the tests assert were worked out by
hand from the packets below and are checked against tshark in README.md.
"""

import struct
import sys

from scapy.all import (IP, IPv6, UDP, TCP, ICMP, Ether, Dot1Q, Dot1AD, CookedLinux, Raw,
                       IPv6ExtHdrHopByHop, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                       fragment, fragment6, wrpcap, wrpcapng)
from scapy.layers.l2 import CookedLinuxV2

T0 = 1_800_000_000.0


def ntp(mode, version=4):
    """A 48-byte NTP header of the given mode."""
    return bytes([(version << 3) | mode]) + bytes(47)


def mode7(reqcode, response=False, items=0, item_size=0, data=b""):
    """An ntpd mode-7 (private) packet: 8-byte header plus data."""
    first = (0x80 if response else 0) | (2 << 3) | 7
    header = bytes([first, 0, 3, reqcode]) + struct.pack(">HH", items & 0x0FFF,
                                                           item_size & 0x0FFF)
    return header + data


def monlist_request():
    return mode7(42, data=bytes(40))  # 48 bytes, as ntpdc sends it


def monlist_response(items=6):
    return mode7(42, response=True, items=items, item_size=72, data=bytes(72 * items))


def dns(length, answer):
    """A DNS message of `length` bytes: a header with the QR bit of a query or an answer (RFC
    1035 4.1.1), the rest zero."""
    flags = 0x8180 if answer else 0x0100
    return struct.pack(">HHHHHH", 0x1234, flags, 1, 9 if answer else 0, 0, 0) + bytes(length - 12)


class Clock:
    def __init__(self):
        self.t = T0

    def stamp(self, packets):
        for p in packets:
            p.time = self.t
            self.t += 0.001
        return packets


def eth(pkt):
    return Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / pkt


def incident():
    """An NTP reflection incident seen from an edge with local network 198.51.100.0/24."""
    victim, server = "198.51.100.10", "198.51.100.123"
    frames = []
    # 1. The victim is flooded: 50 monlist responses (440 B payload each) from 10 reflectors to
    #    its web port, with no request from it.
    for i in range(50):
        frames.append(eth(IP(src=f"203.0.113.{1 + i % 10}", dst=victim) /
                          UDP(sport=123, dport=80) / Raw(monlist_response())))
    # 2. The victim's own time sync: 2 client requests out, 2 server responses in (solicited).
    for _ in range(2):
        frames.append(eth(IP(src=victim, dst="192.0.2.1") / UDP(sport=40123, dport=123) /
                          Raw(ntp(3))))
        frames.append(eth(IP(src="192.0.2.1", dst=victim) / UDP(sport=123, dport=40123) /
                          Raw(ntp(4))))
    # 3. Our NTP server abused as reflector: 20 spoofed monlist requests (48 B), each answered
    #    with 3 responses (440 B).
    for _ in range(20):
        frames.append(eth(IP(src="192.0.2.77", dst=server) / UDP(sport=80, dport=123) /
                          Raw(monlist_request())))
        for _ in range(3):
            frames.append(eth(IP(src=server, dst="192.0.2.77") / UDP(sport=123, dport=80) /
                              Raw(monlist_response())))
    # 4. Legitimate clients of our server: 5 requests and 5 responses (48 B each).
    for _ in range(5):
        frames.append(eth(IP(src="192.0.2.50", dst=server) / UDP(sport=50000, dport=123) /
                          Raw(ntp(3))))
        frames.append(eth(IP(src=server, dst="192.0.2.50") / UDP(sport=123, dport=50000) /
                          Raw(ntp(4))))
    # 5. DNS: our resolver asks and is answered (30 B / 100 B); and 4 unsolicited 1200-B
    #    responses hit the victim.
    frames.append(eth(IP(src="198.51.100.53", dst="192.0.2.53") / UDP(sport=33333, dport=53) /
                      Raw(dns(30, answer=False))))
    frames.append(eth(IP(src="192.0.2.53", dst="198.51.100.53") / UDP(sport=53, dport=33333) /
                      Raw(dns(100, answer=True))))
    for _ in range(4):
        frames.append(eth(IP(src="203.0.113.99", dst=victim) / UDP(sport=53, dport=4444) /
                          Raw(dns(1200, answer=True))))
    # 6. Unrelated traffic: HTTPS and a TCP segment to port 123.
    frames.append(eth(IP(src=victim, dst="192.0.2.9") / UDP(sport=5555, dport=443) /
                      Raw(bytes(10))))
    frames.append(eth(IP(src="192.0.2.9", dst=victim) / TCP(sport=123, dport=80)))
    return Clock().stamp(frames)


def lo(pkt):
    """A frame as Linux captures it on the loopback device: Ethernet with zero addresses."""
    return Ether(src="00:00:00:00:00:00", dst="00:00:00:00:00:00") / pkt


def local_traffic():
    """Local hosts asking local servers, seen from an edge whose local networks are
    198.51.100.0/24 and 127.0.0.0/8 (the host's own addresses, as the embedded default has them),
    beside one real reflected flood."""
    server, resolver, victim = "198.51.100.123", "198.51.100.53", "198.51.100.10"
    frames = []
    # 1. 10 customers sync from the provider's NTP server: 3 requests and 3 answers each (48 B).
    for c in range(10):
        for _ in range(3):
            frames.append(eth(IP(src=f"198.51.100.{20 + c}", dst=server) /
                              UDP(sport=40000 + c, dport=123) / Raw(ntp(3))))
            frames.append(eth(IP(src=server, dst=f"198.51.100.{20 + c}") /
                              UDP(sport=123, dport=40000 + c) / Raw(ntp(4))))
    # 2. A LAN host asks the LAN resolver: 5 queries (40 B) and answers (200 B).
    for _ in range(5):
        frames.append(eth(IP(src="198.51.100.30", dst=resolver) / UDP(sport=35000, dport=53) /
                          Raw(dns(40, answer=False))))
        frames.append(eth(IP(src=resolver, dst="198.51.100.30") / UDP(sport=53, dport=35000) /
                          Raw(dns(200, answer=True))))
    # 3. Postfix asks unbound on 127.0.0.1: 5 queries (45 B) and answers (120 B) on lo.
    for _ in range(5):
        frames.append(lo(IP(src="127.0.0.1", dst="127.0.0.1") / UDP(sport=41000, dport=53) /
                         Raw(dns(45, answer=False))))
        frames.append(lo(IP(src="127.0.0.1", dst="127.0.0.1") / UDP(sport=53, dport=41000) /
                         Raw(dns(120, answer=True))))
    # 4. A real flood: 20 monlist responses (440 B) from 4 reflectors to the victim, unasked.
    for i in range(20):
        frames.append(eth(IP(src=f"203.0.113.{1 + i % 4}", dst=victim) /
                          UDP(sport=123, dport=80) / Raw(monlist_response())))
    return Clock().stamp(frames)


def memcached(text, sequence=0, datagrams=1):
    """A memcached UDP datagram: the 8-byte frame header, then the text protocol."""
    return struct.pack(">HHHH", 7, sequence, datagrams, 0) + text


def same_port_answers():
    """Answers sent to a service port, as reflected floods aim them, and requests sent from one,
    seen from an edge with local network 198.51.100.0/24 and NTP server 198.51.100.123."""
    victim, server = "198.51.100.10", "198.51.100.123"
    frames = []
    # 1. SSDP answers 1900 -> 1900 at the victim: 6 x 300 B; and one M-SEARCH a local media box
    #    sends from 1900 to the multicast group (52 B).
    head = b"HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nST: upnp:rootdevice\r\nSERVER: "
    answer = head + b"x" * (300 - len(head) - 4) + b"\r\n\r\n"
    for i in range(6):
        frames.append(eth(IP(src=f"203.0.113.{10 + i}", dst=victim) /
                          UDP(sport=1900, dport=1900) / Raw(answer)))
    search = b"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
    frames.append(eth(IP(src="198.51.100.77", dst="239.255.255.250") /
                      UDP(sport=1900, dport=1900) / Raw(search)))
    # 2. memcached answers 11211 -> 11211 at the victim: 4 x 1400 B, "VALUE" then the
    #    continuation datagrams of one reply.
    for i in range(4):
        text = b"VALUE k 0 5000\r\n" if i == 0 else b""
        payload = memcached(text, sequence=i, datagrams=4)
        frames.append(eth(IP(src="203.0.113.20", dst=victim) / UDP(sport=11211, dport=11211) /
                          Raw(payload + bytes(1400 - len(payload)))))
    # 3. A reflected DNS flood aimed at the victim's resolver port: 3 answers (900 B) 53 -> 53.
    for _ in range(3):
        frames.append(eth(IP(src="203.0.113.30", dst=victim) / UDP(sport=53, dport=53) /
                          Raw(dns(900, answer=True))))
    # 4. Chargen from :19 at our NTP server's port 123: 5 x 500 B, not NTP requests.
    for _ in range(5):
        frames.append(eth(IP(src="203.0.113.40", dst=server) / UDP(sport=19, dport=123) /
                          Raw(bytes(range(32, 127)) * 5 + bytes(25))))
    # 5. Our NTP server polls an upstream from port 123 (ntpd does): 2 requests out, 2 answers in.
    for _ in range(2):
        frames.append(eth(IP(src=server, dst="192.0.2.1") / UDP(sport=123, dport=123) /
                          Raw(ntp(3))))
        frames.append(eth(IP(src="192.0.2.1", dst=server) / UDP(sport=123, dport=123) /
                          Raw(ntp(4))))
    return Clock().stamp(frames)


def link_layers():
    """NTP over VLAN, QinQ, Linux cooked v1/v2, raw IP and IPv6 with extension headers."""
    v4 = IP(src="192.0.2.1", dst="198.51.100.1") / UDP(sport=123, dport=123)
    clock = Clock()
    ethernet = clock.stamp([
        eth(Dot1Q(vlan=10) / v4 / Raw(ntp(3))),
        Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / Dot1AD(vlan=100) /
        Dot1Q(vlan=10) / v4 / Raw(ntp(4)),
        eth(IPv6(src="2001:db8::1", dst="2001:db8:1::1") / IPv6ExtHdrHopByHop() /
            IPv6ExtHdrDestOpt() / UDP(sport=40000, dport=123) / Raw(ntp(3))),
        eth(IPv6(src="2001:db8:1::1", dst="2001:db8::1") / UDP(sport=123, dport=40000) /
            Raw(monlist_response(items=2))),
    ])
    sll = clock.stamp([CookedLinux(pkttype=0, lladdrtype=1, lladdrlen=6, proto=0x0800) / v4 /
                       Raw(ntp(6, version=2) + bytes(0))])
    sll2 = clock.stamp([CookedLinuxV2(proto=0x86DD) /
                        IPv6(src="2001:db8::1", dst="2001:db8:1::1") /
                        UDP(sport=123, dport=123) / Raw(ntp(1))])
    raw = clock.stamp([v4 / Raw(ntp(5))])
    return ethernet, sll, sll2, raw


def fragments():
    """A 3000-byte NTP-port datagram in IPv4 fragments, and an IPv6 fragment."""
    big = IP(src="192.0.2.1", dst="198.51.100.1", id=7) / UDP(sport=123, dport=80) / \
        Raw(bytes(3000))
    frames = [eth(f) for f in fragment(big, fragsize=1480)]
    frames.append(eth(IPv6(src="2001:db8::1", dst="2001:db8:1::1") /
                      IPv6ExtHdrFragment(id=9, m=1) / UDP(sport=123, dport=80) /
                      Raw(bytes(64))))
    return Clock().stamp(frames)


def cldap_entry(length):
    """An LDAP searchResEntry (RFC 4511) of `length` bytes, as a domain controller answers the
    CLDAP netlogon ping: SEQUENCE { messageID 1, [APPLICATION 4] { ... } } with long-form
    lengths."""
    inner = length - 6 - 3 - 6
    return (bytes([0x30, 0x84]) + struct.pack(">I", length - 6) + bytes([0x02, 0x01, 0x01]) +
            bytes([0x64, 0x84]) + struct.pack(">I", inner) + bytes(inner))


def fragmented_floods():
    """Amplified answers too big for one packet, at a victim in 198.51.100.0/24 and
    2001:db8:100::/48: the first fragment holds the UDP header, the rest only bytes."""
    victim, victim6 = "198.51.100.10", "2001:db8:100::10"
    frames = []
    # 1. 10 DNS ANY answers of 3500 B (IPv4 fragments of 1480, 1480, 548 B of IP payload).
    for i in range(10):
        big = IP(src="203.0.113.53", dst=victim, id=100 + i) / \
            UDP(sport=53, dport=40000 + i) / Raw(dns(3500, answer=True))
        frames += [eth(f) for f in fragment(big, fragsize=1480)]
    # 2. 5 CLDAP answers of 2900 B (1480 + 1428).
    for i in range(5):
        big = IP(src="203.0.113.89", dst=victim, id=200 + i) / \
            UDP(sport=389, dport=50000 + i) / Raw(cldap_entry(2900))
        frames += [eth(f) for f in fragment(big, fragsize=1480)]
    # 3. 4 DNS ANY answers of 3500 B over IPv6, in fragments of at most 1280 B.
    for i in range(4):
        big = IPv6(src="2001:db8:53::1", dst=victim6) / IPv6ExtHdrFragment(id=300 + i) / \
            UDP(sport=53, dport=41000 + i) / Raw(dns(3500, answer=True))
        frames += [eth(f) for f in fragment6(big, 1280)]
    # 4. One DNS answer whose fragments arrive last first: the two later ones cannot be matched
    #    and only the first's share (1472 B) is counted.
    big = IP(src="203.0.113.54", dst=victim, id=400) / UDP(sport=53, dport=42000) / \
        Raw(dns(3500, answer=True))
    frames += [eth(f) for f in reversed(fragment(big, fragsize=1480))]
    # 5. A fragmented IPsec NAT-T datagram (4500 -> 4500, 3000 B): not a vector's.
    big = IP(src="192.0.2.45", dst=victim, id=500) / UDP(sport=4500, dport=4500) / \
        Raw(bytes(3000))
    frames += [eth(f) for f in fragment(big, fragsize=1480)]
    return Clock().stamp(frames)


def gre(proto, key=None, seq=None, version=0):
    """A GRE header (RFC 2784/2890) written out by hand: flags, protocol type, key, sequence."""
    flags = (0x2000 if key is not None else 0) | (0x1000 if seq is not None else 0) | version
    out = struct.pack(">HH", flags, proto)
    if key is not None:
        out += struct.pack(">I", key)
    if seq is not None:
        out += struct.pack(">I", seq)
    return out


def erspan2(session):
    """ERSPAN type II: version 1, VLAN 0, session id, index."""
    return struct.pack(">HHI", 0x1000, session & 0x3FF, 0)


def erspan3(session, platform=False):
    """ERSPAN type III: version 2, session id, timestamp, SGT, flags with the O bit, and with it
    the 8-byte platform-specific subheader."""
    return (struct.pack(">HHIHH", 0x2000, session & 0x3FF, 123456, 0, 1 if platform else 0) +
            (bytes(8) if platform else b""))


def encapsulations():
    """The monlist flood of incident() as SPAN and tap feeds carry it: in MPLS, GRE, ERSPAN I,
    II and III, VXLAN and PPPoE, at a victim in 198.51.100.0/24 and 2001:db8:100::/48; and
    tunnels whose content cannot be read."""
    victim, victim6 = "198.51.100.10", "2001:db8:100::10"
    monlist = UDP(sport=123, dport=80) / Raw(monlist_response())

    def inner(i, v6=False):
        if v6:
            return IPv6(src=f"2001:db8:113::{1 + i}", dst=victim6) / monlist
        return IP(src=f"203.0.113.{1 + i}", dst=victim) / monlist

    def mirrored(i):  # the frame a switch mirrors, with its VLAN tag
        return bytes(Ether(src="02:00:00:00:00:03", dst="02:00:00:00:00:04") /
                     Dot1Q(vlan=42) / inner(i))

    router = IP(src="192.0.2.254", dst="192.0.2.1", proto=47)
    frames = []
    # 1. MPLS: 3 packets under two labels; 2 in an Ethernet pseudowire behind a control word,
    #    1 in one without.
    for i in range(3):
        frames.append(Ether(type=0x8847) / Raw(struct.pack(">II", (100 << 12) | 64,
                                                             (200 << 12) | 0x100 | 64) +
                                                 bytes(inner(i))))
    for i in range(2):
        frames.append(Ether(type=0x8847) / Raw(struct.pack(">I", (300 << 12) | 0x100 | 64) +
                                                 bytes(4) + mirrored(i)))
    frames.append(Ether(type=0x8847) / Raw(struct.pack(">I", (301 << 12) | 0x100 | 64) +
                                             mirrored(2)))  # a pseudowire without one
    # 2. GRE: 3 IPv4 in IPv4 with a key; 1 IPv6 in IPv6.
    for i in range(3):
        frames.append(eth(router / Raw(gre(0x0800, key=7) + bytes(inner(i)))))
    frames.append(eth(IPv6(src="2001:db8::fe", dst="2001:db8::1", nh=47) /
                      Raw(gre(0x86DD) + bytes(inner(0, v6=True)))))
    # 3. ERSPAN: 3 of type II (GRE with a sequence number), 2 of type III (one with the
    #    platform subheader), 1 of type I (no ERSPAN header).
    for i in range(3):
        frames.append(eth(router / Raw(gre(0x88BE, seq=i) + erspan2(1) + mirrored(i))))
    for i in range(2):
        frames.append(eth(router / Raw(gre(0x22EB, seq=i) + erspan3(2, platform=i == 1) +
                                       mirrored(i))))
    frames.append(eth(router / Raw(gre(0x88BE) + mirrored(0))))
    # 4. VXLAN: 3 frames, VNI 100.
    vxlan = bytes([0x08, 0, 0, 0, 0, 0, 100, 0])
    for i in range(3):
        frames.append(eth(IP(src="192.0.2.253", dst="192.0.2.1") /
                          UDP(sport=54321, dport=4789) / Raw(vxlan + mirrored(i))))
    # 5. PPPoE sessions: 2 IPv4 packets, and an LCP echo (PPP's own traffic, not IP).
    for i in range(2):
        ip = bytes(inner(i))
        frames.append(Ether(type=0x8864) / Raw(struct.pack(">BBHHH", 0x11, 0, 7, len(ip) + 2,
                                                             0x0021) + ip))
    frames.append(Ether(type=0x8864) / Raw(struct.pack(">BBHHH", 0x11, 0, 7, 10, 0xC021) +
                                             bytes([9, 1, 0, 8]) + bytes(4)))
    # 6. Tunnels edgewatch cannot read: PPTP's enhanced GRE (version 1) x 2, GRE carrying PPP
    #    (0x880B), MPLS over something that is neither IP nor Ethernet, VXLAN without its I flag.
    for i in range(2):
        frames.append(eth(router / Raw(struct.pack(">HHHH", 0x3001, 0x880B, 20, 1) +
                                       struct.pack(">I", i) + bytes(20))))
    frames.append(eth(router / Raw(gre(0x880B) + bytes(20))))
    frames.append(Ether(type=0x8847) / Raw(struct.pack(">I", (400 << 12) | 0x100 | 64) +
                                             bytes([0x80]) + bytes(40)))
    frames.append(eth(IP(src="192.0.2.253", dst="192.0.2.1") / UDP(sport=54321, dport=4789) /
                      Raw(bytes(8) + mirrored(0))))
    return Clock().stamp(frames)


def spoofed_egress():
    """A cooked capture on `any` (Linux SLL2, packet type 4: outgoing) of an edge whose local
    network is 198.51.100.0/24, with a host inside launching attacks from forged sources."""
    def out(pkt):
        return CookedLinuxV2(proto=0x0800 if IP in pkt else 0x86DD, pkttype=4) / pkt

    def incoming(pkt):
        return CookedLinuxV2(proto=0x0800, pkttype=0) / pkt

    victim = "192.0.2.77"
    frames = []
    # 1. 10 monlist requests leave with the victim's address as source (reflection launched
    #    from inside), 4 DNS ANY queries too, and 2 to a port of no vector.
    for _ in range(10):
        frames.append(out(IP(src=victim, dst=f"203.0.113.{1 + _}") / UDP(sport=80, dport=123) /
                          Raw(monlist_request())))
    for _ in range(4):
        frames.append(out(IP(src=victim, dst="203.0.113.53") / UDP(sport=80, dport=53) /
                          Raw(dns(40, answer=False))))
    for _ in range(2):
        frames.append(out(IP(src="10.9.9.9", dst="203.0.113.9") / UDP(sport=5000, dport=27015) /
                          Raw(bytes(20))))
    # 2. A spoofed SYN flood (3), spoofed ICMP echo (2) and a spoofed IPv6 ESP packet (1).
    for i in range(3):
        frames.append(out(IP(src=f"100.64.0.{i + 1}", dst="203.0.113.80") /
                          TCP(sport=1000 + i, dport=80, flags="S")))
    for _ in range(2):
        frames.append(out(IP(src=victim, dst="203.0.113.1") / ICMP()))
    frames.append(out(IPv6(src="2001:db8:bad::1", dst="2001:db8::1", nh=50) / Raw(bytes(24))))
    # 3. Not spoofed: 5 requests leaving from a local source; 3 answers coming in from outside.
    for _ in range(5):
        frames.append(out(IP(src="198.51.100.20", dst="203.0.113.1") / UDP(sport=40000, dport=123) /
                          Raw(ntp(3))))
    for _ in range(3):
        frames.append(incoming(IP(src="203.0.113.1", dst="198.51.100.20") /
                               UDP(sport=123, dport=40000) / Raw(ntp(4))))
    return Clock().stamp(frames)


def malformed():
    """Frames a capture can hand over: cut short, impossible lengths, wrong versions."""
    good = bytes(eth(IP(src="192.0.2.1", dst="198.51.100.1") / UDP(sport=123, dport=123) /
                     Raw(ntp(3))))
    frames = [
        Raw(good[:10]),                                   # Ethernet header cut: truncated
        Raw(good[:14 + 12]),                              # IPv4 header cut: truncated
        Raw(good[:14] + bytes([0x75]) + good[15:]),       # IP version 7: bad_ip_header
        Raw(good[:14] + bytes([0x43]) + good[15:]),       # IHL 3 (12 B): bad_ip_header
        Raw(good[:14 + 20 + 4] + struct.pack(">H", 4) + good[14 + 20 + 6:]),  # UDP len 4
        Raw(good[:14 + 20 + 4] + struct.pack(">H", 400) + good[14 + 20 + 6:]),  # > IP
        Raw(good[:14 + 20 + 8] + bytes([0x23]) + bytes(10)),  # NTP client cut to 11 B
    ]
    return Clock().stamp(frames)


def main(out):
    wrpcap(f"{out}/incident-ntp-reflection.pcap", incident())
    wrpcapng(f"{out}/incident-ntp-reflection.pcapng", incident())
    ethernet, sll, sll2, raw = link_layers()
    wrpcap(f"{out}/link-ethernet-vlan-ipv6.pcap", ethernet)
    wrpcap(f"{out}/link-sll.pcap", sll, linktype=113)
    wrpcap(f"{out}/link-sll2.pcap", sll2, linktype=276)
    wrpcap(f"{out}/link-raw.pcap", raw, linktype=101)
    wrpcap(f"{out}/fragments.pcap", fragments())
    wrpcap(f"{out}/malformed.pcap", malformed(), linktype=1)
    wrpcap(f"{out}/local-traffic.pcap", local_traffic())
    wrpcap(f"{out}/same-port-answers.pcap", same_port_answers())
    wrpcap(f"{out}/fragmented-floods.pcap", fragmented_floods())
    wrpcap(f"{out}/encapsulations.pcap", encapsulations())
    wrpcap(f"{out}/spoofed-egress.pcap", spoofed_egress(), linktype=276)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
