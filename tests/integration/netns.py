"""A test host in its own network namespace, joined to this one by a veth pair.

Only the addresses of these test hosts are ever sent to: a /24 in 10.203.20.0-10.203.219.255
that no address of this namespace is in. Names and subnets are taken under a lock file and held
by the namespace's and the address's existence, so two test runs at once (or leftovers of a
killed one) never share a name or route into each other.
"""

import contextlib
import fcntl
import ipaddress
import os
import subprocess

from edgewatch_process import require_tool, run

LOCK = "/run/lock/edgewatch-netns.lock" if os.path.isdir("/run/lock") else "/tmp/edgewatch-netns.lock"


@contextlib.contextmanager
def allocation():
    with open(LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def taken_names():
    names = set(os.listdir("/sys/class/net"))
    names.update(line.split()[0] for line in run("ip", "netns", "list").splitlines() if line)
    return names


def free_suffix(tag, names):
    """The first `N{tag}` such that no namespace or interface is named with it."""
    n = 0
    while any(f"{prefix}{n}{tag}" in names for prefix in ("ew", "ewns", "ewo", "ewi")):
        n += 1
    return f"{n}{tag}"


def free_subnet():
    used = {ipaddress.ip_interface(word).network
            for line in run("ip", "-o", "-4", "addr", "show").splitlines()
            for word in line.split()[3:4]}
    for third in range(20, 220):
        net = ipaddress.ip_network(f"10.203.{third}.0/24")
        if not any(net.overlaps(u) for u in used):
            return f"10.203.{third}"
    raise AssertionError("no free 10.203.x.0/24 for a test host")


class Namespace:
    ns = ""

    def exec(self, *cmd):
        """`cmd` run inside the namespace."""
        return ["ip", "netns", "exec", self.ns, *cmd]

    def scrape(self, ew):
        """/metrics of an edgewatch, fetched from inside the namespace."""
        return run(*self.exec(require_tool("curl"), "-sS", "--fail", "--max-time", "20",
                              ew.url()))


class LoopbackNamespace(Namespace):
    """A network namespace with only its loopback up, for an edgewatch run inside it."""

    def __init__(self, tag):
        self.tag = tag

    def __enter__(self):
        require_tool("ip")
        with allocation():
            self.ns = "ew" + free_suffix(self.tag, taken_names())
            run("ip", "netns", "add", self.ns)
        run("ip", "-n", self.ns, "link", "set", "lo", "up")
        return self


    def __exit__(self, *exc):
        subprocess.run(["ip", "netns", "del", self.ns], capture_output=True)


class VethHost(Namespace):
    """Namespace `ns` with `inner` (SUBNET.2/24); `outer` (SUBNET.1/24) stays here."""

    def __init__(self, tag):
        self.tag = tag
        self.ip = require_tool("ip")

    def __enter__(self):
        try:
            return self._create()
        except BaseException:
            self.__exit__()
            raise

    def _create(self):
        with allocation():
            suffix = free_suffix(self.tag, taken_names())
            self.ns, self.outer, self.inner = f"ewns{suffix}", f"ewo{suffix}", f"ewi{suffix}"
            self.subnet = free_subnet()
            self.OUTER_IP = self.address(1)
            self.INNER_IP = self.address(2)
            run(self.ip, "netns", "add", self.ns)
            run(self.ip, "link", "add", self.outer, "type", "veth", "peer", "name", self.inner)
            run(self.ip, "addr", "add", f"{self.OUTER_IP}/24", "dev", self.outer)
        run(self.ip, "link", "set", self.inner, "netns", self.ns)
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
        if hasattr(self, "ns"):
            subprocess.run([self.ip, "link", "del", self.outer], capture_output=True)
            subprocess.run([self.ip, "netns", "del", self.ns], capture_output=True)
