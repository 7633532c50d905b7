#include "collectors/udp_reflection_metrics.h"

#include <algorithm>

namespace edgewatch {

namespace {

using reflection::Side;
using reflection::Vector;

// The catalogue: every family this file exports, written once.
// The packets and payload bytes of one kind of traffic.
struct PacketsBytesDesc {
  MetricDesc packets;
  MetricDesc bytes;
};
constexpr PacketsBytesDesc kNtp{
    {"edgewatch_ntp_packets_total", prometheus::MetricType::Counter,
     "UDP packets of NTP (port 123), by direction and mode."},
    {"edgewatch_ntp_payload_bytes_total", prometheus::MetricType::Counter,
     "UDP payload bytes of NTP (port 123), by direction and mode."}};
constexpr PacketsBytesDesc kNtpMonlist{
    {"edgewatch_ntp_monlist_packets_total", prometheus::MetricType::Counter,
     "UDP packets of ntpd mode-7 monlist (MON_GETLIST[_1])."},
    {"edgewatch_ntp_monlist_payload_bytes_total", prometheus::MetricType::Counter,
     "UDP payload bytes of ntpd mode-7 monlist (MON_GETLIST[_1])."}};
constexpr PacketsBytesDesc kNtpServerRequest{
    {"edgewatch_ntp_server_request_packets_total", prometheus::MetricType::Counter,
     "UDP packets of NTP requests to a local server (reflector view)."},
    {"edgewatch_ntp_server_request_payload_bytes_total", prometheus::MetricType::Counter,
     "UDP payload bytes of NTP requests to a local server (reflector view)."}};
constexpr PacketsBytesDesc kNtpServerResponse{
    {"edgewatch_ntp_server_response_packets_total", prometheus::MetricType::Counter,
     "UDP packets of NTP responses from a local server (reflector view)."},
    {"edgewatch_ntp_server_response_payload_bytes_total", prometheus::MetricType::Counter,
     "UDP payload bytes of NTP responses from a local server (reflector view)."}};
constexpr PacketsBytesDesc kReflection{
    {"edgewatch_reflection_packets_total", prometheus::MetricType::Counter,
     "UDP packets of a UDP amplification vector's service port."},
    {"edgewatch_reflection_payload_bytes_total", prometheus::MetricType::Counter,
     "UDP payload bytes of a UDP amplification vector's service port."}};
constexpr MetricDesc kNtpUnsolicitedResponsesTotal{
    "edgewatch_ntp_unsolicited_responses_total", prometheus::MetricType::Counter,
    "NTP responses to local hosts that sent no matching request (victim view)."};
constexpr MetricDesc kNtpUnsolicitedPayloadBytesTotal{
    "edgewatch_ntp_unsolicited_payload_bytes_total", prometheus::MetricType::Counter,
    "UDP payload bytes of unsolicited NTP responses to local hosts."};
constexpr MetricDesc kReflectionUnsolicitedResponsesTotal{
    "edgewatch_reflection_unsolicited_responses_total", prometheus::MetricType::Counter,
    "Responses to local hosts that sent no matching request."};
constexpr MetricDesc kReflectionUnsolicitedPayloadBytesTotal{
    "edgewatch_reflection_unsolicited_payload_bytes_total", prometheus::MetricType::Counter,
    "UDP payload bytes of unsolicited responses to local hosts."};
constexpr MetricDesc kReflectionTopTargetBytes{
    "edgewatch_reflection_top_target_bytes", prometheus::MetricType::Gauge,
    "Unsolicited response bytes the most-hit local targets surely got over the window (bounded "
    "top-K)."};
constexpr MetricDesc kReflectionTopTargetErrorBytes{
    "edgewatch_reflection_top_target_error_bytes", prometheus::MetricType::Gauge,
    "How far the top list may be off: a listed target may have got up to this many bytes more "
    "than shown, one not listed at most this many; 0 when the list is exact."};
constexpr MetricDesc kReflectionTopReflectorBytes{
    "edgewatch_reflection_top_reflector_bytes", prometheus::MetricType::Gauge,
    "Response bytes the local hosts answering remote hosts most surely sent over the window: "
    "abused reflectors among the customers' servers (bounded top-K)."};
constexpr MetricDesc kReflectionTopReflectorRequestBytes{
    "edgewatch_reflection_top_reflector_request_bytes", prometheus::MetricType::Gauge,
    "Request bytes those listed reflectors surely got from remote hosts over the window (0 when "
    "not among the most asked); responses over requests is their amplification."};
constexpr MetricDesc kReflectionTopReflectorErrorBytes{
    "edgewatch_reflection_top_reflector_error_bytes", prometheus::MetricType::Gauge,
    "How far the reflector list may be off (see edgewatch_reflection_top_target_error_bytes)."};
constexpr MetricDesc kReflectionTopVictimBytes{
    "edgewatch_reflection_top_victim_bytes", prometheus::MetricType::Gauge,
    "Response bytes the remote hosts answered most by local hosts surely got over the window: "
    "the victims of a reflector here, or its legitimate clients (bounded top-K)."};
constexpr MetricDesc kReflectionTopVictimErrorBytes{
    "edgewatch_reflection_top_victim_error_bytes", prometheus::MetricType::Gauge,
    "How far the victim list may be off (see edgewatch_reflection_top_target_error_bytes)."};
constexpr MetricDesc kReflectionTopEvictionsTotal{
    "edgewatch_reflection_top_evictions_total", prometheus::MetricType::Counter,
    "Addresses that took the smallest entry of a full top-K list (targets, reflectors, asked, "
    "victims): fixed memory under a spray of addresses, at the price of the error bounds."};
constexpr MetricDesc kReflectionRequestTableEvictionsTotal{
    "edgewatch_reflection_request_table_evictions_total", prometheus::MetricType::Counter,
    "Requests forgotten before request_timeout for want of room: their answers count as "
    "unsolicited. Rising: request_table_size is too small for the request rate."};
constexpr MetricDesc kReflectionRequestTableSlots{
    "edgewatch_reflection_request_table_slots", prometheus::MetricType::Gauge,
    "Slots of the request table (request_table_size rounded up to a power of two)."};
constexpr MetricDesc kReflectionFragmentsTotal{
    "edgewatch_reflection_fragments_total", prometheus::MetricType::Counter,
    "Later fragments of UDP datagrams by result: attributed (their bytes counted with the "
    "vector of their first fragment), not_watched (the first was no vector's), unmatched (the "
    "first was not seen: lost, out of order, or forgotten for room)."};
constexpr MetricDesc kReflectionFragmentTableEvictionsTotal{
    "edgewatch_reflection_fragment_table_evictions_total", prometheus::MetricType::Counter,
    "First fragments forgotten for room before their datagram ended: its later fragments are "
    "unmatched."};
constexpr MetricDesc kReflectionFragmentTableSlots{"edgewatch_reflection_fragment_table_slots",
                                                   prometheus::MetricType::Gauge,
                                                   "Slots of the fragment table (fixed)."};
constexpr const MetricDesc* kMetrics[] = {&kNtp.packets,
                                          &kNtp.bytes,
                                          &kNtpMonlist.packets,
                                          &kNtpMonlist.bytes,
                                          &kNtpServerRequest.packets,
                                          &kNtpServerRequest.bytes,
                                          &kNtpServerResponse.packets,
                                          &kNtpServerResponse.bytes,
                                          &kReflection.packets,
                                          &kReflection.bytes,
                                          &kNtpUnsolicitedResponsesTotal,
                                          &kNtpUnsolicitedPayloadBytesTotal,
                                          &kReflectionUnsolicitedResponsesTotal,
                                          &kReflectionUnsolicitedPayloadBytesTotal,
                                          &kReflectionTopTargetBytes,
                                          &kReflectionTopTargetErrorBytes,
                                          &kReflectionTopReflectorBytes,
                                          &kReflectionTopReflectorRequestBytes,
                                          &kReflectionTopReflectorErrorBytes,
                                          &kReflectionTopVictimBytes,
                                          &kReflectionTopVictimErrorBytes,
                                          &kReflectionTopEvictionsTotal,
                                          &kReflectionRequestTableEvictionsTotal,
                                          &kReflectionRequestTableSlots,
                                          &kReflectionFragmentsTotal,
                                          &kReflectionFragmentTableEvictionsTotal,
                                          &kReflectionFragmentTableSlots};

std::int64_t Nanos(std::chrono::milliseconds d) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

bool Enabled(std::span<const Vector> vectors, Vector v) {
  return std::find(vectors.begin(), vectors.end(), v) != vectors.end();
}

}  // namespace

MetricCatalogue ReflectionTrafficMetrics() { return kMetrics; }

ReflectionSettings ReflectionSettingsOf(const ReflectionTrafficConfig& c,
                                        std::vector<net::Prefix> local) {
  ReflectionSettings s;
  s.local_networks = std::move(local);
  for (Vector v : c.vectors) {
    s.vector_mask |= 1u << static_cast<int>(v);
  }
  s.ntp_servers = c.ntp.servers;
  s.top_k = c.top_k;
  s.window_ns = Nanos(c.window);
  s.request_timeout_ns = Nanos(c.request_timeout);
  s.request_table_size = c.request_table_size;
  return s;
}

void AddReflectionTraffic(MetricSink& sink, const ReflectionState& state, const ReflectionCounts& c,
                          const ReflectionTrafficView& view) {
  // Every series carries the view's labels first (the flow collector's source).
  const auto add = [&](const MetricDesc& desc, Labels labels, double value) {
    labels.insert(labels.begin(), view.labels.begin(), view.labels.end());
    sink.Add(desc, labels, value);
  };
  const auto pb = [&](const PacketsBytesDesc& desc, const Labels& labels,
                      const ReflectionCounts::PacketsBytes& counts) {
    add(desc.packets, labels, static_cast<double>(counts.packets));
    add(desc.bytes, labels, static_cast<double>(counts.bytes));
  };

  for (int d = 0; d < kDirectionCount; ++d) {
    for (int m = 0; m < ntp::kModeCount; ++m) {
      pb(kNtp,
         {{"direction", DirectionName(static_cast<Direction>(d))},
          {"mode", ntp::ModeName(static_cast<ntp::Mode>(m))}},
         c.ntp[d][m]);
    }
  }
  for (int d = 0; d < kDirectionCount; ++d) {
    for (int s = 0; s < 2; ++s) {
      pb(kNtpMonlist,
         {{"direction", DirectionName(static_cast<Direction>(d))},
          {"side", SideName(static_cast<Side>(s))}},
         c.monlist[d][s]);
    }
  }
  const auto server_name = [&](std::size_t i) {
    return i < view.ntp_servers.size() ? net::FormatAddress(view.ntp_servers[i])
                                       : std::string("other");
  };
  for (std::size_t i = 0; i < c.server_requests.size(); ++i) {
    pb(kNtpServerRequest, {{"server", server_name(i)}}, c.server_requests[i]);
  }
  for (std::size_t i = 0; i < c.server_responses.size(); ++i) {
    pb(kNtpServerResponse, {{"server", server_name(i)}}, c.server_responses[i]);
  }
  const auto& ntp_unsolicited = c.unsolicited[static_cast<int>(Vector::kNtp)];
  add(kNtpUnsolicitedResponsesTotal, {}, static_cast<double>(ntp_unsolicited.packets));
  add(kNtpUnsolicitedPayloadBytesTotal, {}, static_cast<double>(ntp_unsolicited.bytes));

  for (const auto& info : reflection::kVectors) {
    if (!Enabled(view.vectors, info.vector)) {
      continue;
    }
    const int v = static_cast<int>(info.vector);
    for (int d = 0; d < kDirectionCount; ++d) {
      for (int s = 0; s < 2; ++s) {
        pb(kReflection,
           {{"vector", std::string(info.name)},
            {"direction", DirectionName(static_cast<Direction>(d))},
            {"side", SideName(static_cast<Side>(s))}},
           c.vectors[v][d][s]);
      }
    }
  }
  for (const auto& info : reflection::kVectors) {
    if (!Enabled(view.vectors, info.vector)) {
      continue;
    }
    const Labels labels = {{"vector", std::string(info.name)}};
    const auto& unsolicited = c.unsolicited[static_cast<int>(info.vector)];
    add(kReflectionUnsolicitedResponsesTotal, labels, static_cast<double>(unsolicited.packets));
    add(kReflectionUnsolicitedPayloadBytesTotal, labels, static_cast<double>(unsolicited.bytes));
  }
  for (const auto& info : reflection::kVectors) {
    if (!Enabled(view.vectors, info.vector)) {
      continue;
    }
    const auto top = state.TopTargets(info.vector, view.now_ns);
    for (const auto& [address, bytes] : top.entries) {
      add(kReflectionTopTargetBytes,
          {{"vector", std::string(info.name)}, {"target", net::FormatAddress(address)}},
          static_cast<double>(bytes));
    }
    add(kReflectionTopTargetErrorBytes, {{"vector", std::string(info.name)}},
        static_cast<double>(top.error_bound));
    const ReflectorView reflectors = state.Reflectors(info.vector, view.now_ns);
    for (std::size_t i = 0; i < reflectors.reflectors.entries.size(); ++i) {
      const Labels labels = {
          {"vector", std::string(info.name)},
          {"reflector", net::FormatAddress(reflectors.reflectors.entries[i].first)}};
      add(kReflectionTopReflectorBytes, labels,
          static_cast<double>(reflectors.reflectors.entries[i].second));
      add(kReflectionTopReflectorRequestBytes, labels, static_cast<double>(reflectors.asked[i]));
    }
    add(kReflectionTopReflectorErrorBytes, {{"vector", std::string(info.name)}},
        static_cast<double>(reflectors.reflectors.error_bound));
    for (const auto& [address, bytes] : reflectors.victims.entries) {
      add(kReflectionTopVictimBytes,
          {{"vector", std::string(info.name)}, {"victim", net::FormatAddress(address)}},
          static_cast<double>(bytes));
    }
    add(kReflectionTopVictimErrorBytes, {{"vector", std::string(info.name)}},
        static_cast<double>(reflectors.victims.error_bound));
    const auto evictions = state.TopReplacements(info.vector);
    for (std::size_t l = 0; l < evictions.size(); ++l) {
      add(kReflectionTopEvictionsTotal,
          {{"vector", std::string(info.name)},
           {"list", std::array{"targets", "reflectors", "asked", "victims"}[l]}},
          static_cast<double>(evictions[l]));
    }
  }
  add(kReflectionRequestTableEvictionsTotal, {}, static_cast<double>(c.request_evictions));
  add(kReflectionRequestTableSlots, {}, static_cast<double>(state.request_table_slots()));
  for (const auto& [result, n] : {std::pair{"attributed", c.fragments_attributed},
                                  std::pair{"not_watched", c.fragments_not_watched},
                                  std::pair{"unmatched", c.fragments_unmatched}}) {
    add(kReflectionFragmentsTotal, {{"result", result}}, static_cast<double>(n));
  }
  add(kReflectionFragmentTableEvictionsTotal, {}, static_cast<double>(c.fragment_evictions));
  add(kReflectionFragmentTableSlots, {}, static_cast<double>(state.fragment_table_slots()));
}

}  // namespace edgewatch
