"""The BGP prober against test hosts in network namespaces: reachability up and down, loss
injected with nftables, delay from a late echo responder, and the unprivileged socket path."""

import contextlib
import os
import subprocess
import tempfile
import threading
import time
import unittest

from edgewatch_process import Edgewatch, poll, require_tool, scrape, value, wait_value
from metrics_docs import promtool_problems, undocumented
from netns import LoopbackNamespace, VethHost, run

INTERVAL_MS = 100


def config(directory, neighbors, interval=f"{INTERVAL_MS}ms", timeout="300ms", window=3):
    path = os.path.join(directory, "edgewatch.yml")
    with open(path, "w") as f:
        f.write("process:\n  enabled: false\nreflection:\n  enabled: false\nhttpd:\n"
                f"  enabled: false\nbgp:\n  interval: {interval}\n  timeout: {timeout}\n"
                f"  window: {window}\n  neighbors:\n{neighbors}")
    return path


def start_capture(tcpdump, interface, output, *args):
    """tcpdump on `interface`, returned once it is attached (it says "listening on"); `output`
    "-" prints packets to its stdout, else a pcap file is written."""
    where = [] if output == "-" else ["-w", output, "-U"]
    # Immediate mode: each packet is handed over as it comes, not when a buffer block fills.
    proc = subprocess.Popen([tcpdump, "-i", interface, "-n", "--immediate-mode", *where, *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        if "listening on" in line:
            break
    else:
        raise AssertionError(f"tcpdump exited {proc.wait()} before attaching")
    threading.Thread(target=proc.stderr.read, daemon=True).start()  # keep it from blocking
    return proc


def echo_round_trips(pcap):
    """Seconds from each ICMP echo request to its reply in `pcap`, by (id, sequence)."""
    from scapy.all import ICMP, rdpcap
    sent, rtts = {}, []
    for packet in rdpcap(pcap):
        if ICMP not in packet:
            continue
        key = (packet[ICMP].id, packet[ICMP].seq)
        if packet[ICMP].type == 8:
            sent[key] = float(packet.time)
        elif packet[ICMP].type == 0 and key in sent:
            rtts.append(float(packet.time) - sent.pop(key))
    return rtts


@contextlib.contextmanager
def late_responder(host, delay):
    """late_echo.py on the far side of `host`, answering echo requests `delay` seconds late in
    place of the kernel."""
    run("ip", "netns", "exec", host.ns, "sysctl", "-qw", "net.ipv4.icmp_echo_ignore_all=1")
    responder = subprocess.Popen(
        ["ip", "netns", "exec", host.ns, "/usr/bin/python3",
         os.path.join(os.path.dirname(__file__), "late_echo.py"), str(delay)],
        stdout=subprocess.PIPE, text=True)
    try:
        if responder.stdout.readline().strip() != "ready":
            raise AssertionError(f"late_echo.py exited {responder.wait()} before listening")
        yield
    finally:
        responder.terminate()
        responder.wait()
        responder.stdout.close()


def neighbor(name, address):
    return f"    - name: {name}\n      address: {address}\n      asn: 64512\n"


class BgpProberTest(unittest.TestCase):
    def test_neighbor_goes_down_and_comes_back(self):
        ip = require_tool("ip")
        with VethHost("p") as host, tempfile.TemporaryDirectory() as d:
            cfg = config(d, neighbor("peer", host.INNER_IP))
            with Edgewatch(f"--config.file={cfg}") as ew:
                up = 'edgewatch_bgp_neighbor_up{neighbor="peer"}'
                wait_value(ew, up, 1, 10)
                text = scrape(ew)
                self.assertIn('edgewatch_bgp_neighbor_info{neighbor="peer",'
                              f'address="{host.INNER_IP}",'
                              'asn="64512",description=""} 1', text)
                self.assertGreater(value(text, 'edgewatch_bgp_neighbor_ping_received_total'
                                               '{neighbor="peer"}'), 0)
                run(ip, "-n", host.ns, "link", "set", host.inner, "down")
                down_at = time.monotonic()
                wait_value(ew, up, 0, 10)
                gone = time.monotonic()
                # window (3) x interval (100 ms) + timeout (300 ms), plus slack for polling
                # and a loaded CI machine (sanitizer build, tests in parallel).
                self.assertLess(gone - down_at, 3 * 0.1 + 0.3 + 1.5)
                run(ip, "-n", host.ns, "link", "set", host.inner, "up")
                wait_value(ew, up, 1, 10)

    def test_names_ttl_source_and_tcp_port(self):
        tcpdump = require_tool("tcpdump")
        with VethHost("t") as host, tempfile.TemporaryDirectory() as d:
            # A BGP speaker stand-in on the far host's port 179.
            listener = subprocess.Popen(
                ["ip", "netns", "exec", host.ns, "/usr/bin/python3", "-c",
                 "import socket,sys,time\ns=socket.socket()\n"
                 "s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n"
                 f"s.bind(('{host.INNER_IP}',179))\ns.listen(8)\nprint('ready',flush=True)\n"
                 "while True:\n  c,_=s.accept()\n  c.close()\n"],
                stdout=subprocess.PIPE, text=True)
            capture = start_capture(tcpdump, host.outer, "-", "-v", "-c", "1",
                                    f"icmp[icmptype] = icmp-echo and dst {host.INNER_IP}")
            try:
                self.assertEqual(listener.stdout.readline().strip(), "ready")
                neighbors = (f"    - name: peer\n      address: {host.INNER_IP}\n"
                             f"      source: {host.OUTER_IP}\n      ttl: 7\n"
                             "      tcp_probe: true\n"
                             "    - name: named\n      address: localhost\n"
                             "    - name: unknown\n      address: no-such-host.invalid\n")
                cfg = config(d, neighbors)
                with open(cfg, "a") as f:
                    f.write("  tcp_probe_interval: 500ms\n  resolve_interval: 10s\n")
                with Edgewatch(f"--config.file={cfg}") as ew:
                    wait_value(ew, 'edgewatch_bgp_neighbor_up{neighbor="peer"}', 1, 10)
                    wait_value(ew, 'edgewatch_bgp_neighbor_up{neighbor="named"}', 1, 10)
                    wait_value(ew, 'edgewatch_bgp_neighbor_tcp_connect_up{neighbor="peer"}', 1,
                               10)
                    text = scrape(ew)
                    self.assertEqual(value(text, 'edgewatch_bgp_neighbor_up'
                                                 '{neighbor="unknown"}'), 0)
                    self.assertEqual(value(text, 'edgewatch_bgp_neighbor_ping_sent_total'
                                                 '{neighbor="unknown"}'), 0)
                    self.assertIn('msg="cannot resolve neighbour; retrying" neighbor=unknown',
                                  ew.read_log())
                    self.assertIn('edgewatch_bgp_neighbor_info{neighbor="named",'
                                  'address="localhost"', text)
                    self.assertEqual(undocumented(text), [])
                    self.assertEqual(promtool_problems(text), "")
                    line = capture.communicate(timeout=20)[0]
                    self.assertIn("ttl 7", line)
                    self.assertIn(f"{host.OUTER_IP} > {host.INNER_IP}", line)
                    listener.terminate()
                    listener.wait()
                    # Nobody on port 179 any more: the TCP check says so.
                    wait_value(ew, 'edgewatch_bgp_neighbor_tcp_connect_up{neighbor="peer"}', 0,
                               10)
            finally:
                for p in (listener, capture):
                    if p.poll() is None:
                        p.kill()
                    p.wait()
                    p.stdout.close()

    def test_ipv6_neighbor(self):
        with tempfile.TemporaryDirectory() as d:
            cfg = config(d, neighbor("v6", "::1"))
            with Edgewatch(f"--config.file={cfg}") as ew:
                wait_value(ew, 'edgewatch_bgp_neighbor_up{neighbor="v6"}', 1, 10)
                self.assertIn("family=ipv6", ew.read_log())
                self.assertGreater(value(scrape(ew), 'edgewatch_bgp_neighbor_ping_rtt_seconds_count'
                                                     '{neighbor="v6"}'), 0)

    def test_loss_injected_with_nftables(self):
        nft = require_tool("nft")
        with VethHost("l") as host, tempfile.TemporaryDirectory() as d:
            # The far host drops 30% of echo requests, chosen at random.
            for command in ("add table inet loss",
                            "add chain inet loss input { type filter hook input priority 0; }",
                            "add rule inet loss input icmp type echo-request "
                            "numgen random mod 100 lt 30 drop"):
                run("ip", "netns", "exec", host.ns, nft, command)
            cfg = config(d, neighbor("lossy", host.INNER_IP), interval="20ms",
                         timeout="200ms", window=50)
            with Edgewatch(f"--config.file={cfg}") as ew:
                sent = 'edgewatch_bgp_neighbor_ping_sent_total{neighbor="lossy"}'
                deadline = time.monotonic() + 30
                while value(scrape(ew), sent) < 400 and time.monotonic() < deadline:
                    time.sleep(0.2)
                text = scrape(ew)  # probes in flight are in neither counter
                s = value(text, sent)
                r = value(text, 'edgewatch_bgp_neighbor_ping_received_total{neighbor="lossy"}')
                loss = 1 - r / s
                # 400+ Bernoulli(0.3) draws: within 0.3 +- 0.1 with overwhelming probability.
                self.assertGreater(loss, 0.2, text)
                self.assertLess(loss, 0.4, text)

    def test_probes_in_flight_are_not_loss(self):
        # Replies 150 ms late to a probe every 50 ms: three probes in flight at any scrape.
        with VethHost("f") as host, late_responder(host, 0.150), \
                tempfile.TemporaryDirectory() as d:
            cfg = config(d, neighbor("slow", host.INNER_IP), interval="50ms", timeout="1s")
            with Edgewatch(f"--config.file={cfg}") as ew:
                sent = 'edgewatch_bgp_neighbor_ping_sent_total{neighbor="slow"}'
                received = 'edgewatch_bgp_neighbor_ping_received_total{neighbor="slow"}'
                poll(ew, received, lambda v: v >= 5)
                seen = []
                for _ in range(40):
                    text = scrape(ew)
                    seen.append((value(text, sent), value(text, received)))
                    time.sleep(0.037)  # out of step with the probes
                # Every scrape: no loss, and the counters moved on meanwhile.
                self.assertEqual([(s, r) for s, r in seen if s != r], [], seen)
                self.assertGreater(seen[-1][0], seen[0][0] + 20, seen)

    def test_delay_from_a_late_responder(self):
        tcpdump = require_tool("tcpdump")
        with VethHost("r") as host, late_responder(host, 0.050), \
                tempfile.TemporaryDirectory() as d:
            # The wire's own round trips, timed by the kernel, are the reference: edgewatch's
            # mean may exceed them only by its own send and receive latency.
            wire = os.path.join(d, "wire.pcap")
            capture = start_capture(tcpdump, host.outer, wire, "icmp")
            try:
                cfg = config(d, neighbor("slow", host.INNER_IP), timeout="500ms")
                with Edgewatch(f"--config.file={cfg}") as ew:
                    count = 'edgewatch_bgp_neighbor_ping_rtt_seconds_count{neighbor="slow"}'
                    poll(ew, count, lambda v: v >= 20)
                    text = scrape(ew)
                    n = value(text, count)
                    total = value(text, 'edgewatch_bgp_neighbor_ping_rtt_seconds_sum'
                                        '{neighbor="slow"}')
                    mean = total / n
                    self.assertGreaterEqual(mean, 0.050)  # the responder holds each 50 ms
                    # Every reply edgewatch timed crossed the wire before it got there.
                    deadline = time.monotonic() + 10
                    while len(wire_rtts := echo_round_trips(wire)) < n:
                        self.assertLess(time.monotonic(), deadline, wire_rtts)
                        time.sleep(0.1)
                    wire_mean = sum(wire_rtts) / len(wire_rtts)
                    self.assertGreaterEqual(wire_mean, 0.050)
                    self.assertLess(mean, wire_mean + 0.030, wire_rtts)
                    # None of them within 25.6 ms; every one within the 500 ms timeout.
                    self.assertEqual(value(text, 'edgewatch_bgp_neighbor_ping_rtt_seconds_bucket'
                                                 '{neighbor="slow",le="0.0256"}'), 0)
                    self.assertEqual(value(text, 'edgewatch_bgp_neighbor_ping_rtt_seconds_bucket'
                                                 '{neighbor="slow",le="0.8192"}'), n)
            finally:
                capture.terminate()
                capture.wait()

    def test_send_errors_do_not_hold_back_the_rest_of_a_batch(self):
        # In a namespace with only loopback, probes to 10.9.9.x fail with "network is
        # unreachable" while those to 127.0.0.x are answered. With 40 neighbours at 100 ms, each
        # 20 ms tick sends about eight probes in one batch, good and failing interleaved.
        with LoopbackNamespace("bt") as ns, tempfile.TemporaryDirectory() as d:
            os.chmod(d, 0o755)
            neighbors = "".join(
                neighbor(f"good{i}", f"127.0.0.{i + 1}") + neighbor(f"bad{i}", f"10.9.9.{i + 1}")
                for i in range(20))
            cfg = config(d, neighbors, timeout="100ms")
            os.chmod(cfg, 0o644)

            def metric(name, who):
                return value(text, f'edgewatch_bgp_neighbor_ping_{name}{{neighbor="{who}"}}')

            with Edgewatch(f"--config.file={cfg}", wrapper=ns.exec()) as ew:
                deadline = time.monotonic() + 20
                while True:  # until every neighbour has had ten probes
                    text = ns.scrape(ew)
                    sent = [metric("sent_total", f"{kind}{i}") or 0
                            for kind in ("good", "bad") for i in range(20)]
                    if min(sent) >= 10 or time.monotonic() > deadline:
                        break
                    time.sleep(0.1)
            for i in range(20):
                good_sent = metric("sent_total", f"good{i}")
                self.assertGreaterEqual(good_sent, 10)
                # The last probe may still be in flight at the scrape.
                self.assertGreaterEqual(metric("received_total", f"good{i}"), good_sent - 1)
                self.assertEqual(metric("send_errors_total", f"good{i}"), 0)
                bad_sent = metric("sent_total", f"bad{i}")
                self.assertGreaterEqual(bad_sent, 10)
                self.assertEqual(metric("send_errors_total", f"bad{i}"), bad_sent)
                self.assertEqual(metric("received_total", f"bad{i}"), 0)

    def test_unprivileged_ping_socket(self):
        setpriv = require_tool("setpriv")
        with LoopbackNamespace("pg") as ns, tempfile.TemporaryDirectory() as d:
            os.chmod(d, 0o755)
            cfg = config(d, neighbor("self", "127.0.0.1"))
            os.chmod(cfg, 0o644)
            wrapper = ns.exec(setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                              "--inh-caps=-all", "--")
            # A new namespace allows no group ping sockets ("1 0"): a clear error.
            with Edgewatch(f"--config.file={cfg}", wrapper=wrapper) as ew:
                ew.wait_for_log("cannot probe neighbours", 10)
                self.assertIn("net.ipv4.ping_group_range", ew.read_log())
            run(*ns.exec("sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647"))
            with Edgewatch(f"--config.file={cfg}", wrapper=wrapper) as ew:
                ew.wait_for_log("socket=\"ping (unprivileged)\"", 10)
                deadline = time.monotonic() + 10
                text = ""
                while time.monotonic() < deadline:
                    text = ns.scrape(ew)
                    if value(text, 'edgewatch_bgp_neighbor_up{neighbor="self"}') == 1:
                        break
                    time.sleep(0.1)
                self.assertEqual(value(text, 'edgewatch_bgp_neighbor_up{neighbor="self"}'), 1,
                                 ew.read_log())


if __name__ == "__main__":
    unittest.main()
