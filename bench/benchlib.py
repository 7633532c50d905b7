"""What the benchmark scripts share: CPU time, ports, scraping, summing series, and loading
another benchmark's script (its input makers)."""

import importlib.util
import os
import re
import socket
import time
import urllib.request


BENCH = os.path.dirname(os.path.abspath(__file__))


def load(name, path):
    """The benchmark script bench/`path` as module `name` (they are all called run.py)."""
    spec = importlib.util.spec_from_file_location(name, os.path.join(BENCH, path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cpu_seconds(pid):
    """User plus system CPU time a process has used so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def metrics(port):
    return urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30).read().decode()


def wait_up(port, tries=2400):
    """The first scrape of an exporter that is starting (smokeping_prober starts its 1,000
    probers one by one, hence the many tries)."""
    for _ in range(tries):
        try:
            return metrics(port)
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"nothing on port {port}")


def series(text, name, **labels):
    """The sum of every series of `name` whose labels include `labels`."""
    total = 0.0
    for m in re.finditer(r"^" + re.escape(name) + r"(?:\{([^}]*)\})? (\S+)$", text, re.M):
        got = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1) or ""))
        if all(got.get(k) == v for k, v in labels.items()):
            total += float(m.group(2))
    return total
