"""The mail-log collector following a real Postfix: a private instance writes its
maillog_file while an SMTP client in a network namespace (a non-loopback address) sends mail and
tries to relay, and Postfix's own `postfix logrotate` rotates the log in between."""

import json
import os
import subprocess
import tempfile
import time
import unittest

from edgewatch_process import Edgewatch, scrape, value, wait_value
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


if __name__ == "__main__":
    unittest.main()
