"""The real edgewatch binary on loopback, checked with real HTTP and TLS clients and promtool."""

import base64
import gzip
import os
import re
import select
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

from apache import free_port
from edgewatch_process import BIN, Edgewatch, make_certificate, require_tool, run, value
from metrics_docs import promtool_problems, undocumented

TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8"


def get(url, headers=None, method="GET", context=None):
    req = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10, context=context) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def pinned(directory, version):
    """A client context that trusts the test certificate and speaks exactly TLS `version`."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(os.path.join(directory, "cert.pem"))
    ctx.minimum_version = ctx.maximum_version = getattr(ssl.TLSVersion, version)
    return ctx


def write(directory, name, text):
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def served_connection(port):
    """A keep-alive connection the exporter has answered once and now holds open."""
    for _ in range(100):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(b"GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n")
        try:
            if s.recv(4096).startswith(b"HTTP/1.1 200"):
                return s
        except ConnectionResetError:
            pass
        s.close()
        time.sleep(0.05)
    raise AssertionError("the exporter never held a connection open")


class ServeTest(unittest.TestCase):
    def test_metrics_content_type_and_promtool(self):
        with Edgewatch() as ew:
            status, headers, body = get(ew.url())
            self.assertEqual(status, 200)
            self.assertEqual(headers["Content-Type"], TEXT_FORMAT)
            text = body.decode()
            for name in ("process_cpu_seconds_total", "process_resident_memory_bytes",
                         "process_virtual_memory_bytes", "process_open_fds", "process_max_fds",
                         "process_start_time_seconds", "edgewatch_build_info{",
                         'edgewatch_scrape_collector_success{collector="process"} 1',
                         'edgewatch_scrape_collector_duration_seconds{collector="process"}',
                         "edgewatch_config_last_reload_successful 1",
                         "edgewatch_config_last_reload_success_timestamp_seconds"):
                self.assertIn(name, text)
            self.assertEqual(undocumented(text), [])
            self.assertEqual(promtool_problems(text), "")

    def test_open_file_limit_raised_to_the_hard_limit(self):
        # Every followed log file holds a descriptor; like Go exporters, edgewatch lifts its soft
        # limit to the hard one.
        prlimit = require_tool("prlimit")
        with Edgewatch(wrapper=(prlimit, "--nofile=256:4096")) as ew:
            self.assertIn("\nprocess_max_fds 4096\n", get(ew.url())[2].decode())

    def test_gzip_when_asked(self):
        with Edgewatch() as ew:
            status, headers, body = get(ew.url(), {"Accept-Encoding": "gzip"})
            self.assertEqual(status, 200)
            self.assertEqual(headers["Content-Encoding"], "gzip")
            self.assertIn(b"process_open_fds", gzip.decompress(body))
            _, plain_headers, plain = get(ew.url())
            self.assertNotIn("Content-Encoding", plain_headers)
            self.assertIn(b"process_open_fds", plain)

    def test_landing_health_ready_and_unknown_path(self):
        with Edgewatch("--web.telemetry-path=/edge-metrics") as ew:
            status, headers, body = get(ew.url("/"))
            self.assertEqual(status, 200)
            self.assertTrue(headers["Content-Type"].startswith("text/html"))
            self.assertIn(b'<a href="/edge-metrics">', body)
            self.assertIn(b"<li>process</li>", body)
            self.assertEqual(get(ew.url("/-/healthy"))[0], 200)
            self.assertEqual(get(ew.url("/-/ready"))[0], 200)
            self.assertEqual(get(ew.url("/metrics"))[0], 404)
            self.assertEqual(get(ew.url("/edge-metrics"))[0], 200)
            status, headers, _ = get(ew.url("/edge-metrics"), method="HEAD")
            self.assertEqual(status, 200)

    def test_ipv4_and_ipv6_listeners(self):
        with Edgewatch(listen=("127.0.0.1:0", "[::1]:0")) as ew:
            self.assertEqual(len(ew.addresses), 2)
            self.assertTrue(ew.addresses[1].startswith("[::1]:"))
            for i in range(2):
                self.assertEqual(get(ew.url(index=i))[0], 200)

    def test_collector_flags(self):
        with Edgewatch("--no-collector.process") as ew:
            _, _, body = get(ew.url())
            self.assertNotIn(b"process_open_fds", body)
            self.assertIn(b"edgewatch_build_info", body)
        # The embedded default enables them all; only the one named runs.
        with Edgewatch("--collector.disable-defaults", "--collector.process") as ew:
            _, _, body = get(ew.url())
            collectors = set(re.findall(rb'edgewatch_scrape_collector_success\{collector="([^"]+)"',
                                        body))
            self.assertEqual(collectors, {b"process"})
            self.assertIn(b"process_open_fds", body)

    def test_openmetrics_for_prometheus_text_otherwise(self):
        """What Prometheus 2.42 asks for by default is served as OpenMetrics 1.0.0 and read by
        a real OpenMetrics parser (prometheus_client's, strict about the format); the same
        samples as the text format, which promtool still passes."""
        from prometheus_client.openmetrics.parser import text_string_to_metric_families as om
        from prometheus_client.parser import text_string_to_metric_families as text
        prometheus_accept = ("application/openmetrics-text;version=1.0.0,application/"
                             "openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;"
                             "q=0.5,*/*;q=0.1")
        with tempfile.TemporaryDirectory() as d:
            cfg = write(d, "edgewatch.yml", "reflection:\n  enabled: false\nbgp:\n  interval: 100ms\n"
                                            "  neighbors:\n    - name: lo\n      address: 127.0.0.1\n")
            with Edgewatch(f"--config.file={cfg}") as ew:
                time.sleep(0.5)  # a few probes: the RTT histogram has samples
                status, headers, body = get(ew.url(), {"Accept": prometheus_accept})
                self.assertEqual(status, 200)
                self.assertEqual(headers["Content-Type"],
                                 "application/openmetrics-text; version=1.0.0; charset=utf-8")
                families = {f.name: f for f in om(body.decode())}
                self.assertEqual(families["edgewatch_bgp_neighbor_ping_rtt_seconds"].type, "histogram")
                self.assertEqual(families["process_cpu_seconds"].type, "counter")
                _, headers, plain = get(ew.url())
                self.assertEqual(headers["Content-Type"], TEXT_FORMAT)
                self.assertEqual(promtool_problems(plain.decode()), "")

                def samples(fams):
                    return {(s.name, tuple(sorted(s.labels.items()))) for f in fams
                            for s in f.samples if not s.name.endswith("_created")}

                # The same series both ways (values move between the two scrapes).
                self.assertEqual(samples(om(body.decode())), samples(text(plain.decode())))

    def test_systemd_socket_activation(self):
        """Started as a .socket unit starts it: systemd's own tool listens, execs edgewatch on the
        first connection and passes the sockets (IPv4 and IPv6); that first request is served."""
        activate = require_tool("systemd-socket-activate")
        v4, v6 = free_port(), free_port()
        wrapper = (activate, "-l", f"127.0.0.1:{v4}", "-l", f"[::1]:{v6}")
        with Edgewatch("--web.systemd-socket", "--no-collector.reflection", listen=(),
                       wait=False, wrapper=wrapper) as ew:
            deadline = time.monotonic() + 10
            while "Listening on [::1]" not in ew.read_log() and time.monotonic() < deadline:
                time.sleep(0.05)
            status, _, body = get(f"http://127.0.0.1:{v4}/metrics")
            self.assertEqual(status, 200)
            self.assertIn(b"edgewatch_build_info", body)
            self.assertEqual(get(f"http://[::1]:{v6}/-/healthy")[0], 200)
            log = ew.read_log()
            self.assertIn(f"msg=listening address=127.0.0.1:{v4} ", log)
            self.assertIn(f"msg=listening address=[::1]:{v6} ", log)
            self.assertIn("systemd_socket=true", log)
        # Nothing passed: a clear error and the usage exit status, not a silent default port.
        out = subprocess.run([BIN, "--web.systemd-socket"], capture_output=True, text=True,
                             timeout=30)
        self.assertEqual(out.returncode, 2)
        self.assertIn("no sockets were passed (LISTEN_PID/LISTEN_FDS unset)", out.stderr)

    def test_disable_exporter_metrics(self):
        with Edgewatch() as ew:
            _, _, body = get(ew.url())
            self.assertIn(b"\nprocess_open_fds", body)
            self.assertIn(b"\nedgewatch_web_connections", body)
        with Edgewatch("--web.disable-exporter-metrics") as ew:
            _, _, body = get(ew.url())
            for family in (b"process_", b"edgewatch_web_"):
                self.assertNotIn(b"\n" + family, body)
            # Build info, collector and reload health stay, as node_exporter keeps its own.
            for family in (b"edgewatch_build_info", b"edgewatch_scrape_collector_success",
                           b"edgewatch_config_last_reload_successful", b"edgewatch_ntp_packets"):
                self.assertIn(b"\n" + family, body)

    def test_basic_auth(self):
        htpasswd = require_tool("htpasswd")
        with tempfile.TemporaryDirectory() as d:
            line = run(htpasswd, "-nbBC", "10", "prom", "s3cret").strip()
            user, hashed = line.split(":", 1)
            web = write(d, "web.yml", f"basic_auth_users:\n  {user}: '{hashed}'\n")
            with Edgewatch(f"--web.config.file={web}") as ew:
                status, headers, body = get(ew.url())
                self.assertEqual(status, 401)
                self.assertEqual(headers["WWW-Authenticate"], 'Basic realm="edgewatch"')
                self.assertNotIn(b"process_", body)
                wrong = base64.b64encode(b"prom:wrong").decode()
                self.assertEqual(get(ew.url(), {"Authorization": f"Basic {wrong}"})[0], 401)
                good = base64.b64encode(b"prom:s3cret").decode()
                status, _, body = get(ew.url(), {"Authorization": f"Basic {good}"})
                self.assertEqual(status, 200)
                self.assertIn(b"process_open_fds", body)

    def test_tls(self):
        with tempfile.TemporaryDirectory() as d:
            make_certificate(d)
            web = write(d, "web.yml", "tls_server_config:\n  cert_file: cert.pem\n"
                                      "  key_file: key.pem\n")
            with Edgewatch(f"--web.config.file={web}") as ew:
                ctx = ssl.create_default_context(cafile=os.path.join(d, "cert.pem"))
                status, headers, body = get(ew.url(scheme="https"), context=ctx)
                self.assertEqual(status, 200)
                self.assertEqual(headers["Content-Type"], TEXT_FORMAT)
                self.assertIn(b"process_open_fds", body)
                # Plain HTTP to the TLS listener gets no HTTP answer, and no metrics.
                with socket.create_connection(("127.0.0.1", ew.port()), timeout=10) as s:
                    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
                    data = b""
                    try:
                        while chunk := s.recv(4096):
                            data += chunk
                    except ConnectionResetError:
                        pass
                    self.assertNotIn(b"HTTP/1.1 200", data)
                    self.assertNotIn(b"process_", data)
                # The default minimum is TLS 1.2: a client capped at it is served.
                self.assertEqual(get(ew.url(scheme="https"), context=pinned(d, "TLSv1_2"))[0],
                                 200)

    def test_renewed_certificate_and_changed_web_config_need_no_restart(self):
        """As exporter-toolkit re-reads its web config: a certificate replaced in place (times
        kept, as cp -p does) is served to new connections within seconds; a web config that
        cannot be used is logged and the running one stays; users added take effect."""
        with tempfile.TemporaryDirectory() as d, tempfile.TemporaryDirectory() as renewed:
            make_certificate(d)
            make_certificate(renewed)
            web = write(d, "web.yml", "tls_server_config:\n  cert_file: cert.pem\n"
                                      "  key_file: key.pem\n")
            with Edgewatch(f"--web.config.file={web}") as ew:
                def served():
                    pem = ssl.get_server_certificate(("127.0.0.1", ew.port()))
                    return ssl.PEM_cert_to_DER_cert(pem)

                def pem_file(path):
                    with open(path) as f:
                        return ssl.PEM_cert_to_DER_cert(f.read())

                self.assertEqual(served(), pem_file(os.path.join(d, "cert.pem")))
                for name in ("cert.pem", "key.pem"):
                    shutil.copy2(os.path.join(renewed, name), os.path.join(d, name))
                ew.wait_for_log('msg="web config reloaded"', 10)
                self.assertEqual(served(), pem_file(os.path.join(renewed, "cert.pem")))
                ctx = ssl.create_default_context(cafile=os.path.join(renewed, "cert.pem"))
                self.assertEqual(get(ew.url(scheme="https"), context=ctx)[0], 200)
                # Broken: the running config stays (and says why, once). A look between the
                # two copies above may have logged a key that did not match the certificate.
                refused = "web config changed and cannot be used"
                before = ew.read_log().count(refused)
                write(d, "web.yml", "tls_server_config:\n  cert_file: missing.pem\n"
                                    "  key_file: key.pem\n")
                ew.wait_for_log(refused, 10, count=before + 1)
                self.assertEqual(get(ew.url(scheme="https"), context=ctx)[0], 200)
                time.sleep(2.5)
                self.assertEqual(ew.read_log().count(refused), before + 1)
                # Users added: new requests need credentials.
                htpasswd = require_tool("htpasswd")
                user, hashed = run(htpasswd, "-nbBC", "10", "prom", "s3cret").strip().split(":", 1)
                write(d, "web.yml", "tls_server_config:\n  cert_file: cert.pem\n"
                                    f"  key_file: key.pem\nbasic_auth_users:\n  {user}: '{hashed}'\n")
                ew.wait_for_log('msg="web config reloaded"', 10, count=2)
                self.assertEqual(get(ew.url(scheme="https"), context=ctx)[0], 401)
                good = base64.b64encode(b"prom:s3cret").decode()
                self.assertEqual(get(ew.url(scheme="https"), {"Authorization": f"Basic {good}"},
                                     context=ctx)[0], 200)

    def test_config_auto_reload_follows_a_configmap(self):
        """--config.auto-reload-interval: a Kubernetes ConfigMap volume swaps the file in through
        a symlink (..data); the new content is reloaded without a signal; a broken one is
        refused once and the running configuration stays."""
        with tempfile.TemporaryDirectory() as d:
            for version, enabled in (("v1", "true"), ("v2", "false")):
                os.mkdir(os.path.join(d, version))
                write(os.path.join(d, version), "edgewatch.yml",
                      f"process:\n  enabled: {enabled}\nreflection:\n  enabled: false\n")
            os.symlink("v1", os.path.join(d, "..data"))
            config = os.path.join(d, "edgewatch.yml")
            os.symlink("..data/edgewatch.yml", config)
            with Edgewatch(f"--config.file={config}", "--config.auto-reload-interval=200ms") as ew:
                self.assertIn(b"process_open_fds", get(ew.url())[2])
                os.symlink("v2", os.path.join(d, "..data_tmp"))
                os.rename(os.path.join(d, "..data_tmp"), os.path.join(d, "..data"))
                ew.wait_for_log('msg="configuration reloaded"', 10)
                self.assertNotIn(b"process_open_fds", get(ew.url())[2])
                write(os.path.join(d, "v2"), "edgewatch.yml", "process:\n  enabled: nope\n")
                ew.wait_for_log("reload failed; keeping the running configuration", 10)
                time.sleep(1)
                log = ew.read_log()
                self.assertEqual(log.count("reload failed; keeping the running configuration"), 1)
                self.assertIn(b"edgewatch_config_last_reload_successful 0", get(ew.url())[2])

    def test_tls_min_version(self):
        # Debian 12's OpenSSL client cannot speak below TLS 1.2, so the minimum is proved one
        # step up: with min_version TLS13 a client pinned to 1.2 is refused, one allowing 1.3 is
        # served.
        with tempfile.TemporaryDirectory() as d:
            make_certificate(d)
            web = write(d, "web.yml", "tls_server_config:\n  cert_file: cert.pem\n"
                                      "  key_file: key.pem\n  min_version: TLS13\n")
            with Edgewatch(f"--web.config.file={web}") as ew:
                with self.assertRaises(urllib.error.URLError) as refused:
                    get(ew.url(scheme="https"), context=pinned(d, "TLSv1_2"))
                self.assertIsInstance(refused.exception.reason, ssl.SSLError)
                self.assertIn("PROTOCOL_VERSION", str(refused.exception.reason))
                status, _, body = get(ew.url(scheme="https"), context=pinned(d, "TLSv1_3"))
                self.assertEqual(status, 200)
                self.assertIn(b"process_open_fds", body)

    def test_bad_tls_files_exit_2(self):
        with tempfile.TemporaryDirectory() as d:
            web = write(d, "web.yml", "tls_server_config:\n  cert_file: missing.pem\n"
                                      "  key_file: missing.key\n")
            proc = subprocess.run([BIN, f"--web.config.file={web}",
                                   "--web.listen-address=127.0.0.1:0"],
                                  capture_output=True, text=True, timeout=30)
            self.assertEqual(proc.returncode, 2)
            self.assertIn(f"tls_server_config.cert_file {d}/missing.pem", proc.stderr)

    def test_reload_good_and_bad(self):
        with tempfile.TemporaryDirectory() as d:
            config = write(d, "edgewatch.yml", "process:\n  enabled: true\n")
            with Edgewatch(f"--config.file={config}") as ew:
                # POST /-/reload is off without --web.enable-lifecycle.
                self.assertEqual(get(ew.url("/-/reload"), method="POST")[0], 403)
                self.assertEqual(ew.stop(), 0)
            with Edgewatch(f"--config.file={config}", "--web.enable-lifecycle") as ew:
                self.assertIn(b"process_open_fds", get(ew.url())[2])

                write(d, "edgewatch.yml", "process:\n  enabled: nope\n")
                status, _, body = get(ew.url("/-/reload"), method="POST")
                self.assertEqual(status, 500)
                self.assertIn(f"{config}:2:12: process.enabled: expected true or false".encode(),
                              body)
                metrics = get(ew.url())[2]
                self.assertIn(b"edgewatch_config_last_reload_successful 0", metrics)
                self.assertIn(b"process_open_fds", metrics)  # the old config keeps running

                write(d, "edgewatch.yml", "process:\n  enabled: false\n")
                ew.proc.send_signal(signal.SIGHUP)
                ew.wait_for_log('msg="configuration reloaded"', 10)
                metrics = get(ew.url())[2]
                self.assertIn(b"edgewatch_config_last_reload_successful 1", metrics)
                self.assertNotIn(b"process_open_fds", metrics)

                self.assertEqual(get(ew.url("/-/reload"))[0], 405)
                self.assertEqual(ew.stop(), 0)

    def test_sigterm_and_sigint_exit_cleanly(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            with Edgewatch() as ew:
                self.assertEqual(get(ew.url())[0], 200)
                self.assertEqual(ew.stop(sig), 0)
                self.assertIn("msg=stopped", ew.read_log())

    def test_bad_config_exits_2_and_serves_nothing(self):
        with tempfile.TemporaryDirectory() as d:
            config = write(d, "bad.yml", "global:\n  collector_timeout: soon\nextra: 1\n")
            proc = subprocess.run([BIN, f"--config.file={config}",
                                   "--web.listen-address=127.0.0.1:0"],
                                  capture_output=True, text=True, timeout=30)
            self.assertEqual(proc.returncode, 2)
            self.assertIn(f"{config}:2:22: global.collector_timeout: expected a duration",
                          proc.stderr)
            self.assertIn(f"{config}:3:1: extra: unknown key", proc.stderr)
            self.assertNotIn("listening", proc.stderr)

    def test_check_config_and_flags(self):
        with tempfile.TemporaryDirectory() as d:
            good = write(d, "good.yml", "process:\n  enabled: true\n")
            bad = write(d, "bad.yml", "process:\n  enabled: 1\n")
            ok = subprocess.run([BIN, "check-config", good], capture_output=True, text=True)
            self.assertEqual(ok.returncode, 0, ok.stderr)
            self.assertEqual(ok.stdout, f"{good}: OK; enabled collectors: process, reflection, httpd, bgp, access_log, mail_log\n")
            fail = subprocess.run([BIN, "--config.check", f"--config.file={bad}"],
                                  capture_output=True, text=True)
            self.assertEqual(fail.returncode, 2)
            self.assertEqual(fail.stderr,
                             f'{bad}:2:12: process.enabled: expected true or false, got "1"\n')
        usage = subprocess.run([BIN, "--bogus"], capture_output=True, text=True)
        self.assertEqual(usage.returncode, 2)
        self.assertEqual(usage.stderr, "edgewatch: unknown flag --bogus; see --help\n")
        version = subprocess.run([BIN, "--version"], capture_output=True, text=True)
        self.assertEqual(version.returncode, 0)
        self.assertTrue(version.stdout.startswith("edgewatch "))

    def test_port_in_use_exits_1(self):
        with Edgewatch() as ew:
            proc = subprocess.run([BIN, f"--web.listen-address={ew.addresses[0]}"],
                                  capture_output=True, text=True, timeout=30)
            self.assertEqual(proc.returncode, 1)
            self.assertIn("cannot listen on 127.0.0.1", proc.stderr)
            self.assertIn("Address already in use", proc.stderr)

    def test_bounded_requests_and_connections(self):
        with Edgewatch("--web.max-connections=2") as ew:
            huge = {"X-Filler": "a" * 16384}
            status = None
            try:
                status = get(ew.url(), huge)[0]
            except (ConnectionResetError, urllib.error.URLError):
                pass
            self.assertEqual(status, 431)
            # The 431 connection may still count for a moment after the reply, so each idle
            # connection proves it is being served before the next one is opened.
            idle = [served_connection(ew.port()) for _ in range(2)]
            try:
                # At the ceiling the new connection is served and an idle one closed for it.
                self.assertEqual(get(ew.url("/-/healthy"))[0], 200)
                readable, _, _ = select.select(idle, [], [], 10)
                self.assertEqual(len(readable), 1)
                try:
                    self.assertEqual(readable[0].recv(100), b"")
                except ConnectionResetError:
                    pass
            finally:
                for s in idle:
                    s.close()
            metrics = get(ew.url())[2].decode()
            self.assertGreaterEqual(value(metrics, "edgewatch_web_connections_evicted_total"), 1)


if __name__ == "__main__":
    unittest.main()
