"""End to end: a real edgewatch fed with incident data (an NTP monlist flood on a veth, the
border routers' sFlow and NetFlow of it, an xmlrpc flood access log, a snowshoe mail log), a real Prometheus evaluating the shipped rules
(for-durations shortened to 5 s) and a real Alertmanager routing with the shipped config: the
expected alerts reach the expected receivers within a bounded time. With normal data (ordinary
NTP, the baseline access log, a normal mail stream) none do."""

import contextlib
import os
import tempfile
import time
import unittest

from alerting import AlertStack, dashboard_queries
from apache import Apache
from edgewatch_process import Edgewatch, free_udp_port
from incident import CLIENT_REQUEST, SERVER_RESPONSE, FlowFeed, flood, monlist_flood, read
from netns import VethHost

ACCESS_LOG = "blog.example-access.log"


def config(directory, host, apache, flow_port):
    path = os.path.join(directory, "edgewatch.yml")
    with open(path, "w") as f:
        f.write(f"reflection:\n  interface: {host.outer}\n  ntp:\n    servers: [{host.OUTER_IP}]\n"
                f"httpd:\n  servers:\n    - name: www\n      url: {apache.status_url}\n"
                f"      pid_file: {apache.pid_file}\n"
                f"bgp:\n  neighbors:\n    - name: peer\n      address: {host.INNER_IP}\n"
                # A per-site log, as hosting panels write them: the site from the file name.
                f"access_log:\n  logs:\n    - name: site\n      path: {directory}/*-access.log\n"
                f"      format: combined\n      vhost_from_path: true\n"
                f"mail_log:\n  logs:\n    - name: mx\n"
                f"      path: {directory}/mail.log\n"
                # The border routers' flows of the incident (FlowFeed).
                f"flow:\n  enabled: true\n  listen: [\"127.0.0.1:{flow_port}\"]\n"
                f"  agents: [127.0.0.0/8]\n  local_networks: [198.51.100.0/24]\n")
    for name in (ACCESS_LOG, "mail.log"):
        open(os.path.join(directory, name), "w").close()
    return path


class AlertsEndToEndTest(unittest.TestCase):
    def feed_logs(self, d, access, mail, rounds, flows=None):
        """Appends the access log `rounds` times and the mail log in `rounds` parts (and sends
        a round of `flows`), a second apart: Prometheus must see counters grow, not appear at
        their final value."""
        lines = mail.splitlines(keepends=True)
        part = -(-len(lines) // rounds)
        for i in range(rounds):
            with open(os.path.join(d, ACCESS_LOG), "a") as f:
                f.write(access)
            with open(os.path.join(d, "mail.log"), "a") as f:
                f.write("".join(lines[i * part:(i + 1) * part]))
            if flows is not None:
                flows.send_round()
            time.sleep(1)

    @contextlib.contextmanager
    def stack(self, tag):
        """A test host on a veth, Apache, edgewatch watching them and two empty logs, and
        Prometheus and Alertmanager on top, once Prometheus scrapes edgewatch."""
        with VethHost(tag) as host, Apache("event") as apache, \
                tempfile.TemporaryDirectory() as d:
            self.flow_port = free_udp_port()
            with Edgewatch(f"--config.file={config(d, host, apache, self.flow_port)}") as ew, \
                    AlertStack(f"127.0.0.1:{ew.port()}") as stack:
                ew.wait_for_log('msg="capture started"', 15)
                stack.wait_query('up{job="edgewatch"}', lambda r: r and r[0][1] == 1, 30)
                yield host, d, ew, stack

    def test_incident_alerts_reach_their_receivers(self):
        with self.stack("e") as (host, d, ew, stack):
            monlist_flood(host)
            # The xmlrpc flood six times over (3000 xmlrpc requests, 18 Shellshock probes, all
            # answered 404: noise), one Shellshock probe a CGI answered 200 each round (one that
            # may have worked), and a snowshoe stream.
            answered = ('203.0.113.66 - - [20/Nov/2026:10:02:00 +0000] "GET /cgi-bin/status '
                        'HTTP/1.1" 200 512 "-" "() { :; }; /bin/bash -c id"\n')
            # SYNTHETIC: a password guessed, then the account used to send spam through the
            # webmail (600 messages submitted from localhost, which the snowshoe indicators
            # leave out) while the guessing goes on (600 failed logins from one /24).
            compromised = "".join(
                f"Nov 16 10:30:{i % 60:02d} mx postfix/submission/smtpd[4{i % 7}]: "
                f"5A{i:08X}: client=localhost[127.0.0.1], sasl_method=LOGIN, "
                "sasl_username=webmaster@customer.example\n"
                f"Nov 16 10:30:{i % 60:02d} mx postfix/qmgr[812]: 5A{i:08X}: "
                "from=<webmaster@customer.example>, size=2210, nrcpt=25 (queue active)\n"
                f"Nov 16 10:30:{i % 60:02d} mx postfix/smtpd[5{i % 7}]: warning: "
                f"unknown[203.0.113.{i % 250}]: SASL LOGIN authentication failed: "
                "authentication failure\n" for i in range(600))
            self.feed_logs(d, read("access_log", "incident-xmlrpc-flood.log") + answered,
                           read("mail_log", "snowshoe.log") + compromised, 6,
                           FlowFeed(self.flow_port))
            expected = {
                ("pager", "EdgewatchReflectedTrafficInbound"),
                ("pager", "EdgewatchNtpReflectorAbused"),
                ("chat", "EdgewatchXmlrpcFlood"),
                ("chat", "EdgewatchSnowshoeSurge"),
                ("chat", "EdgewatchExploitProbes"),
                ("chat", "EdgewatchMailPasswordGuessing"),
                ("chat", "EdgewatchMailAccountSendingSurge"),
            }
            deadline = time.monotonic() + 120
            got = set()
            while time.monotonic() < deadline and not expected <= got:
                got = {(receiver, name) for receiver, name, _ in stack.webhook.alerts()}
                time.sleep(0.5)
            self.assertTrue(expected <= got, f"missing {expected - got}; got {got}\n"
                            f"{stack.log('prometheus')}\n{stack.log('alertmanager')}")
            labels = {name: l for _, name, l in stack.webhook.alerts()}
            self.assertEqual(labels["EdgewatchNtpReflectorAbused"]["server"], host.OUTER_IP)
            self.assertEqual(labels["EdgewatchReflectedTrafficInbound"]["vector"], "ntp")
            self.assertEqual(labels["EdgewatchXmlrpcFlood"]["log"], "site")
            # The flood alert names the site, from the top list of the file-named sites.
            self.assertEqual(stack.webhook.annotations["EdgewatchXmlrpcFlood"].get("site"),
                             "blog.example")
            self.assertEqual(labels["EdgewatchExploitProbes"]["kind"], "shellshock")
            self.assertEqual(labels["EdgewatchSnowshoeSurge"]["log"], "mx")
            self.assertEqual(labels["EdgewatchMailAccountSendingSurge"]["user"],
                             "webmaster@customer.example")
            for name in labels:
                self.assertEqual(labels[name]["job"], "edgewatch")
                self.assertEqual(labels[name]["instance"], f"127.0.0.1:{ew.port()}")
            # Every panel of every Grafana board shows data for this incident.
            empty = []
            for board, title, expr in dashboard_queries(f"127.0.0.1:{ew.port()}"):
                if not stack.query(expr):
                    empty.append(f"{board}: {title}: {expr}")
            self.assertEqual(empty, [])

    def test_normal_traffic_raises_no_alert(self):
        with self.stack("n") as (host, d, ew, stack):
            # The routers export their interface counters from the start, and no flow of an
            # attack.
            flows = FlowFeed(self.flow_port, incident=False)
            flows.send_round()
            # NTP as it should be: clients ask this host's server, it answers in kind.
            flood(host, True, CLIENT_REQUEST, 4000, host.INNER_IP, host.OUTER_IP, 5000, 123)
            flood(host, False, SERVER_RESPONSE, 4000, host.OUTER_IP, host.INNER_IP, 123, 5000)
            elastic = read("access_log", "elastic-examples-apache_logs.log")
            self.feed_logs(d, elastic[:len(elastic) // 2], read("mail_log", "normal.log"), 2,
                           flows)
            # The pipeline works: the data is in Prometheus and the rules are evaluated.
            stack.wait_query("edgewatch:ntp_reflection:ratio_rate5m", lambda r: r, 30)
            stack.wait_query('edgewatch:http_requests:rate5m{code="200"}', lambda r: r, 30)
            stack.wait_query("edgewatch_mail_distinct_client_networks", lambda r: r, 30)
            # Every rule evaluated for longer than the 5 s for-duration after the data was in,
            # and healthy: none went pending or firing at any evaluation since the start (the
            # absent(up) alert may be pending before the first scrape; it must not fire).
            data_in = stack.server_time()
            rules = stack.rules_evaluated_after(data_in + 5 + 2)
            self.assertEqual([(r["name"], r["lastError"]) for r in rules if r["health"] != "ok"],
                             [])
            self.assertEqual([r["name"] for r in rules if r.get("state", "inactive") != "inactive"],
                             [])
            self.assertEqual(stack.query('count_over_time(ALERTS{alertname!="EdgewatchAbsent"}'
                                         '[10m])'), [])
            self.assertEqual(stack.query('count_over_time(ALERTS{alertstate="firing"}[10m])'), [])
            self.assertEqual(stack.webhook.alerts(), [], stack.log("prometheus"))


if __name__ == "__main__":
    unittest.main()
