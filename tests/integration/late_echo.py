"""Answers ICMP echo requests late: the far end of the delay test (kernel replies are off).

Usage: late_echo.py DELAY_SECONDS   (prints "ready" once listening; runs until killed)
"""

import socket
import struct
import sys
import threading


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def main():
    delay = float(sys.argv[1])
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    print("ready", flush=True)
    while True:
        packet, (source, _) = sock.recvfrom(65535)
        icmp = packet[(packet[0] & 0x0F) * 4:]
        if len(icmp) < 8 or icmp[0] != 8:
            continue
        reply = bytes([0, 0, 0, 0]) + icmp[4:]
        reply = reply[:2] + struct.pack("!H", checksum(reply)) + reply[4:]
        threading.Timer(delay, sock.sendto, (reply, (source, 0))).start()


if __name__ == "__main__":
    main()
