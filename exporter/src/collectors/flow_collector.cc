#include "collectors/flow_collector.h"

#include "collectors/udp_reflection_metrics.h"
#include "io/pcap_source.h"
#include "parsers/net/frame.h"

namespace edgewatch {

namespace {

// The catalogue: every family this file exports, written once.
constexpr MetricDesc kDatagramsTotal{"edgewatch_flow_datagrams_total",
                                     prometheus::MetricType::Counter,
                                     "Flow datagrams received from an agent (exporter)."};
constexpr MetricDesc kSamplesTotal{
    "edgewatch_flow_samples_total", prometheus::MetricType::Counter,
    "Flow samples (sFlow) or flow records (NetFlow, IPFIX) an agent's datagrams carried."};
constexpr MetricDesc kLostTotal{
    "edgewatch_flow_datagrams_lost_total", prometheus::MetricType::Counter,
    "Datagrams an agent sent that never arrived, from the gaps in its sequence numbers (sFlow, "
    "NetFlow v9)."};
constexpr MetricDesc kRecordsLostTotal{
    "edgewatch_flow_records_lost_total", prometheus::MetricType::Counter,
    "Flow records an agent sent that never arrived, from the gaps in its sequence numbers "
    "(NetFlow v5 and IPFIX count records)."};
constexpr MetricDesc kTemplatesTotal{
    "edgewatch_flow_templates_total", prometheus::MetricType::Counter,
    "Templates and options templates (NetFlow v9, IPFIX) an agent sent, refreshes included."};
constexpr MetricDesc kTemplateEvictionsTotal{
    "edgewatch_flow_template_evictions_total", prometheus::MetricType::Counter,
    "Live templates, or domains and samplers, forgotten for room (flow.max_templates)."};
constexpr MetricDesc kResetsTotal{
    "edgewatch_flow_sequence_resets_total", prometheus::MetricType::Counter,
    "Times an agent's sequence went back (a restarted agent or a reordered datagram)."};
constexpr MetricDesc kDecodeErrorsTotal{
    "edgewatch_flow_decode_errors_total", prometheus::MetricType::Counter,
    "Datagrams (or samples in them) that could not be read, by agent and reason."};
constexpr MetricDesc kLastSeen{"edgewatch_flow_agent_last_seen_timestamp_seconds",
                               prometheus::MetricType::Gauge,
                               "When the agent's latest datagram arrived (Unix time)."};
constexpr MetricDesc kSamplingRate{
    "edgewatch_flow_agent_sampling_rate", prometheus::MetricType::Gauge,
    "The sampling rate (1 in N packets) of the agent's latest flow sample."};
constexpr MetricDesc kRefusedTotal{
    "edgewatch_flow_refused_datagrams_total", prometheus::MetricType::Counter,
    "Datagrams from a source outside flow.agents, not counted: forged flows, or an agent to add."};
constexpr MetricDesc kListenerDatagramsTotal{
    "edgewatch_flow_listener_datagrams_total", prometheus::MetricType::Counter,
    "Datagrams a listener received, from any source: 0 from the start, so silence shows."};
constexpr MetricDesc kReceiveDropsTotal{
    "edgewatch_flow_receive_drops_total", prometheus::MetricType::Counter,
    "Datagrams the kernel dropped on a listener for a full receive buffer."};
constexpr MetricDesc kInterfaceOctetsTotal{
    "edgewatch_flow_interface_octets_total", prometheus::MetricType::Counter,
    "Octets an agent's interface received (in) and sent (out), from its counter samples "
    "(ifInOctets/ifOutOctets as the agent counts them)."};
constexpr MetricDesc kInterfaceSpeed{"edgewatch_flow_interface_speed_bytes",
                                     prometheus::MetricType::Gauge,
                                     "An agent's interface speed in bytes per second (ifSpeed/8)."};
constexpr MetricDesc kInterfacesNotKeptTotal{
    "edgewatch_flow_interface_counters_not_kept_total", prometheus::MetricType::Counter,
    "Counter samples of interfaces past flow.max_interfaces (or of agents past max_agents)."};
constexpr const MetricDesc* kMetrics[] = {
    &kDatagramsTotal,    &kSamplesTotal,           &kLostTotal,      &kRecordsLostTotal,
    &kTemplatesTotal,    &kTemplateEvictionsTotal, &kResetsTotal,    &kDecodeErrorsTotal,
    &kLastSeen,          &kSamplingRate,           &kRefusedTotal,   &kListenerDatagramsTotal,
    &kReceiveDropsTotal, &kInterfaceOctetsTotal,   &kInterfaceSpeed, &kInterfacesNotKeptTotal};

constexpr char kSflow[] = "sflow";
constexpr char kNetflow[] = "netflow";
// Flows a datagram hands to the state at once: requests before answers within them.
constexpr std::size_t kFlowBatch = 512;

const char* ProtocolName(flow::FlowProtocol p) {
  switch (p) {
    case flow::FlowProtocol::kSflow:
      return kSflow;
    case flow::FlowProtocol::kNetflow5:
      return "netflow5";
    case flow::FlowProtocol::kNetflow9:
      return "netflow9";
    case flow::FlowProtocol::kIpfix:
      return "ipfix";
    case flow::FlowProtocol::kUnknown:
      break;
  }
  return "unknown";
}

std::int64_t Nanos(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

std::optional<int> LinkTypeOf(std::uint32_t header_protocol) {
  switch (header_protocol) {
    case 1:
      return net::kLinkEthernet;
    case 11:
      return net::kLinkIpv4;
    case 12:
      return net::kLinkIpv6;
    default:
      return std::nullopt;
  }
}

FlowError FlowErrorOf(flow::DatagramError e) {
  switch (e) {
    case flow::DatagramError::kTruncated:
      return FlowError::kTruncated;
    case flow::DatagramError::kVersion:
      return FlowError::kVersion;
    case flow::DatagramError::kAddressType:
      return FlowError::kAddressType;
    case flow::DatagramError::kTemplate:
      return FlowError::kTemplate;
  }
  return FlowError::kTruncated;
}

io::UdpEndpoint EndpointOf(const ListenAddress& listen) {
  if (listen.host.empty()) {
    return {std::nullopt, listen.port};
  }
  return {net::ParseAddress(listen.host == "localhost" ? "127.0.0.1" : listen.host), listen.port};
}

}  // namespace

// Hands each flow sample's header to the state, weighted by its sampling rate, and each
// interface counter record to the agents' table; the samples go to the agent's health once per
// datagram (Flush), not under its lock per sample.
class FlowCollector::SflowCounter final : public flow::SflowVisitor {
 public:
  SflowCounter(ReflectionState& state, FlowAgents& agents, std::size_t slot,
               std::int64_t timestamp_ns)
      : state_(state), agents_(agents), slot_(slot), timestamp_ns_(timestamp_ns) {}

  void Flow(const flow::SflowFlowSample& sample) override {
    const std::uint32_t weight = sample.sampling_rate == 0 ? 1 : sample.sampling_rate;
    ++samples_;
    rate_ = weight;
    if (!sample.has_header) {
      return;
    }
    if (const auto link = LinkTypeOf(sample.header_protocol)) {
      state_.OnFrame(timestamp_ns_, *link, sample.header, weight);
    } else {
      agents_.Failed(slot_, FlowError::kHeaderProtocol);
    }
  }
  void Counters(const flow::SflowInterfaceCounters& counters) override {
    agents_.Interface(slot_, counters);
  }
  void Flush() {
    if (samples_ > 0) {
      agents_.Samples(slot_, samples_, rate_);
    }
  }

 private:
  ReflectionState& state_;
  FlowAgents& agents_;
  std::size_t slot_;
  std::int64_t timestamp_ns_;
  std::uint32_t samples_ = 0;
  std::uint32_t rate_ = 0;  // of the latest flow sample
};

// Keeps each template and options record's sampling, and hands the UDP flow records to the
// state in batches (requests first within each), scaled by their sampling; the records go to
// the agent's health once per datagram (Flush).
class FlowCollector::NetflowCounter final : public flow::NetflowVisitor {
 public:
  NetflowCounter(FlowCollector& c, std::size_t slot, const net::Address& sender,
                 std::int64_t timestamp_ns)
      : c_(c), slot_(slot), sender_(sender), timestamp_ns_(timestamp_ns) {}

  void Header(const flow::NetflowHeader& h) override {
    domain_ = h.domain;
    domain_rate_.reset();
  }
  void Template(const flow::Template& t) override {
    c_.templates_.Store(sender_, domain_, t, timestamp_ns_);
  }
  void WithdrawAll(bool options) override {
    c_.templates_.WithdrawAll(sender_, domain_, options, timestamp_ns_);
  }
  const flow::Template* Find(std::uint16_t id) override {
    return c_.templates_.Find(sender_, domain_, id, timestamp_ns_);
  }
  void Record(const flow::FlowRecord& r) override {
    if (r.options) {
      c_.templates_.SetSampling(sender_, domain_, r, timestamp_ns_);
      domain_rate_.reset();
      return;
    }
    std::uint32_t rate = RateOf(r);
    if (rate == 0) {
      rate = static_cast<std::uint32_t>(c_.config_.default_sampling_rate);
    }
    ++records_;
    rate_ = rate;
    if (r.protocol != 17 || !r.has_addresses) {
      return;
    }
    // Octets count IP and UDP headers; the reflection families count UDP payload.
    const std::uint64_t headers = r.packets * (r.src.v6 ? 48 : 28);
    c_.flows_.push_back({r.src, r.dst, r.src_port, r.dst_port, r.packets,
                         r.octets > headers ? r.octets - headers : 0, rate});
    if (c_.flows_.size() == kFlowBatch) {
      HandOver();
    }
  }
  void Flush() {
    HandOver();
    if (records_ > 0) {
      c_.agents_.Samples(slot_, records_, rate_);
    }
  }

 private:
  // A record without a rate or sampler of its own has its domain's, looked up once per
  // datagram (a table lookup per record cost a tenth of the time): only the datagram's options
  // records change it.
  std::uint32_t RateOf(const flow::FlowRecord& r) {
    if (r.sampling_rate != 0 || r.has_sampler) {
      return c_.templates_.SamplingOf(sender_, domain_, r, timestamp_ns_);
    }
    if (!domain_rate_) {
      domain_rate_ = c_.templates_.SamplingOf(sender_, domain_, r, timestamp_ns_);
    }
    return *domain_rate_;
  }

  void HandOver() {
    if (!c_.flows_.empty()) {
      c_.netflow_->OnUdpFlows(timestamp_ns_, c_.flows_);
      c_.flows_.clear();
    }
  }

  FlowCollector& c_;
  std::size_t slot_;
  const net::Address& sender_;
  std::int64_t timestamp_ns_;
  std::uint32_t domain_ = 0;
  std::uint32_t records_ = 0;
  std::uint32_t rate_ = 0;  // of the latest flow record
  std::optional<std::uint32_t> domain_rate_;
};

FlowCollector::FlowCollector(const FlowConfig& config, const Clock& clock, Logger logger)
    : config_(config),
      clock_(clock),
      logger_(std::move(logger)),
      sflow_(
          std::make_unique<ReflectionState>(ReflectionSettingsOf(config_, config_.local_networks))),
      netflow_(
          std::make_unique<ReflectionState>(ReflectionSettingsOf(config_, config_.local_networks))),
      agents_(config.max_agents, config.max_interfaces),
      templates_(
          config.max_templates,
          std::chrono::duration_cast<std::chrono::nanoseconds>(config.template_timeout).count()),
      received_(config.listen.size()),
      kernel_drops_(config.listen.size()) {
  flows_.reserve(kFlowBatch);
}

FlowCollector::~FlowCollector() { Stop(); }

Status FlowCollector::Start() {
  std::vector<io::UdpEndpoint> endpoints;
  for (const ListenAddress& listen : config_.listen) {
    endpoints.push_back(EndpointOf(listen));
  }
  auto receiver = io::UdpReceiver::Bind(endpoints, static_cast<int>(config_.receive_buffer_bytes));
  if (!receiver) {
    return receiver.error();
  }
  receiver_.emplace(std::move(*receiver));
  ports_ = receiver_->Ports();
  for (std::size_t i = 0; i < endpoints.size(); ++i) {
    endpoints[i].port = ports_[i];
    logger_.Info("receiving flows", {{"listen", io::FormatEndpoint(endpoints[i])}});
  }
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
  return {};
}

void FlowCollector::Stop() {
  stopping_ = true;
  if (thread_.joinable()) {
    thread_.join();
  }
}

void FlowCollector::Run() {
  const io::UdpReceiver::OnDatagram on_datagram =
      [this](const net::Address& sender, std::span<const std::byte> bytes, bool truncated) {
        const std::int64_t now = Nanos(clock_.Now());
        OnDatagram(sender, bytes, truncated, now, now);
      };
  while (!stopping_) {
    receiver_->Receive(std::chrono::milliseconds(200), on_datagram);
    for (std::size_t i = 0; i < received_.size(); ++i) {
      received_[i] = receiver_->Received(i);
      kernel_drops_[i] = receiver_->KernelDrops(i);
    }
  }
}

void FlowCollector::OnDatagram(const net::Address& sender, std::span<const std::byte> datagram,
                               bool truncated, std::int64_t timestamp_ns, std::int64_t wall_ns) {
  if (!config_.agents.empty()) {
    bool allowed = false;
    for (const Cidr& c : config_.agents) {
      allowed = allowed || c.Contains(sender);
    }
    if (!allowed) {
      ++refused_;
      return;
    }
  }
  const flow::FlowProtocol protocol = flow::FlowProtocolOf(datagram);
  const std::size_t slot = agents_.Slot(sender, protocol);
  agents_.Datagram(slot, wall_ns);
  if (truncated) {
    agents_.Failed(slot, FlowError::kOversize);
  } else if (protocol == flow::FlowProtocol::kSflow) {
    OnSflow(slot, datagram, timestamp_ns);
  } else if (protocol == flow::FlowProtocol::kUnknown) {
    agents_.Failed(slot, FlowError::kVersion);
  } else {
    OnNetflow(slot, sender, datagram, timestamp_ns);
  }
}

void FlowCollector::OnSflow(std::size_t slot, std::span<const std::byte> datagram,
                            std::int64_t timestamp_ns) {
  SflowCounter counter(*sflow_, agents_, slot, timestamp_ns);
  const auto parsed = flow::ParseSflow(datagram, counter);
  counter.Flush();  // a datagram cut short still handed over the samples before the cut
  if (!parsed) {
    agents_.Failed(slot, FlowErrorOf(parsed.error()));
    return;
  }
  agents_.Sequence(slot, parsed->sub_agent, parsed->sequence);
}

void FlowCollector::OnNetflow(std::size_t slot, const net::Address& sender,
                              std::span<const std::byte> datagram, std::int64_t timestamp_ns) {
  NetflowCounter counter(*this, slot, sender, timestamp_ns);
  const auto parsed = flow::ParseNetflow(datagram, counter);
  counter.Flush();
  templates_forgotten_ = templates_.templates_forgotten();
  domains_forgotten_ = templates_.domains_forgotten();
  if (!parsed) {
    agents_.Failed(slot, FlowErrorOf(parsed.error()));
    return;
  }
  const flow::NetflowHeader& h = *parsed;
  if (h.templates > 0) {
    agents_.Templates(slot, h.templates);
  }
  if (h.unknown_sets > 0) {
    agents_.Failed(slot, FlowError::kUnknownTemplate, h.unknown_sets);
  }
  // v9 counts datagrams; v5 and IPFIX count records, which a set of an unknown template hides.
  const std::uint32_t advance = h.version == 9 ? 1 : h.unknown_sets > 0 ? 0 : h.data_records;
  agents_.Sequence(slot, h.domain, h.sequence, advance);
}

Status FlowCollector::Replay(const std::string& path) {
  auto source = io::PcapSource::OpenFile(path);
  if (!source) {
    return source.error();
  }
  replayed_ = true;
  const int link = source->link_type();
  net::Frame frame;
  return source->ReadAll([&](const io::Packet& packet) {
    if (net::DecodeFrameInto(link, packet.data, frame) || frame.kind != net::FrameKind::kUdp) {
      return;  // not a whole flow datagram: the capture's, not the exporter's, fault
    }
    OnDatagram(frame.udp.src, frame.udp.payload,
               frame.udp.payload.size() < frame.udp.payload_length, packet.timestamp_ns,
               packet.timestamp_ns);
  });
}

Status FlowCollector::Collect(MetricSink& sink) const {
  for (const auto& [state, source] :
       {std::pair{sflow_.get(), kSflow}, {netflow_.get(), kNetflow}}) {
    // A replay's windows end at its last datagram, not now.
    const std::int64_t now_ns = replayed_ ? state->last_frame_ns() : Nanos(clock_.Now());
    AddReflectionTraffic(sink, *state, state->Counts(),
                         {config_.vectors, config_.ntp.servers, now_ns, {{"source", source}}});
  }
  for (const FlowAgents::Agent& a : agents_.Agents()) {
    const std::string agent = a.other ? "other" : net::FormatAddress(a.address);
    const Labels labels = {{"protocol", ProtocolName(a.protocol)}, {"agent", agent}};
    const bool counts_records =
        a.protocol == flow::FlowProtocol::kIpfix || a.protocol == flow::FlowProtocol::kNetflow5;
    sink.Add(kDatagramsTotal, labels, static_cast<double>(a.datagrams));
    sink.Add(kSamplesTotal, labels, static_cast<double>(a.samples));
    sink.Add(counts_records ? kRecordsLostTotal : kLostTotal, labels, static_cast<double>(a.lost));
    sink.Add(kResetsTotal, labels, static_cast<double>(a.resets));
    if (a.protocol == flow::FlowProtocol::kNetflow9 || a.protocol == flow::FlowProtocol::kIpfix) {
      sink.Add(kTemplatesTotal, labels, static_cast<double>(a.templates));
    }
    for (int e = 0; e < kFlowErrorCount; ++e) {
      sink.Add(kDecodeErrorsTotal,
               {labels[0], labels[1], {"reason", FlowErrorName(static_cast<FlowError>(e))}},
               static_cast<double>(a.errors[e]));
    }
    sink.Add(kLastSeen, labels, static_cast<double>(a.last_seen_ns) / 1e9);
    sink.Add(kSamplingRate, labels, a.sampling_rate);
  }
  for (const FlowAgents::InterfaceCounters& i : agents_.Interfaces()) {
    const std::string agent = net::FormatAddress(i.agent);
    const std::string index = std::to_string(i.if_index);
    sink.Add(kInterfaceOctetsTotal, {{"agent", agent}, {"ifindex", index}, {"direction", "in"}},
             static_cast<double>(i.in_octets));
    sink.Add(kInterfaceOctetsTotal, {{"agent", agent}, {"ifindex", index}, {"direction", "out"}},
             static_cast<double>(i.out_octets));
    sink.Add(kInterfaceSpeed, {{"agent", agent}, {"ifindex", index}},
             static_cast<double>(i.speed_bps) / 8);
  }
  sink.Add(kInterfacesNotKeptTotal, {}, static_cast<double>(agents_.interfaces_not_kept()));
  sink.Add(kTemplateEvictionsTotal, {{"table", "templates"}},
           static_cast<double>(templates_forgotten_.load()));
  sink.Add(kTemplateEvictionsTotal, {{"table", "domains"}},
           static_cast<double>(domains_forgotten_.load()));
  sink.Add(kRefusedTotal, {}, static_cast<double>(refused_.load()));
  for (std::size_t i = 0; i < config_.listen.size(); ++i) {
    const Labels listen = {{"listen", io::FormatEndpoint(EndpointOf(config_.listen[i]))}};
    sink.Add(kListenerDatagramsTotal, listen, static_cast<double>(received_[i].load()));
    sink.Add(kReceiveDropsTotal, listen, static_cast<double>(kernel_drops_[i].load()));
  }
  return {};
}

const CollectorRegistration kFlowCollector = {
    "flow",
    "sFlow v5, NetFlow v5/v9 and IPFIX from routers into the reflection families "
    "(source=\"sflow\", \"netflow\")",
    [](const Config& c) { return c.Section<FlowConfig>().enabled; },
    [](const CollectorContext& context) -> std::unique_ptr<Collector> {
      return std::make_unique<FlowCollector>(context.config.Section<FlowConfig>(), context.clock,
                                             context.logger);
    },
    &KeepWhileSectionSame<FlowConfig>,
    {"--flow-pcap", "a capture of flow datagrams (sFlow, NetFlow, IPFIX) sent to a collector", ""},
    kMetrics,
    &kFlowSection,
};

}  // namespace edgewatch
