"""The seed's WordPress outage, end to end, with real parts: a real Apache (prefork and event)
with a handful of workers and a slow xmlrpc.php, a flood of `POST /xmlrpc.php` from 30
addresses in a network namespace until the workers are exhausted and the status page stops
answering, edgewatch following the access log and the status page, a real Prometheus with the
shipped rules and a real Alertmanager with the shipped routing and inhibition.

The rules are time-compressed as in test_alerts_e2e (for: 5s) and their 5m range selectors
shortened to 20s, so rates and ratios keep their shipped thresholds; Prometheus scrapes and
evaluates every 2 s, so the 500 ms status timeout fits in a scrape."""

import collections
import re
import subprocess
import tempfile
import time
import unittest

from alerting import AlertStack
from apache import Apache
from edgewatch_process import Edgewatch, scrape
from netns import VethHost, run

FOR_SECONDS = 5  # alerting.rendered_rules' for-duration
EVAL_SECONDS = 2
GROUP_WAIT_SECONDS = 1  # alerting.alertmanager_config
SOURCES = 30

# Runs inside the namespace: 90 clients, each bound to one of the source addresses, POST a
# pingback to xmlrpc.php over and over (a new connection each time, as flood tools do) until
# stdin closes.
FLOOD = r"""
import http.client, os, sys, threading, time
host, port, sources = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
BODY = (b'<?xml version="1.0"?><methodCall><methodName>pingback.ping</methodName><params>'
        b'<param><value><string>http://victim.example/</string></value></param>'
        b'<param><value><string>http://blog.example/?p=1</string></value></param>'
        b'</params></methodCall>')
def client(source):
    while True:
        try:
            c = http.client.HTTPConnection(host, port, timeout=60, source_address=(source, 0))
            c.request("POST", "/xmlrpc.php", BODY, {"Content-Type": "text/xml",
                      "User-Agent": "Mozilla/5.0 (compatible; pingback)",
                      "Connection": "close"})
            c.getresponse().read()
            c.close()
        except OSError:
            time.sleep(0.05)
for i in range(90):
    threading.Thread(target=client, args=(sources[i % len(sources)],), daemon=True).start()
sys.stdin.read()
os._exit(0)
"""

XMLRPC_LINE = re.compile(r'^(\S+) \S+ \S+ \[[^]]+\] "POST /xmlrpc\.php HTTP/1\.1" ')


def config(directory, apache, limits):
    path = f"{directory}/edgewatch.yml"
    with open(path, "w") as f:
        f.write("reflection:\n  enabled: false\n"
                "httpd:\n  servers:\n"
                f"    - name: www\n      url: {apache.status_url}\n      timeout: 500ms\n"
                f"      pid_file: {apache.pid_file}\n"
                f"      max_request_workers: {limits['MaxRequestWorkers']}\n"
                "access_log:\n  logs:\n"
                f"    - name: site\n      path: {apache.access_log}\n      format: combined\n")
    return path


def names(rows):
    return {labels["alertname"] for labels, _ in rows}


class SeedOutageTest(unittest.TestCase):
    def outage(self, tag, mpm, limits, child_limit):
        with VethHost(tag) as host:
            sources = [host.address(100 + i) for i in range(SOURCES)]
            for address in sources:
                run(host.ip, "-n", host.ns, "addr", "add", f"{address}/24", "dev", host.inner)
            # One listening socket, as Debian's `Listen 80`: the status request queues behind
            # the flood. (A status page on a Listen of its own is served between flood
            # requests, and the page keeps answering: saturation then shows in the workers.)
            with Apache(mpm, Apache.COMBINED, limits, every_address=True) as apache, \
                    tempfile.TemporaryDirectory() as d, \
                    Edgewatch(f"--config.file={config(d, apache, limits)}") as ew, \
                    AlertStack(f"127.0.0.1:{ew.port()}", interval=f"{EVAL_SECONDS}s",
                               windows={"5m": "20s"}) as stack:
                # Healthy first: the page answers and gives the child-process ceiling.
                stack.wait_query('edgewatch_httpd_server_child_process_limit{server="www"}',
                                 lambda r: r and r[0][1] == child_limit, 30)
                flood = subprocess.Popen(
                    host.exec("/usr/bin/python3", "-c", FLOOD, host.OUTER_IP, str(apache.port),
                              *sources), stdin=subprocess.PIPE)
                try:
                    self.during_flood(stack, ew, sources)
                finally:
                    flood.stdin.close()
                    flood.wait(30)
                self.after_flood(stack, ew, apache, sources)

    def during_flood(self, stack, ew, sources):
        expected = {"EdgewatchXmlrpcFlood", "EdgewatchHttpdWorkersSaturated"}
        first_seen = {}  # alertname -> when Prometheus first showed it pending (or firing)
        inhibited = False
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            for name in names(stack.query("ALERTS")):
                first_seen.setdefault(name, time.monotonic())
            inhibited = any(
                a["labels"]["alertname"] == "EdgewatchHttpdStatusDown" and
                a["status"]["state"] == "suppressed" and a["status"]["inhibitedBy"]
                for a in stack.alertmanager_alerts())
            received = {name for _, name, _ in stack.webhook.alerts()}
            if expected <= received and inhibited:
                break
            time.sleep(0.5)
        context = f"seen {first_seen}\n{stack.log('prometheus')}\n{ew.read_log()}"
        self.assertTrue(expected <= {n for _, n, _ in stack.webhook.alerts()}, context)
        # The status page did stop answering, long enough for its own alert to fire, and
        # Alertmanager held that alert back as a symptom of the saturation.
        self.assertTrue(inhibited, context)
        for name in expected:
            delay = stack.webhook.first_time(name) - first_seen[name]
            self.assertLessEqual(delay, FOR_SECONDS + 2 * EVAL_SECONDS + GROUP_WAIT_SECONDS + 1.5,
                                 f"{name}: {delay:.1f} s from pending to the receiver")
        saturated = [l for _, n, l in stack.webhook.alerts()
                     if n == "EdgewatchHttpdWorkersSaturated"]
        self.assertEqual({l["server"] for l in saturated}, {"www"})
        xmlrpc = [l for _, n, l in stack.webhook.alerts() if n == "EdgewatchXmlrpcFlood"]
        self.assertEqual({l["log"] for l in xmlrpc}, {"site"})
        # The top clients are flooding addresses, as many as the list holds.
        top = stack.query('edgewatch_xmlrpc_top_client_requests{log="site"}')
        self.assertEqual(len(top), 10, top)
        self.assertLessEqual({labels["client"] for labels, _ in top}, set(sources))

    def after_flood(self, stack, ew, apache, sources):
        watched = {"EdgewatchXmlrpcFlood", "EdgewatchHttpdWorkersSaturated",
                   "EdgewatchHttpdStatusDown"}
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            firing = names(stack.query("ALERTS")) & watched
            open_in_am = {a["labels"]["alertname"] for a in stack.alertmanager_alerts()
                          if a["status"]["state"] in ("active", "suppressed")} & watched
            if not firing and not open_in_am:
                break
            time.sleep(1)
        self.assertEqual((firing, open_in_am), (set(), set()), stack.log("prometheus"))
        # Nothing else was sent during the whole outage, and the symptom never was.
        self.assertEqual({n for _, n, _ in stack.webhook.alerts()},
                         {"EdgewatchXmlrpcFlood", "EdgewatchHttpdWorkersSaturated"})
        # The status page answers again.
        text = scrape(ew)
        self.assertIn('edgewatch_httpd_up{server="www"} 1', text)
        # The top list against a count of the access log: 30 clients fit its 40 entries, so
        # every listed count is exact, and no client left out sent more than one listed.
        with open(apache.access_log) as f:
            counts = collections.Counter(m.group(1) for m in map(XMLRPC_LINE.match, f) if m)
        self.assertEqual(set(counts), set(sources))
        listed = {m.group(1): float(m.group(2)) for m in re.finditer(
            r'^edgewatch_xmlrpc_top_client_requests\{log="site",client="([^"]+)"\} (\S+)$',
            text, re.M)}
        self.assertEqual(len(listed), 10, text)
        for client, count in listed.items():
            self.assertEqual(count, counts[client], client)
        self.assertGreaterEqual(min(listed.values()),
                                max(c for a, c in counts.items() if a not in listed))

    def test_prefork(self):
        self.outage("p", "prefork", {"ServerLimit": 5, "MaxRequestWorkers": 5}, 5)

    def test_event(self):
        self.outage("e", "event", {"ServerLimit": 2, "ThreadsPerChild": 3, "ThreadLimit": 3,
                                   "MaxRequestWorkers": 6, "MinSpareThreads": 3,
                                   "MaxSpareThreads": 6}, 2)


if __name__ == "__main__":
    unittest.main()
