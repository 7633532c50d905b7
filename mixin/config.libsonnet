// Thresholds, durations, selectors and the runbook location of the edgewatch alerts and
// boards, in one place. Override any of it in your own jsonnet:
//   (import 'edgewatch-mixin/mixin.libsonnet') + { _config+:: { selector: 'job="edge"' } }
// or edit it here and run mixin/generate.sh to re-render rules/, grafana/dashboards/ and
// deploy/kubernetes/prometheusrule.yaml (the tests fail when those are out of date).
// Durations are Prometheus durations.
{
  _config+:: {
    // Each alert's runbook_url is this pattern with the alert's name for %s. Point it at your
    // own copy of docs/runbooks (a wiki, an internal Git server) to annotate your changes.
    runbookURLPattern: 'https://github.com/edgewatch/edgewatch/blob/main/docs/runbooks/%s.md',
    // Selects edgewatch's series in the alerts (raw metrics and the recording rules, which
    // keep the job label).
    selector: 'job="edgewatch"',
    // The labels every rule aggregates by and joins on, besides its own: add the external
    // label that tells sites apart (e.g. 'site, instance, job') where the rules are evaluated
    // over a global store, so two sites never add up and their alerts say which site.
    groupLabels: 'instance, job',
    // Selects them on the boards: the board's job and edge-host variables.
    dashboardSelector: 'job=~"$job", instance=~"$instance"',
    // The metric the boards' variables list jobs and edge hosts from.
    dashboardVariableMetric: 'edgewatch_build_info',

    exporter: {
      down_for: '5m',  // no scrape for this long
      collector_failing_for: '10m',  // a collector failing every scrape
      reload_failed_for: '5m',
      capture_drop_ratio: 0.01,  // dropped / received packets
      capture_drop_for: '10m',
      capture_undecoded_ratio: 0.5,  // frames in tunnels edgewatch cannot read / frames received
      capture_undecoded_for: '15m',
      request_table_evicting_for: '30m',  // answered requests forgotten for room: false unsolicited
      log_gone_for: '10m',  // a log that was open within a day has no open file
      // Ways to go blind, each with its own alert: the scrape target gone from discovery, the
      // capture not running, a log that cannot be read or matches no file, a log whose lines
      // (nearly) all fail to parse (a wrong format).
      absent_for: '10m',
      capture_down_for: '5m',
      log_unreadable_for: '10m',
      log_unmatched_for: '30m',  // a configured path that matches no file (a typo)
      unparsed_ratio: 0.9,
      unparsed_for: '15m',
      // A journal log's reading this far behind the journal's newest entry (a backlog that does
      // not shrink), and a cursor file that cannot be written (a restart would lose entries).
      journal_lag_seconds: 300,
      journal_lag_for: '15m',
      journal_cursor_unwritable_for: '10m',
    },

    ntp: {
      // The self-check found a local NTP server answering monlist (ntp.monlist_probe).
      monlist_exposed_for: '10m',
      // A local NTP server used as a reflector: response / request bytes and response volume.
      reflector_ratio: 10,
      reflector_bytes_per_second: 100000,
      reflector_for: '5m',
      // Any local host (a customer's memcached, DNS or NTP server) answering remote hosts with
      // this amplification and more than this many response bytes over the collector's top-K
      // window (reflection.window, 5m by default: 30 MB is 100 kB/s).
      local_reflector_amplification: 10,
      local_reflector_window_bytes: 30000000,
      local_reflector_for: '5m',
      // Packets leaving with a source outside the local networks (reflection.spoofed_egress).
      spoofed_egress_packets_per_second: 1,
      spoofed_egress_for: '10m',
      // Reflected (unsolicited) responses reaching local hosts, any vector.
      reflected_in_bytes_per_second: 1000000,
      reflected_in_for: '2m',
    },

    // The flow collector's inputs (flow:): a listener nothing reaches, an agent gone quiet,
    // datagrams or records lost on the way or in the receive buffer, records without their
    // template, datagrams edgewatch cannot read, datagrams from unlisted sources.
    flow: {
      silent_for: '15m',  // a listener that received nothing over 10m, for this long
      agent_silent_seconds: 600,  // an agent's latest datagram this old
      agent_silent_for: '5m',
      lost_ratio: 0.05,  // lost / (lost + received) datagrams of an agent
      lost_for: '15m',
      // Data sets whose template never came: longer than exporters' template refresh (routers
      // resend every few minutes; RFC 7011 leaves it to the exporter, 10 minutes is common).
      templates_missing_for: '30m',
      undecodable_ratio: 0.01,  // datagrams with decode errors / datagrams of an agent
      undecodable_for: '15m',
      receive_drops_for: '10m',
      refused_for: '10m',
    },

    bgp: {
      unreachable_for: '1m',  // on top of the collector's own window of lost probes
      unresolvable_for: '10m',  // a neighbour's name no longer resolves
      loss_ratio: 0.05,
      loss_for: '10m',
      rtt_p99_seconds: 0.1,
      rtt_for: '15m',
    },

    httpd: {
      saturation_ratio: 0.9,  // busy workers / worker slots
      saturation_for: '5m',
      // An exhausted server cannot answer its status page: saturation seen within this long
      // before the page started timing out counts as saturation still.
      saturation_memory: '1h',
      status_down_for: '5m',  // a status page not answering (EdgewatchHttpdStatusDown)
      xmlrpc_per_second: 5,
      xmlrpc_for: '5m',
      wp_login_posts_per_second: 1,
      wp_login_for: '5m',
      exploit_probe_window: '15m',  // warning while probes answered 2xx were seen within this window
    },

    mail: {
      // Spam getting through: the share the content filter passed over the last hour above its
      // share over the last day by this much.
      pass_through_rise: 0.1,
      pass_through_min_scanned_per_second: 0.01,  // ignore near-idle filters
      pass_through_for: '30m',
      snowshoe_networks: 200,  // distinct client networks in the snowshoe window
      snowshoe_messages_per_network: 3,
      snowshoe_for: '15m',
      // Password guessing against SMTP AUTH and IMAP/POP3 (failed attempts per second).
      auth_failures_per_second: 1,
      auth_failures_for: '10m',
      // One authenticated account submitting this many messages within the snowshoe window
      // (1h), and this many times its own average of the day before (none: a new sender): a
      // stolen password used to send spam, not the newsletter it always sends.
      sasl_sender_window_messages: 500,
      sasl_sender_baseline_factor: 3,
      sasl_sender_for: '5m',
    },
  },
}
