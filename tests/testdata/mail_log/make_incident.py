#!/usr/bin/python3
"""Writes two SYNTHETIC Postfix + postscreen + amavis logs (the corpus has no RBL rejects and
no snowshoe stream). Deterministic; the tests' numbers follow from these:

normal.log: 600 messages over 50 minutes from 5 clients in 3 /24 networks (198.51.100.10,
  198.51.100.11, 203.0.113.5, 192.0.2.20, 192.0.2.21, in turn), senders in 10 domains
  (news0.example ... news9.example), all amavis "Passed CLEAN", all delivered (status=sent).
snowshoe.log: 600 messages over 50 minutes from 300 /24 networks, two messages each
  (45.<n/250>.<n%250>.7 and .8), every sender domain new (offer0.example ... offer599.example);
  amavis passes 540 CLEAN and tags 60 as SPAM; all delivered. Each connection is first seen by
  postscreen (CONNECT, then PASS NEW). Besides: 28 RBL rejects from 28 further clients, each in
  a /24 of its own (46.0.<k>.9; 20 zen.spamhaus.org, 5 bl.spamcop.net, 3 dnsbl.example.net),
  each after its own smtpd connect: 628 connections from 328 networks.

Every message: postscreen CONNECT/PASS NEW (snowshoe only), smtpd connect, "QID: client=",
cleanup, qmgr from=, amavis verdict, smtp status=sent, qmgr removed, smtpd disconnect. Times
advance five seconds a message from Nov 16 10:00:00.
"""

import os

HERE = os.path.dirname(os.path.abspath(__file__))


def stamp(seconds):
    return f"Nov 16 {10 + seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def message(out, t, n, ip, sender, verdict, postscreen):
    qid = f"{0xA00000 + n:X}E0"
    pid = 3000 + n % 50
    s = stamp(t)
    if postscreen:
        out.append(f"{s} mx postfix/postscreen[900]: CONNECT from [{ip}]:40000 to [192.0.2.1]:25")
        out.append(f"{s} mx postfix/postscreen[900]: PASS NEW [{ip}]:40000")
    out.append(f"{s} mx postfix/smtpd[{pid}]: connect from unknown[{ip}]")
    out.append(f"{s} mx postfix/smtpd[{pid}]: {qid}: client=unknown[{ip}]")
    out.append(f"{s} mx postfix/cleanup[700]: {qid}: message-id=<{n}@{sender.split('@')[1]}>")
    out.append(f"{s} mx postfix/qmgr[600]: {qid}: from=<{sender}>, size=4200, nrcpt=1 "
               "(queue active)")
    tag = "{RelayedTaggedInbound}" if verdict == "SPAM" else "{RelayedInbound}"
    out.append(f"{s} mx amavis[800]: ({800}-{n:02d}) Passed {verdict} {tag}, [{ip}]:40000 "
               f"[{ip}] <{sender}> -> <user@example.org>, Queue-ID: {qid}, mail_id: x{n}, "
               "Hits: 1.2, size: 4200, 90 ms")
    out.append(f"{s} mx postfix/smtp[{pid + 100}]: {qid}: to=<user@example.org>, "
               "relay=127.0.0.1[127.0.0.1]:10024, delay=0.2, delays=0.1/0/0/0.1, dsn=2.0.0, "
               "status=sent (250 2.0.0 Ok)")
    out.append(f"{s} mx postfix/qmgr[600]: {qid}: removed")
    out.append(f"{s} mx postfix/smtpd[{pid}]: disconnect from unknown[{ip}] ehlo=1 mail=1 "
               "rcpt=1 data=1 quit=1 commands=5")


def rbl_reject(out, t, n, ip, rbl):
    s = stamp(t)
    out.append(f"{s} mx postfix/smtpd[2000]: connect from unknown[{ip}]")
    out.append(f"{s} mx postfix/smtpd[2000]: NOQUEUE: reject: RCPT from unknown[{ip}]: 554 5.7.1 "
               f"Service unavailable; Client host [{ip}] blocked using {rbl}; from=<x{n}@"
               f"reject{n}.example> to=<user@example.org> proto=ESMTP helo=<h{n}>")
    out.append(f"{s} mx postfix/smtpd[2000]: disconnect from unknown[{ip}] ehlo=1 mail=1 rcpt=0/1 "
               "quit=1 commands=3/4")


def main():
    normal = []
    clients = ["198.51.100.10", "198.51.100.11", "203.0.113.5", "192.0.2.20", "192.0.2.21"]
    for n in range(600):
        message(normal, n * 5, n, clients[n % 5], f"list{n}@news{n % 10}.example", "CLEAN", False)
    snowshoe = []
    for n in range(600):
        net = n // 2
        ip = f"45.{net // 250}.{net % 250}.{7 + n % 2}"
        message(snowshoe, n * 5, n, ip, f"deals@offer{n}.example", "SPAM" if n % 10 == 9 else
                "CLEAN", True)
        if n % 20 == 0 and n // 20 < 28:
            k = n // 20
            rbl = "zen.spamhaus.org" if k < 20 else "bl.spamcop.net" if k < 25 else \
                "dnsbl.example.net"
            rbl_reject(snowshoe, n * 5, k, f"46.0.{k}.9", rbl)
    for name, lines in (("normal.log", normal), ("snowshoe.log", snowshoe)):
        with open(os.path.join(HERE, name), "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
