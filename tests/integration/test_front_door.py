"""Attacks on the exporter's port, as someone on the same network would make them, each against
the real binary: the scraper must get every scrape in time while they run."""

import asyncio
import base64
import os
import resource
import ssl
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

from edgewatch_process import Edgewatch, make_certificate, require_tool, run, value

SCRAPE_TIMEOUT = 5  # seconds: well inside Prometheus' default 10 s scrape timeout


def fetch(url, context=None, headers=None, timeout=SCRAPE_TIMEOUT):
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=context) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


async def hold_idle(port, stop):
    """A connection that sends nothing; reopened whenever the exporter closes it."""
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        waits = {asyncio.ensure_future(reader.read(1)), asyncio.ensure_future(stop.wait())}
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        except OSError:
            pass
        for w in waits:
            w.cancel()
        writer.close()


async def slowloris(port, context, stop):
    """An unfinished request, one byte a second; reopened whenever the exporter closes it."""
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=context,
                                                          server_hostname=None if context is None
                                                          else "localhost")
            writer.write(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
            while not stop.is_set():
                await writer.drain()
                await asyncio.sleep(1)
                writer.write(b"X")
        except (OSError, ssl.SSLError, ConnectionError):
            await asyncio.sleep(0.1)


class Attack:
    """Runs `idle` silent and `slow` slowloris connections against `port` on a thread of its own."""

    def __init__(self, port, idle, slow, context=None):
        self.port, self.idle, self.slow, self.context = port, idle, slow, context
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    async def _run(self):
        self.stop = asyncio.Event()
        tasks = [hold_idle(self.port, self.stop) for _ in range(self.idle)]
        tasks += [slowloris(self.port, self.context, self.stop) for _ in range(self.slow)]
        await asyncio.gather(*tasks, return_exceptions=True)

    def __enter__(self):
        self.thread.start()
        self.future = asyncio.run_coroutine_threadsafe(self._run(), self.loop)
        return self

    def __exit__(self, *exc):
        self.loop.call_soon_threadsafe(self.stop.set)
        self.future.result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def raise_fd_limit(n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(n, hard), hard))


class FrontDoorTest(unittest.TestCase):
    def scrape_through(self, ew, scheme="http", context=None, scrapes=24):
        """Scrapes every half second while the attack runs; every scrape must succeed in time.
        Returns the last exposition."""
        body = b""
        for i in range(scrapes):
            start = time.monotonic()
            status, body = fetch(ew.url(scheme=scheme), context=context)
            self.assertEqual(status, 200, f"scrape {i}")
            self.assertLess(time.monotonic() - start, SCRAPE_TIMEOUT)
            time.sleep(0.5)
        return body.decode()

    def connections(self, ew, scheme="http", context=None):
        return value(fetch(ew.url(scheme=scheme), context=context)[1].decode(),
                     "edgewatch_web_connections")

    def test_idle_and_slowloris_connections_over_http(self):
        # 64 such connections used to give 0 of 70 scrapes.
        raise_fd_limit(4096)
        with Edgewatch() as ew, Attack(ew.port(), idle=1000, slow=64):
            deadline = time.monotonic() + 20
            while self.connections(ew) < 1000 and time.monotonic() < deadline:
                time.sleep(0.2)
            self.assertGreaterEqual(self.connections(ew), 1000)
            text = self.scrape_through(ew)
            # 24 scrapes take over 12 s: the header timeout (10 s) has closed some of them.
            self.assertGreater(value(text, "edgewatch_web_connection_timeouts_total"), 0)

    def test_idle_and_slowloris_connections_over_tls(self):
        raise_fd_limit(4096)
        with tempfile.TemporaryDirectory() as d:
            cert, _ = make_certificate(d)
            web = os.path.join(d, "web.yml")
            with open(web, "w") as f:
                f.write("tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\n")
            ctx = ssl.create_default_context(cafile=cert)
            with Edgewatch(f"--web.config.file={web}") as ew, \
                    Attack(ew.port(), idle=1000, slow=64, context=ctx):
                deadline = time.monotonic() + 20
                while self.connections(ew, "https", ctx) < 1000 and time.monotonic() < deadline:
                    time.sleep(0.2)
                self.assertGreaterEqual(self.connections(ew, "https", ctx), 1000)
                self.scrape_through(ew, "https", ctx)

    def test_more_idle_connections_than_the_ceiling(self):
        # At the ceiling the oldest idle or unfinished connection goes, never the scraper's.
        raise_fd_limit(4096)
        with Edgewatch("--web.max-connections=200") as ew, Attack(ew.port(), idle=1000, slow=64):
            time.sleep(1)
            text = self.scrape_through(ew, scrapes=10)
            self.assertLessEqual(value(text, "edgewatch_web_connections"), 200)
            self.assertGreater(value(text, "edgewatch_web_connections_evicted_total"), 0)

    def test_accept_errors_back_off_and_free_a_descriptor(self):
        # With descriptors exhausted, accept() used to be re-armed at once: 3 million log lines
        # in 20 s and both cores busy.
        prlimit = require_tool("prlimit")
        with Edgewatch(wrapper=(prlimit, "--nofile=48:48")) as ew, \
                Attack(ew.port(), idle=150, slow=0):
            time.sleep(1)
            stat = f"/proc/{ew.proc.pid}/stat"

            def cpu_seconds():
                with open(stat) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

            # Measured while nobody scrapes, so the sanitizer build's slower scrapes do not
            # count: a loop re-arming accept() burns at least one core, 3 s in 3 s.
            cpu_before, log_before = cpu_seconds(), len(ew.read_log())
            time.sleep(3)
            self.assertLess(cpu_seconds() - cpu_before, 1.0, "accept errors busy-loop")
            text = self.scrape_through(ew, scrapes=8)
            self.assertLess(len(ew.read_log()) - log_before, 4096)
            self.assertGreater(value(text, "edgewatch_web_accept_errors_total"), 0)
            self.assertGreater(value(text, "edgewatch_web_connections_evicted_total"), 0)
            self.assertIn('msg="accept failed; backing off"', ew.read_log())

    def test_wrong_password_flood(self):
        # 60 clients with a wrong password used to push a good scrape from 1 ms to over a second.
        htpasswd = require_tool("htpasswd")
        with tempfile.TemporaryDirectory() as d:
            line = run(htpasswd, "-nbBC", "12", "prom", "s3cret").strip()
            user, hashed = line.split(":", 1)
            web = os.path.join(d, "web.yml")
            with open(web, "w") as f:
                f.write(f"basic_auth_users:\n  {user}: '{hashed}'\n")
            good = {"Authorization": "Basic " + base64.b64encode(b"prom:s3cret").decode()}
            wrong = {"Authorization": "Basic " + base64.b64encode(b"prom:guess").decode()}
            with Edgewatch(f"--web.config.file={web}") as ew:
                self.assertEqual(fetch(ew.url(), headers=good, timeout=30)[0], 200)  # cached
                stop = threading.Event()
                answers = []

                def flood():
                    while not stop.is_set():
                        try:
                            answers.append(fetch(ew.url(), headers=wrong, timeout=30)[0])
                        except OSError:
                            pass

                threads = [threading.Thread(target=flood) for _ in range(60)]
                for t in threads:
                    t.start()
                try:
                    time.sleep(1)
                    worst = 0
                    for _ in range(20):
                        start = time.monotonic()
                        self.assertEqual(fetch(ew.url(), headers=good)[0], 200)
                        self.assertEqual(fetch(ew.url("/-/healthy"), headers=good)[0], 200)
                        self.assertEqual(fetch(ew.url("/-/healthy"))[0], 401)
                        worst = max(worst, time.monotonic() - start)
                        time.sleep(0.1)
                finally:
                    stop.set()
                    for t in threads:
                        t.join()
                # Three requests that never wait on bcrypt; generous for a loaded CI machine.
                self.assertLess(worst, 1.0)
                self.assertIn(401, answers)
                self.assertIn(429, answers)
                self.assertNotIn(200, answers)
                text = fetch(ew.url(), headers=good)[1].decode()
                self.assertGreater(
                    value(text, 'edgewatch_web_requests_rejected_total{reason="verify_busy"}'), 0)


if __name__ == "__main__":
    unittest.main()
