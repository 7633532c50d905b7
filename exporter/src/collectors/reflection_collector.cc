#include "collectors/reflection_collector.h"

#include "collectors/udp_reflection_metrics.h"
#include "config/values.h"
#include "io/interfaces.h"
#include "io/udp_exchange.h"

namespace edgewatch {

namespace {

// The catalogue: every family this file exports, written once.
constexpr MetricDesc kNtpMonlistExposed{
    "edgewatch_ntp_monlist_exposed", prometheus::MetricType::Gauge,
    "1 if the local NTP server answered the monlist self-check."};
constexpr MetricDesc kCaptureUp{"edgewatch_capture_up", prometheus::MetricType::Gauge,
                                "1 while the packet capture is running."};
constexpr MetricDesc kCapturePacketsReceivedTotal{
    "edgewatch_capture_packets_received_total", prometheus::MetricType::Counter,
    "Packets passed by the capture filter, those the kernel then dropped included (libpcap "
    "ps_recv)."};
constexpr MetricDesc kCapturePacketsDroppedTotal{
    "edgewatch_capture_packets_dropped_total", prometheus::MetricType::Counter,
    "Packets dropped by the kernel buffer or the interface (libpcap ps_drop + ps_ifdrop)."};
constexpr MetricDesc kCaptureDecodeErrorsTotal{"edgewatch_capture_decode_errors_total",
                                               prometheus::MetricType::Counter,
                                               "Frames that could not be decoded, by reason."};
constexpr MetricDesc kCaptureIpFragmentsTotal{
    "edgewatch_capture_ip_fragments_total", prometheus::MetricType::Counter,
    "IP fragments seen, of any protocol; the first of a UDP datagram is read as UDP."};
constexpr MetricDesc kCaptureEncapsulatedFramesTotal{
    "edgewatch_capture_encapsulated_frames_total", prometheus::MetricType::Counter,
    "Frames decoded inside a tunnel (mpls, gre, erspan, vxlan, pppoe; the innermost), as a SPAN "
    "or tap feed carries them."};
constexpr MetricDesc kCaptureUndecodedFramesTotal{
    "edgewatch_capture_undecoded_frames_total", prometheus::MetricType::Counter,
    "Frames in a tunnel whose content edgewatch cannot read (PPTP's GRE, an MPLS payload that is "
    "not IP or Ethernet, ...): traffic the capture is blind to."};
constexpr MetricDesc kCaptureSpoofedEgressPacketsTotal{
    "edgewatch_capture_spoofed_egress_packets_total", prometheus::MetricType::Counter,
    "Packets leaving with a source outside the local networks (BCP 38), by vector (none for "
    "other UDP and other protocols) and protocol: a host inside launching spoofed attacks. Where "
    "the capture sees direction (interface any, cooked captures) or spoofed_egress is set."};
constexpr MetricDesc kCaptureEgressUp{
    "edgewatch_capture_egress_up", prometheus::MetricType::Gauge,
    "1 while the second capture for spoofed egress runs (spoofed_egress on one interface)."};
constexpr MetricDesc kCaptureEgressDroppedTotal{
    "edgewatch_capture_egress_packets_dropped_total", prometheus::MetricType::Counter,
    "Packets the spoofed-egress capture's kernel ring dropped."};
constexpr const MetricDesc* kMetrics[] = {&kNtpMonlistExposed,
                                          &kCaptureUp,
                                          &kCapturePacketsReceivedTotal,
                                          &kCapturePacketsDroppedTotal,
                                          &kCaptureDecodeErrorsTotal,
                                          &kCaptureIpFragmentsTotal,
                                          &kCaptureEncapsulatedFramesTotal,
                                          &kCaptureUndecodedFramesTotal,
                                          &kCaptureSpoofedEgressPacketsTotal,
                                          &kCaptureEgressUp,
                                          &kCaptureEgressDroppedTotal};

}  // namespace
namespace {

using reflection::Side;
using reflection::Vector;

constexpr char kDecodeReasonNtp[] = "ntp_malformed";

}  // namespace

std::string EgressFilter(const std::vector<net::Prefix>& local) {
  std::string sources;
  for (const auto& p : local) {
    sources += (sources.empty() ? "" : " or ") + std::string("src net ") +
               net::FormatAddress(p.network) + "/" + std::to_string(p.length);
  }
  return "(ip or ip6) and not (" + sources + ")";
}

std::string CaptureFilter(const std::vector<Vector>& vectors,
                          const std::vector<net::Prefix>* spoofed_from) {
  std::string ports;
  for (Vector v : vectors) {
    ports += ports.empty() ? "" : " or ";
    ports += "port " + std::to_string(reflection::Info(v).port);
  }
  // The vectors' ports; every IP fragment (only the first holds the UDP header); and the
  // tunnels a SPAN or tap feed carries (GRE and ERSPAN, VXLAN, MPLS, PPPoE), decoded inside.
  std::string filter =
      "(udp and (" + ports +
      ")) or (ip and ip[6:2] & 0x3fff != 0) or (ip6 and ip6[6] != 17 and ip6[6] != 6 and "
      "ip6[6] != 58) or (ip proto 47) or (udp port 4789) or (ether proto 0x8847) or "
      "(ether proto 0x8848) or (ether proto 0x8864)";
  if (spoofed_from != nullptr && !spoofed_from->empty()) {
    filter += " or (outbound and " + EgressFilter(*spoofed_from) + ")";
  }
  return filter;
}

ReflectionCollector::ReflectionCollector(const ReflectionConfig& config, const Clock& clock,
                                         Logger logger, std::unique_ptr<Trigger> retry,
                                         std::unique_ptr<Trigger> probe)
    : config_(config),
      clock_(clock),
      logger_(std::move(logger)),
      retry_(std::move(retry)),
      probe_(std::move(probe)),
      interface_label_(config.interface),
      exposed_(config.ntp.servers.size()) {}

ReflectionCollector::~ReflectionCollector() { Stop(); }

std::vector<net::Prefix> ReflectionCollector::LocalNetworks() const {
  if (!config_.local_networks.empty()) {
    return config_.local_networks;
  }
  auto addresses = io::InterfaceAddresses(config_.interface);
  if (!addresses) {
    // A missing interface is retried by the capture loop; direction needs addresses now.
    logger_.Warn("no local addresses; every packet counts as transit until a reload",
                 {{"err", addresses.error().message}});
    return {};
  }
  return std::move(*addresses);
}

void ReflectionCollector::ReadInterfaceAddresses() { state_->SetLocalNetworks(LocalNetworks()); }

Status ReflectionCollector::Start() {
  const auto local = LocalNetworks();
  state_ = std::make_unique<ReflectionState>(ReflectionSettingsOf(config_, local));
  main_.options.interface = config_.interface;
  main_.options.buffer_bytes = config_.buffer_size_bytes;
  main_.options.promiscuous = config_.promiscuous;
  const bool cooked = config_.interface == "any";
  main_.options.filter =
      CaptureFilter(config_.vectors, config_.spoofed_egress && cooked ? &local : nullptr);
  main_.retry = retry_.get();
  capture_thread_ =
      std::thread([this] { Run(main_, [this](auto& p, int link) { Count(p, link); }); });
  if (config_.spoofed_egress && !cooked) {
    // One interface's Ethernet headers do not say which way a packet went: a second handle
    // takes only what leaves (pcap_setdirection), and only from sources outside `local`.
    if (local.empty()) {
      logger_.Warn("spoofed_egress: no local networks known, so no source can be told forged",
                   {{"interface", config_.interface}});
    } else {
      egress_.what = "egress capture";
      egress_.options.interface = config_.interface;
      egress_.options.buffer_bytes = 4 << 20;
      egress_.options.outbound_only = true;
      egress_.options.filter = EgressFilter(local);
      egress_retry_ = std::make_unique<IntervalTrigger>(config_.retry_interval);
      egress_.retry = egress_retry_.get();
      egress_thread_ = std::thread([this] {
        Run(egress_, [this](const io::Packet& p, int link) {
          state_->OnEgressFrame(p.timestamp_ns, link, p.data);
        });
      });
    }
  }
  if (config_.ntp.monlist_probe && !config_.ntp.servers.empty()) {
    probe_thread_ = std::thread([this] { ProbeLoop(); });
  }
  return {};
}

void ReflectionCollector::Stop() {
  stopping_ = true;
  Break(main_);
  Break(egress_);
  retry_->Stop();
  probe_->Stop();
  if (egress_retry_) {
    egress_retry_->Stop();
  }
  if (capture_thread_.joinable()) {
    capture_thread_.join();
  }
  if (egress_thread_.joinable()) {
    egress_thread_.join();
  }
  if (probe_thread_.joinable()) {
    probe_thread_.join();
  }
}

void ReflectionCollector::Count(const io::Packet& packet, int link_type) {
  state_->OnFrame(packet.timestamp_ns, link_type, packet.data);
}

void ReflectionCollector::Break(LiveCapture& capture) {
  std::lock_guard<std::mutex> lock(capture.mu);
  if (capture.source != nullptr) {
    capture.source->Break();
  }
}

template <typename OnPacket>
void ReflectionCollector::Run(LiveCapture& capture, OnPacket on_packet) {
  const std::string& interface = capture.options.interface;
  std::string last_error;
  while (!stopping_) {
    auto source = io::PcapSource::OpenLive(capture.options);
    if (!source) {
      if (source.error().message != last_error) {  // log each new reason once, not every retry
        logger_.Error(std::string(capture.what) + " not running; retrying",
                      {{"interface", interface}, {"err", source.error().message}});
        last_error = source.error().message;
      }
      if (!capture.retry->Wait()) {
        return;
      }
      continue;
    }
    {
      std::lock_guard<std::mutex> lock(capture.mu);
      if (stopping_) {
        return;
      }
      capture.source = &*source;
    }
    capture.up = true;
    last_error.clear();
    logger_.Info(std::string(capture.what) + " started",
                 {{"interface", interface}, {"filter", capture.options.filter}});
    const int link = source->link_type();
    const std::uint64_t received_base = capture.received;
    const std::uint64_t dropped_base = capture.dropped;
    Status status;
    for (;;) {
      auto n = source->Dispatch([&](const io::Packet& p) { on_packet(p, link); });
      if (auto stats = source->Stats()) {
        capture.received = received_base + stats->received;
        capture.dropped = dropped_base + stats->dropped;
      }
      if (!n) {
        status = n.error();
        break;
      }
      if (*n == io::PcapSource::kBroken) {
        break;
      }
    }
    {
      std::lock_guard<std::mutex> lock(capture.mu);
      capture.source = nullptr;
    }
    capture.up = false;
    if (stopping_) {
      return;
    }
    logger_.Error(std::string(capture.what) + " lost; retrying",
                  {{"interface", interface}, {"err", status.error().message}});
    if (!capture.retry->Wait()) {
      return;
    }
  }
}

void ReflectionCollector::ProbeOnce() {
  const auto request = ntp::MonlistRequest();
  for (std::size_t i = 0; i < config_.ntp.servers.size(); ++i) {
    const auto& server = config_.ntp.servers[i];
    auto reply = io::UdpExchange(server, 123, request, config_.ntp.probe_timeout);
    bool exposed = false;
    if (reply) {
      const auto packet = ntp::Classify(*reply);
      exposed = packet && packet->IsMonlistAnswer();
    }
    logger_.Debug("monlist probe", {{"server", net::FormatAddress(server)},
                                    {"exposed", exposed ? "true" : "false"},
                                    {"detail", reply ? "answered" : reply.error().message}});
    std::lock_guard<std::mutex> lock(probe_mu_);
    exposed_[i] = exposed;
  }
}

void ReflectionCollector::ProbeLoop() {
  do {
    ProbeOnce();
  } while (probe_->Wait());
}

void ReflectionCollector::StartReplay() {
  if (!state_) {
    state_ =
        std::make_unique<ReflectionState>(ReflectionSettingsOf(config_, config_.local_networks));
    interface_label_ = "replay";
  }
  replayed_ = true;
}

// A capture read packet by packet in time order; the packet that is past the limit waits (its
// bytes stay valid until the next Next()).
class ReflectionCollector::History final : public ReplaySource {
 public:
  History(ReflectionCollector& c, io::PcapSource source, std::string path)
      : c_(c), source_(std::move(source)), link_(source_.link_type()), path_(std::move(path)) {}

  std::optional<std::int64_t> NextTime() override {
    if (!pending_ && !ended_) {
      auto next = source_.Next();
      if (!next) {
        c_.logger_.Warn("capture ends early; counted the whole packets before the damage",
                        {{"file", path_}, {"err", next.error().message}});
      }
      pending_ = next ? *next : std::nullopt;
      ended_ = !pending_;
    }
    return pending_ ? std::optional<std::int64_t>(pending_->timestamp_ns) : std::nullopt;
  }

  Status ReadUntil(std::int64_t until_ns) override {
    while (NextTime() && pending_->timestamp_ns <= until_ns) {
      ++c_.main_.received;
      c_.Count(*pending_, link_);
      pending_.reset();
    }
    if (until_ns > c_.replay_now_ns_) {
      c_.replay_now_ns_ = until_ns;
    }
    return {};
  }

 private:
  ReflectionCollector& c_;
  io::PcapSource source_;
  int link_;
  std::string path_;
  std::optional<io::Packet> pending_;
  bool ended_ = false;
};

Expected<std::unique_ptr<ReplaySource>> ReflectionCollector::OpenReplay(const std::string& path) {
  StartReplay();
  auto source = io::PcapSource::OpenFile(path);
  if (!source) {
    return source.error();
  }
  return std::unique_ptr<ReplaySource>(std::make_unique<History>(*this, std::move(*source), path));
}

Status ReflectionCollector::Replay(const std::string& path) {
  StartReplay();
  auto source = io::PcapSource::OpenFile(path);
  if (!source) {
    return source.error();
  }
  const int link = source->link_type();
  std::uint64_t frames = 0;
  Status s = source->ReadAll([&](const io::Packet& p) {
    ++frames;
    Count(p, link);
  });
  main_.received += frames;
  if (!s) {
    // A capture cut short (a full disk, tcpdump killed) still holds whole packets before the
    // cut; count those, as tcpdump -r prints them, and say where it ended.
    logger_.Warn("capture ends early; counted the whole packets before the damage",
                 {{"file", path}, {"packets", std::to_string(frames)}, {"err", s.error().message}});
  }
  return {};
}

Status ReflectionCollector::Collect(MetricSink& sink) const {
  if (!state_) {
    return Error{"not started"};
  }
  const ReflectionCounts c = state_->Counts();
  const std::int64_t now_ns =
      replayed_
          ? std::max(state_->last_frame_ns(), replay_now_ns_.load())
          : std::chrono::duration_cast<std::chrono::nanoseconds>(clock_.Now().time_since_epoch())
                .count();
  AddReflectionTraffic(sink, *state_, c, {config_.vectors, config_.ntp.servers, now_ns, {}});
  {
    std::lock_guard<std::mutex> lock(probe_mu_);
    for (std::size_t i = 0; i < exposed_.size(); ++i) {
      if (exposed_[i]) {
        sink.Add(kNtpMonlistExposed, {{"server", net::FormatAddress(config_.ntp.servers[i])}},
                 *exposed_[i] ? 1 : 0);
      }
    }
  }

  const Labels iface = {{"interface", interface_label_}};
  sink.Add(kCaptureUp, iface, main_.up || replayed_ ? 1 : 0);
  sink.Add(kCapturePacketsReceivedTotal, iface, static_cast<double>(main_.received.load()));
  sink.Add(kCapturePacketsDroppedTotal, iface, static_cast<double>(main_.dropped.load()));
  if (egress_.retry != nullptr) {
    sink.Add(kCaptureEgressUp, iface, egress_.up ? 1 : 0);
    sink.Add(kCaptureEgressDroppedTotal, iface, static_cast<double>(egress_.dropped.load()));
  }
  for (int e = 0; e < net::kDecodeErrorCount; ++e) {
    sink.Add(kCaptureDecodeErrorsTotal,
             {{"interface", interface_label_},
              {"reason", net::DecodeErrorName(static_cast<net::DecodeError>(e))}},
             static_cast<double>(c.decode_errors[e]));
  }
  sink.Add(kCaptureDecodeErrorsTotal,
           {{"interface", interface_label_}, {"reason", kDecodeReasonNtp}},
           static_cast<double>(c.ntp_malformed));
  sink.Add(kCaptureIpFragmentsTotal, iface, static_cast<double>(c.fragments));
  for (int v = 0; v <= reflection::kVectorCount; ++v) {
    for (int p = 0; p < kSpoofedProtocolCount; ++p) {
      const auto protocol = static_cast<SpoofedProtocol>(p);
      if (v < reflection::kVectorCount && protocol != SpoofedProtocol::kUdp) {
        continue;  // vectors are UDP's
      }
      sink.Add(kCaptureSpoofedEgressPacketsTotal,
               {iface[0],
                {"vector", v < reflection::kVectorCount ? std::string(reflection::kVectors[v].name)
                                                        : std::string("none")},
                {"protocol", SpoofedProtocolName(protocol)}},
               static_cast<double>(c.spoofed_egress[v][p]));
    }
  }
  for (int e = 1; e < net::kEncapsulationCount; ++e) {  // 0 is "none"
    const Labels labels = {
        iface[0], {"encapsulation", net::EncapsulationName(static_cast<net::Encapsulation>(e))}};
    sink.Add(kCaptureEncapsulatedFramesTotal, labels, static_cast<double>(c.encapsulated[e]));
    sink.Add(kCaptureUndecodedFramesTotal, labels, static_cast<double>(c.undecoded[e]));
  }
  return {};
}

namespace {

// The capture and its counters go on while the section stays the same. Without
// local_networks the interface's addresses are read again, in place: a reload used to restart
// the capture and zero the counters, so reloads in a loop blinded the detector.
TakeOver TakeOverReflection(Collector& running, const Config& was, const Config& next) {
  if (!KeepWhileSectionSame<ReflectionConfig>(running, was, next)) {
    return std::nullopt;
  }
  if (!next.Section<ReflectionConfig>().local_networks.empty()) {
    return std::function<void()>();
  }
  auto& collector = static_cast<ReflectionCollector&>(running);  // built by this registration
  return [&collector] { collector.ReadInterfaceAddresses(); };
}

}  // namespace

const CollectorRegistration kReflectionCollector = {
    "reflection",
    "UDP reflection/amplification (NTP monlist, DNS, SSDP, ...) from libpcap",
    [](const Config& c) { return c.Section<ReflectionConfig>().enabled; },
    [](const CollectorContext& context) -> std::unique_ptr<Collector> {
      const auto& c = context.config.Section<ReflectionConfig>();
      return std::make_unique<ReflectionCollector>(
          c, context.clock, context.logger, std::make_unique<IntervalTrigger>(c.retry_interval),
          std::make_unique<IntervalTrigger>(c.ntp.probe_interval));
    },
    &TakeOverReflection,
    {"--pcap", "a pcap or pcapng capture", ""},
    kMetrics,
    &kReflectionSection,
};

}  // namespace edgewatch
