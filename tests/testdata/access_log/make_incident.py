#!/usr/bin/python3
"""Writes incident-xmlrpc-flood.log: a SYNTHETIC Apache combined log of an xmlrpc flood on a
WordPress site (the corpus has no xmlrpc, pingback or Shellshock lines). Deterministic; the
counts the tests expect follow from the numbers below:

  600 GET / (200) from 20 clients 198.51.100.1-20, 30 each
  300 POST /xmlrpc.php (200) from 203.0.113.10
  150 POST /xmlrpc.php (200) from 203.0.113.11
   50 POST /blog/xmlrpc.php?rsd (403) from 2001:db8::77
   40 POST /wp-login.php (200) from 198.51.100.23
   25 GET /?p=1 (200) by WordPress pingback verifiers, from 192.0.2.1-25
    3 Shellshock probes: in the user agent, the referer, and the request line (404)
    2 malformed lines
Timestamps advance one second every ten lines from 20/Nov/2026:10:00:00 +0000, so everything
falls within five minutes (inside the default ten-minute top-client window).
"""

import os

HERE = os.path.dirname(os.path.abspath(__file__))
UA = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"


def main():
    entries = []
    for i in range(600):
        entries.append((f"198.51.100.{1 + i % 20}", "GET / HTTP/1.1", 200, 5120, "-", UA))
    for _ in range(300):
        entries.append(("203.0.113.10", "POST /xmlrpc.php HTTP/1.1", 200, 370, "-", "-"))
    for _ in range(150):
        entries.append(("203.0.113.11", "POST /xmlrpc.php HTTP/1.0", 200, 370, "-", "-"))
    for _ in range(50):
        entries.append(("2001:db8::77", "POST /blog/xmlrpc.php?rsd HTTP/1.1", 403, 199, "-", "-"))
    for _ in range(40):
        entries.append(("198.51.100.23", "POST /wp-login.php HTTP/1.1", 200, 4300, "-", UA))
    for i in range(25):
        entries.append((f"192.0.2.{1 + i}", "GET /?p=1 HTTP/1.0", 200, 5120, "-",
                        "WordPress/6.4.2; https://blog.example.net; verifying pingback from "
                        "192.0.2.200"))
    entries.append(("203.0.113.66", "GET /cgi-bin/status HTTP/1.1", 404, 196, "-",
                    "() { :; }; /bin/bash -c \\\"cat /etc/passwd\\\""))
    entries.append(("203.0.113.66", "GET /cgi-bin/test.cgi HTTP/1.1", 404, 196,
                    "() { ignored; }; echo; /bin/id", UA))
    entries.append(("203.0.113.66", "GET /cgi-bin/() { :; }; HTTP/1.1", 404, 196, "-", UA))
    # Interleave deterministically so the flood runs through the baseline.
    order = sorted(range(len(entries)), key=lambda i: (i * 7919) % len(entries))
    lines = []
    for n, i in enumerate(order):
        host, request, code, size, referer, ua = entries[i]
        second = n // 10
        stamp = f"20/Nov/2026:10:{second // 60:02d}:{second % 60:02d} +0000"
        lines.append(f'{host} - - [{stamp}] "{request}" {code} {size} "{referer}" "{ua}"')
    lines.insert(100, "this is not an access log line")
    lines.insert(500, '203.0.113.10 - - [20/Nov/2026:10:00:50 +0000] "POST /xmlrpc.php HTTP/1.1" 2OO')
    with open(os.path.join(HERE, "incident-xmlrpc-flood.log"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
