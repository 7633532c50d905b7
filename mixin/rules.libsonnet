// The recording rules the alerts and boards build on, one group per area (each rendered into
// its own rules/<group>.yml). Ratios are computed here from the exporter's counters
// (docs/metrics.md). Each group is tested by rules/tests/<area>_test.yml.
{
  local v = { g: $._config.groupLabels },

  prometheusRules+:: {
    groups+: [
      {
        name: 'edgewatch-access-log.rules',
        rules: [
          // xmlrpc requests per second per log, all methods and codes (pingback abuse,
          // multicall brute force).
          {
            record: 'edgewatch:xmlrpc_requests:rate5m',
            expr: 'sum by (%(g)s, log) (rate(edgewatch_xmlrpc_requests_total[5m]))' % v,
          },
          // Password attempts per second per log.
          {
            record: 'edgewatch:wp_login_posts:rate5m',
            expr: 'sum by (%(g)s, log) (rate(edgewatch_wp_login_requests_total{method="POST"}[5m]))' % v,
          },
          // Requests per second per log and code.
          {
            record: 'edgewatch:http_requests:rate5m',
            expr: 'sum by (%(g)s, log, code) (rate(edgewatch_http_requests_total[5m]))' % v,
          },
        ],
      },
      {
        // BGP neighbour reachability.
        name: 'edgewatch-bgp.rules',
        rules: [
          {
            record: 'edgewatch:bgp_neighbor_ping_loss:ratio_rate5m',
            expr: |||
              1 - (
                sum by (%(g)s, neighbor) (rate(edgewatch_bgp_neighbor_ping_received_total[5m]))
                /
                (sum by (%(g)s, neighbor) (rate(edgewatch_bgp_neighbor_ping_sent_total[5m])) > 0)
              )
            ||| % v,
          },
          {
            record: 'edgewatch:bgp_neighbor_ping_rtt_seconds:p50_5m',
            expr: |||
              histogram_quantile(0.5,
                sum by (%(g)s, neighbor, le) (rate(edgewatch_bgp_neighbor_ping_rtt_seconds_bucket[5m])))
            ||| % v,
          },
          {
            record: 'edgewatch:bgp_neighbor_ping_rtt_seconds:p99_5m',
            expr: |||
              histogram_quantile(0.99,
                sum by (%(g)s, neighbor, le) (rate(edgewatch_bgp_neighbor_ping_rtt_seconds_bucket[5m])))
            ||| % v,
          },
        ],
      },
      {
        // httpd worker load.
        name: 'edgewatch-httpd.rules',
        rules: [
          // Busy workers over worker capacity (docs/metrics.md: worker slots and saturation).
          {
            record: 'edgewatch:httpd_worker_saturation:ratio',
            expr: |||
              sum by (%(g)s, server) (edgewatch_httpd_workers{state="busy"})
              /
              (sum by (%(g)s, server) (edgewatch_httpd_worker_slots) > 0)
            ||| % v,
          },
          // Child processes over the ceiling of the last good status page: still known while
          // an exhausted server cannot answer its status page (docs/alerts.md).
          {
            record: 'edgewatch:httpd_child_process_saturation:ratio',
            expr: |||
              edgewatch_httpd_server_child_processes
              /
              (edgewatch_httpd_server_child_process_limit > 0)
            |||,
          },
          // Requests per second per server.
          {
            record: 'edgewatch:httpd_requests:rate5m',
            expr: 'sum by (%(g)s, server) (rate(edgewatch_httpd_accesses_total[5m]))' % v,
          },
        ],
      },
      {
        // Mail logs: spam-filter pass-through.
        name: 'edgewatch-mail.rules',
        rules: [
          // Messages the content filter passed unchanged / messages it scanned
          // (docs/metrics.md).
          {
            record: 'edgewatch:mail_pass_through:ratio_rate1h',
            expr: |||
              sum by (%(g)s, log) (rate(edgewatch_mail_filter_verdicts_total{action="passed"}[1h]))
              /
              (sum by (%(g)s, log) (rate(edgewatch_mail_filter_verdicts_total[1h])) > 0)
            ||| % v,
          },
          // The same over a day: the baseline the hourly ratio is compared with.
          {
            record: 'edgewatch:mail_pass_through:ratio_rate1d',
            expr: |||
              sum by (%(g)s, log) (rate(edgewatch_mail_filter_verdicts_total{action="passed"}[1d]))
              /
              (sum by (%(g)s, log) (rate(edgewatch_mail_filter_verdicts_total[1d])) > 0)
            ||| % v,
          },
          // Messages delivered marked as spam / messages scanned.
          {
            record: 'edgewatch:mail_filter_tagged:ratio_rate1h',
            expr: |||
              sum by (%(g)s, log) (rate(edgewatch_mail_filter_verdicts_total{action="tagged"}[1h]))
              /
              (sum by (%(g)s, log) (rate(edgewatch_mail_filter_verdicts_total[1h])) > 0)
            ||| % v,
          },
          // Connections to the MX that got a queue id: accepted messages / connections
          // (submission, customers sending, is kept apart).
          {
            record: 'edgewatch:mail_accepted_connections:ratio_rate1h',
            expr: |||
              sum by (%(g)s, log) (rate(edgewatch_mail_messages_accepted_total{service="smtpd"}[1h]))
              /
              (sum by (%(g)s, log) (rate(edgewatch_mail_connections_total{service="smtpd"}[1h])) > 0)
            ||| % v,
          },
          // RBL rejects per second by list.
          {
            record: 'edgewatch:mail_rbl_rejects:rate5m',
            expr: 'sum by (%(g)s, log, rbl) (rate(edgewatch_mail_rbl_rejects_total[5m]))' % v,
          },
        ],
      },
      {
        // UDP reflection / amplification (NTP first). Every rule keeps `source`: the capture's
        // series have none, the flow collector's say source="sflow", and the two are never
        // added up (a host may see the same flood in both).
        name: 'edgewatch-reflection.rules',
        rules: [
          // Bandwidth amplification of each local NTP server: response payload bytes per
          // request payload byte. A healthy server answers 48 B with 48 B (1); monlist answers
          // 48 B with up to 100 x 440 B. Series with no requests are dropped rather than
          // divided by zero.
          {
            record: 'edgewatch:ntp_reflection:ratio_rate5m',
            expr: |||
              sum by (%(g)s, source, server) (rate(edgewatch_ntp_server_response_payload_bytes_total[5m]))
              /
              (sum by (%(g)s, source, server) (rate(edgewatch_ntp_server_request_payload_bytes_total[5m])) > 0)
            ||| % v,
          },
          // Reflected traffic reaching local hosts (victim view), bytes per second per vector.
          {
            record: 'edgewatch:reflection_unsolicited_payload_bytes:rate5m',
            expr: 'sum by (%(g)s, source, vector) (rate(edgewatch_reflection_unsolicited_payload_bytes_total[5m]))' % v,
          },
          // Traffic per vector leaving local servers as responses (reflector view), bytes per
          // second.
          {
            record: 'edgewatch:reflection_response_payload_bytes_out:rate5m',
            expr: |||
              sum by (%(g)s, source, vector) (
                rate(edgewatch_reflection_payload_bytes_total{direction="out",side="response"}[5m])
              )
            ||| % v,
          },
          // Amplification of each local host in the reflector top list, any vector: response
          // bytes it sent remote hosts over the collector's window per request byte they sent
          // it.
          {
            record: 'edgewatch:reflection_reflector_amplification:ratio',
            expr: |||
              edgewatch_reflection_top_reflector_bytes
              /
              (edgewatch_reflection_top_reflector_request_bytes > 0)
            |||,
          },
          // Packets leaving with forged sources (BCP 38), per second, by vector and protocol.
          {
            record: 'edgewatch:capture_spoofed_egress_packets:rate5m',
            expr: 'sum by (%(g)s, vector, protocol) (rate(edgewatch_capture_spoofed_egress_packets_total[5m]))' % v,
          },
        ],
      },
    ],
  },
}
