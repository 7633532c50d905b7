"""Starts the real edgewatch binary for integration tests and finds its ports from its logs."""

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import traceback
import urllib.request

BIN = os.environ.get("EDGEWATCH_BIN", "")
TESTDATA = os.environ.get("EDGEWATCH_TESTDATA", "")
# How long SIGTERM may take to stop edgewatch (the sanitizer build's leak check included).
STOP_TIMEOUT = 20


def require_tool(name):
    """Path of a tool the tests need; its absence is a failure, never a skip."""
    path = shutil.which(name)
    if path is None:
        raise AssertionError(f"{name} is not installed; run scripts/install-deps.sh --tests")
    return path


def free_udp_port():
    """A UDP port of 127.0.0.1 nothing is bound to."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*cmd, timeout=60):
    """Runs `cmd` and returns its stdout; a failure says which command and what it wrote to
    stderr (CalledProcessError would hide both behind capture_output)."""
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} exited {proc.returncode}: "
                             f"{proc.stderr.strip()}")
    return proc.stdout


def make_certificate(directory):
    """A self-signed certificate for 127.0.0.1 and localhost: (cert.pem, key.pem) paths."""
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    run(require_tool("openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        "-keyout", key, "-out", cert)
    return cert, key


def scrape(ew):
    """The text exposition of a running Edgewatch."""
    with urllib.request.urlopen(ew.url(), timeout=30) as resp:
        return resp.read().decode()


def value(text, series):
    """The value of one series (name and labels exactly as exposed), or None."""
    m = re.search("^" + re.escape(series) + r" (\S+)$", text, re.M)
    return None if m is None else float(m.group(1))


def total(text, family, **labels):
    """The sum of every series of `family` whose labels include `labels`, or None if none."""
    got = None
    for m in re.finditer("^" + re.escape(family) + r"\{([^}]*)\} (\S+)$", text, re.M):
        have = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(1)))
        if all(have.get(k) == v for k, v in labels.items()):
            got = (got or 0) + float(m.group(2))
    return got


def poll(ew, series, predicate, timeout=20):
    """Scrapes until `predicate(value)` holds; returns the value, or fails with the log."""
    deadline = time.monotonic() + timeout
    got = None
    while time.monotonic() < deadline:
        got = value(scrape(ew), series)
        if got is not None and predicate(got):
            return got
        time.sleep(0.02)
    raise AssertionError(f"{series} stayed at {got}\n{ew.read_log()}")


def wait_value(ew, series, expected, timeout=20):
    return poll(ew, series, lambda v: v == expected, timeout)


class Edgewatch:
    """edgewatch serving on loopback ports picked by the kernel (port 0)."""

    def __init__(self, *args, listen=("127.0.0.1:0",), wait=True, wrapper=()):
        if not BIN:
            raise AssertionError("EDGEWATCH_BIN is not set; run through ctest")
        self.dir = tempfile.mkdtemp(prefix="edgewatch-it-")
        os.chmod(self.dir, 0o755)  # readable when the wrapper drops privileges
        self.log_path = os.path.join(self.dir, "stderr.log")
        cmd = list(wrapper) + [BIN] + [f"--web.listen-address={a}" for a in listen] + list(args)
        self.log = open(self.log_path, "w+")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self.log)
        self.addresses = []
        if wait:
            self.wait_for_log("edgewatch started", 15)
            self.addresses = re.findall(r"msg=listening address=(\S+)", self.read_log())

    def read_log(self):
        with open(self.log_path) as f:
            return f.read()

    def wait_for_log(self, text, timeout, count=1):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.read_log().count(text) >= count:
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"edgewatch exited {self.proc.returncode}:\n{self.read_log()}")
            time.sleep(0.05)
        raise AssertionError(f"no {text!r} in the log after {timeout}s:\n{self.read_log()}")

    def url(self, path="/metrics", index=0, scheme="http"):
        return f"{scheme}://{self.addresses[index]}{path}"

    def port(self, index=0):
        return int(self.addresses[index].rsplit(":", 1)[1])

    def stop(self, sig=signal.SIGTERM, timeout=STOP_TIMEOUT):
        """Stops edgewatch with `sig` and returns its exit status; a sanitizer report in its log
        is a failure whatever the status."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"edgewatch did not stop within {timeout}s of {sig.name}:\n"
                                 f"{self.read_log()[-4000:]}")
        finally:
            self.log.close()
        report = sanitizer_report(self.read_log())
        if report:
            raise AssertionError(f"edgewatch's sanitizers reported:\n{report}")
        return rc

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        """Every test's edgewatch is judged as it stops: SIGTERM must end it within the bound,
        with status 0 and no sanitizer report (the ASan+UBSan pass leak-checks it here). A test
        that already failed keeps its own failure; the stop's is appended to the log."""
        try:
            if not self.log.closed:
                rc = self.stop()
                if rc != 0:
                    raise AssertionError(f"edgewatch exited {rc} on SIGTERM:\n"
                                         f"{self.read_log()[-4000:]}")
        except AssertionError:
            if exc_type is None:
                raise
            traceback.print_exc()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def sanitizer_report(log):
    """The first AddressSanitizer, LeakSanitizer or UndefinedBehaviorSanitizer report in `log`."""
    m = re.search(r"^.*(ERROR: (Address|Leak)Sanitizer|runtime error:).*$", log, re.M)
    return "" if m is None else log[m.start():m.start() + 6000]
