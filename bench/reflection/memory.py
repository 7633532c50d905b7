#!/usr/bin/env python3
"""Memory bound of the reflection collector: `edgewatch replay --pcap` on captures in which every
remote address is new - spoofed monlist requests to a local server, reflectors answering a local
victim, remotes the victim asks, first fragments that never end - at 1 and at 10 million
distinct addresses. The maximum resident set (GNU time's %M) must not grow with them.

Usage: bench/reflection/memory.py BUILD_DIR [MILLIONS ...]   (default 1 10; prints Markdown)
"""

import os
import struct
import subprocess
import sys
import tempfile

LOCAL_SERVER = bytes([198, 51, 100, 123])
VICTIM = bytes([198, 51, 100, 10])
CONFIG = "process:\n  enabled: false\nreflection:\n  local_networks: [198.51.100.0/24]\n"


def frame(i):
    """Frame i: a 48-byte NTP payload in one of the four roles, remote 11.x.y.z = 11.0.0.0 + i."""
    remote = struct.pack("!I", 0x0B000000 + i)
    role = i % 4
    first_byte, src, dst, sport, dport, flags = {
        0: (0x17, remote, LOCAL_SERVER, 80, 123, 0),        # spoofed monlist request
        1: (0x97, remote, VICTIM, 123, 80, 0),              # reflected monlist answer
        2: (0x23, VICTIM, remote, 40000, 123, 0),           # the victim asks a remote server
        3: (0x97, remote, VICTIM, 123, 80, 0x2000),         # a first fragment, never finished
    }[role]
    payload = bytes([first_byte]) + bytes(47)
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i & 0xFFFF, flags, 64, 17, 0,
                     src, dst)
    return b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + ip + udp


def write_capture(path, count):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i in range(count):
            data = frame(i)
            f.write(struct.pack("<IIII", 1_800_000_000 + i // 1_000_000, i % 1_000_000,
                                len(data), len(data)))
            f.write(data)


def main():
    build = sys.argv[1]
    millions = [int(m) for m in sys.argv[2:]] or [1, 10]
    binary = os.path.join(build, "exporter", "edgewatch")
    with tempfile.TemporaryDirectory() as work:
        config = os.path.join(work, "edgewatch.yml")
        with open(config, "w") as f:
            f.write(CONFIG)
        print("| distinct remote addresses | frames | max resident set |")
        print("|---|---|---|")
        for m in millions:
            pcap = os.path.join(work, f"{m}m.pcap")
            write_capture(pcap, m * 1_000_000)
            out = subprocess.run(["/usr/bin/time", "-f", "%M", binary, "replay",
                                  f"--config.file={config}", "--pcap", pcap],
                                 capture_output=True, text=True, check=True)
            kib = int(out.stderr.strip().splitlines()[-1])
            print(f"| {m * 1_000_000:,} | {m * 1_000_000:,} | {kib / 1024:.1f} MiB |")
            os.unlink(pcap)


if __name__ == "__main__":
    main()
