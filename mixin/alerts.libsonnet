// Every edgewatch alert, with its thresholds and durations from _config. The recording rules
// they build on are in rules.libsonnet. Tested by rules/tests/edgewatch-alerts_test.yml.
local util = import 'lib/util.libsonnet';

{
  local c = $._config,

  local alert(name, expr, duration, severity, summary, description, annotations={}) = {
    alert: name,
    expr: util.trim(expr),
    'for': duration,
    labels: { severity: severity },
    annotations: {
      summary: summary,
      description: util.oneLine(description),
      runbook_url: c.runbookURLPattern % name,
    } + annotations,
  },

  // An annotation template: the site most hit by `kind` requests in the alert's log (from
  // edgewatch_http_top_vhost_requests), empty when the log's format names no site.
  local topSite(kind) =
    '{{ with printf "topk(1, edgewatch_http_top_vhost_requests{instance=%%q,job=%%q,log=%%q,kind=\\"%s\\"})" $labels.instance $labels.job $labels.log | query }}{{ with first . }}{{ label "vhost" . }}{{ end }}{{ end }}' % kind,

  // %(s)s: the selector, %(g)s: the labels every aggregation keeps, %(key)s: a threshold.
  local v = { s: c.selector, g: c.groupLabels },
  local exporter = v + util.nums(c.exporter),
  local ntp = v + util.nums(c.ntp),
  local bgp = v + util.nums(c.bgp),
  local httpd = v + util.nums(c.httpd),
  local mail = v + util.nums(c.mail),
  local flow = v + util.nums(c.flow),

  // The share of what an agent numbered that never arrived, by agent: lost / (lost + received).
  local lostRatio(lost, received) = |||
    sum by (%(g)s, protocol, agent) (rate(%(lost)s{%(s)s}[10m]))
    /
    (
      sum by (%(g)s, protocol, agent) (rate(%(lost)s{%(s)s}[10m]))
      +
      sum by (%(g)s, protocol, agent) (rate(%(received)s{%(s)s}[10m]))
    ) > %(lost_ratio)s
  ||| % (flow { lost: lost, received: received }),

  prometheusAlerts+:: {
    groups+: [
      {
        name: 'edgewatch-exporter.alerts',
        rules: [
          alert('EdgewatchDown', 'up{%(s)s} == 0' % exporter, c.exporter.down_for, 'critical',
                'edgewatch on {{ $labels.instance }} is down',
                |||
                  Prometheus could not scrape edgewatch on {{ $labels.instance }} for
                  %(down_for)s: attack precursors on this edge host are not being watched.
                ||| % exporter),
          alert('EdgewatchCollectorFailing', 'edgewatch_scrape_collector_success{%(s)s} == 0' % exporter,
                c.exporter.collector_failing_for, 'warning',
                'edgewatch collector {{ $labels.collector }} failing on {{ $labels.instance }}',
                |||
                  The {{ $labels.collector }} collector on {{ $labels.instance }} has
                  failed or missed its deadline in every scrape for %(collector_failing_for)s;
                  its metrics are missing.
                ||| % exporter),
          alert('EdgewatchConfigReloadFailed',
                'edgewatch_config_last_reload_successful{%(s)s} == 0' % exporter, c.exporter.reload_failed_for,
                'warning', 'edgewatch on {{ $labels.instance }} rejected its new configuration',
                |||
                  The last configuration reload on {{ $labels.instance }} failed; edgewatch
                  keeps running the previous configuration.
                |||),
          alert('EdgewatchCaptureDroppingPackets', |||
            sum by (%(g)s, interface) (rate(edgewatch_capture_packets_dropped_total{%(s)s}[5m]))
            /
            (sum by (%(g)s, interface) (rate(edgewatch_capture_packets_received_total{%(s)s}[5m])) > 0)
            > %(capture_drop_ratio)s
          ||| % exporter, c.exporter.capture_drop_for, 'warning',
                'edgewatch capture on {{ $labels.instance }} {{ $labels.interface }} drops {{ $value | humanizePercentage }} of packets',
                |||
                  The packet capture on {{ $labels.instance }} interface {{ $labels.interface }}
                  has dropped {{ $value | humanizePercentage }} of packets for a while: the
                  reflection counters under-count, most likely during the flood they should show.
                |||),
          alert('EdgewatchReflectionRequestTableFull', |||
            sum by (%(g)s) (rate(edgewatch_reflection_request_table_evictions_total{%(s)s}[5m])) > 0
          ||| % exporter, c.exporter.request_table_evicting_for, 'warning',
                'edgewatch on {{ $labels.instance }} forgets requests before they are answered',
                |||
                  The reflection request table on {{ $labels.instance }} has been full for
                  %(request_table_evicting_for)s: requests are forgotten before their answers
                  arrive, and those answers count as unsolicited (reflected) traffic. Raise
                  reflection.request_table_size.
                ||| % exporter),
          alert('EdgewatchLogFileGone', |||
            edgewatch_log_up{%(s)s} == 0
            unless on (%(g)s, log) (max_over_time(edgewatch_log_up{%(s)s}[1d]) == 0)
          ||| % exporter, c.exporter.log_gone_for, 'warning',
                'log {{ $labels.log }} on {{ $labels.instance }} has no open file',
                |||
                  edgewatch on {{ $labels.instance }} followed the log {{ $labels.log }} within
                  the last day but has no file of it open now: it was deleted, moved or made
                  unreadable, and its attack counters stand still.
                |||),
          alert('EdgewatchAbsent', 'absent(up{%(s)s})' % exporter, c.exporter.absent_for, 'critical',
                'no edgewatch target is scraped at all',
                |||
                  Prometheus has had no edgewatch target (%(s)s) for %(absent_for)s: service
                  discovery lost them, or the scrape job is gone. No edge host is watched, and no
                  other edgewatch alert can fire.
                ||| % exporter),
          alert('EdgewatchCaptureBlind', |||
            sum by (%(g)s, interface) (rate(edgewatch_capture_undecoded_frames_total{%(s)s}[10m]))
            /
            (sum by (%(g)s, interface) (rate(edgewatch_capture_packets_received_total{%(s)s}[10m])) > 0)
              > %(capture_undecoded_ratio)s
          ||| % exporter, c.exporter.capture_undecoded_for, 'warning',
                'edgewatch capture on {{ $labels.instance }} {{ $labels.interface }} cannot read its feed',
                |||
                  {{ $value | humanizePercentage }} of the frames the capture of edgewatch on
                  {{ $labels.instance }} ({{ $labels.interface }}) receives are in a tunnel it
                  cannot decode (edgewatch_capture_undecoded_frames_total says which): reflection
                  floods in that feed stay invisible.
                |||),
          alert('EdgewatchCaptureDown',
                'edgewatch_capture_up{%(s)s,interface!="replay"} == 0' % exporter, c.exporter.capture_down_for,
                'warning', 'edgewatch capture on {{ $labels.instance }} {{ $labels.interface }} is not running',
                |||
                  The packet capture of edgewatch on {{ $labels.instance }} (interface
                  {{ $labels.interface }}) is not running: reflection counters stand still, so no
                  reflection flood can show. edgewatch retries; its log says why it failed.
                |||),
          alert('EdgewatchLogUnreadable', |||
            edgewatch_log_up{%(s)s} == 0 and on (%(g)s, log) edgewatch_log_read_errors_total{%(s)s} > 0
          ||| % exporter, c.exporter.log_unreadable_for, 'warning',
                'log {{ $labels.log }} on {{ $labels.instance }} cannot be read',
                |||
                  edgewatch on {{ $labels.instance }} cannot open or read the log
                  {{ $labels.log }} (permissions, a directory it may not enter, a FIFO): its attack
                  counters stand still. Its log says which path and why.
                |||),
          alert('EdgewatchLogPathMatchesNothing', |||
            edgewatch_log_files{%(s)s} == 0
            and on (%(g)s, log) max_over_time(edgewatch_log_up{%(s)s}[1d]) == 0
            unless on (%(g)s, log) edgewatch_log_read_errors_total{%(s)s} > 0
          ||| % exporter, c.exporter.log_unmatched_for, 'warning',
                'log {{ $labels.log }} on {{ $labels.instance }} matches no file',
                |||
                  The path of the log {{ $labels.log }} on {{ $labels.instance }} has matched no
                  file for a day or since edgewatch started: a typo in the path, a directory that
                  does not exist, or the log of a server this host does not run. Its counters are
                  not a quiet site, they see nothing. edgewatch's log says which part is missing.
                |||),
          alert('EdgewatchJournalBehind', |||
            edgewatch_log_journal_lag_seconds{%(s)s} > %(journal_lag_seconds)s
          ||| % exporter, c.exporter.journal_lag_for, 'warning',
                'journal log {{ $labels.log }} on {{ $labels.instance }} falls behind',
                |||
                  edgewatch on {{ $labels.instance }} reads the journal log {{ $labels.log }}
                  {{ $value | humanizeDuration }} behind the journal's newest entry, and has for
                  %(journal_lag_for)s: its counters show the past, and an attack now shows late.
                ||| % exporter),
          alert('EdgewatchJournalCursorUnwritable', |||
            increase(edgewatch_log_journal_cursor_write_errors_total{%(s)s}[15m]) > 0
          ||| % exporter, c.exporter.journal_cursor_unwritable_for, 'warning',
                'journal log {{ $labels.log }} on {{ $labels.instance }} cannot keep its position',
                |||
                  edgewatch on {{ $labels.instance }} cannot write the cursor file of the
                  journal log {{ $labels.log }}: after a restart it starts at the journal's end,
                  and what came while it was down is never counted.
                |||),
          alert('EdgewatchLogUnparsed', |||
            (
              sum by (%(g)s, log) (rate(edgewatch_http_unparsed_lines_total{%(s)s}[10m]))
              or
              sum by (%(g)s, log) (rate(edgewatch_mail_unparsed_lines_total{%(s)s}[10m]))
            )
            /
            (sum by (%(g)s, log) (rate(edgewatch_log_lines_total{%(s)s}[10m])) > 0)
            > %(unparsed_ratio)s
          ||| % exporter, c.exporter.unparsed_for, 'warning',
                'log {{ $labels.log }} on {{ $labels.instance }}: lines do not parse',
                |||
                  {{ $value | humanizePercentage }} of the lines of {{ $labels.log }} on
                  {{ $labels.instance }} fail to parse: the configured format does not match what
                  the server writes, and the log's attack counters see nothing.
                |||),
        ],
      },
      {
        name: 'edgewatch-reflection.alerts',
        rules: [
          alert('EdgewatchNtpMonlistEnabled', 'edgewatch_ntp_monlist_exposed{%(s)s} == 1' % ntp,
                c.ntp.monlist_exposed_for, 'warning',
                'NTP server {{ $labels.server }} answers monlist',
                |||
                  The monlist self-check of edgewatch on {{ $labels.instance }} got a monlist
                  (mode 7) answer from {{ $labels.server }}: it can be abused as a ~200x reflector.
                  Disable monitoring or restrict queries in ntp.conf.
                |||),
          alert('EdgewatchNtpReflectorAbused', |||
            edgewatch:ntp_reflection:ratio_rate5m{%(s)s} > %(reflector_ratio)s
            and on (%(g)s, source, server)
            sum by (%(g)s, source, server) (rate(edgewatch_ntp_server_response_payload_bytes_total{%(s)s}[5m]))
              > %(reflector_bytes_per_second)s
          ||| % ntp, c.ntp.reflector_for, 'critical',
                'NTP server {{ $labels.server }} is used as a reflector',
                |||
                  The local NTP server {{ $labels.server }} (seen by {{ $labels.instance }})
                  answers {{ $value | printf "%.0f" }} times the bytes it is asked for, at high
                  volume: it is amplifying an attack on someone else.
                |||),
          alert('EdgewatchLocalReflectorAbused', |||
            edgewatch:reflection_reflector_amplification:ratio{%(s)s} > %(local_reflector_amplification)s
            and on (%(g)s, source, vector, reflector)
            edgewatch_reflection_top_reflector_bytes{%(s)s} > %(local_reflector_window_bytes)s
          ||| % ntp, c.ntp.local_reflector_for, 'critical',
                'local host {{ $labels.reflector }} reflects {{ $labels.vector }}',
                |||
                  The local host {{ $labels.reflector }} (seen by {{ $labels.instance }}) answers
                  remote hosts with {{ $value | printf "%.0f" }} times the {{ $labels.vector }}
                  bytes it is asked for, at high volume: a customer's server amplifying an attack on
                  someone else. edgewatch_reflection_top_victim_bytes names whom.
                |||),
          alert('EdgewatchSpoofedEgress', |||
            sum by (%(g)s) (edgewatch:capture_spoofed_egress_packets:rate5m{%(s)s})
              > %(spoofed_egress_packets_per_second)s
          ||| % ntp, c.ntp.spoofed_egress_for, 'warning',
                'packets with forged sources leave through {{ $labels.instance }}',
                |||
                  {{ $value | printf "%.1f" }} packets per second leave through
                  {{ $labels.instance }} with a source address outside its local networks: a host
                  inside forges sources (reflection requests in a victim's name, spoofed floods), or
                  local_networks misses a prefix. See edgewatch:capture_spoofed_egress_packets:rate5m
                  by vector and protocol.
                |||),
          alert('EdgewatchReflectedTrafficInbound', |||
            edgewatch:reflection_unsolicited_payload_bytes:rate5m{%(s)s}
              > %(reflected_in_bytes_per_second)s
          ||| % ntp, c.ntp.reflected_in_for, 'critical',
                '{{ $labels.vector }} reflection flood towards local hosts',
                |||
                  Unsolicited {{ $labels.vector }} responses reach local hosts behind
                  {{ $labels.instance }} at {{ $value | humanize1024 }}B/s: a reflection attack on
                  a local host. See edgewatch_reflection_top_target_bytes for the targets.
                |||),
        ],
      },
      {
        name: 'edgewatch-flow.alerts',
        rules: [
          alert('EdgewatchFlowSilent', |||
            rate(edgewatch_flow_listener_datagrams_total{%(s)s}[10m]) == 0
          ||| % flow, c.flow.silent_for, 'warning',
                'no flows reach {{ $labels.listen }} on {{ $labels.instance }}',
                |||
                  The flow listener {{ $labels.listen }} of edgewatch on {{ $labels.instance }}
                  has received no datagram for 10 minutes and more: the routers stopped exporting,
                  export to another address, or a firewall drops it. The reflection counters
                  fed by flows stand still, so no flood at the border can show.
                |||),
          alert('EdgewatchFlowAgentSilent', |||
            time() - edgewatch_flow_agent_last_seen_timestamp_seconds{%(s)s,agent!="other"}
              > %(agent_silent_seconds)s
          ||| % flow, c.flow.agent_silent_for, 'warning',
                'flow agent {{ $labels.agent }} went quiet',
                |||
                  edgewatch on {{ $labels.instance }} has had no {{ $labels.protocol }} datagram
                  from the agent {{ $labels.agent }} for {{ $value | humanizeDuration }}: the
                  traffic through that router is no longer seen.
                |||),
          alert('EdgewatchFlowDatagramsLost',
                lostRatio('edgewatch_flow_datagrams_lost_total', 'edgewatch_flow_datagrams_total'),
                c.flow.lost_for, 'warning',
                'flow agent {{ $labels.agent }} loses {{ $value | humanizePercentage }} of its datagrams',
                |||
                  {{ $value | humanizePercentage }} of the datagrams the agent {{ $labels.agent }}
                  numbered never reached edgewatch on {{ $labels.instance }}: the flow counters
                  under-count by as much, most likely during the flood they should show.
                |||),
          // NetFlow v5 and IPFIX number records, not datagrams: their gaps count records.
          alert('EdgewatchFlowRecordsLost',
                lostRatio('edgewatch_flow_records_lost_total', 'edgewatch_flow_samples_total'),
                c.flow.lost_for, 'warning',
                'flow agent {{ $labels.agent }} loses {{ $value | humanizePercentage }} of its flow records',
                |||
                  {{ $value | humanizePercentage }} of the {{ $labels.protocol }} flow records the
                  agent {{ $labels.agent }} numbered never reached edgewatch on
                  {{ $labels.instance }}: the flow counters under-count by as much, most likely
                  during the flood they should show.
                |||),
          alert('EdgewatchFlowTemplatesMissing', |||
            rate(edgewatch_flow_decode_errors_total{%(s)s,reason="unknown_template"}[10m]) > 0
          ||| % flow, c.flow.templates_missing_for, 'warning',
                'flow agent {{ $labels.agent }} sends records edgewatch has no template for',
                |||
                  edgewatch on {{ $labels.instance }} has been dropping {{ $labels.protocol }}
                  data sets from the agent {{ $labels.agent }} for want of their template for
                  longer than an exporter takes to refresh its templates: those flows are not
                  counted at all.
                |||),
          alert('EdgewatchFlowUndecodable', |||
            sum by (%(g)s, protocol, agent) (
              rate(edgewatch_flow_decode_errors_total{%(s)s,reason!="unknown_template"}[10m])
            )
            /
            sum by (%(g)s, protocol, agent) (rate(edgewatch_flow_datagrams_total{%(s)s}[10m]))
              > %(undecodable_ratio)s
          ||| % flow, c.flow.undecodable_for, 'warning',
                'edgewatch cannot read the flows of agent {{ $labels.agent }}',
                |||
                  edgewatch on {{ $labels.instance }} fails to decode
                  {{ $value | humanizePercentage }} of the datagrams from the agent
                  {{ $labels.agent }} (edgewatch_flow_decode_errors_total says why): the traffic
                  they describe is not counted.
                |||),
          alert('EdgewatchFlowReceiveDrops', |||
            rate(edgewatch_flow_receive_drops_total{%(s)s}[5m]) > 0
          ||| % flow, c.flow.receive_drops_for, 'warning',
                'edgewatch on {{ $labels.instance }} drops flow datagrams on {{ $labels.listen }}',
                |||
                  The kernel drops datagrams on the flow listener {{ $labels.listen }} of
                  edgewatch on {{ $labels.instance }} ({{ $value | printf "%.0f" }}/s) because
                  its receive buffer is full: edgewatch reads slower than the routers send.
                |||),
          alert('EdgewatchFlowRefused', |||
            rate(edgewatch_flow_refused_datagrams_total{%(s)s}[10m]) > 0
          ||| % flow, c.flow.refused_for, 'warning',
                'edgewatch on {{ $labels.instance }} refuses flow datagrams',
                |||
                  edgewatch on {{ $labels.instance }} receives flow datagrams from sources outside
                  flow.agents and counts none of them: a router not yet listed, or someone forging
                  flows to blind or mislead the reflection counters.
                |||),
        ],
      },
      {
        name: 'edgewatch-bgp.alerts',
        rules: [
          alert('EdgewatchBgpNeighborUnresolvable',
                'edgewatch_bgp_neighbor_resolve_success{%(s)s} == 0' % bgp, c.bgp.unresolvable_for,
                'warning', 'BGP neighbour {{ $labels.neighbor }} no longer resolves',
                |||
                  The name of BGP neighbour {{ $labels.neighbor }} does not resolve from
                  {{ $labels.instance }}: edgewatch probes its old addresses, if it had any, and
                  cannot follow a change.
                |||),
          alert('EdgewatchBgpNeighborUnreachable', 'edgewatch_bgp_neighbor_up{%(s)s} == 0' % bgp,
                c.bgp.unreachable_for, 'critical',
                'BGP neighbour {{ $labels.neighbor }} does not answer pings',
                |||
                  The BGP neighbour {{ $labels.neighbor }} has not answered edgewatch's pings
                  from {{ $labels.instance }}: the link to it is down or saturated.
                |||),
          alert('EdgewatchBgpNeighborPacketLoss',
                'edgewatch:bgp_neighbor_ping_loss:ratio_rate5m{%(s)s} > %(loss_ratio)s' % bgp,
                c.bgp.loss_for, 'warning',
                '{{ $value | humanizePercentage }} ping loss to BGP neighbour {{ $labels.neighbor }}',
                |||
                  Pings from {{ $labels.instance }} to the BGP neighbour {{ $labels.neighbor }}
                  lose {{ $value | humanizePercentage }}: the path is congested.
                |||),
          alert('EdgewatchBgpNeighborLatencyHigh',
                'edgewatch:bgp_neighbor_ping_rtt_seconds:p99_5m{%(s)s} > %(rtt_p99_seconds)s' % bgp,
                c.bgp.rtt_for, 'warning',
                '99th percentile RTT to BGP neighbour {{ $labels.neighbor }} is {{ $value | humanizeDuration }}',
                |||
                  Round trips from {{ $labels.instance }} to the BGP neighbour
                  {{ $labels.neighbor }} take {{ $value | humanizeDuration }} at the 99th
                  percentile: queues on the path are filling.
                |||),
        ],
      },
      {
        name: 'edgewatch-httpd.alerts',
        rules: [
          alert('EdgewatchHttpdWorkersSaturated', |||
            edgewatch:httpd_worker_saturation:ratio{%(s)s} > %(saturation_ratio)s
            or
            (
              max_over_time(edgewatch:httpd_worker_saturation:ratio{%(s)s}[%(saturation_memory)s])
                > %(saturation_ratio)s
              and on (%(g)s, server) edgewatch_httpd_up{%(s)s} == 0
              and on (%(g)s, server)
              increase(edgewatch_httpd_status_failures_total{%(s)s,reason="timeout"}[5m]) > 0
            )
            or
            (
              edgewatch:httpd_child_process_saturation:ratio{%(s)s} >= 1
              and on (%(g)s, server) edgewatch_httpd_up{%(s)s} == 0
              and on (%(g)s, server)
              increase(edgewatch_httpd_status_failures_total{%(s)s,reason="timeout"}[5m]) > 0
            )
          ||| % httpd, c.httpd.saturation_for, 'warning',
                'httpd {{ $labels.server }} has {{ $value | humanizePercentage }} of its workers busy',
                |||
                  {{ $labels.server }} (watched by {{ $labels.instance }}) has
                  {{ $value | humanizePercentage }} of its workers busy, or had when its status page
                  began to time out, or its status page times out while it runs as many child
                  processes as its last good page allowed (an exhausted server cannot answer it):
                  new requests queue.
                  Look at the xmlrpc and wp-login rates and the top clients.
                |||),
          // Beside the saturation alert, in its group: both are evaluated at one timestamp and
          // reach Alertmanager in one batch, so the inhibition holds from the first
          // notification (groups are evaluated at different offsets within the interval).
          alert('EdgewatchHttpdStatusDown', 'edgewatch_httpd_up{%(s)s} == 0' % httpd,
                c.httpd.status_down_for, 'warning',
                'status page of {{ $labels.server }} on {{ $labels.instance }} does not answer',
                |||
                  edgewatch on {{ $labels.instance }} cannot read the status page of
                  {{ $labels.server }}: worker counts are missing. An exhausted Apache stops
                  answering too (EdgewatchHttpdWorkersSaturated, when it fires, inhibits this).
                |||),
          alert('EdgewatchXmlrpcFlood',
                'edgewatch:xmlrpc_requests:rate5m{%(s)s} > %(xmlrpc_per_second)s' % httpd,
                c.httpd.xmlrpc_for, 'warning',
                'xmlrpc.php flood in {{ $labels.log }} ({{ $value | printf "%.1f" }}/s)',
                |||
                  The access log {{ $labels.log }} on {{ $labels.instance }} shows
                  {{ $value | printf "%.1f" }} xmlrpc requests per second: pingback abuse or
                  password guessing through system.multicall. The site most hit is in the site
                  annotation (edgewatch_http_top_vhost_requests), the clients in
                  edgewatch_xmlrpc_top_client_requests.
                |||, { site: topSite('xmlrpc') }),
          alert('EdgewatchWpLoginBruteForce',
                'edgewatch:wp_login_posts:rate5m{%(s)s} > %(wp_login_posts_per_second)s' % httpd,
                c.httpd.wp_login_for, 'warning',
                'wp-login.php password guessing in {{ $labels.log }} ({{ $value | printf "%.1f" }}/s)',
                |||
                  The access log {{ $labels.log }} on {{ $labels.instance }} shows
                  {{ $value | printf "%.1f" }} wp-login.php POSTs per second: password guessing. See
                  edgewatch_xmlrpc_top_client_requests for the clients.
                |||),
          alert('EdgewatchExploitProbes', |||
            sum by (%(g)s, log, kind) (
              increase(edgewatch_http_exploit_probes_total{%(s)s, code_class="2xx"}[%(exploit_probe_window)s])
            ) > 0
          ||| % httpd, '0m', 'warning',
                '{{ $labels.kind }} probes answered 2xx in {{ $labels.log }}',
                |||
                  The access log {{ $labels.log }} on {{ $labels.instance }} had
                  {{ $value | printf "%%.0f" }} {{ $labels.kind }} probes answered with
                  success in the last %(exploit_probe_window)s: one may have worked. Probes
                  answered 4xx are background noise and page nobody.
                ||| % httpd),
        ],
      },
      {
        name: 'edgewatch-mail.alerts',
        rules: [
          alert('EdgewatchSpamPassThroughRising', |||
            (
              edgewatch:mail_pass_through:ratio_rate1h{%(s)s}
              - on (%(g)s, log) edgewatch:mail_pass_through:ratio_rate1d{%(s)s}
            ) > %(pass_through_rise)s
            and on (%(g)s, log)
            sum by (%(g)s, log) (rate(edgewatch_mail_filter_verdicts_total{%(s)s}[1h]))
              > %(pass_through_min_scanned_per_second)s
          ||| % mail, c.mail.pass_through_for, 'warning',
                'spam filter pass-through in {{ $labels.log }} rose by {{ $value | humanizePercentage }}',
                |||
                  The content filter behind {{ $labels.log }} on {{ $labels.instance }} passed
                  {{ $value | humanizePercentage }} more of the mail it scanned in the last hour
                  than over the last day: spam is getting through. Compare with the snowshoe
                  indicators and the RBL reject rates.
                |||),
          alert('EdgewatchSnowshoeSurge', |||
            sum by (%(g)s, log) (edgewatch_mail_distinct_client_networks{%(s)s})
              > %(snowshoe_networks)s
            and on (%(g)s, log)
            edgewatch_mail_messages_per_client_network{%(s)s} < %(snowshoe_messages_per_network)s
          ||| % mail, c.mail.snowshoe_for, 'warning',
                'snowshoe-shaped mail stream in {{ $labels.log }}',
                |||
                  Mail in {{ $labels.log }} on {{ $labels.instance }} comes from
                  {{ $value | printf "%%.0f" }} client networks with fewer than
                  %(snowshoe_messages_per_network)s messages each: a snowshoe spam run spread
                  thin to stay under every per-source limit.
                ||| % mail),
          alert('EdgewatchMailPasswordGuessing', |||
            sum by (%(g)s, log) (rate(edgewatch_mail_auth_failures_total{%(s)s}[5m]))
              > %(auth_failures_per_second)s
          ||| % mail, c.mail.auth_failures_for, 'warning',
                'password guessing against mail accounts in {{ $labels.log }} ({{ $value | printf "%.1f" }}/s)',
                |||
                  {{ $value | printf "%.1f" }} failed SMTP AUTH and IMAP/POP3 logins per second
                  in {{ $labels.log }} on {{ $labels.instance }}: a brute force or password spray
                  against the customers' mailboxes. Where from:
                  edgewatch_mail_top_auth_failure_network_attempts.
                |||),
          alert('EdgewatchMailAccountSendingSurge', |||
            max by (%(g)s, log, user) (edgewatch_mail_top_sasl_sender_messages{%(s)s})
              > %(sasl_sender_window_messages)s
            unless on (%(g)s, log, user)
            (
              max by (%(g)s, log, user) (
                avg_over_time(edgewatch_mail_top_sasl_sender_messages{%(s)s}[1d] offset 1h)
              ) * %(sasl_sender_baseline_factor)s
              >= on (%(g)s, log, user)
              max by (%(g)s, log, user) (edgewatch_mail_top_sasl_sender_messages{%(s)s})
            )
          ||| % mail, c.mail.sasl_sender_for, 'warning',
                'mail account {{ $labels.user }} sent {{ $value | printf "%.0f" }} messages within the hour',
                |||
                  The account {{ $labels.user }} submitted {{ $value | printf "%%.0f" }}
                  messages through {{ $labels.log }} on {{ $labels.instance }} within the
                  snowshoe window, more than %(sasl_sender_baseline_factor)s times its average
                  of the day before: a compromised password used to send spam, which puts the
                  provider's own addresses on the blocklists.
                ||| % mail),
        ],
      },
    ],
  },
}
