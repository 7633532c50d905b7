"""The access-log collector following real files: a real Apache writing its log while real
logrotate rotates it (create + delaycompress, then copytruncate), and inotify waking the
follower with the polling fallback switched off in practice (poll_interval 1h)."""

import gzip
import os
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

from apache import Apache
from edgewatch_process import Edgewatch, require_tool, scrape, total, value, wait_value

SHELLSHOCK = "() { :; }; /bin/bash -c 'id'"
PINGBACK = "WordPress/6.4.2; https://blog.example.net; verifying pingback from 192.0.2.200"
XMLRPC_LINE = ('192.0.2.1 - - [20/Nov/2026:10:00:00 +0000] "POST /xmlrpc.php HTTP/1.1" 200 5'
               ' "-" "-"\n')


def append(path, text):
    with open(path, "a") as f:
        f.write(text)


def config(directory, logs, poll_interval="1h", rotate_wait="3s"):
    path = os.path.join(directory, "edgewatch.yml")
    with open(path, "w") as f:
        f.write("process:\n  enabled: false\nreflection:\n  enabled: false\nhttpd:\n"
                "  enabled: false\nbgp:\n  enabled: false\nmail_log:\n  enabled: false\naccess_log:\n"
                f"  poll_interval: {poll_interval}\n  rotate_wait: {rotate_wait}\n  logs:\n")
        for name, pattern, fmt in logs:
            f.write(f"    - name: {name}\n      path: '{pattern}'\n")
            if fmt:
                f.write(f"      format: '{fmt}'\n")
    return path


class Requests:
    """Sends requests to Apache and counts what it answered, by (method, code)."""

    def __init__(self, apache):
        self.apache = apache
        self.codes = {}
        self.xmlrpc = 0
        self.wp_login = 0
        self.shellshock = 0
        self.pingback = 0

    def send(self, method, path, agent="edgewatch-test"):
        req = urllib.request.Request(self.apache.url(path), method=method,
                                     data=b"x" if method == "POST" else None,
                                     headers={"User-Agent": agent})
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                code = resp.status
        except urllib.error.HTTPError as e:
            code = e.code
        self.codes[(method, code)] = self.codes.get((method, code), 0) + 1
        self.xmlrpc += path.split("?")[0].endswith("/xmlrpc.php")
        self.wp_login += path.split("?")[0].endswith("/wp-login.php")
        self.shellshock += "() {" in agent
        self.pingback += agent.startswith("WordPress/")

    def batch(self, n):
        for i in range(n):
            self.send("GET", f"/page{i % 7}")
            self.send("POST", "/xmlrpc.php")
            self.send("POST", "/blog/wp-login.php?redirect=1")
        self.send("GET", "/cgi-bin/x", agent=SHELLSHOCK)
        self.send("GET", "/?p=1", agent=PINGBACK)

    @property
    def total(self):
        return sum(self.codes.values())


def logged_lines(apache):
    """Lines Apache wrote across the log and its rotations (independent of edgewatch)."""
    count = 0
    logs = os.path.join(apache.dir, "logs")
    for name in os.listdir(logs):
        path = os.path.join(logs, name)
        if name.startswith("access.log"):
            opener = gzip.open if name.endswith(".gz") else open
            with opener(path, "rt") as f:
                count += sum(1 for _ in f)
    return count


class AccessLogTest(unittest.TestCase):
    def logrotate(self, apache, directive):
        logrotate = require_tool("logrotate")
        conf = os.path.join(apache.dir, "logrotate.conf")
        with open(conf, "w") as f:
            f.write(f"{apache.access_log} {{\n  rotate 5\n  {directive}\n"
                    f"  postrotate\n    {apache.bin} -f {apache.conf} -k graceful\n"
                    "  endscript\n}\n")
        subprocess.run([logrotate, "-f", "-s", os.path.join(apache.dir, "logrotate.state"),
                        conf], check=True, timeout=60)

    def check_totals(self, ew, sent, apache):
        log = 'log="site"'
        # Wait for the last line, then check nothing more arrives and every count is exact.
        wait_value(ew, f"edgewatch_log_lines_total{{{log}}}", sent.total, 20)
        self.assertEqual(logged_lines(apache), sent.total)
        time.sleep(0.5)
        text = scrape(ew)
        self.assertEqual(value(text, f"edgewatch_log_lines_total{{{log}}}"), sent.total)
        self.assertEqual(value(text, f"edgewatch_http_unparsed_lines_total{{{log}}}"), 0)
        for (method, code), n in sent.codes.items():
            self.assertEqual(value(text, f'edgewatch_http_requests_total{{{log},method="{method}",'
                                         f'code="{code}"}}'), n, (method, code))
        xmlrpc = sum(value(text, f'edgewatch_xmlrpc_requests_total{{{log},method="POST",'
                                 f'code="{code}"}}') or 0 for code in range(100, 600)
                     if ("POST", code) in sent.codes)
        self.assertEqual(xmlrpc, sent.xmlrpc)
        wp = sum(value(text, f'edgewatch_wp_login_requests_total{{{log},method="POST",'
                             f'code="{code}"}}') or 0 for code in range(100, 600)
                 if ("POST", code) in sent.codes)
        self.assertEqual(wp, sent.wp_login)
        self.assertEqual(total(text, "edgewatch_http_exploit_probes_total", log="site",
                               kind="shellshock"), sent.shellshock)
        self.assertEqual(value(text, f"edgewatch_http_pingback_requests_total{{{log}}}"),
                         sent.pingback)
        self.assertEqual(value(text, f'edgewatch_xmlrpc_top_client_requests{{{log},'
                                     'client="127.0.0.1"}'), sent.xmlrpc + sent.wp_login)
        return text

    def test_apache_log_through_logrotate(self):
        with Apache("event", log_format=Apache.COMBINED) as apache, \
                tempfile.TemporaryDirectory() as d:
            sent = Requests(apache)
            cfg = config(d, [("site", apache.access_log, "combined")])
            with Edgewatch(f"--config.file={cfg}") as ew:
                wait_value(ew, 'edgewatch_log_up{log="site"}', 1, 10)
                # Stopped, edgewatch falls behind: when it goes on, the renamed file still holds
                # lines it has not read, which must come before the new file's.
                ew.proc.send_signal(signal.SIGSTOP)
                sent.batch(20)
                # create + delaycompress: renamed to .1, a new file, Apache reopens on graceful.
                self.logrotate(apache, "create\n  compress\n  delaycompress")
                sent.batch(20)
                ew.proc.send_signal(signal.SIGCONT)
                wait_value(ew, 'edgewatch_log_lines_total{log="site"}', sent.total, 20)
                ew.proc.send_signal(signal.SIGSTOP)
                sent.batch(20)
                # The second rotation compresses .1 into .2.gz and renames the live file again.
                self.logrotate(apache, "create\n  compress\n  delaycompress")
                sent.batch(20)
                ew.proc.send_signal(signal.SIGCONT)
                text = self.check_totals(ew, sent, apache)
                self.assertGreaterEqual(value(text, 'edgewatch_log_rotations_total{log="site"}'), 2)
                self.assertTrue(os.path.exists(apache.access_log + ".2.gz"))
                # copytruncate: the same file, cut to zero.
                self.logrotate(apache, "copytruncate")
                sent.batch(20)
                text = self.check_totals(ew, sent, apache)
                self.assertEqual(value(text, 'edgewatch_log_truncations_total{log="site"}'), 1)

    def test_paths_and_sites_as_apache_resolves_them(self):
        # Two name-based virtual hosts whose xmlrpc.php and wp-login.php are scripts Apache runs
        # (apache.SITE): every target form below ran xmlrpc.php on this Apache, as its own note
        # of each run says; the negatives ran nothing. edgewatch follows both layouts a hosting
        # server has: one vhost_combined log, and per-site files named after the site.
        runs = ["/xmlrpc.php", "/xmlrpc.php/", "/xmlrpc.php/extra/path", "/xmlrpc%2Ephp",
                "/%78mlrpc.php", "//xmlrpc.php", "/./xmlrpc.php", "/x/../xmlrpc.php",
                "http://blog.example/xmlrpc.php", "/xmlrpc.php?rsd"]
        runs_not = ["/xmlrpc.php.bak", "/?from=xmlrpc.php", "/xmlrpc.phps"]
        with Apache("event", sites=("blog.example", "shop.example")) as apache, \
                tempfile.TemporaryDirectory() as d:
            logs = os.path.join(apache.dir, "logs")
            cfg = os.path.join(d, "edgewatch.yml")
            with open(cfg, "w") as f:
                f.write("process:\n  enabled: false\nreflection:\n  enabled: false\nhttpd:\n"
                        "  enabled: false\nbgp:\n  enabled: false\nmail_log:\n  enabled: false\n"
                        "access_log:\n  logs:\n"
                        f"    - name: vhosts\n      path: {logs}/other_vhosts_access.log\n"
                        "      format: vhost_combined\n"
                        f"    - name: sites\n      path: '{logs}/*-access.log'\n"
                        "      format: combined\n      vhost_from_path: true\n")
            with Edgewatch(f"--config.file={cfg}") as ew:
                wait_value(ew, 'edgewatch_log_up{log="vhosts"}', 1, 10)
                codes = {t: apache.send_raw("POST", t, "blog.example") for t in runs + runs_not}
                for _ in range(3):
                    apache.send_raw("POST", "/wp-login.php", "shop.example")
                for _ in range(2):
                    apache.send_raw("GET", "/", "SHOP.example:80")
                with open(apache.ran_log) as f:
                    ran = f.read().splitlines()
                self.assertEqual([l.split()[:2] for l in ran],
                                 [["blog.example", "/xmlrpc.php"]] * len(runs) +
                                 [["shop.example", "/wp-login.php"]] * 3, (codes, ran))
                self.assertEqual({codes[t] for t in runs}, {200})
                # Apache's own logs, counted by hand: every request in both layouts.
                with open(os.path.join(logs, "other_vhosts_access.log")) as f:
                    by_site = [l.split(":")[0] for l in f.read().splitlines()]
                self.assertEqual(by_site.count("blog.example"), len(runs) + len(runs_not))
                self.assertEqual(by_site.count("shop.example"), 5)
                total_lines = len(by_site)
                wait_value(ew, 'edgewatch_log_lines_total{log="vhosts"}', total_lines, 20)
                wait_value(ew, 'edgewatch_log_lines_total{log="sites"}', total_lines, 20)
                text = scrape(ew)
                for log in ("vhosts", "sites"):
                    self.assertEqual(total(text, "edgewatch_xmlrpc_requests_total", log=log),
                                     len(runs), log)
                    self.assertEqual(total(text, "edgewatch_wp_login_requests_total", log=log),
                                     3, log)
                    self.assertEqual(value(text, f"edgewatch_http_unparsed_lines_total"
                                                 f'{{log="{log}"}}'), 0)

                    def top(kind, site):
                        return value(text, f'edgewatch_http_top_vhost_requests{{log="{log}",'
                                           f'kind="{kind}",vhost="{site}"}}')
                    self.assertEqual(top("xmlrpc", "blog.example"), len(runs), log)
                    self.assertEqual(top("wp_login", "shop.example"), 3, log)
                    self.assertEqual(top("all", "blog.example"), len(runs) + len(runs_not), log)
                    self.assertEqual(top("all", "shop.example"), 5, log)
                    self.assertIsNone(top("xmlrpc", "shop.example"))

    def test_inotify_wakes_the_follower(self):
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "logs", "access.log")
            os.makedirs(os.path.dirname(log))
            open(log, "w").close()
            # Polling once an hour: only inotify can deliver these lines in time.
            cfg = config(d, [("site", os.path.join(d, "logs", "*.log"), "")])
            with Edgewatch(f"--config.file={cfg}") as ew:
                wait_value(ew, 'edgewatch_log_up{log="site"}', 1, 10)
                append(log, XMLRPC_LINE * 3)
                wait_value(ew, 'edgewatch_log_lines_total{log="site"}', 3, 5)
                os.rename(log, log + ".1")
                append(log, XMLRPC_LINE * 2)
                wait_value(ew, 'edgewatch_log_lines_total{log="site"}', 5, 5)
                # A new file matching the glob.
                append(os.path.join(d, "logs", "other.log"), XMLRPC_LINE)
                wait_value(ew, 'edgewatch_log_lines_total{log="site"}', 6, 5)
                text = scrape(ew)
                self.assertEqual(value(text, 'edgewatch_xmlrpc_requests_total{log="site",'
                                             'method="POST",code="200"}'), 6)
                self.assertEqual(value(text, 'edgewatch_log_rotations_total{log="site"}'), 1)

    def test_reload_keeps_the_logs_that_stay(self):
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "access.log")
            open(log, "w").close()
            cfg = config(d, [("site", log, "")])
            with Edgewatch(f"--config.file={cfg}") as ew:
                wait_value(ew, 'edgewatch_log_up{log="site"}', 1, 10)
                append(log, XMLRPC_LINE * 3)
                wait_value(ew, 'edgewatch_log_lines_total{log="site"}', 3, 5)
                # Lines written while edgewatch is stopped with a reload pending are read by
                # the follower that keeps running, not skipped by a new one starting at the end.
                ew.proc.send_signal(signal.SIGSTOP)
                append(log, XMLRPC_LINE * 2)
                ew.proc.send_signal(signal.SIGHUP)
                ew.proc.send_signal(signal.SIGCONT)
                ew.wait_for_log("kept_collectors=access_log\n", 10)
                wait_value(ew, 'edgewatch_log_lines_total{log="site"}', 5, 5)
                # Another log added: "site" goes on, the new log (in another directory, watched
                # from now on) starts at its end.
                other = os.path.join(d, "more", "other.log")
                os.makedirs(os.path.dirname(other))
                append(other, XMLRPC_LINE)
                config(d, [("site", log, ""), ("other", other, "")])
                ew.proc.send_signal(signal.SIGHUP)
                ew.wait_for_log('msg="configuration reloaded"', 10, count=2)
                append(log, XMLRPC_LINE)
                wait_value(ew, 'edgewatch_log_lines_total{log="site"}', 6, 5)
                append(other, XMLRPC_LINE * 2)
                wait_value(ew, 'edgewatch_log_lines_total{log="other"}', 2, 5)
                # A changed setting of the section builds it again: its counters start from zero
                # at the end of the files.
                config(d, [("site", log, ""), ("other", other, "")], rotate_wait="4s")
                ew.proc.send_signal(signal.SIGHUP)
                ew.wait_for_log('msg="configuration reloaded"', 10, count=3)
                append(log, XMLRPC_LINE)
                wait_value(ew, 'edgewatch_log_lines_total{log="site"}', 1, 5)
                self.assertIn('kept_collectors=""', ew.read_log())

    def test_missing_file_and_bad_format(self):
        with tempfile.TemporaryDirectory() as d:
            cfg = config(d, [("later", os.path.join(d, "later.log"), "")], poll_interval="100ms")
            with Edgewatch(f"--config.file={cfg}") as ew:
                wait_value(ew, 'edgewatch_log_up{log="later"}', 0, 10)
                with open(os.path.join(d, "later.log"), "w") as f:
                    f.write('192.0.2.1 - - [20/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5\n'
                            "not a request\n")
                wait_value(ew, 'edgewatch_http_unparsed_lines_total{log="later"}', 1, 10)
                self.assertEqual(value(scrape(ew), 'edgewatch_http_requests_total{log="later",'
                                                   'method="GET",code="200"}'), 1)
            bad = config(d, [("x", "/tmp/x.log", "%h %{Referer")])
            result = subprocess.run([os.environ["EDGEWATCH_BIN"], "check-config",
                                     f"--config.file={bad}"], capture_output=True, text=True)
            self.assertEqual(result.returncode, 2, result.stderr)
            self.assertIn(f"{bad}:17:15: access_log.logs[0].format: unclosed %{{ in format",
                          result.stderr)

    def test_a_big_backlog_never_holds_scrapes(self):
        # A multi-gigabyte file renamed into a followed path once held the collector's lock
        # through the catch-up: scrapes waited 8 s and access_log was missing from 27 of 82.
        lines = 1_500_000
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "access.log")
            open(log, "w").close()
            cfg = config(d, [("site", log, "")])
            with Edgewatch(f"--config.file={cfg}") as ew:
                wait_value(ew, 'edgewatch_log_up{log="site"}', 1, 10)
                backlog = os.path.join(d, "backlog")
                with open(backlog, "w") as f:
                    for _ in range(lines // 10_000):
                        f.write(XMLRPC_LINE * 10_000)
                os.rename(backlog, log)  # a new file: read from its start
                worst, scrapes, during = 0.0, 0, 0
                while True:
                    start = time.monotonic()
                    text = scrape(ew)
                    worst = max(worst, time.monotonic() - start)
                    scrapes += 1
                    self.assertEqual(value(text, 'edgewatch_scrape_collector_success'
                                                 '{collector="access_log"}'), 1)
                    seen = value(text, 'edgewatch_xmlrpc_requests_total{log="site",'
                                       'method="POST",code="200"}') or 0
                    if seen >= lines:
                        break
                    during += seen > 0
                self.assertGreater(during, 0, "no scrape landed during the catch-up")
                self.assertLess(worst, 1.0)

    def test_unreadable_then_readable_and_a_fifo(self):
        # A log there at start but unreadable (root's 0600, edgewatch as nobody) is a read
        # error; once readable it goes on from its size at start: its history is not counted.
        # A FIFO as a log path, or a directory edgewatch cannot enter, is a read error too,
        # never a silent log_up 0.
        setpriv = require_tool("setpriv")
        with tempfile.TemporaryDirectory() as d:
            os.chmod(d, 0o755)
            log = os.path.join(d, "access.log")
            fifo = os.path.join(d, "pipe.log")
            os.mkfifo(fifo)
            append(log, XMLRPC_LINE * 5)
            os.chmod(log, 0o600)
            # And a log in a directory edgewatch may not enter, named plainly and by a glob.
            closed = os.path.join(d, "closed")
            os.mkdir(closed, 0o700)
            cfg = config(d, [("site", log, ""), ("pipe", fifo, ""),
                             ("closed", os.path.join(closed, "access.log"), ""),
                             ("closed_glob", os.path.join(closed, "*.log"), "")],
                         poll_interval="100ms")
            nobody = (setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups")
            with Edgewatch(f"--config.file={cfg}", wrapper=nobody) as ew:
                wait_value(ew, 'edgewatch_log_read_errors_total{log="site"}', 1, 10)
                wait_value(ew, 'edgewatch_log_read_errors_total{log="pipe"}', 1, 10)
                wait_value(ew, 'edgewatch_log_read_errors_total{log="closed"}', 1, 10)
                wait_value(ew, 'edgewatch_log_read_errors_total{log="closed_glob"}', 1, 10)
                text = scrape(ew)
                self.assertEqual(value(text, 'edgewatch_log_up{log="site"}'), 0)
                self.assertEqual(value(text, 'edgewatch_log_up{log="pipe"}'), 0)
                self.assertIn("Permission denied", ew.read_log())
                self.assertIn("not a regular file", ew.read_log())
                append(log, XMLRPC_LINE * 3)
                os.chmod(log, 0o644)
                wait_value(ew, 'edgewatch_log_up{log="site"}', 1, 10)
                wait_value(ew, 'edgewatch_log_lines_total{log="site"}', 3, 10)
                self.assertEqual(value(scrape(ew), 'edgewatch_xmlrpc_requests_total{log="site",'
                                                   'method="POST",code="200"}'), 3)

    def test_a_typo_in_the_path_is_named_not_silent(self):
        # Apache writes access.log; the config says acess.log, and a second log names a
        # directory that does not exist. Both read 0 files, say which part is missing once,
        # and count no read error (EdgewatchLogPathMatchesNothing, not LogUnreadable).
        with tempfile.TemporaryDirectory() as d:
            append(os.path.join(d, "access.log"), XMLRPC_LINE)
            typo = os.path.join(d, "acess.log")
            nodir = os.path.join(d, "apache2", "access.log")
            cfg = config(d, [("typo", typo, ""), ("nodir", nodir, "")], poll_interval="100ms")
            with Edgewatch(f"--config.file={cfg}") as ew:
                ew.wait_for_log("no file matches the log's path", 10)
                time.sleep(0.5)  # a few polls: still said once
                text = scrape(ew)
                for name in ("typo", "nodir"):
                    self.assertEqual(value(text, f'edgewatch_log_files{{log="{name}"}}'), 0)
                    self.assertEqual(value(text, f'edgewatch_log_read_errors_total{{log="{name}"}}'), 0)
                log = ew.read_log()
                self.assertEqual(log.count("no file matches the log's path"), 2, log)
                self.assertIn(f'reason="no file in {d} matches acess.log"', log)
                self.assertIn(f'reason="directory {d}/apache2 does not exist"', log)
                self.assertIn("level=warn", log)


if __name__ == "__main__":
    unittest.main()
