"""A real Prometheus and Alertmanager for end-to-end tests, on loopback: Prometheus scrapes one
edgewatch every second and evaluates the shipped rules (with shorter for-durations),
Alertmanager routes with the shipped deploy/alertmanager/alertmanager.yml whose receivers are
pointed at a webhook in this process. And the global view of deploy/global on top of them."""

import http.server
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request

import yaml

from apache import free_port
from edgewatch_process import require_tool

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
GLOBAL = os.path.join(ROOT, "deploy", "global")


def dashboard_queries(instance, rate_interval="1m"):
    """(board, panel title, expr) of every query in grafana/dashboards, with the variables set
    to this job and instance."""
    out = []
    for name in sorted(os.listdir(os.path.join(ROOT, "grafana", "dashboards"))):
        with open(os.path.join(ROOT, "grafana", "dashboards", name)) as f:
            board = json.load(f)
        for panel in board["panels"]:
            for target in panel.get("targets", []):
                expr = (target["expr"].replace("$__rate_interval", rate_interval)
                        .replace("$job", "edgewatch").replace("$instance", re_escape(instance)))
                out.append((board["uid"], panel["title"], expr))
    return out


def rfc3339(text):
    """Unix seconds of Prometheus' RFC 3339 timestamps (nanosecond fractions included)."""
    import datetime
    m = re.fullmatch(r"(.*?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)", text)
    base = datetime.datetime.fromisoformat(m.group(1) + m.group(3).replace("Z", "+00:00"))
    return base.timestamp() + float("0." + (m.group(2) or "0"))


def re_escape(text):
    return text.replace(".", "\\\\.")


class Webhook:
    """Records every notification: (receiver path, alertname, labels), and when each came
    (`times`, monotonic seconds, in the same order); `annotations` holds the last annotations
    sent for each alertname."""

    def __init__(self):
        self.received = []
        self.times = []
        self.annotations = {}
        self.lock = threading.Lock()
        hook = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with hook.lock:
                    for alert in body.get("alerts", []):
                        if alert.get("status") == "firing":
                            hook.received.append((self.path.strip("/"),
                                                  alert["labels"].get("alertname"),
                                                  alert["labels"]))
                            hook.times.append(time.monotonic())
                            hook.annotations[alert["labels"].get("alertname")] = \
                                alert.get("annotations", {})
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def alerts(self):
        with self.lock:
            return list(self.received)

    def first_time(self, alertname):
        """When the first notification of `alertname` came, or None."""
        with self.lock:
            for (_, name, _), t in zip(self.received, self.times):
                if name == alertname:
                    return t
        return None

    def close(self):
        self.server.shutdown()


def compress(text, windows):
    """`text` with the range selectors of `windows` ({"5m": "20s"}) shortened."""
    for long, short in (windows or {}).items():
        text = text.replace(f"[{long}]", f"[{short}]")
    return text


def shorten_for(rules, for_duration):
    """Sets the for-duration of every alert in the rule file `rules` (parsed) to `for_duration`."""
    for group in rules["groups"]:
        for rule in group["rules"]:
            if "alert" in rule:
                # absent(up) holds from the start until the first scrape, which comes up to an
                # interval later, later still on a loaded machine: a minute, not `for_duration`.
                rule["for"] = "1m" if rule["alert"] == "EdgewatchAbsent" else for_duration


def rendered_rules(directory, for_duration="5s", windows=None):
    """The shipped alerts with every for-duration set to `for_duration`, and the shipped
    recording rules, as files in `directory`. `windows` ({"5m": "20s"}) shortens range selectors
    in both, time-compressing the rules as the for-durations are: rates per second and ratios
    keep their shipped thresholds."""
    with open(os.path.join(ROOT, "rules", "edgewatch-alerts.rules.yml")) as f:
        alerts = yaml.safe_load(f)
    shorten_for(alerts, for_duration)

    files = [os.path.join(directory, "alerts.rules.yml")]
    with open(files[0], "w") as f:
        f.write(compress(yaml.safe_dump(alerts), windows))
    for name in sorted(os.listdir(os.path.join(ROOT, "rules"))):
        if name.endswith(".rules.yml") and name != "edgewatch-alerts.rules.yml":
            with open(os.path.join(ROOT, "rules", name)) as f:
                text = f.read()
            files.append(os.path.join(directory, name))
            with open(files[-1], "w") as f:
                f.write(compress(text, windows))
    return files


def alertmanager_config(path, webhook_port):
    """The shipped routing and inhibition, each receiver a webhook at /<receiver name>, and
    notifications sent after a second instead of tens of seconds."""
    with open(os.path.join(ROOT, "deploy", "alertmanager", "alertmanager.yml")) as f:
        config = yaml.safe_load(f)
    config["global"] = {"resolve_timeout": "5m"}
    for receiver in config["receivers"]:
        name = receiver["name"]
        receiver.clear()
        receiver["name"] = name
        receiver["webhook_configs"] = [{"url": f"http://127.0.0.1:{webhook_port}/{name}",
                                        "send_resolved": False}]
    for route in [config["route"]] + config["route"].get("routes", []):
        route["group_wait"] = "1s"
        route["group_interval"] = "1s"
    with open(path, "w") as f:
        yaml.safe_dump(config, f)


class AlertStack:
    """Webhook, Alertmanager and Prometheus scraping edgewatch at `target` (host:port)."""

    def __init__(self, target, interval="1s", windows=None):
        self.interval = interval
        self.windows = windows
        self.prometheus = require_tool("prometheus")
        self.alertmanager = require_tool("prometheus-alertmanager")
        self.target = target
        self.dir = tempfile.mkdtemp(prefix="edgewatch-e2e-")
        self.procs = []

    def _start(self, name, command, ours, attempts=5):
        """Starts `command(port)` on a free port and returns the port once `ours(port)` says the
        service answering there is this one. The port is free when chosen, not when bound:
        another process may take it in between, and then this one exits and is started again on
        another."""
        log_path = os.path.join(self.dir, f"{name}.log")
        for _ in range(attempts):
            port = free_port()
            log = open(log_path, "w")
            proc = subprocess.Popen(command(port), stdout=log, stderr=subprocess.STDOUT)
            self.procs.append((proc, log))
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and proc.poll() is None:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=2)
                    if ours(port):
                        return port
                except OSError:
                    pass
                time.sleep(0.1)
            if proc.poll() is None or "address already in use" not in self.log(name):
                break
        raise AssertionError(f"{name} did not become ready:\n{self.log(name)}")

    def log(self, name):
        with open(os.path.join(self.dir, f"{name}.log")) as f:
            return f.read()[-3000:]

    def _start_alertmanager(self):
        """The webhook, and Alertmanager routing to it with the shipped routing."""
        self.webhook = Webhook()
        am_config = os.path.join(self.dir, "alertmanager.yml")
        alertmanager_config(am_config, self.webhook.port)
        self.am_port = self._start(
            "alertmanager",
            lambda port: [self.alertmanager, f"--config.file={am_config}",
                          f"--storage.path={self.dir}/am",
                          f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],
            # Its routing points at this test's webhook, whose port this process holds.
            lambda port: f"127.0.0.1:{self.webhook.port}/" in
            self._get(port, "/api/v2/status")["config"]["original"])

    def __enter__(self):
        self._start_alertmanager()
        rules = rendered_rules(self.dir, windows=self.windows)
        config = {
            "global": {"scrape_interval": self.interval, "evaluation_interval": self.interval},
            "rule_files": rules,
            "alerting": {"alertmanagers": [
                {"static_configs": [{"targets": [f"127.0.0.1:{self.am_port}"]}]}]},
            "scrape_configs": [{"job_name": "edgewatch",
                                "static_configs": [{"targets": [self.target]}]}],
        }
        self.prom_port = self._start_prometheus("prometheus", config)
        return self

    def _start_prometheus(self, name, config):
        """Prometheus with `config` (parsed), its port once it is ready."""
        prom_config = os.path.join(self.dir, f"{name}.yml")
        with open(prom_config, "w") as f:
            yaml.safe_dump(config, f)
        return self._start(
            name,
            lambda port: [self.prometheus, f"--config.file={prom_config}",
                          f"--storage.tsdb.path={self.dir}/{name}-tsdb",
                          f"--web.listen-address=127.0.0.1:{port}"],
            lambda port: self._get(port, "/api/v1/status/flags")["data"]["config.file"] ==
            prom_config)

    def query(self, expr, port=None, **params):
        """Instant query (of the Prometheus at `port`, this stack's by default; `time=` for
        another instant than now): [(labels, value)]."""
        return [(r["metric"], float(r["value"][1]))
                for r in self._api("query", port=port, query=expr, **params)["result"]]

    def alertmanager_alerts(self):
        """Alertmanager's alerts (API v2), active, silenced and inhibited alike."""
        url = f"http://127.0.0.1:{self.am_port}/api/v2/alerts"
        return json.load(urllib.request.urlopen(url, timeout=10))

    @staticmethod
    def _get(port, path):
        return json.loads(AlertStack._get_text(port, path))

    @staticmethod
    def _get_text(port, path):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as resp:
            return resp.read().decode()

    def server_time(self):
        """Prometheus' clock, in Unix seconds."""
        return float(self._api("query", query="time()")["result"][1])

    def _api(self, path, port=None, **params):
        url = (f"http://127.0.0.1:{port or self.prom_port}/api/v1/{path}?" +
               urllib.parse.urlencode(params, doseq=True))
        return json.load(urllib.request.urlopen(url, timeout=10))["data"]

    def rules_evaluated_after(self, t, timeout=60):
        """Waits until every rule group has been evaluated after Prometheus time `t`; returns
        every rule as Prometheus reports it then (state, health, lastError)."""
        deadline = time.monotonic() + timeout
        groups = []
        while time.monotonic() < deadline:
            groups = self._api("rules")["groups"]
            if groups and all(rfc3339(g["lastEvaluation"]) > t for g in groups):
                return [r for g in groups for r in g["rules"]]
            time.sleep(0.2)
        raise AssertionError(f"rule groups not all evaluated after {t}: "
                             f"{[(g['name'], g['lastEvaluation']) for g in groups]}")

    def wait_query(self, expr, predicate, timeout):
        deadline = time.monotonic() + timeout
        got = []
        while time.monotonic() < deadline:
            got = self.query(expr)
            if predicate(got):
                return got
            time.sleep(0.5)
        raise AssertionError(f"{expr} stayed {got}\n{self.log('prometheus')}")

    def __exit__(self, *exc):
        for proc, log in reversed(self.procs):
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()
        if hasattr(self, "webhook"):
            self.webhook.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class GlobalStack(AlertStack):
    """Many sites, one view, as deploy/global sets it up: each site an HA pair of agents (a
    Prometheus that evaluates the recording rules for the site, and vmagent) scraping the site's
    edgewatch and writing into one VictoriaMetrics, which drops the replica label and
    deduplicates the pair; vmalert evaluates the global rules over it (for-durations 5 s) and
    sends to Alertmanager with the shipped routing. `sites`: {site: edgewatch host:port}."""

    def __init__(self, sites, interval="1s", windows=None):
        super().__init__(None, interval, windows)
        self.sites = sites
        self.victoria_metrics = require_tool("victoria-metrics")
        self.vmagent = require_tool("vmagent")
        self.vmalert = require_tool("vmalert")
        self.site_ports = {}

    def __enter__(self):
        self._start_alertmanager()
        data = os.path.join(self.dir, "vm")
        self.prom_port = self._start(
            "victoria-metrics",
            lambda port: [self.victoria_metrics, f"-httpListenAddr=127.0.0.1:{port}",
                          f"-storageDataPath={data}", f"-dedup.minScrapeInterval={self.interval}",
                          f"-relabelConfig={GLOBAL}/relabel.yml", "-retentionPeriod=1d",
                          # Samples are queryable at once, not 30 s late (the default).
                          "-search.latencyOffset=1s"],
            lambda port: f'-storageDataPath="{data}"' in self._get_text(port, "/flags"))
        store = f"http://127.0.0.1:{self.prom_port}"
        for site, target in self.sites.items():
            with open(os.path.join(GLOBAL, "prometheus.yml")) as f:
                config = yaml.safe_load(f)
            config["global"].update(scrape_interval=self.interval,
                                    evaluation_interval=self.interval)
            config["global"]["external_labels"]["site"] = site
            # The site's own Prometheus evaluates every rule too (alerting nobody): the answer
            # the global rules must agree with.
            rules = os.path.join(self.dir, site)
            os.mkdir(rules)
            config["rule_files"] = rendered_rules(rules, windows=self.windows)
            config["scrape_configs"][0]["static_configs"] = [{"targets": [target]}]
            config["remote_write"][0]["url"] = f"{store}/api/v1/write"
            config["remote_write"][0]["queue_config"] = {"batch_send_deadline": "1s"}
            self.site_ports[site] = self._start_prometheus(f"prometheus-{site}", config)

            with open(os.path.join(GLOBAL, "vmagent-scrape.yml")) as f:
                scrape = yaml.safe_load(f)
            scrape["global"]["scrape_interval"] = self.interval
            scrape["scrape_configs"][0]["static_configs"] = [{"targets": [target]}]
            path = os.path.join(self.dir, f"vmagent-{site}.yml")
            with open(path, "w") as f:
                yaml.safe_dump(scrape, f)
            self._start(
                f"vmagent-{site}",
                lambda port: [self.vmagent, f"-httpListenAddr=127.0.0.1:{port}",
                              f"-promscrape.config={path}", f"-remoteWrite.url={store}/api/v1/write",
                              f"-remoteWrite.label=site={site}", "-remoteWrite.label=replica=2",
                              f"-remoteWrite.tmpDataPath={self.dir}/vmagent-{site}-queue"],
                lambda port: path in self._get_text(port, "/flags"))

        with open(os.path.join(GLOBAL, "edgewatch-global.rules.yml")) as f:
            rules = yaml.safe_load(f)
        shorten_for(rules, "5s")
        rules_path = os.path.join(self.dir, "global.rules.yml")
        with open(rules_path, "w") as f:
            f.write(compress(yaml.safe_dump(rules), self.windows))
        self._start(
            "vmalert",
            lambda port: [self.vmalert, f"-httpListenAddr=127.0.0.1:{port}", f"-rule={rules_path}",
                          f"-datasource.url={store}", f"-remoteWrite.url={store}",
                          f"-notifier.url=http://127.0.0.1:{self.am_port}",
                          f"-evaluationInterval={self.interval}"],
            lambda port: rules_path in self._get_text(port, "/flags"))
        return self

    def site_query(self, site, expr, **params):
        """Instant query of `site`'s own Prometheus."""
        return self.query(expr, port=self.site_ports[site], **params)
