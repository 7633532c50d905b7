#!/usr/bin/python3
"""Renders the Grafana dashboards in grafana/dashboards/ from the panel lists below.

    grafana/generate.py            # rewrite the dashboards
    grafana/generate.py --check    # exit 1 if a committed dashboard differs (run by the tests)

One overview for the wall and one drill-down board per area, linked both ways. Every board has
the datasource, job and instance variables; every query selects on them and uses
$__rate_interval; every panel has a unit; thresholds follow rules/config.yml.
"""

import json
import os
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "dashboards")
SEL = 'job=~"$job", instance=~"$instance"'
DS = {"type": "prometheus", "uid": "${datasource}"}

with open(os.path.join(HERE, "..", "rules", "config.yml")) as f:
    RULES = yaml.safe_load(f)


def steps(*pairs):
    """Threshold steps: green below the first value, then each colour from its value on."""
    out = [{"color": "green", "value": None}]
    out += [{"color": c, "value": v} for v, c in pairs]
    return {"mode": "absolute", "steps": out}


# A stat whose value is missing or NaN reads "no data" on grey, never as the green of a healthy
# 0: an absent series means edgewatch (or the input) is not seen, not that all is well.
NO_DATA = {"type": "special", "options": {"match": "null+nan",
                                          "result": {"text": "no data", "color": "#8e8e8e"}}}


def panel(kind, title, exprs, unit, w, h, thresholds=None, legend="", description="",
          instant=False, decimals=None):
    targets = []
    for i, e in enumerate(exprs if isinstance(exprs, list) else [exprs]):
        expr, fmt = (e if isinstance(e, tuple) else (e, legend))
        targets.append({"datasource": DS, "expr": expr, "legendFormat": fmt,
                        "refId": chr(ord("A") + i), "instant": instant,
                        "range": not instant})
    defaults = {"unit": unit}
    if thresholds:
        defaults["thresholds"] = thresholds
        defaults["color"] = {"mode": "thresholds"}
    if decimals is not None:
        defaults["decimals"] = decimals
    p = {"type": kind, "title": title, "description": description, "datasource": DS,
         "targets": targets, "fieldConfig": {"defaults": defaults, "overrides": []},
         "gridPos": {"w": w, "h": h}}
    if kind == "stat":
        defaults["noValue"] = "no data"
        defaults["mappings"] = [NO_DATA]
        p["options"] = {"colorMode": "background", "graphMode": "none", "textMode": "value",
                        "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                        "justifyMode": "center"}
    elif kind == "timeseries":
        p["options"] = {"legend": {"displayMode": "list", "placement": "bottom",
                                   "showLegend": True},
                        "tooltip": {"mode": "multi", "sort": "desc"}}
    elif kind in ("table", "bargauge"):
        p["options"] = {"showHeader": True} if kind == "table" else {
            "orientation": "horizontal", "displayMode": "basic",
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}}
    return p


def row(title):
    return {"type": "row", "title": title, "collapsed": False, "panels": [],
            "gridPos": {"w": 24, "h": 1}}


def stat(title, expr, unit, thresholds, w=4, h=5, description=""):
    return panel("stat", title, expr, unit, w, h, thresholds, description=description)


def down(metric, extra=""):
    """How many of `metric`'s 0/1 series are 0: "3 down", 0 when all are up, no data when
    there are none (nothing configured, or edgewatch not scraped)."""
    return f"sum(1 - {metric}{{{SEL}{extra}}})"


def series(title, exprs, unit, legend, w=12, h=8, description=""):
    return panel("timeseries", title, exprs, unit, w, h, legend=legend, description=description)


def layout(panels):
    """Places panels left to right, wrapping at 24 columns; rows take a line of their own."""
    x = y = line = 0
    for i, p in enumerate(panels, start=1):
        p["id"] = i
        w, h = p["gridPos"]["w"], p["gridPos"]["h"]
        if p["type"] == "row" or x + w > 24:
            x, y = 0, y + line
            line = 0
        p["gridPos"].update({"x": x, "y": y})
        x += w
        line = max(line, h)
        if p["type"] == "row":
            x, y, line = 0, y + h, 0
    return panels


def variables():
    return {"list": [
        {"name": "datasource", "label": "Data source", "type": "datasource",
         "query": "prometheus", "current": {}, "hide": 0, "refresh": 1},
        {"name": "job", "label": "Job", "type": "query", "datasource": DS,
         "query": {"query": "label_values(edgewatch_build_info, job)", "refId": "job"},
         "definition": "label_values(edgewatch_build_info, job)", "refresh": 2,
         "includeAll": False, "multi": False, "current": {"text": "edgewatch", "value": "edgewatch"},
         "hide": 0, "sort": 1},
        {"name": "instance", "label": "Edge host", "type": "query", "datasource": DS,
         "query": {"query": 'label_values(edgewatch_build_info{job=~"$job"}, instance)',
                   "refId": "instance"},
         "definition": 'label_values(edgewatch_build_info{job=~"$job"}, instance)', "refresh": 2,
         "includeAll": True, "multi": True, "allValue": ".+",
         "current": {"text": "All", "value": "$__all"}, "hide": 0, "sort": 1},
    ]}


BOARDS = {}


def board(uid, title, tags, panels, refresh="30s", links_to=()):
    links = [{"title": "Edge security overview", "type": "link", "url": "/d/edgewatch-overview",
              "icon": "dashboard", "includeVars": True, "keepTime": True,
              "targetBlank": False, "tooltip": "", "asDropdown": False, "tags": []}]
    if uid == "edgewatch-overview":
        links = [{"title": t, "type": "link", "url": f"/d/{u}", "icon": "dashboard",
                  "includeVars": True, "keepTime": True, "targetBlank": False, "tooltip": "",
                  "asDropdown": False, "tags": []} for u, t in links_to]
    BOARDS[uid] = {
        "uid": uid, "title": title, "tags": ["edgewatch"] + tags, "timezone": "browser",
        "schemaVersion": 39, "version": 1, "editable": True, "graphTooltip": 1,
        "refresh": refresh, "time": {"from": "now-6h", "to": "now"},
        "templating": variables(), "annotations": {"list": []}, "links": links,
        "panels": layout(panels),
    }


def main_boards():
    n, b, h, m, e = RULES["ntp"], RULES["bgp"], RULES["httpd"], RULES["mail"], RULES["exporter"]
    ri = "$__rate_interval"
    drill = [("edgewatch-reflection", "Reflection and amplification"),
             ("edgewatch-bgp", "BGP neighbours"), ("edgewatch-web", "Web servers"),
             ("edgewatch-mail", "Mail"), ("edgewatch-exporter", "edgewatch health")]
    # The wall: 1920x1080 without scrolling (24 grid units high at most; tests/lint checks the
    # arithmetic). Attack signals first, then edgewatch's own health, then who: no query falls
    # back to vector(0), so a missing input reads "no data", not a green 0.
    sat = (f"sum by (instance, server) (edgewatch_httpd_workers{{{SEL}, state=\"busy\"}}) / "
           f"(sum by (instance, server) (edgewatch_httpd_worker_slots{{{SEL}}}) > 0)")
    children = (f"edgewatch_httpd_server_child_processes{{{SEL}}} / "
                f"(edgewatch_httpd_server_child_process_limit{{{SEL}}} > 0)")
    passed = "edgewatch_mail_filter_verdicts_total{%s, action=\"passed\"}" % SEL
    verdicts = "edgewatch_mail_filter_verdicts_total{%s}" % SEL
    board("edgewatch-overview", "Edge security overview", ["overview"], [
        row("Attacks"),
        stat("NTP reflection ratio (worst server)",
             f"max(sum by (instance, server) (rate(edgewatch_ntp_server_response_payload_bytes_total{{{SEL}}}[{ri}])) / (sum by (instance, server) (rate(edgewatch_ntp_server_request_payload_bytes_total{{{SEL}}}[{ri}])) > 0))",
             "x", steps((n["reflector_ratio"] / 2, "orange"), (n["reflector_ratio"], "red"))),
        stat("Reflected traffic in",
             f"sum(rate(edgewatch_reflection_unsolicited_payload_bytes_total{{{SEL}}}[{ri}]))",
             "Bps", steps((n["reflected_in_bytes_per_second"] / 2, "orange"),
                          (n["reflected_in_bytes_per_second"], "red"))),
        stat("BGP neighbours not answering", down("edgewatch_bgp_neighbor_up"), "none",
             steps((1, "red"))),
        stat("Worst ping loss",
             f"max(1 - sum by (instance, neighbor) (rate(edgewatch_bgp_neighbor_ping_received_total{{{SEL}}}[{ri}])) / (sum by (instance, neighbor) (rate(edgewatch_bgp_neighbor_ping_sent_total{{{SEL}}}[{ri}])) > 0))",
             "percentunit", steps((b["loss_ratio"] / 2, "orange"), (b["loss_ratio"], "red"))),
        stat("Worker saturation (worst server)", f"max({sat} or {children})", "percentunit",
             steps((h["saturation_ratio"] * 0.8, "orange"), (h["saturation_ratio"], "red")),
             description="Busy workers over worker slots; while a status page cannot answer, "
                         "the server's child processes over the ceiling of its last good page."),
        stat("xmlrpc requests",
             f"sum(rate(edgewatch_xmlrpc_requests_total{{{SEL}}}[{ri}]))", "reqps",
             steps((h["xmlrpc_per_second"] / 2, "orange"), (h["xmlrpc_per_second"], "red"))),
        stat("wp-login POSTs",
             f"sum(rate(edgewatch_wp_login_requests_total{{{SEL}, method=\"POST\"}}[{ri}]))",
             "reqps", steps((h["wp_login_posts_per_second"] / 2, "orange"),
                            (h["wp_login_posts_per_second"], "red"))),
        stat("Exploit probes answered 2xx (15m)",
             f"sum(increase(edgewatch_http_exploit_probes_total{{{SEL}, code_class=\"2xx\"}}[{h['exploit_probe_window']}]))",
             "none", steps((1, "red")),
             description="Probes the server answered with success: one may have worked. "
                         "Probes answered 4xx are on the web board."),
        stat("Spam pass-through: last hour minus last day",
             f"max(sum by (instance, log) (rate({passed}[1h])) / (sum by (instance, log) (rate({verdicts}[1h])) > 0) - sum by (instance, log) (rate({passed}[1d])) / (sum by (instance, log) (rate({verdicts}[1d])) > 0))",
             "percentunit", steps((m["pass_through_rise"] / 2, "orange"), (m["pass_through_rise"], "red"))),
        stat("Client networks (snowshoe window)",
             f"max(sum by (instance, log) (edgewatch_mail_distinct_client_networks{{{SEL}}}))",
             "none", steps((m["snowshoe_networks"] / 2, "orange"), (m["snowshoe_networks"], "red"))),
        stat("Firing edgewatch alerts",
             f"count(ALERTS{{alertstate=\"firing\", alertname=~\"Edgewatch.*\", {SEL}}}) or count(up{{{SEL}}}) * 0",
             "none", steps((1, "red")), w=8,
             description="0 while edgewatch targets are scraped and nothing fires; no data when "
                         "Prometheus knows no edgewatch target."),
        row("edgewatch health: is anything blind?"),
        stat("Edge hosts down", down("up"), "none", steps((1, "red")), h=4),
        stat("Captures not running", down("edgewatch_capture_up", ', interface!="replay"'),
             "none", steps((1, "red")), h=4),
        stat("Capture drops (worst)",
             f"max(sum by (instance, interface) (rate(edgewatch_capture_packets_dropped_total{{{SEL}}}[{ri}])) / (sum by (instance, interface) (rate(edgewatch_capture_packets_received_total{{{SEL}}}[{ri}])) > 0))",
             "percentunit", steps((e["capture_drop_ratio"], "red")), h=4),
        stat("Logs not open", down("edgewatch_log_up"), "none", steps((1, "red")), h=4),
        stat("Status pages down", down("edgewatch_httpd_up"), "none", steps((1, "red")), h=4),
        stat("Failing collectors", down("edgewatch_scrape_collector_success"), "none",
             steps((1, "red")), h=4),
        row("Who"),
        panel("bargauge", "Top reflection targets", f"topk(5, sum by (target) (edgewatch_reflection_top_target_bytes{{{SEL}}}))",
              "decbytes", 8, 7, legend="{{target}}", instant=True),
        panel("bargauge", "Top xmlrpc / wp-login clients",
              f"topk(5, sum by (client) (edgewatch_xmlrpc_top_client_requests{{{SEL}}}))", "none",
              8, 7, legend="{{client}}", instant=True),
        panel("table", "Firing alerts",
              f"sum by (alertname, severity, instance) (ALERTS{{alertstate=\"firing\", alertname=~\"Edgewatch.*\", {SEL}}})",
              "none", 8, 7, instant=True),
    ], refresh="10s", links_to=drill)

    board("edgewatch-reflection", "Reflection and amplification", ["reflection"], [
        series("Reflected (unsolicited) bytes in, by vector",
               f"sum by (vector) (rate(edgewatch_reflection_unsolicited_payload_bytes_total{{{SEL}}}[{ri}]))",
               "Bps", "{{vector}}"),
        series("Response bytes out, by vector",
               f"sum by (vector) (rate(edgewatch_reflection_payload_bytes_total{{{SEL}, direction=\"out\", side=\"response\"}}[{ri}]))",
               "Bps", "{{vector}}"),
        series("NTP reflection ratio by local server",
               f"sum by (server) (rate(edgewatch_ntp_server_response_payload_bytes_total{{{SEL}}}[{ri}])) / (sum by (server) (rate(edgewatch_ntp_server_request_payload_bytes_total{{{SEL}}}[{ri}])) > 0)",
               "x", "{{server}}"),
        series("NTP monlist packets",
               f"sum by (direction, side) (rate(edgewatch_ntp_monlist_packets_total{{{SEL}}}[{ri}]))",
               "pps", "{{direction}} {{side}}"),
        panel("table", "Top reflection targets",
              f"sum by (vector, target) (edgewatch_reflection_top_target_bytes{{{SEL}}})",
              "decbytes", 12, 8, instant=True),
        panel("table", "Local reflectors: response bytes and amplification",
              [(f"sum by (vector, reflector) (edgewatch_reflection_top_reflector_bytes{{{SEL}}})", "bytes"),
               (f"sum by (vector, reflector) (edgewatch_reflection_top_reflector_bytes{{{SEL}}}) / (sum by (vector, reflector) (edgewatch_reflection_top_reflector_request_bytes{{{SEL}}}) > 0)", "amplification")],
              "decbytes", 12, 8, instant=True,
              description="Customers' servers answering remote hosts most over the collector's "
                          "window, and how many times the bytes they were asked for."),
        panel("table", "Whom local hosts answer most",
              f"sum by (vector, victim) (edgewatch_reflection_top_victim_bytes{{{SEL}}})",
              "decbytes", 12, 8, instant=True),
        series("Fragments of UDP datagrams",
               [(f"sum by (interface) (rate(edgewatch_capture_ip_fragments_total{{{SEL}}}[{ri}]))", "all fragments {{interface}}"),
                (f"sum by (result) (rate(edgewatch_reflection_fragments_total{{{SEL}}}[{ri}]))", "later fragments {{result}}")],
               "pps", "",
               description="Fragmented answers (DNS ANY, CLDAP, memcached) count with their "
                           "vector; unmatched later fragments had no first fragment in sight."),
        series("Spoofed egress (BCP 38), by vector and protocol",
               f"sum by (vector, protocol) (rate(edgewatch_capture_spoofed_egress_packets_total{{{SEL}}}[{ri}]))",
               "pps", "{{vector}} {{protocol}}",
               description="Packets leaving with a source outside the local networks: a host "
                           "inside launching reflection in a victim's name (reflection."
                           "spoofed_egress)."),
        series("Capture: received and dropped",
               [(f"sum by (interface) (rate(edgewatch_capture_packets_received_total{{{SEL}}}[{ri}]))", "received {{interface}}"),
                (f"sum by (interface) (rate(edgewatch_capture_packets_dropped_total{{{SEL}}}[{ri}]))", "dropped {{interface}}")],
               "pps", ""),
    ])

    board("edgewatch-bgp", "BGP neighbours", ["bgp"], [
        panel("stat", "Up", f"edgewatch_bgp_neighbor_up{{{SEL}}}", "bool_yes_no", 24, 4,
              {"mode": "absolute", "steps": [{"color": "red", "value": None},
                                             {"color": "green", "value": 1}]},
              legend="{{neighbor}}"),
        series("Ping loss",
               f"1 - sum by (neighbor) (rate(edgewatch_bgp_neighbor_ping_received_total{{{SEL}}}[{ri}])) / (sum by (neighbor) (rate(edgewatch_bgp_neighbor_ping_sent_total{{{SEL}}}[{ri}])) > 0)",
               "percentunit", "{{neighbor}}"),
        series("RTT p50 and p99",
               [(f"histogram_quantile(0.5, sum by (neighbor, le) (rate(edgewatch_bgp_neighbor_ping_rtt_seconds_bucket{{{SEL}}}[{ri}])))", "p50 {{neighbor}}"),
                (f"histogram_quantile(0.99, sum by (neighbor, le) (rate(edgewatch_bgp_neighbor_ping_rtt_seconds_bucket{{{SEL}}}[{ri}])))", "p99 {{neighbor}}")],
               "s", ""),
        series("Probes sent and replies",
               [(f"sum by (neighbor) (rate(edgewatch_bgp_neighbor_ping_sent_total{{{SEL}}}[{ri}]))", "sent {{neighbor}}"),
                (f"sum by (neighbor) (rate(edgewatch_bgp_neighbor_ping_received_total{{{SEL}}}[{ri}]))", "received {{neighbor}}")],
               "pps", ""),
        series("Send errors and duplicates",
               [(f"sum by (neighbor) (rate(edgewatch_bgp_neighbor_ping_send_errors_total{{{SEL}}}[{ri}]))", "send errors {{neighbor}}"),
                (f"sum by (neighbor) (rate(edgewatch_bgp_neighbor_ping_duplicates_total{{{SEL}}}[{ri}]))", "duplicates {{neighbor}}")],
               "pps", ""),
    ])

    board("edgewatch-web", "Web servers", ["httpd", "access-log"], [
        series("Worker saturation",
               [(f"sum by (server) (edgewatch_httpd_workers{{{SEL}, state=\"busy\"}}) / (sum by (server) (edgewatch_httpd_worker_slots{{{SEL}}}) > 0)", "workers {{server}}"),
                (f"sum by (server) (edgewatch_httpd_server_child_processes{{{SEL}}}) / (sum by (server) (edgewatch_httpd_server_child_process_limit{{{SEL}}}) > 0)", "child processes {{server}}")],
               "percentunit", "",
               description="Busy workers over worker slots (from the status page), and child "
                           "processes over the ceiling of the last good page (from /proc: still "
                           "there when an exhausted server cannot answer its page)."),
        series("Host load and server CPU",
               [(f"max by (instance) (edgewatch_host_load{{{SEL}, window=\"1m\"}})", "load 1m {{instance}}"),
                (f"sum by (server) (rate(edgewatch_httpd_server_cpu_seconds_total{{{SEL}}}[{ri}]))", "CPU cores {{server}}")],
               "short", ""),
        series("Scoreboard",
               f"sum by (state) (edgewatch_httpd_scoreboard{{{SEL}}})", "none", "{{state}}"),
        series("Requests by code",
               f"sum by (code) (rate(edgewatch_http_requests_total{{{SEL}}}[{ri}]))", "reqps",
               "{{code}}"),
        series("xmlrpc and wp-login requests",
               [(f"sum by (log) (rate(edgewatch_xmlrpc_requests_total{{{SEL}}}[{ri}]))", "xmlrpc {{log}}"),
                (f"sum by (log) (rate(edgewatch_wp_login_requests_total{{{SEL}}}[{ri}]))", "wp-login {{log}}")],
               "reqps", ""),
        series("Exploit probes and pingbacks",
               [(f"sum by (kind) (rate(edgewatch_http_exploit_probes_total{{{SEL}}}[{ri}]))", "{{kind}}"),
                (f"sum(rate(edgewatch_http_pingback_requests_total{{{SEL}}}[{ri}]))", "pingback")],
               "reqps", ""),
        panel("table", "Top xmlrpc / wp-login clients",
              f"sum by (log, client) (edgewatch_xmlrpc_top_client_requests{{{SEL}}})", "none",
              12, 8, instant=True),
        panel("table", "Top sites under xmlrpc flood",
              f"sum by (log, vhost) (edgewatch_http_top_vhost_requests{{{SEL}, kind=\"xmlrpc\"}})",
              "none", 12, 8, instant=True,
              description="xmlrpc POSTs per site in the top window: the site to look at when "
                          "EdgewatchXmlrpcFlood fires (its site annotation names the first)."),
    ])

    board("edgewatch-mail", "Mail", ["mail"], [
        series("Filter verdicts by action",
               f"sum by (filter, action) (rate(edgewatch_mail_filter_verdicts_total{{{SEL}}}[{ri}]))",
               "ops", "{{filter}} {{action}}"),
        series("Pass-through (1h)",
               f"sum by (log) (rate(edgewatch_mail_filter_verdicts_total{{{SEL}, action=\"passed\"}}[1h])) / (sum by (log) (rate(edgewatch_mail_filter_verdicts_total{{{SEL}}}[1h])) > 0)",
               "percentunit", "{{log}}"),
        series("Rejects by reason",
               f"sum by (reason) (rate(edgewatch_mail_rejects_total{{{SEL}}}[{ri}]))", "ops",
               "{{reason}}"),
        series("RBL rejects by list",
               f"sum by (rbl) (rate(edgewatch_mail_rbl_rejects_total{{{SEL}}}[{ri}]))", "ops",
               "{{rbl}}"),
        series("Snowshoe: client networks and sender domains",
               [(f"sum by (log, family) (edgewatch_mail_distinct_client_networks{{{SEL}}})", "networks {{log}} {{family}}"),
                (f"sum by (log) (edgewatch_mail_distinct_sender_domains{{{SEL}}})", "domains {{log}}")],
               "none", ""),
        series("Connections and accepted messages",
               [(f"sum by (log) (rate(edgewatch_mail_connections_total{{{SEL}}}[{ri}]))", "connections {{log}}"),
                (f"sum by (log) (rate(edgewatch_mail_messages_accepted_total{{{SEL}}}[{ri}]))", "accepted {{log}}")],
               "ops", ""),
        series("Failed logins (SMTP AUTH, IMAP/POP3)",
               f"sum by (log, service) (rate(edgewatch_mail_auth_failures_total{{{SEL}}}[{ri}]))",
               "ops", "{{log}} {{service}}",
               description="Password guessing: EdgewatchMailPasswordGuessing fires above "
                           f"{m['auth_failures_per_second']}/s."),
        panel("table", "Networks failing logins most",
              f"sum by (log, network) (edgewatch_mail_top_auth_failure_network_attempts{{{SEL}}})",
              "none", 12, 8, instant=True,
              description="Failed attempts per /24 or /48 in the snowshoe window."),
        panel("table", "Accounts sending most",
              f"sum by (log, user) (edgewatch_mail_top_sasl_sender_messages{{{SEL}}})",
              "none", 12, 8, instant=True,
              description="Messages per SASL account in the snowshoe window: a compromised "
                          "account tops it (EdgewatchMailAccountSendingSurge above "
                          f"{m['sasl_sender_window_messages']})."),
    ])

    board("edgewatch-exporter", "edgewatch health", ["health"], [
        series("Collector success",
               f"min by (collector) (edgewatch_scrape_collector_success{{{SEL}}})", "bool",
               "{{collector}}"),
        series("Collector duration",
               f"max by (collector) (edgewatch_scrape_collector_duration_seconds{{{SEL}}})", "s",
               "{{collector}}"),
        series("Followed logs open",
               f"sum by (log) (edgewatch_log_up{{{SEL}}})", "none", "{{log}}"),
        series("Log lines read",
               f"sum by (log) (rate(edgewatch_log_lines_total{{{SEL}}}[{ri}]))", "ops", "{{log}}"),
        series("Capture drop ratio",
               f"sum by (interface) (rate(edgewatch_capture_packets_dropped_total{{{SEL}}}[{ri}])) / (sum by (interface) (rate(edgewatch_capture_packets_received_total{{{SEL}}}[{ri}])) > 0) or sum by (interface) (edgewatch_capture_up{{{SEL}}}) * 0",
               "percentunit", "{{interface}}"),
        series("Capture: tunnelled frames, decoded and not",
               [(f"sum by (encapsulation) (rate(edgewatch_capture_encapsulated_frames_total{{{SEL}}}[{ri}]))", "decoded {{encapsulation}}"),
                (f"sum by (encapsulation) (rate(edgewatch_capture_undecoded_frames_total{{{SEL}}}[{ri}]))", "undecoded {{encapsulation}}")],
               "pps", "",
               description="What a SPAN, tap or remote-SPAN feed carries: undecoded frames are "
                           "traffic the capture is blind to (EdgewatchCaptureBlind)."),
        series("Resident memory", f"process_resident_memory_bytes{{{SEL}}}", "bytes",
               "{{instance}}"),
    ])
    return BOARDS


def render():
    return {uid: json.dumps(b, indent=2, sort_keys=False) + "\n"
            for uid, b in main_boards().items()}


def main():
    os.makedirs(OUT, exist_ok=True)
    stale = []
    for uid, text in render().items():
        path = os.path.join(OUT, f"{uid}.json")
        if "--check" in sys.argv:
            if not os.path.exists(path) or open(path).read() != text:
                stale.append(path)
        else:
            with open(path, "w") as f:
                f.write(text)
    if stale:
        sys.exit("out of date (run grafana/generate.py): " + ", ".join(stale))


if __name__ == "__main__":
    main()
