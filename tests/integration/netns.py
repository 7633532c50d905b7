"""A test host in its own network namespace, joined to this one by a veth pair.

Only the addresses of these test hosts are ever sent to (a /24 in 10.203.20.0-10.203.219.255,
one per test process, so that two test runs at once do not route into each other).
"""

import os
import subprocess

from edgewatch_process import require_tool


def run(*cmd):
    subprocess.run(cmd, check=True, capture_output=True, timeout=30)


class Namespace:
    ns = ""

    def exec(self, *cmd):
        """`cmd` run inside the namespace."""
        return ["ip", "netns", "exec", self.ns, *cmd]


class LoopbackNamespace(Namespace):
    """A network namespace with only its loopback up, for an edgewatch run inside it."""

    def __init__(self, tag):
        self.ns = f"ew{tag}{os.getpid() % 100000}"

    def __enter__(self):
        run("ip", "netns", "add", self.ns)
        run("ip", "-n", self.ns, "link", "set", "lo", "up")
        return self

    def scrape(self, ew):
        """/metrics of an edgewatch listening on 127.0.0.1 inside the namespace."""
        return subprocess.run(self.exec("curl", "-s", f"http://127.0.0.1:{ew.port()}/metrics"),
                              capture_output=True, text=True, timeout=30).stdout

    def __exit__(self, *exc):
        subprocess.run(["ip", "netns", "del", self.ns], capture_output=True)


class VethHost(Namespace):
    """Namespace `ns` with `inner` (SUBNET.2/24); `outer` (SUBNET.1/24) stays here."""

    def __init__(self, tag):
        self.subnet = f"10.203.{20 + os.getpid() % 200}"
        self.OUTER_IP = self.address(1)
        self.INNER_IP = self.address(2)
        self.ip = require_tool("ip")
        suffix = f"{os.getpid() % 100000}{tag}"
        self.ns = f"ewns{suffix}"
        self.outer = f"ewo{suffix}"
        self.inner = f"ewi{suffix}"

    def __enter__(self):
        run(self.ip, "netns", "add", self.ns)
        run(self.ip, "link", "add", self.outer, "type", "veth", "peer", "name", self.inner)
        run(self.ip, "link", "set", self.inner, "netns", self.ns)
        run(self.ip, "addr", "add", f"{self.OUTER_IP}/24", "dev", self.outer)
        run(self.ip, "link", "set", self.outer, "up")
        run(self.ip, "-n", self.ns, "addr", "add", f"{self.INNER_IP}/24", "dev", self.inner)
        run(self.ip, "-n", self.ns, "link", "set", self.inner, "up")
        run(self.ip, "-n", self.ns, "link", "set", "lo", "up")
        return self

    def address(self, host):
        """An address in the pair's subnet; only .1 and .2 exist."""
        return f"{self.subnet}.{host}"

    def outer_mac(self):
        with open(f"/sys/class/net/{self.outer}/address") as f:
            return f.read().strip()

    def scapy_in_ns(self, script):
        """Runs a scapy script inside the namespace (`IFACE` is the inner interface)."""
        return self._scapy(["ip", "netns", "exec", self.ns], script, self.inner)

    def scapy_here(self, script):
        return self._scapy([], script, self.outer)

    def _scapy(self, prefix, script, iface):
        code = f"from scapy.all import *\nconf.verb = 0\nIFACE = {iface!r}\n{script}"
        proc = subprocess.run(prefix + ["/usr/bin/python3", "-c", code], capture_output=True,
                              text=True, timeout=120)
        if proc.returncode != 0:
            raise AssertionError(f"scapy failed:\n{proc.stderr}")
        return proc.stdout

    def __exit__(self, *exc):
        subprocess.run([self.ip, "link", "del", self.outer], capture_output=True)
        subprocess.run([self.ip, "netns", "del", self.ns], capture_output=True)
