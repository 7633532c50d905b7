"""The mail-log collector following a real Postfix: a private instance writes its
maillog_file while an SMTP client in a network namespace (a non-loopback address) sends mail and
tries to relay, and Postfix's own `postfix logrotate` rotates the log in between. And a real
Exim (Debian's, as cPanel and DirectAdmin run it) with MX and submission sessions."""

import json
import os
import subprocess
import tempfile
import time
import unittest

from edgewatch_process import Edgewatch, scrape, value, wait_value
from exim import Exim
from netns import VethHost
from postfix import Postfix

CLIENT = r"""
import json, smtplib, sys
first, accepted, relayed, server = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
sent = refused = 0
for i in range(first, first + accepted + relayed):
    s = smtplib.SMTP(server, 2525, timeout=20)
    s.ehlo(f"client{i}.example")
    rcpt = "user@mx.edgewatch.test" if i < first + accepted else f"user@elsewhere{i}.example"
    try:
        s.sendmail(f"sender@domain{i}.example", [rcpt], "Subject: test\r\n\r\nhello\r\n")
        sent += 1
    except smtplib.SMTPRecipientsRefused:
        refused += 1
    s.quit()
print(json.dumps({"sent": sent, "refused": refused}))
"""

# An MX session per message on port 25 (accepted, then a relay attempt, an unknown user and a
# listed sender in some), and on 587 failed logins and a customer's submissions to two
# recipients each. Prints what it did, as the server answered.
EXIM_CLIENT = r"""
import json, smtplib, sys
server, messages = sys.argv[1], int(sys.argv[2])
did = {"mx_sessions": 0, "accepted": 0, "relay": 0, "unknown": 0, "listed": 0,
       "submission_sessions": 0, "auth_failed": 0, "submitted": 0}
def refused(s, sender, rcpt):
    try:
        s.sendmail(sender, [rcpt], "Subject: t\r\n\r\nhello\r\n")
        return False
    except smtplib.SMTPRecipientsRefused:
        return True
for i in range(messages):
    s = smtplib.SMTP(server, 25, timeout=20)
    did["mx_sessions"] += 1
    s.ehlo(f"client{i}.example")
    did["accepted"] += not refused(s, f"sender@domain{i}.example", "alice@edgewatch.test")
    if i % 2 == 0:
        did["relay"] += refused(s, f"sender@domain{i}.example", f"user@elsewhere{i}.example")
    if i % 3 == 0:
        did["unknown"] += refused(s, f"sender@domain{i}.example", "nobody@edgewatch.test")
    if i % 4 == 0:
        did["listed"] += refused(s, f"spam{i}@listed.example", "alice@edgewatch.test")
    s.quit()
for i in range(messages):
    s = smtplib.SMTP(server, 587, timeout=20)
    did["submission_sessions"] += 1
    s.ehlo("laptop")
    if i % 2 == 0:
        try:
            s.login("carol", f"guess{i}")
        except smtplib.SMTPAuthenticationError:
            did["auth_failed"] += 1
    s.login("carol", "secret")
    s.sendmail("carol@edgewatch.test", ["a@customer.example", "b@customer.example"],
               "Subject: newsletter\r\n\r\nhello\r\n")
    did["submitted"] += 1
    s.quit()
print(json.dumps(did))
"""


def config(directory, maillog):
    path = os.path.join(directory, "edgewatch.yml")
    with open(path, "w") as f:
        f.write("process:\n  enabled: false\nreflection:\n  enabled: false\nhttpd:\n"
                "  enabled: false\nbgp:\n  enabled: false\naccess_log:\n  enabled: false\n"
                f"mail_log:\n  rotate_wait: 5s\n  logs:\n    - name: mx\n      path: {maillog}\n")
    return path


class MailLogTest(unittest.TestCase):
    def send(self, host, first, accepted, relayed):
        out = subprocess.run(host.exec("/usr/bin/python3", "-c", CLIENT, str(first),
                                       str(accepted), str(relayed), host.OUTER_IP),
                             capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        return json.loads(out.stdout)

    def test_real_postfix_through_its_own_logrotate(self):
        with VethHost("m") as host, Postfix(host.OUTER_IP) as postfix, \
                tempfile.TemporaryDirectory() as d:
            with Edgewatch(f"--config.file={config(d, postfix.maillog)}") as ew:
                wait_value(ew, 'edgewatch_log_up{log="mx"}', 1, 10)
                first = self.send(host, 0, 6, 3)
                self.assertEqual(first, {"sent": 6, "refused": 3})
                # Lines still unread when the log is renamed and compressed are not lost.
                ew.proc.send_signal(19)  # SIGSTOP
                second = self.send(host, 100, 4, 2)
                postfix.logrotate()
                third = self.send(host, 200, 5, 1)
                ew.proc.send_signal(18)  # SIGCONT
                sent = first["sent"] + second["sent"] + third["sent"]
                refused = first["refused"] + second["refused"] + third["refused"]
                # Postfix logs a message's delivery a moment after the session ends.
                deadline = time.monotonic() + 20
                while time.monotonic() < deadline and postfix.log().count("status=sent") < \
                        third["sent"]:
                    time.sleep(0.05)
                wait_value(ew, 'edgewatch_mail_deliveries_total{log="mx",status="sent"}', sent, 20)
                text = scrape(ew)
                log = 'log="mx"'
                mx = f'{log},service="smtpd"'  # port 25: the MX
                self.assertEqual(value(text, f"edgewatch_mail_connections_total{{{mx}}}"),
                                 sent + refused)
                self.assertEqual(value(text, f"edgewatch_mail_messages_accepted_total{{{mx}}}"),
                                 sent)
                self.assertEqual(value(text, f'edgewatch_mail_rejects_total{{{log},stage="rcpt",'
                                             'reason="relay"}'), refused)
                self.assertEqual(value(text, f"edgewatch_mail_unparsed_lines_total{{{log}}}"),
                                 0)
                self.assertEqual(value(text, f'edgewatch_mail_distinct_client_networks{{{log},'
                                             'family="ipv4"}'), 1)  # the veth's /24
                # Every accepted message had its own sender domain.
                self.assertEqual(value(text, f"edgewatch_mail_distinct_sender_domains{{{log}}}"),
                                 sent)
                self.assertEqual(value(text, f"edgewatch_log_rotations_total{{{log}}}"), 1)
                self.assertEqual(value(text, f"edgewatch_log_up{{{log}}}"), 1)
                rotated = [n for n in os.listdir(os.path.dirname(postfix.maillog))
                           if n.startswith("maillog.")]
                self.assertEqual(len(rotated), 1, rotated)

    def test_real_exim(self):
        with VethHost("x") as host, Exim(host.OUTER_IP) as exim, \
                tempfile.TemporaryDirectory() as d:
            with Edgewatch(f"--config.file={config(d, exim.mainlog)}") as ew:
                wait_value(ew, 'edgewatch_log_up{log="mx"}', 1, 10)
                before = len(exim.log().splitlines())  # the daemon's start: not followed
                out = subprocess.run(host.exec("/usr/bin/python3", "-c", EXIM_CLIENT,
                                               host.OUTER_IP, "12"),
                                     capture_output=True, text=True, timeout=120)
                self.assertEqual(out.returncode, 0, out.stderr)
                did = json.loads(out.stdout)
                self.assertEqual(did["accepted"], 12)
                self.assertGreater(min(did["relay"], did["unknown"], did["listed"]), 0)
                # Exim delivers (to :blackhole:) a moment after each session.
                sent = did["accepted"] + 2 * did["submitted"]
                deadline = time.monotonic() + 20
                while time.monotonic() < deadline and \
                        exim.log().count(" => :blackhole: ") < sent:
                    time.sleep(0.05)
                messages = did["accepted"] + did["submitted"]
                while time.monotonic() < deadline and exim.log().count(" Completed") < messages:
                    time.sleep(0.05)
                self.assertEqual(exim.log().count(" => :blackhole: "), sent, exim.log())
                self.assertEqual(exim.log().count(" Completed"), messages, exim.log())
                # Every line Exim wrote is read: then the counters are final.
                wait_value(ew, 'edgewatch_log_lines_total{log="mx"}',
                           len(exim.log().splitlines()) - before, 20)
                text = scrape(ew)
                log = 'log="mx"'
                for service, sessions, accepted in (
                        ("smtpd", did["mx_sessions"], did["accepted"]),
                        ("submission", did["submission_sessions"], did["submitted"])):
                    at = f'{log},service="{service}"'
                    self.assertEqual(value(text, f"edgewatch_mail_connections_total{{{at}}}"),
                                     sessions, service)
                    self.assertEqual(
                        value(text, f"edgewatch_mail_messages_accepted_total{{{at}}}"), accepted,
                        service)
                for reason in ("relay", "unknown", "listed"):
                    name = {"unknown": "unknown_user", "listed": "rbl"}.get(reason, reason)
                    self.assertEqual(value(text, f'edgewatch_mail_rejects_total{{{log},'
                                                 f'stage="rcpt",reason="{name}"}}'),
                                     did[reason], reason)
                self.assertEqual(value(text, f'edgewatch_mail_rbl_rejects_total{{{log},'
                                             'rbl="zen.spamhaus.org"}'), did["listed"])
                self.assertEqual(value(text, f'edgewatch_mail_auth_failures_total{{{log},'
                                             'service="smtpd"}'), did["auth_failed"])
                self.assertEqual(value(text, f'edgewatch_mail_top_sasl_sender_messages{{{log},'
                                             'user="carol"}'), did["submitted"])
                self.assertEqual(value(text, f'edgewatch_mail_top_sasl_sender_recipients{{{log},'
                                             'user="carol"}'), 2 * did["submitted"])
                self.assertEqual(value(text, f'edgewatch_mail_distinct_client_networks{{{log},'
                                             'family="ipv4"}'), 1)  # the veth's /24
                # domain0..11 and the customer's own domain; listed senders were refused.
                self.assertEqual(value(text, f"edgewatch_mail_distinct_sender_domains{{{log}}}"),
                                 did["accepted"] + 1)
                self.assertEqual(value(text, f"edgewatch_mail_unparsed_lines_total{{{log}}}"),
                                 0)
                self.assertEqual(value(text, f'edgewatch_mail_deliveries_total{{{log},'
                                             'status="sent"}'), sent)


if __name__ == "__main__":
    unittest.main()
