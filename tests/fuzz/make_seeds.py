#!/usr/bin/python3
"""Writes seed corpora for the frame and NTP fuzz targets from the test captures."""

import hashlib
import os
import sys

from scapy.all import rdpcap
from scapy.utils import RawPcapReader

# Index of each link type in frame_fuzz.cc's kLinks.
LINK_INDEX = {1: 0, 113: 1, 276: 2, 101: 3, 0: 4, 228: 5, 229: 6, 12: 7}


def main(pcap_dir, out):
    for sub in ("frame", "ntp"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    for root, _, files in os.walk(pcap_dir):
        for name in sorted(files):
            if not name.endswith(".pcap"):
                continue
            reader = RawPcapReader(os.path.join(root, name))
            link = reader.linktype
            for data, _ in reader:
                seed = bytes([LINK_INDEX[link]]) + data
                digest = hashlib.sha1(seed).hexdigest()[:16]
                with open(os.path.join(out, "frame", digest), "wb") as f:
                    f.write(seed)
    for pkt in rdpcap(os.path.join(pcap_dir, "incident-ntp-reflection.pcap"))[:3] + \
            rdpcap(os.path.join(pcap_dir, "corpus", "zeek-ntpmode67.pcap")):
        if pkt.haslayer("UDP"):
            payload = bytes(pkt["UDP"].payload)
            digest = hashlib.sha1(payload).hexdigest()[:16]
            with open(os.path.join(out, "ntp", digest), "wb") as f:
                f.write(payload)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
