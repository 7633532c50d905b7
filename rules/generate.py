#!/usr/bin/python3
"""Renders rules/edgewatch-alerts.rules.yml from rules/config.yml, and
deploy/kubernetes/prometheusrule.yaml (every group of rules/*.rules.yml as one PrometheusRule
for prometheus-operator).

    rules/generate.py            # rewrite both files
    rules/generate.py --check    # exit 1 if a committed file differs (run by the tests)
    rules/generate.py --stdout   # print the alerts

Every alert is written here once, with its thresholds and durations from the config; the
recording rules it builds on are the hand-written rules/edgewatch-*.rules.yml.
"""

import os
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "edgewatch-alerts.rules.yml")
OPERATOR = os.path.join(HERE, "..", "deploy", "kubernetes", "prometheusrule.yaml")


def alert(c, name, expr, duration, severity, summary, description, **annotations):
    return {
        "alert": name,
        "expr": expr.strip(),
        "for": duration,
        "labels": {"severity": severity},
        "annotations": {
            "summary": summary,
            "description": " ".join(description.split()),
            "runbook_url": f"{c['runbook_base']}/{name}.md",
            **annotations,
        },
    }


def top_site(kind):
    """An annotation template: the site most hit by `kind` requests in the alert's log (from
    edgewatch_http_top_vhost_requests), empty when the log's format names no site."""
    return ('{{ with printf "topk(1, edgewatch_http_top_vhost_requests{instance=%q,job=%q,'
            f'log=%q,kind=\\"{kind}\\"}})" $labels.instance $labels.job $labels.log | query }}}}'
            '{{ with first . }}{{ label "vhost" . }}{{ end }}{{ end }}')


def exporter_group(c):
    s, e = c["selector"], c["exporter"]
    return [
        alert(c, "EdgewatchDown", f"up{{{s}}} == 0", e["down_for"], "critical",
              "edgewatch on {{ $labels.instance }} is down",
              f"""Prometheus could not scrape edgewatch on {{{{ $labels.instance }}}} for
              {e['down_for']}: attack precursors on this edge host are not being watched."""),
        alert(c, "EdgewatchCollectorFailing", f"edgewatch_scrape_collector_success{{{s}}} == 0",
              e["collector_failing_for"], "warning",
              "edgewatch collector {{ $labels.collector }} failing on {{ $labels.instance }}",
              f"""The {{{{ $labels.collector }}}} collector on {{{{ $labels.instance }}}} has
              failed or missed its deadline in every scrape for {e['collector_failing_for']};
              its metrics are missing."""),
        alert(c, "EdgewatchConfigReloadFailed",
              f"edgewatch_config_last_reload_successful{{{s}}} == 0", e["reload_failed_for"],
              "warning", "edgewatch on {{ $labels.instance }} rejected its new configuration",
              """The last configuration reload on {{ $labels.instance }} failed; edgewatch
              keeps running the previous configuration."""),
        alert(c, "EdgewatchCaptureDroppingPackets", f"""
sum by (instance, job, interface) (rate(edgewatch_capture_packets_dropped_total{{{s}}}[5m]))
/
(sum by (instance, job, interface) (rate(edgewatch_capture_packets_received_total{{{s}}}[5m])) > 0)
> {e['capture_drop_ratio']}""", e["capture_drop_for"], "warning",
              "edgewatch capture on {{ $labels.instance }} {{ $labels.interface }} drops "
              "{{ $value | humanizePercentage }} of packets",
              """The packet capture on {{ $labels.instance }} interface {{ $labels.interface }}
              has dropped {{ $value | humanizePercentage }} of packets for a while: the
              reflection counters under-count, most likely during the flood they should show."""),
        alert(c, "EdgewatchReflectionRequestTableFull", f"""
sum by (instance, job) (rate(edgewatch_reflection_request_table_evictions_total{{{s}}}[5m])) > 0""",
              e["request_table_evicting_for"], "warning",
              "edgewatch on {{ $labels.instance }} forgets requests before they are answered",
              f"""The reflection request table on {{{{ $labels.instance }}}} has been full for
              {e['request_table_evicting_for']}: requests are forgotten before their answers
              arrive, and those answers count as unsolicited (reflected) traffic. Raise
              reflection.request_table_size."""),
        alert(c, "EdgewatchLogFileGone", f"""
edgewatch_log_up{{{s}}} == 0
unless on (instance, job, log) (max_over_time(edgewatch_log_up{{{s}}}[1d]) == 0)""",
              e["log_gone_for"], "warning",
              "log {{ $labels.log }} on {{ $labels.instance }} has no open file",
              """edgewatch on {{ $labels.instance }} followed the log {{ $labels.log }} within
              the last day but has no file of it open now: it was deleted, moved or made
              unreadable, and its attack counters stand still."""),
        alert(c, "EdgewatchAbsent", f"absent(up{{{s}}})", e["absent_for"], "critical",
              "no edgewatch target is scraped at all",
              f"""Prometheus has had no edgewatch target ({s}) for {e['absent_for']}: service
              discovery lost them, or the scrape job is gone. No edge host is watched, and no
              other edgewatch alert can fire."""),
        alert(c, "EdgewatchCaptureBlind", f"""
sum by (instance, job, interface) (rate(edgewatch_capture_undecoded_frames_total{{{s}}}[10m]))
/
(sum by (instance, job, interface) (rate(edgewatch_capture_packets_received_total{{{s}}}[10m])) > 0)
  > {e['capture_undecoded_ratio']}""", e["capture_undecoded_for"], "warning",
              "edgewatch capture on {{ $labels.instance }} {{ $labels.interface }} cannot read "
              "its feed",
              """{{ $value | humanizePercentage }} of the frames the capture of edgewatch on
              {{ $labels.instance }} ({{ $labels.interface }}) receives are in a tunnel it
              cannot decode (edgewatch_capture_undecoded_frames_total says which): reflection
              floods in that feed stay invisible."""),
        alert(c, "EdgewatchCaptureDown",
              f'edgewatch_capture_up{{{s},interface!="replay"}} == 0', e["capture_down_for"],
              "warning", "edgewatch capture on {{ $labels.instance }} {{ $labels.interface }} "
              "is not running",
              """The packet capture of edgewatch on {{ $labels.instance }} (interface
              {{ $labels.interface }}) is not running: reflection counters stand still, so no
              reflection flood can show. edgewatch retries; its log says why it failed."""),
        alert(c, "EdgewatchLogUnreadable", f"""
edgewatch_log_up{{{s}}} == 0 and on (instance, job, log) edgewatch_log_read_errors_total{{{s}}} > 0""",
              e["log_unreadable_for"], "warning",
              "log {{ $labels.log }} on {{ $labels.instance }} cannot be read",
              """edgewatch on {{ $labels.instance }} cannot open or read the log
              {{ $labels.log }} (permissions, a directory it may not enter, a FIFO): its attack
              counters stand still. Its log says which path and why."""),
        alert(c, "EdgewatchLogPathMatchesNothing", f"""
edgewatch_log_files{{{s}}} == 0
and on (instance, job, log) max_over_time(edgewatch_log_up{{{s}}}[1d]) == 0
unless on (instance, job, log) edgewatch_log_read_errors_total{{{s}}} > 0""",
              e["log_unmatched_for"], "warning",
              "log {{ $labels.log }} on {{ $labels.instance }} matches no file",
              """The path of the log {{ $labels.log }} on {{ $labels.instance }} has matched no
              file for a day or since edgewatch started: a typo in the path, a directory that
              does not exist, or the log of a server this host does not run. Its counters are
              not a quiet site, they see nothing. edgewatch's log says which part is missing."""),
        alert(c, "EdgewatchLogUnparsed", f"""
(
  sum by (instance, job, log) (rate(edgewatch_http_unparsed_lines_total{{{s}}}[10m]))
  or
  sum by (instance, job, log) (rate(edgewatch_mail_unparsed_lines_total{{{s}}}[10m]))
)
/
(sum by (instance, job, log) (rate(edgewatch_log_lines_total{{{s}}}[10m])) > 0)
> {e['unparsed_ratio']}""", e["unparsed_for"], "warning",
              "log {{ $labels.log }} on {{ $labels.instance }}: lines do not parse",
              """{{ $value | humanizePercentage }} of the lines of {{ $labels.log }} on
              {{ $labels.instance }} fail to parse: the configured format does not match what
              the server writes, and the log's attack counters see nothing."""),
    ]


def reflection_group(c):
    s, n = c["selector"], c["ntp"]
    return [
        alert(c, "EdgewatchNtpMonlistEnabled", f"edgewatch_ntp_monlist_exposed{{{s}}} == 1",
              n["monlist_exposed_for"], "warning",
              "NTP server {{ $labels.server }} answers monlist",
              """The monlist self-check of edgewatch on {{ $labels.instance }} got a monlist
              (mode 7) answer from {{ $labels.server }}: it can be abused as a ~200x reflector.
              Disable monitoring or restrict queries in ntp.conf."""),
        alert(c, "EdgewatchNtpReflectorAbused", f"""
edgewatch:ntp_reflection:ratio_rate5m{{{s}}} > {n['reflector_ratio']}
and on (instance, job, server)
sum by (instance, job, server) (rate(edgewatch_ntp_server_response_payload_bytes_total{{{s}}}[5m]))
  > {n['reflector_bytes_per_second']}""", n["reflector_for"], "critical",
              "NTP server {{ $labels.server }} is used as a reflector",
              """The local NTP server {{ $labels.server }} (seen by {{ $labels.instance }})
              answers {{ $value | printf "%.0f" }} times the bytes it is asked for, at high
              volume: it is amplifying an attack on someone else."""),
        alert(c, "EdgewatchLocalReflectorAbused", f"""
edgewatch:reflection_reflector_amplification:ratio{{{s}}} > {n['local_reflector_amplification']}
and on (instance, job, vector, reflector)
edgewatch_reflection_top_reflector_bytes{{{s}}} > {n['local_reflector_window_bytes']}""",
              n["local_reflector_for"], "critical",
              "local host {{ $labels.reflector }} reflects {{ $labels.vector }}",
              """The local host {{ $labels.reflector }} (seen by {{ $labels.instance }}) answers
              remote hosts with {{ $value | printf "%.0f" }} times the {{ $labels.vector }}
              bytes it is asked for, at high volume: a customer's server amplifying an attack on
              someone else. edgewatch_reflection_top_victim_bytes names whom."""),
        alert(c, "EdgewatchSpoofedEgress", f"""
sum by (instance, job) (edgewatch:capture_spoofed_egress_packets:rate5m{{{s}}})
  > {n['spoofed_egress_packets_per_second']}""", n["spoofed_egress_for"], "warning",
              "packets with forged sources leave through {{ $labels.instance }}",
              """{{ $value | printf "%.1f" }} packets per second leave through
              {{ $labels.instance }} with a source address outside its local networks: a host
              inside forges sources (reflection requests in a victim's name, spoofed floods), or
              local_networks misses a prefix. See edgewatch:capture_spoofed_egress_packets:rate5m
              by vector and protocol."""),
        alert(c, "EdgewatchReflectedTrafficInbound", f"""
edgewatch:reflection_unsolicited_payload_bytes:rate5m{{{s}}}
  > {n['reflected_in_bytes_per_second']}""", n["reflected_in_for"], "critical",
              "{{ $labels.vector }} reflection flood towards local hosts",
              """Unsolicited {{ $labels.vector }} responses reach local hosts behind
              {{ $labels.instance }} at {{ $value | humanize1024 }}B/s: a reflection attack on
              a local host. See edgewatch_reflection_top_target_bytes for the targets."""),
    ]


def bgp_group(c):
    s, b = c["selector"], c["bgp"]
    return [
        alert(c, "EdgewatchBgpNeighborUnresolvable",
              f"edgewatch_bgp_neighbor_resolve_success{{{s}}} == 0", b["unresolvable_for"],
              "warning", "BGP neighbour {{ $labels.neighbor }} no longer resolves",
              """The name of BGP neighbour {{ $labels.neighbor }} does not resolve from
              {{ $labels.instance }}: edgewatch probes its old addresses, if it had any, and
              cannot follow a change."""),
        alert(c, "EdgewatchBgpNeighborUnreachable", f"edgewatch_bgp_neighbor_up{{{s}}} == 0",
              b["unreachable_for"], "critical",
              "BGP neighbour {{ $labels.neighbor }} does not answer pings",
              """The BGP neighbour {{ $labels.neighbor }} has not answered edgewatch's pings
              from {{ $labels.instance }}: the link to it is down or saturated."""),
        alert(c, "EdgewatchBgpNeighborPacketLoss",
              f"edgewatch:bgp_neighbor_ping_loss:ratio_rate5m{{{s}}} > {b['loss_ratio']}",
              b["loss_for"], "warning",
              "{{ $value | humanizePercentage }} ping loss to BGP neighbour {{ $labels.neighbor }}",
              """Pings from {{ $labels.instance }} to the BGP neighbour {{ $labels.neighbor }}
              lose {{ $value | humanizePercentage }}: the path is congested."""),
        alert(c, "EdgewatchBgpNeighborLatencyHigh",
              f"edgewatch:bgp_neighbor_ping_rtt_seconds:p99_5m{{{s}}} > {b['rtt_p99_seconds']}",
              b["rtt_for"], "warning",
              "99th percentile RTT to BGP neighbour {{ $labels.neighbor }} is "
              "{{ $value | humanizeDuration }}",
              """Round trips from {{ $labels.instance }} to the BGP neighbour
              {{ $labels.neighbor }} take {{ $value | humanizeDuration }} at the 99th
              percentile: queues on the path are filling."""),
    ]


def httpd_group(c):
    s, h = c["selector"], c["httpd"]
    return [
        alert(c, "EdgewatchHttpdWorkersSaturated", f"""
edgewatch:httpd_worker_saturation:ratio{{{s}}} > {h['saturation_ratio']}
or
(
  max_over_time(edgewatch:httpd_worker_saturation:ratio{{{s}}}[{h['saturation_memory']}])
    > {h['saturation_ratio']}
  and on (instance, job, server) edgewatch_httpd_up{{{s}}} == 0
  and on (instance, job, server)
  increase(edgewatch_httpd_status_failures_total{{{s},reason="timeout"}}[5m]) > 0
)
or
(
  edgewatch:httpd_child_process_saturation:ratio{{{s}}} >= 1
  and on (instance, job, server) edgewatch_httpd_up{{{s}}} == 0
  and on (instance, job, server)
  increase(edgewatch_httpd_status_failures_total{{{s},reason="timeout"}}[5m]) > 0
)""", h["saturation_for"], "warning",
              "httpd {{ $labels.server }} has {{ $value | humanizePercentage }} of its workers busy",
              """{{ $labels.server }} (watched by {{ $labels.instance }}) has
              {{ $value | humanizePercentage }} of its workers busy, or had when its status page
              began to time out, or its status page times out while it runs as many child
              processes as its last good page allowed (an exhausted server cannot answer it):
              new requests queue.
              Look at the xmlrpc and wp-login rates and the top clients."""),
        # Beside the saturation alert, in its group: both are evaluated at one timestamp and
        # reach Alertmanager in one batch, so the inhibition holds from the first notification
        # (groups are evaluated at different offsets within the interval).
        alert(c, "EdgewatchHttpdStatusDown", f"edgewatch_httpd_up{{{s}}} == 0",
              h["status_down_for"], "warning",
              "status page of {{ $labels.server }} on {{ $labels.instance }} does not answer",
              """edgewatch on {{ $labels.instance }} cannot read the status page of
              {{ $labels.server }}: worker counts are missing. An exhausted Apache stops
              answering too (EdgewatchHttpdWorkersSaturated, when it fires, inhibits this)."""),
        alert(c, "EdgewatchXmlrpcFlood",
              f"edgewatch:xmlrpc_requests:rate5m{{{s}}} > {h['xmlrpc_per_second']}",
              h["xmlrpc_for"], "warning",
              "xmlrpc.php flood in {{ $labels.log }} ({{ $value | printf \"%.1f\" }}/s)",
              """The access log {{ $labels.log }} on {{ $labels.instance }} shows
              {{ $value | printf "%.1f" }} xmlrpc requests per second: pingback abuse or
              password guessing through system.multicall. The site most hit is in the site
              annotation (edgewatch_http_top_vhost_requests), the clients in
              edgewatch_xmlrpc_top_client_requests.""", site=top_site("xmlrpc")),
        alert(c, "EdgewatchWpLoginBruteForce",
              f"edgewatch:wp_login_posts:rate5m{{{s}}} > {h['wp_login_posts_per_second']}",
              h["wp_login_for"], "warning",
              "wp-login.php password guessing in {{ $labels.log }} "
              "({{ $value | printf \"%.1f\" }}/s)",
              """The access log {{ $labels.log }} on {{ $labels.instance }} shows
              {{ $value | printf "%.1f" }} wp-login.php POSTs per second: password guessing. See
              edgewatch_xmlrpc_top_client_requests for the clients."""),
        alert(c, "EdgewatchExploitProbes", f"""
sum by (instance, job, log, kind) (
  increase(edgewatch_http_exploit_probes_total{{{s}, code_class="2xx"}}[{h['exploit_probe_window']}])
) > 0""", "0m", "warning",
              "{{ $labels.kind }} probes answered 2xx in {{ $labels.log }}",
              f"""The access log {{{{ $labels.log }}}} on {{{{ $labels.instance }}}} had
              {{{{ $value | printf "%.0f" }}}} {{{{ $labels.kind }}}} probes answered with
              success in the last {h['exploit_probe_window']}: one may have worked. Probes
              answered 4xx are background noise and page nobody."""),
    ]


def mail_group(c):
    s, m = c["selector"], c["mail"]
    return [
        alert(c, "EdgewatchSpamPassThroughRising", f"""
(
  edgewatch:mail_pass_through:ratio_rate1h{{{s}}}
  - on (instance, job, log) edgewatch:mail_pass_through:ratio_rate1d{{{s}}}
) > {m['pass_through_rise']}
and on (instance, job, log)
sum by (instance, job, log) (rate(edgewatch_mail_filter_verdicts_total{{{s}}}[1h]))
  > {m['pass_through_min_scanned_per_second']}""", m["pass_through_for"], "warning",
              "spam filter pass-through in {{ $labels.log }} rose by "
              "{{ $value | humanizePercentage }}",
              """The content filter behind {{ $labels.log }} on {{ $labels.instance }} passed
              {{ $value | humanizePercentage }} more of the mail it scanned in the last hour
              than over the last day: spam is getting through. Compare with the snowshoe
              indicators and the RBL reject rates."""),
        alert(c, "EdgewatchSnowshoeSurge", f"""
sum by (instance, job, log) (edgewatch_mail_distinct_client_networks{{{s}}})
  > {m['snowshoe_networks']}
and on (instance, job, log)
edgewatch_mail_messages_per_client_network{{{s}}} < {m['snowshoe_messages_per_network']}""",
              m["snowshoe_for"], "warning",
              "snowshoe-shaped mail stream in {{ $labels.log }}",
              f"""Mail in {{{{ $labels.log }}}} on {{{{ $labels.instance }}}} comes from
              {{{{ $value | printf "%.0f" }}}} client networks with fewer than
              {m['snowshoe_messages_per_network']} messages each: a snowshoe spam run spread
              thin to stay under every per-source limit."""),
        alert(c, "EdgewatchMailPasswordGuessing", f"""
sum by (instance, job, log) (rate(edgewatch_mail_auth_failures_total{{{s}}}[5m]))
  > {m['auth_failures_per_second']}""", m["auth_failures_for"], "warning",
              "password guessing against mail accounts in {{ $labels.log }} "
              "({{ $value | printf \"%.1f\" }}/s)",
              """{{ $value | printf "%.1f" }} failed SMTP AUTH and IMAP/POP3 logins per second
              in {{ $labels.log }} on {{ $labels.instance }}: a brute force or password spray
              against the customers' mailboxes. Where from:
              edgewatch_mail_top_auth_failure_network_attempts."""),
        alert(c, "EdgewatchMailAccountSendingSurge", f"""
max by (instance, job, log, user) (edgewatch_mail_top_sasl_sender_messages{{{s}}})
  > {m['sasl_sender_window_messages']}
unless on (instance, job, log, user)
(
  max by (instance, job, log, user) (
    avg_over_time(edgewatch_mail_top_sasl_sender_messages{{{s}}}[1d] offset 1h)
  ) * {m['sasl_sender_baseline_factor']}
  >= on (instance, job, log, user)
  max by (instance, job, log, user) (edgewatch_mail_top_sasl_sender_messages{{{s}}})
)""", m["sasl_sender_for"], "warning",
              "mail account {{ $labels.user }} sent {{ $value | printf \"%.0f\" }} messages "
              "within the hour",
              f"""The account {{{{ $labels.user }}}} submitted {{{{ $value | printf "%.0f" }}}}
              messages through {{{{ $labels.log }}}} on {{{{ $labels.instance }}}} within the
              snowshoe window, more than {m['sasl_sender_baseline_factor']} times its average
              of the day before: a compromised password used to send spam, which puts the
              provider's own addresses on the blocklists."""),
    ]


def render(config):
    groups = [
        ("edgewatch-exporter.alerts", exporter_group(config)),
        ("edgewatch-reflection.alerts", reflection_group(config)),
        ("edgewatch-bgp.alerts", bgp_group(config)),
        ("edgewatch-httpd.alerts", httpd_group(config)),
        ("edgewatch-mail.alerts", mail_group(config)),
    ]
    doc = {"groups": [{"name": name, "rules": rules} for name, rules in groups]}

    header = ("# GENERATED by rules/generate.py from rules/config.yml: edit those, not this file.\n"
              "# Alerting rules for every incident class; they use the recording rules in\n"
              "# rules/edgewatch-*.rules.yml. Tested by rules/tests/edgewatch-alerts_test.yml.\n")
    return header + dump(doc)


def dump(doc):
    class Dumper(yaml.SafeDumper):
        pass

    def string(dumper, value):
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, string)
    return yaml.dump(doc, Dumper=Dumper, sort_keys=False, width=4096)


def render_operator(alerts_text):
    """Every group of the recording rule files and of the rendered alerts as a PrometheusRule."""
    groups = []
    for name in sorted(os.listdir(HERE)):
        if name.endswith(".rules.yml") and name != os.path.basename(OUT):
            with open(os.path.join(HERE, name)) as f:
                groups += yaml.safe_load(f)["groups"]
    groups += yaml.safe_load(alerts_text)["groups"]
    doc = {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule",
           "metadata": {"name": "edgewatch", "namespace": "edgewatch",
                        "labels": {"app.kubernetes.io/name": "edgewatch"}},
           "spec": {"groups": groups}}
    return ("# GENERATED by rules/generate.py from rules/*.rules.yml: the same rules for\n"
            "# prometheus-operator. Edit the rules, not this file.\n") + dump(doc)


def main():
    with open(os.path.join(HERE, "config.yml")) as f:
        config = yaml.safe_load(f)
    text = render(config)
    outputs = {OUT: text, OPERATOR: render_operator(text)}
    if "--stdout" in sys.argv:
        sys.stdout.write(text)
    elif "--check" in sys.argv:
        for path, content in outputs.items():
            with open(path) as f:
                if f.read() != content:
                    sys.exit(f"{path} is out of date: run rules/generate.py")
    else:
        for path, content in outputs.items():
            with open(path, "w") as f:
                f.write(content)


if __name__ == "__main__":
    main()
