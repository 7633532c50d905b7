#!/usr/bin/env python3
"""Writes a large mixed capture for the reflection benchmark, fast (no scapy per packet).

Mix per 100 frames: 30 NTP client/server pairs' worth of mode 3/4 (30), 20 monlist responses to
a victim, 10 monlist requests, 15 DNS, 5 SSDP, 10 other UDP, 10 TCP. Addresses vary so the
request table and top-K see many keys.
"""

import struct
import sys


def checksum(data):
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    return (~(s + (s >> 16))) & 0xFFFF


def ipv4(src, dst, proto, payload):
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000, 64, proto, 0,
                         bytes(src), bytes(dst))
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + payload


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def frame(src, dst, proto, l4):
    return b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + ipv4(src, dst, proto, l4)


def main(path, count):
    ntp3 = bytes([0x23]) + bytes(47)
    ntp4 = bytes([0x24]) + bytes(47)
    mon_req = bytes([0x17, 0, 3, 42]) + bytes(44)
    mon_resp = bytes([0x97, 0, 3, 42, 0, 6, 0, 72]) + bytes(432)
    dns = bytes(60)
    ssdp = b"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n\r\n"
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        ts = 1_800_000_000
        for i in range(count):
            k = i % 100
            r = [198, 51, (i >> 8) & 0xFF, i & 0xFF]     # many remote addresses
            local = [203, 0, 113, (i * 7) & 0x3F]          # 64 local hosts
            if k < 15:
                f = frame(local, r, 17, udp(40000 + k, 123, ntp3))
            elif k < 30:
                f = frame(r, local, 17, udp(123, 40000 + k, ntp4))
            elif k < 50:
                f = frame(r, [203, 0, 113, 10], 17, udp(123, 80, mon_resp))
            elif k < 60:
                f = frame(r, [203, 0, 113, 123], 17, udp(80, 123, mon_req))
            elif k < 75:
                f = frame(r, local, 17, udp(53, 33000, dns))
            elif k < 80:
                f = frame(r, [239, 255, 255, 250], 17, udp(50000, 1900, ssdp))
            elif k < 90:
                f = frame(local, r, 17, udp(5000, 443, bytes(100)))
            else:
                f = frame(r, local, 6, struct.pack("!HHIIBBHHH", 443, 50000, 0, 0, 0x50, 0x10,
                                                   1024, 0, 0))
            usec = i % 1_000_000
            out.write(struct.pack("<IIII", ts + i // 1_000_000, usec, len(f), len(f)))
            out.write(f)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
