"""Tiny NTP mode-7 responders for the monlist self-check, one per address on UDP port 123.

Usage: mode7_responder.py ADDRESS=KIND ...   KIND is one of
  monlist  answers like an old ntpd: 6 monlist entries of 72 bytes
  error    answers with error code 4 ("no data"), as a patched ntpd does
  echo     sends the request back unchanged (R bit clear: not an answer)
Prints "ready" once every socket is bound, then one line per request: ADDRESS HEX.
"""

import socket
import sys
import threading

ANSWERS = {
    "monlist": bytes([0x97, 0, 3, 42, 0, 6, 0, 72]) + bytes(6 * 72),
    "error": bytes([0x97, 0, 3, 42, 0x40, 0, 0, 0]) + bytes(40),
    "echo": None,
}
out = threading.Lock()


def serve(sock, address, answer):
    while True:
        data, peer = sock.recvfrom(2048)
        with out:
            print(address, data.hex(), flush=True)
        if len(data) >= 4 and data[0] & 7 == 7 and data[3] == 42:
            sock.sendto(data if answer is None else answer, peer)


threads = []
for arg in sys.argv[1:]:
    address, kind = arg.split("=")
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((address, 123))
    threads.append(threading.Thread(target=serve, args=(sock, address, ANSWERS[kind]),
                                    daemon=True))
for t in threads:
    t.start()
print("ready", flush=True)
sys.stdin.read()
