"""Logs from the systemd journal: real journal files (systemd-journal-remote) replayed and
followed live, with appends while edgewatch follows, a reload, a restart in the middle that
resumes at its cursor, and the journal moving to a new file while the old one is vacuumed."""

import fnmatch
import grp
import os
import re
import subprocess
import tempfile
import time
import unittest

from edgewatch_process import (BIN, TESTDATA, Edgewatch, poll, require_tool, scrape, total,
                               value, wait_value)
from journal import Entries, count_entries, write_journal

MAIL_IDENTIFIERS = ["postfix*", "exim*", "amavis*", "spamd", "rspamd"]  # the embedded default
# Counters compared between the journal and the same lines as a text file.
MAIL_COUNTERS = ["edgewatch_mail_connections_total", "edgewatch_mail_messages_accepted_total",
                 "edgewatch_mail_rejects_total", "edgewatch_mail_rbl_rejects_total",
                 "edgewatch_mail_postscreen_total", "edgewatch_mail_filter_verdicts_total",
                 "edgewatch_mail_deliveries_total", "edgewatch_mail_auth_failures_total"]


def replay(*args):
    out = subprocess.run([BIN, "replay", *args], capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise AssertionError(f"edgewatch replay {' '.join(args)}: {out.stderr}")
    return out.stdout


def series(text, prefix, log):
    """{series without the log label: value} of the families starting with `prefix` for `log`."""
    got = {}
    for m in re.finditer(r"^(" + prefix + r"\w*)\{([^}]*)\} (\S+)$", text, re.M):
        labels = m.group(2).split(",")
        if f'log="{log}"' in labels:
            rest = ",".join(l for l in labels if l != f'log="{log}"')
            got[f"{m.group(1)}{{{rest}}}"] = float(m.group(3))
    return got


def read(*path):
    with open(os.path.join(TESTDATA, *path)) as f:
        return f.read().splitlines()


def mail_config(path, *journal_keys):
    """A config at `path` with the mail collector alone, one journal log `mx` with these keys."""
    with open(path, "w") as f:
        f.write("process:\n  enabled: false\nreflection:\n  enabled: false\nhttpd:\n"
                "  enabled: false\nbgp:\n  enabled: false\naccess_log:\n  enabled: false\n"
                "mail_log:\n  poll_interval: 200ms\n  logs:\n    - name: mx\n      journal:\n" +
                "".join(f"        {k}\n" for k in journal_keys))


def matching(path, globs):
    """Entries journalctl finds in `path` whose identifier one of `globs` (fnmatch) matches."""
    out = subprocess.run(["journalctl", "--file", path, "-o", "export", "--output-fields",
                          "SYSLOG_IDENTIFIER"], capture_output=True, timeout=60, check=True)
    idents = re.findall(rb"^SYSLOG_IDENTIFIER=(.*)$", out.stdout, re.M)
    return sum(any(fnmatch.fnmatchcase(i.decode(), g) for g in globs) for i in idents)


class JournalReplayTest(unittest.TestCase):
    def test_a_journal_replays_as_its_lines_would(self):
        lines = read("mail_log", "snowshoe.log") + read("mail_log", "crowdsec-postscreen-logs.log")
        export, used = Entries().from_syslog(lines, noise_every=5)
        with tempfile.TemporaryDirectory() as d:
            journal = os.path.join(d, "system.journal")
            write_journal(journal, export)
            text_log = os.path.join(d, "mail.log")
            with open(text_log, "w") as f:
                f.write("\n".join(used) + "\n")
            from_journal = replay("--mail-log", journal)
            from_text = replay("--mail-log", text_log)
            # Every mail family the same as from the lines themselves, none empty.
            got = series(from_journal, "edgewatch_mail_", "system.journal")
            want = series(from_text, "edgewatch_mail_", "mail.log")
            self.assertEqual(got, want)
            # By hand: smtpd's "connect from" lines (the MX's connections).
            self.assertEqual(total(from_journal, "edgewatch_mail_connections_total",
                                   service="smtpd"),
                             sum(bool(re.search(r" postfix/smtpd\[\d+\]: connect from ", l))
                                 for l in used))
            self.assertGreater(total(from_journal, "edgewatch_mail_postscreen_total"), 0)
            # Lines: the entries the default identifiers match, as journalctl counts them; the
            # noise (sshd, CRON, kernel, systemd) is not read.
            lines_read = value(from_journal, 'edgewatch_log_lines_total{log="system.journal"}')
            self.assertEqual(lines_read, matching(journal, MAIL_IDENTIFIERS))
            self.assertLess(lines_read, count_entries(journal, [""]))
            self.assertEqual(value(from_journal, 'edgewatch_log_up{log="system.journal"}'), 1)
            self.assertEqual(
                value(from_journal, 'edgewatch_mail_unparsed_lines_total{log="system.journal"}'),
                value(from_text, 'edgewatch_mail_unparsed_lines_total{log="mail.log"}'))
            # As history, at the entries' own times: the last step holds the final counts.
            history = replay("--output.history", "--mail-log", journal)
            smtpd = re.findall(r'^edgewatch_mail_connections_total\{log="system.journal",'
                               r'service="smtpd",job="edgewatch",instance="replay"\} (\S+) (\S+)$',
                               history, re.M)
            self.assertEqual(float(smtpd[-1][0]), total(from_text,
                                                       "edgewatch_mail_connections_total",
                                                       service="smtpd"))
            stamps = [float(t) for _, t in smtpd]
            self.assertEqual(stamps, sorted(stamps))
            self.assertGreater(len(stamps), 100)  # the logs' hour, every 15 s

    def test_an_access_log_through_the_journal(self):
        # nginx's `access_log syslog:server=unix:/dev/log`: each MESSAGE is an access line.
        lines = read("access_log", "incident-xmlrpc-flood.log")
        e = Entries()
        export = b"".join(e.entry("nginx", l, 1_796_184_000_000_000 + i, pid=700)
                          for i, l in enumerate(lines))
        export += e.entry("sshd", "Accepted publickey for root", 1_796_184_100_000_000)
        with tempfile.TemporaryDirectory() as d:
            journal = os.path.join(d, "web.journal")
            write_journal(journal, export)
            config = os.path.join(d, "edgewatch.yml")
            with open(config, "w") as f:
                f.write("access_log:\n  logs:\n    - name: web\n      journal:\n"
                        "        identifiers: [nginx]\n      format: combined\n")
            text_log = os.path.join(d, "web.log")
            with open(text_log, "w") as f:
                f.write("\n".join(lines) + "\n")
            from_journal = replay(f"--config.file={config}", "--access-log", journal)
            from_text = replay(f"--config.file={config}", "--access-log", text_log)
            got = series(from_journal, "edgewatch_(?:http|xmlrpc|wp_login)_", "web.journal")
            want = series(from_text, "edgewatch_(?:http|xmlrpc|wp_login)_", "web.log")
            self.assertEqual(got, want)
            self.assertEqual(value(from_journal, 'edgewatch_log_lines_total{log="web.journal"}'),
                             len(lines))
            self.assertGreater(total(from_journal, "edgewatch_xmlrpc_requests_total"), 100)


class JournalLiveTest(unittest.TestCase):
    def test_an_unreadable_journal_says_so_and_reads_from_then_on(self):
        # As nobody (the packaged unit runs as edgewatch with the adm group): a journal file of
        # root's (0640) is not read, and the log and the read error say why; once its group may
        # read it, entries from when edgewatch first found it unreadable on are counted, its
        # history before that is not.
        with tempfile.TemporaryDirectory() as d:
            os.chmod(d, 0o755)
            jdir = os.path.join(d, "journal")
            os.mkdir(jdir)
            active = os.path.join(jdir, "system.journal")
            e = Entries()
            old = e.entry("postfix/smtpd", "connect from old[192.0.2.1]", 1_700_000_000_000_000)
            write_journal(active, old)
            os.chmod(active, 0o640)
            config = os.path.join(d, "edgewatch.yml")
            mail_config(config, f"directory: {jdir}", f"cursor_file: {d}/mx.cursor")
            os.chmod(config, 0o644)
            nobody = (require_tool("setpriv"), "--reuid=nobody", "--regid=nogroup",
                      "--clear-groups", "--")
            with Edgewatch(f"--config.file={config}", wrapper=nobody) as ew:
                poll(ew, 'edgewatch_log_read_errors_total{log="mx"}', lambda v: v == 1)
                text = scrape(ew)
                self.assertEqual(value(text, 'edgewatch_log_up{log="mx"}'), 0)
                self.assertIn(f"cannot read {active}: Permission denied", ew.read_log())
                now = int(time.time() * 1_000_000)
                write_journal(active, e.entry("postfix/smtpd", "connect from new[192.0.2.2]",
                                              now + 5_000_000))
                os.chmod(active, 0o640)
                os.chown(active, 0, grp.getgrnam("nogroup").gr_gid)
                wait_value(ew, 'edgewatch_log_up{log="mx"}', 1, 10)
                wait_value(ew, 'edgewatch_log_lines_total{log="mx"}', 1, 10)
                self.assertEqual(value(scrape(ew), 'edgewatch_mail_connections_total{log="mx",'
                                                   'service="smtpd"}'), 1)


    def test_follow_reload_restart_rotation(self):
        lines = read("mail_log", "snowshoe.log")
        e = Entries()
        thirds = [lines[i * len(lines) // 3:(i + 1) * len(lines) // 3] for i in range(3)]
        parts = [e.from_syslog(part, noise_every=4) for part in thirds]
        with tempfile.TemporaryDirectory() as d:
            jdir = os.path.join(d, "journal")
            os.mkdir(jdir)
            active = os.path.join(jdir, "remote.journal")
            cursor = os.path.join(d, "mx.cursor")
            config = os.path.join(d, "edgewatch.yml")
            mail_config(config, "identifiers: [postfix*]", f"directory: {jdir}",
                        f"cursor_file: {cursor}")
            before, _ = Entries().from_syslog(read("mail_log", "normal.log"))
            write_journal(active, before)  # history: not new traffic
            postfix = lambda lines: sum(" postfix" in l for l in lines)
            lines_of = 'edgewatch_log_lines_total{log="mx"}'
            counted = {}

            def add(text):
                for family in MAIL_COUNTERS:
                    for k, v in series(text, family + r"\b", "mx").items():
                        counted[k] = counted.get(k, 0) + v

            with Edgewatch(f"--config.file={config}") as ew:
                wait_value(ew, 'edgewatch_log_up{log="mx"}', 1, 10)
                self.assertEqual(value(scrape(ew), lines_of), 0)
                write_journal(active, parts[0][0])  # appended while edgewatch follows
                wait_value(ew, lines_of, postfix(parts[0][1]), 20)
                add(scrape(ew))
            self.assertTrue(os.path.exists(cursor))

            write_journal(active, parts[1][0])  # while edgewatch is down
            with Edgewatch(f"--config.file={config}") as ew:
                wait_value(ew, lines_of, postfix(parts[1][1]), 20)
                ew.proc.send_signal(1)  # SIGHUP: the same journal log goes on, its counts kept
                ew.wait_for_log("reload", 10)
                # The journal moves to a new file; the old one is vacuumed while it is read.
                rotated = os.path.join(jdir, "remote-2.journal")
                half = len(parts[2][0]) // 2
                cut = parts[2][0].rfind(b"\n\n", 0, half) + 2
                write_journal(rotated, parts[2][0][:cut])
                os.remove(active)
                write_journal(rotated, parts[2][0][cut:])
                want = postfix(parts[1][1]) + postfix(parts[2][1])
                wait_value(ew, lines_of, want, 20)
                text = scrape(ew)
                add(text)
                self.assertEqual(value(text, 'edgewatch_log_up{log="mx"}'), 1)
                self.assertEqual(value(text, 'edgewatch_log_read_errors_total{log="mx"}'), 0)
                self.assertEqual(value(text, 'edgewatch_log_journal_cursor_misses_total{'
                                             'log="mx"}'), 0)
                self.assertEqual(value(text, 'edgewatch_log_journal_lag_seconds{log="mx"}'), 0)

            # Two runs together counted exactly what the three parts' Postfix lines hold (the
            # log's identifiers leave amavis out).
            text_log = os.path.join(d, "mx.log")
            with open(text_log, "w") as f:
                f.writelines(l + "\n" for l in parts[0][1] + parts[1][1] + parts[2][1]
                             if " postfix" in l)
            whole = replay("--mail-log", text_log)
            want = {}
            for family in MAIL_COUNTERS:
                want.update(series(whole, family + r"\b", "mx.log"))
            self.maxDiff = None
            self.assertEqual({k: v for k, v in counted.items() if v or want.get(k)},
                             {k: v for k, v in want.items() if v or counted.get(k)})
            self.assertGreater(want['edgewatch_mail_connections_total{service="smtpd"}'], 500)


if __name__ == "__main__":
    unittest.main()
