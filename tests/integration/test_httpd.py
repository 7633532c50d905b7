"""The httpd collector against a real Apache (prefork and event), misbehaving servers, TLS and
basic auth, and replayed status pages."""

import base64
import os
import re
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

from apache import Apache
from edgewatch_process import (BIN, TESTDATA, Edgewatch, make_certificate, poll,
                               scrape, value)
from fake_http import FakeHttp, reply
from metrics_docs import promtool_problems

EVENT_PAGE = os.path.join(TESTDATA, "mod_status", "netdata-extended-status-mpm-event.txt")


def config(directory, servers):
    path = os.path.join(directory, "edgewatch.yml")
    with open(path, "w") as f:
        f.write("process:\n  enabled: false\nreflection:\n  enabled: false\n"
                "httpd:\n  servers:\n" + servers)
    return path


def log_lines(apache):
    with open(apache.access_log) as f:
        return sum(1 for _ in f)


def children(pid_file):
    """The parent's apache2 children, counted by procps, not by edgewatch."""
    with open(pid_file) as f:
        parent = f.read().strip()
    out = subprocess.run(["pgrep", "-c", "-P", parent, "-x", "apache2"], capture_output=True,
                         text=True)
    return int(out.stdout.strip() or 0)


# The child-process ceiling worked out from apache.py's limits: prefork MaxRequestWorkers 10
# (one per child); event and worker ServerLimit 2 x ThreadsPerChild 10, 10 per child.
CHILD_LIMIT = {"prefork": 10, "event": 2, "worker": None}


class RealApacheTest(unittest.TestCase):
    def check_mpm(self, mpm):
        with Apache(mpm) as apache, tempfile.TemporaryDirectory() as d:
            cfg = config(d, f"    - name: web\n      url: {apache.status_url}\n"
                            f"      timeout: 3s\n      pid_file: {apache.pid_file}\n")
            with Edgewatch(f"--config.file={cfg}") as ew:
                text = scrape(ew)
                self.assertEqual(value(text, 'edgewatch_httpd_up{server="web"}'), 1,
                                 ew.read_log() + apache.error_log())
                info = re.search(r'^edgewatch_httpd_info\{server="web",version="([^"]+)",'
                                 r'mpm="(\w+)"\} 1$', text, re.M)
                self.assertIsNotNone(info, text)
                self.assertTrue(info.group(1).startswith("Apache/2.4"))
                self.assertEqual(info.group(2), mpm)
                before = value(text, 'edgewatch_httpd_accesses_total{server="web"}')
                lines_before = log_lines(apache)
                # The worker MPM prints no Processes line: no workers-per-child, no ceiling.
                # Right after start a threaded child may still be starting its threads (they
                # are neither busy nor idle yet, so workers per child read low): the limit
                # settles once Apache has started.
                deadline = time.monotonic() + 10
                limit = value(text, 'edgewatch_httpd_server_child_process_limit{server="web"}')
                while limit != CHILD_LIMIT[mpm] and time.monotonic() < deadline:
                    time.sleep(0.2)
                    limit = value(scrape(ew),
                                  'edgewatch_httpd_server_child_process_limit{server="web"}')
                self.assertEqual(limit, CHILD_LIMIT[mpm])
                self.assertGreater(value(text, 'edgewatch_host_load{window="1m"}'), 0)
                # Children: what procps counts at a moment edgewatch agrees (Apache may be
                # starting spares between the two reads).
                deadline = time.monotonic() + 10
                while True:
                    want = children(apache.pid_file)
                    got = value(scrape(ew), 'edgewatch_httpd_server_child_processes'
                                            '{server="web"}')
                    if got == want == children(apache.pid_file) or time.monotonic() > deadline:
                        break
                    time.sleep(0.2)
                self.assertEqual(got, want)
                self.assertGreaterEqual(got, 2)

                # Five requests that each hold a worker for 3 s.
                threads = [threading.Thread(target=lambda: urllib.request.urlopen(
                    apache.url("/cgi-bin/slow?3"), timeout=30).read()) for _ in range(5)]
                for t in threads:
                    t.start()
                # Busy: the five plus the status request itself.
                poll(ew, 'edgewatch_httpd_workers{server="web",state="busy"}',
                     lambda v: v >= 6)
                text = scrape(ew)
                self.assertGreaterEqual(
                    value(text, 'edgewatch_httpd_scoreboard{server="web",state="sending"}'), 5)
                self.assertGreaterEqual(value(text, 'edgewatch_httpd_worker_slots{server="web"}'),
                                        6)
                self.assertGreaterEqual(value(text, 'edgewatch_httpd_processes{name="apache2"}'),
                                        2)
                for t in threads:
                    t.join()
                poll(ew, 'edgewatch_httpd_workers{server="web",state="busy"}',
                     lambda v: v <= 2)
                # Done: Apache's own log has the five, and edgewatch's accesses grew as that log
                # did (its status fetches are requests too), give or take the fetch being
                # logged at each end.
                after = value(scrape(ew), 'edgewatch_httpd_accesses_total{server="web"}')
                lines_after = log_lines(apache)
                with open(apache.access_log) as f:
                    self.assertEqual(sum("/cgi-bin/slow?3" in line for line in f), 5)
                self.assertGreaterEqual(lines_after - lines_before, 5)
                self.assertLessEqual(abs((after - before) - (lines_after - lines_before)), 2,
                                     (before, after, lines_before, lines_after))

    def test_prefork(self):
        self.check_mpm("prefork")

    def test_event(self):
        self.check_mpm("event")

    def test_worker(self):
        self.check_mpm("worker")


class MisbehavingServersTest(unittest.TestCase):
    def test_failures_stay_with_their_server(self):
        with open(EVENT_PAGE) as f:
            page = f.read()
        servers = {
            "good": FakeHttp(lambda req: reply(page)),
            "hang": FakeHttp(lambda req: None),
            "html": FakeHttp(lambda req: reply("<html><body>Apache Server Status</body></html>")),
            "denied": FakeHttp(lambda req: reply("no", "401 Unauthorized")),
            "missing": FakeHttp(lambda req: reply("no", "404 Not Found")),
            "truncated": FakeHttp(lambda req: reply(page[:50], content_length=1000)),
            "huge": FakeHttp(lambda req: reply("x" * (2 << 20))),
            # No Content-Length: the body runs to the end of the connection.
            "unbounded": FakeHttp(lambda req: b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" +
                                  b"x" * (2 << 20)),
        }
        # Bound but never listening: connections to it are refused for as long as it is held,
        # and no other process can take the port meanwhile.
        closed = socket.socket()
        closed.bind(("127.0.0.1", 0))
        refused_port = closed.getsockname()[1]
        try:
            with tempfile.TemporaryDirectory() as d:
                entries = "".join(f"    - name: {n}\n      url: {s.url()}\n      timeout: 1s\n"
                                  for n, s in servers.items())
                entries += (f"    - name: refused\n      url: http://127.0.0.1:{refused_port}/"
                            "server-status?auto\n      timeout: 1s\n")
                entries += (f"    - name: wrong_flavour\n      url: {servers['good'].url()}\n"
                            "      flavour: nginx\n")
                with Edgewatch(f"--config.file={config(d, entries)}") as ew:
                    start = time.monotonic()
                    text = scrape(ew)
                    # The hanging server costs its own 1 s timeout, not the scrape's.
                    self.assertLess(time.monotonic() - start, 3)
                    self.assertEqual(value(text, 'edgewatch_httpd_up{server="good"}'), 1)
                    self.assertEqual(value(text, 'edgewatch_httpd_workers'
                                                 '{server="good",state="idle"}'), 99)
                    self.assertEqual(value(text, 'edgewatch_scrape_collector_success'
                                                 '{collector="httpd"}'), 1)
                    expected = {
                        "hang": "timeout after 1s",
                        "html": "add ?auto to the URL",
                        "denied": "HTTP 401 Unauthorized: check basic_auth",
                        "missing": "HTTP 404 Not Found: is mod_status",
                        "truncated": "truncated reply",
                        "huge": "reply larger than 1048576 bytes",
                        "unbounded": "reply larger than 1048576 bytes",
                        "refused": "Connection refused",
                        "wrong_flavour": "expected a nginx status page, got another kind",
                    }
                    # Each failure is counted under its reason (an exhausted Apache times out).
                    reasons = {"hang": "timeout", "html": "invalid", "denied": "http",
                               "missing": "http", "truncated": "other", "huge": "other",
                               "unbounded": "other", "refused": "connect",
                               "wrong_flavour": "invalid", "good": None}
                    for name, reason in reasons.items():
                        for r in ("timeout", "connect", "http", "invalid", "other"):
                            self.assertEqual(
                                value(text, 'edgewatch_httpd_status_failures_total'
                                            f'{{server="{name}",reason="{r}"}}'),
                                1 if r == reason else 0, (name, r))
                    log = ew.read_log()
                    for name, reason in expected.items():
                        self.assertEqual(value(text, f'edgewatch_httpd_up{{server="{name}"}}'), 0)
                        lines = [l for l in log.splitlines()
                                 if "status page failed" in l and f"server={name} " in l]
                        self.assertEqual(len(lines), 1, log)
                        self.assertIn(reason, lines[0])
                    scrape(ew)  # the same failures again: no new log lines
                    self.assertEqual(ew.read_log().count("status page failed"), len(expected))
        finally:
            closed.close()
            for s in servers.values():
                s.close()

    def test_tls_and_basic_auth(self):
        with open(EVENT_PAGE) as f:
            page = f.read()
        good = "Basic " + base64.b64encode(b"prom:s3cret").decode()

        def guarded(req):
            ok = f"authorization: {good}".lower().encode() in req.lower()
            return reply(page) if ok else reply("no", "401 Unauthorized")

        with tempfile.TemporaryDirectory() as d:
            cert, key = make_certificate(d)
            import ssl
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(cert, key)
            server = FakeHttp(guarded, tls_context=ctx)
            pw_file = os.path.join(d, "pw")
            with open(pw_file, "w") as f:
                f.write("s3cret\n")
            url = server.url(scheme="https")
            entries = (
                f"    - name: verified\n      url: {url}\n      ca_file: {cert}\n"
                "      basic_auth: {username: prom, password: s3cret}\n"
                f"    - name: unknown_ca\n      url: {url}\n"
                "      basic_auth: {username: prom, password: s3cret}\n"
                f"    - name: insecure\n      url: {url}\n      insecure_skip_verify: true\n"
                f"      basic_auth: {{username: prom, password_file: {pw_file}}}\n"
                f"    - name: wrong_password\n      url: {url}\n      ca_file: {cert}\n"
                "      basic_auth: {username: prom, password: nope}\n")
            try:
                with Edgewatch(f"--config.file={config(d, entries)}") as ew:
                    text = scrape(ew)
                    up = lambda n: value(text, f'edgewatch_httpd_up{{server="{n}"}}')
                    self.assertEqual(up("verified"), 1, ew.read_log())
                    self.assertEqual(up("insecure"), 1, ew.read_log())
                    self.assertEqual(up("unknown_ca"), 0)
                    self.assertEqual(up("wrong_password"), 0)
                    self.assertIn("certificate verify failed", ew.read_log())
            finally:
                server.close()


class ConcurrentScrapesTest(unittest.TestCase):
    def test_every_concurrent_scrape_is_complete(self):
        # Four scrapers against a status page that answers in 50 ms: a collector busy with one
        # scrape used to be skipped by the next, and 72 of 80 scrapes carried no httpd data.
        with open(EVENT_PAGE) as f:
            page = f.read()

        def slow(_):
            time.sleep(0.05)
            return reply(page)

        server = FakeHttp(slow)
        try:
            with tempfile.TemporaryDirectory() as d:
                cfg = config(d, f"    - name: web\n      url: {server.url()}\n")
                with Edgewatch(f"--config.file={cfg}") as ew:
                    results = []

                    def scraper():
                        for _ in range(20):
                            text = scrape(ew)
                            results.append(
                                (value(text, 'edgewatch_scrape_collector_success'
                                             '{collector="httpd"}'),
                                 value(text, 'edgewatch_httpd_up{server="web"}')))

                    threads = [threading.Thread(target=scraper) for _ in range(4)]
                    for t in threads:
                        t.start()
                    for t in threads:
                        t.join()
                    self.assertEqual(len(results), 80)
                    self.assertEqual(results, [(1, 1)] * 80)
                    # Scrapes that came while a collection was under way joined it.
                    self.assertLess(len(server.requests), 80)
        finally:
            server.close()


class KeepAliveTest(unittest.TestCase):
    def kept_counts(self, mpm):
        """%k of the status requests in Apache's own log (requests the connection had carried
        before) over five scrapes: four a second apart, then one after the 4 s idle bound."""
        with Apache(mpm, log_format=Apache.COMMON + " %k") as apache, \
                tempfile.TemporaryDirectory() as d:
            cfg = config(d, f"    - name: web\n      url: {apache.status_url}\n")
            with Edgewatch(f"--config.file={cfg}") as ew:
                for _ in range(4):
                    self.assertEqual(value(scrape(ew), 'edgewatch_httpd_up{server="web"}'), 1)
                    time.sleep(1)
                time.sleep(4)
                self.assertEqual(value(scrape(ew), 'edgewatch_httpd_up{server="web"}'), 1)
            with open(apache.access_log) as f:
                return [int(l.split()[-1]) for l in f if "/server-status" in l]

    def test_status_page_connection_is_kept_between_scrapes(self):
        # The first fetch does not know the MPM and closes; then event's connection is kept
        # (0, 1, 2), and after the idle bound a new one is opened (0).
        self.assertEqual(self.kept_counts("event"), [0, 0, 1, 2, 0])

    def test_prefork_children_are_not_held(self):
        # An idle kept connection would hold a whole prefork child: never kept.
        self.assertEqual(self.kept_counts("prefork"), [0, 0, 0, 0, 0])


class GracefulRestartTest(unittest.TestCase):
    def test_stopping_processes_are_no_capacity(self):
        # Twelve 6 s requests, then a graceful restart: the two old children finish them ('G')
        # while two new ones (ThreadsPerChild 10) take work. The slots that can take work are
        # the new children's, (Processes - Stopping) x 10 = 20, not the 32 started ones.
        limits = {"ServerLimit": 4, "ThreadsPerChild": 10, "ThreadLimit": 10,
                  "MaxRequestWorkers": 20}
        with Apache("event", limits=limits) as apache, tempfile.TemporaryDirectory() as d:
            cfg = config(d, f"    - name: web\n      url: {apache.status_url}\n")
            with Edgewatch(f"--config.file={cfg}") as ew:
                answers = []

                def request():
                    # A graceful restart also restarts mod_cgid's daemon: a CGI request in
                    # flight may then be answered 503. Only that is allowed; no hang, no reset.
                    try:
                        with urllib.request.urlopen(apache.url("/cgi-bin/slow?6"),
                                                    timeout=30) as resp:
                            answers.append(resp.status)
                    except urllib.error.HTTPError as e:
                        answers.append(e.code)

                slow = [threading.Thread(target=request) for _ in range(12)]
                for t in slow:
                    t.start()
                poll(ew, 'edgewatch_httpd_workers{server="web",state="busy"}', lambda v: v >= 13)
                apache.graceful()
                deadline = time.monotonic() + 5
                seen = None
                while time.monotonic() < deadline:
                    text = scrape(ew)
                    stopping = value(text, 'edgewatch_httpd_status_processes{server="web",'
                                           'state="stopping"}')
                    active = value(text, 'edgewatch_httpd_status_processes{server="web",'
                                         'state="active"}')
                    finishing = value(text, 'edgewatch_httpd_scoreboard{server="web",'
                                            'state="graceful"}')
                    slots = value(text, 'edgewatch_httpd_worker_slots{server="web"}')
                    if stopping and finishing and active == 2:
                        seen = (stopping, finishing, slots)
                        if slots == 20:
                            break
                    time.sleep(0.1)
                for t in slow:
                    t.join()
                self.assertIsNotNone(seen, "no scrape saw the restart with requests finishing")
                self.assertEqual(seen[2], 20, seen)
                self.assertEqual(seen[0], 2, seen)
                # Every request still in flight holds its worker gracefully finishing; one that
                # mod_cgid's restart answered 503 at once holds none.
                self.assertEqual(seen[1], 12 - answers.count(503), (seen, answers))
                self.assertEqual(len(answers), 12)
                self.assertLessEqual(set(answers), {200, 503}, answers)


class ReplayModStatusTest(unittest.TestCase):
    def test_replay_corpus_page(self):
        # Corpus README: BusyWorkers 1, IdleWorkers 99, Total Accesses 9, Total kBytes 12,
        # scoreboard 99 "_", 1 "W", 300 ".".
        out = subprocess.run([BIN, "replay", "--mod-status", EVENT_PAGE, "--no-collector.process",
                              "--no-collector.reflection"],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        server = os.path.basename(EVENT_PAGE)
        text = out.stdout
        self.assertEqual(value(text, f'edgewatch_httpd_up{{server="{server}"}}'), 1)
        self.assertEqual(value(text, f'edgewatch_httpd_workers{{server="{server}",state="busy"}}'),
                         1)
        self.assertEqual(value(text, f'edgewatch_httpd_accesses_total{{server="{server}"}}'), 9)
        self.assertEqual(value(text, f'edgewatch_httpd_sent_bytes_total{{server="{server}"}}'),
                         12 * 1024)
        self.assertEqual(value(text, f'edgewatch_httpd_scoreboard'
                                     f'{{server="{server}",state="open_slot"}}'), 300)
        self.assertEqual(value(text, f'edgewatch_httpd_worker_slots{{server="{server}"}}'), 100)
        self.assertEqual(promtool_problems(text), "")


if __name__ == "__main__":
    unittest.main()
