#include "collectors/udp_reflection_state.h"

#include <algorithm>

#include "core/distinct_counter.h"
#include "parsers/reflection/classify.h"

namespace edgewatch {
namespace {

using reflection::Side;
using reflection::Vector;

// A frame with IP addresses: a UDP datagram, another protocol, a later fragment.
bool IsIp(const net::Frame& f) {
  return f.kind == net::FrameKind::kUdp || f.kind == net::FrameKind::kOtherIp ||
         f.kind == net::FrameKind::kFragment;
}

}  // namespace

const char* DirectionName(Direction d) {
  switch (d) {
    case Direction::kIn:
      return "in";
    case Direction::kOut:
      return "out";
    case Direction::kTransit:
      return "transit";
  }
  return "transit";
}

const char* SpoofedProtocolName(SpoofedProtocol p) {
  switch (p) {
    case SpoofedProtocol::kUdp:
      return "udp";
    case SpoofedProtocol::kTcp:
      return "tcp";
    case SpoofedProtocol::kIcmp:
      return "icmp";
    case SpoofedProtocol::kOther:
      return "other";
  }
  return "other";
}

const char* SideName(Side s) { return s == Side::kRequest ? "request" : "response"; }

std::uint64_t RequestTable::KeyHash::operator()(const Key& k) const {
  return MixBits(AddressHash(k.local) ^ (AddressHash(k.remote) << 1) ^
                 static_cast<std::uint64_t>(k.vector));
}

std::uint64_t ReflectionState::FragmentKeyHash::operator()(const FragmentKey& k) const {
  return MixBits(AddressHash(k.src) ^ (AddressHash(k.dst) << 1) ^ k.id);
}

ReflectionState::ReflectionState(ReflectionSettings settings)
    : settings_(std::move(settings)),
      server_requests_(settings_.ntp_servers.size() + 1),
      server_responses_(settings_.ntp_servers.size() + 1),
      requests_(settings_.request_table_size, settings_.request_timeout_ns),
      fragments_table_(kFragmentTableSlots, kFragmentTimeoutNs) {
  for (int i = 0; i < reflection::kVectorCount; ++i) {
    for (auto* tops : {&top_, &reflectors_, &asked_, &victims_}) {
      tops->emplace_back(settings_.top_k * 4, settings_.window_ns);
    }
  }
}

void ReflectionState::SetLocalNetworks(std::vector<net::Prefix> networks) {
  std::lock_guard<std::mutex> lock(local_mu_);
  next_local_ = std::move(networks);
  local_generation_.fetch_add(1, std::memory_order_release);
}

void ReflectionState::TakeUpLocalNetworks() {
  std::lock_guard<std::mutex> lock(local_mu_);
  settings_.local_networks = next_local_;  // rare: once per reload
  taken_generation_ = local_generation_.load(std::memory_order_relaxed);
}

bool ReflectionState::IsLocal(const net::Address& a) const {
  for (const auto& p : settings_.local_networks) {
    if (p.Contains(a)) {
      return true;
    }
  }
  return false;
}

std::size_t ReflectionState::ServerIndex(const net::Address& a) const {
  for (std::size_t i = 0; i < settings_.ntp_servers.size(); ++i) {
    if (settings_.ntp_servers[i] == a) {
      return i;
    }
  }
  return settings_.ntp_servers.size();
}

void ReflectionState::OnFrame(std::int64_t timestamp_ns, int link_type,
                              std::span<const std::byte> bytes, std::uint32_t weight) {
  frames_.Add(1);
  weight_ = weight;
  last_frame_ns_.store(timestamp_ns, std::memory_order_relaxed);
  if (local_generation_.load(std::memory_order_acquire) != taken_generation_) {
    TakeUpLocalNetworks();
  }
  net::Frame& frame = frame_;
  if (const auto error = net::DecodeFrameInto(link_type, bytes, frame)) {
    decode_errors_[static_cast<std::size_t>(*error)].Add(1);
    return;
  }
  if (frame.encapsulation != net::Encapsulation::kNone) {
    const auto e = static_cast<std::size_t>(frame.encapsulation);
    (frame.kind == net::FrameKind::kUndecoded ? undecoded_ : encapsulated_)[e].Add(1);
  }
  if (frame.fragment.fragmented) {
    fragments_.Add(1);
  }
  if (frame.link_direction == net::LinkDirection::kOutgoing && IsIp(frame) &&
      !IsLocal(frame.udp.src)) {
    CountSpoofedEgress(frame);
  }
  if (frame.kind == net::FrameKind::kFragment) {
    OnLaterFragment(frame, timestamp_ns);
    return;
  }
  if (frame.kind != net::FrameKind::kUdp) {
    return;
  }
  const net::UdpDatagram& udp = frame.udp;
  // A first fragment holds the UDP header; its later fragments are counted through the table.
  const bool first_fragment = frame.fragment.fragmented;
  const FragmentKey key{udp.src, udp.dst, frame.fragment.id};
  const auto match =
      reflection::ClassifyDatagram(udp.src_port, udp.dst_port, udp.payload, settings_.vector_mask);
  if (!match) {
    if (first_fragment && !fragments_table_.Record(key, FragmentOrigin{}, timestamp_ns)) {
      fragment_evictions_.Add(1);
    }
    return;
  }
  FragmentOrigin origin = Attribute(udp.src, udp.dst, *match, timestamp_ns);
  if (match->vector == Vector::kNtp) {
    if (const auto packet = ntp::Classify(udp.payload)) {
      origin.ntp_mode = static_cast<std::uint8_t>(packet->mode);
      origin.monlist = packet->IsMonlist();
    } else {
      ntp_malformed_.Add(1);
    }
  }
  const std::uint64_t payload =
      first_fragment ? frame.fragment.payload_bytes : std::uint64_t{udp.payload_length};
  Count(origin, udp.src, udp.dst, payload * weight_, weight_, timestamp_ns);
  if (first_fragment && !fragments_table_.Record(key, origin, timestamp_ns)) {
    fragment_evictions_.Add(1);
  }
}

FragmentOrigin ReflectionState::Attribute(const net::Address& src, const net::Address& dst,
                                          reflection::Match match, std::int64_t now_ns) {
  const bool dst_local = IsLocal(dst);
  const bool src_local = IsLocal(src);
  const Direction direction = dst_local   ? Direction::kIn
                              : src_local ? Direction::kOut
                                          : Direction::kTransit;
  FragmentOrigin origin;
  origin.watched = true;
  origin.vector = match.vector;
  origin.side = match.side;
  origin.direction = static_cast<std::uint8_t>(direction);
  origin.src_local = src_local;
  if (match.vector == Vector::kNtp) {
    const net::Address& server = match.side == Side::kRequest ? dst : src;
    const std::size_t index = ServerIndex(server);
    if (index < settings_.ntp_servers.size() || IsLocal(server)) {
      origin.server = static_cast<std::uint16_t>(index);
    }
  }
  // Every request a local host sends is remembered, to a remote or a local server alike (a
  // customer syncing from the provider's NTP server, Postfix asking unbound on 127.0.0.1):
  // an answer to a local host is unsolicited only if that host asked nobody there.
  if (match.side == Side::kRequest && src_local) {
    if (!requests_.Record(src, dst, match.vector, now_ns)) {
      request_evictions_.Add(1);
    }
  } else if (match.side == Side::kResponse && direction == Direction::kIn) {
    origin.unsolicited = !requests_.Solicited(dst, src, match.vector, now_ns);
  }
  return origin;
}

void ReflectionState::OnUdpFlows(std::int64_t timestamp_ns, std::span<const UdpFlow> flows) {
  frames_.Add(flows.size());
  last_frame_ns_.store(timestamp_ns, std::memory_order_relaxed);
  if (local_generation_.load(std::memory_order_acquire) != taken_generation_) {
    TakeUpLocalNetworks();
  }
  for (const Side pass : {Side::kRequest, Side::kResponse}) {
    for (const UdpFlow& flow : flows) {
      const auto match =
          reflection::ClassifyDatagram(flow.src_port, flow.dst_port, {}, settings_.vector_mask);
      if (match && match->side == pass) {
        OnUdpFlow(flow, *match, timestamp_ns);
      }
    }
  }
}

void ReflectionState::OnUdpFlow(const UdpFlow& flow, reflection::Match match, std::int64_t now_ns) {
  FragmentOrigin origin = Attribute(flow.src, flow.dst, match, now_ns);
  if (match.vector == Vector::kNtp && match.side == Side::kResponse &&
      ntp::MeanSizeSaysMonlist(flow.payload_bytes, flow.packets)) {
    origin.ntp_mode = static_cast<std::uint8_t>(ntp::Mode::kPrivate);
    origin.monlist = true;
  }
  Count(origin, flow.src, flow.dst, flow.payload_bytes * flow.weight, flow.packets * flow.weight,
        now_ns);
}

void ReflectionState::Count(const FragmentOrigin& origin, const net::Address& src,
                            const net::Address& dst, std::uint64_t bytes, std::uint64_t packets,
                            std::int64_t now_ns) {
  const auto dir = static_cast<std::size_t>(origin.direction);
  const auto side = static_cast<std::size_t>(origin.side);
  const auto v = static_cast<std::size_t>(origin.vector);
  if (origin.ntp_mode != 0xFF) {
    ntp_[dir][origin.ntp_mode].Add(bytes, packets);
    if (origin.monlist) {
      monlist_[dir][side].Add(bytes, packets);
    }
  }
  if (origin.server != 0xFFFF) {
    (origin.side == Side::kRequest ? server_requests_ : server_responses_)[origin.server].Add(
        bytes, packets);
  }
  vectors_[v][dir][side].Add(bytes, packets);
  if (origin.unsolicited) {
    unsolicited_[v].Add(bytes, packets);
    std::lock_guard<std::mutex> lock(top_mu_);
    top_[v].Add(now_ns, dst, bytes);
  }
  const auto direction = static_cast<Direction>(origin.direction);
  if (direction == Direction::kOut && origin.side == Side::kResponse) {
    std::lock_guard<std::mutex> lock(top_mu_);
    reflectors_[v].Add(now_ns, src, bytes);
    victims_[v].Add(now_ns, dst, bytes);
  } else if (direction == Direction::kIn && origin.side == Side::kRequest && !origin.src_local) {
    std::lock_guard<std::mutex> lock(top_mu_);
    asked_[v].Add(now_ns, dst, bytes);
  }
}

void ReflectionState::OnEgressFrame(std::int64_t, int link_type, std::span<const std::byte> bytes) {
  net::Frame frame;
  if (!net::DecodeFrameInto(link_type, bytes, frame) && IsIp(frame)) {
    CountSpoofedEgress(frame);
  }
}

void ReflectionState::CountSpoofedEgress(const net::Frame& frame) {
  SpoofedProtocol protocol = SpoofedProtocol::kOther;
  std::size_t vector = reflection::kVectorCount;  // none
  switch (frame.ip_protocol) {
    case 17:
      protocol = SpoofedProtocol::kUdp;
      if (frame.kind == net::FrameKind::kUdp) {
        if (const auto match = reflection::ClassifyDatagram(
                frame.udp.src_port, frame.udp.dst_port, frame.udp.payload, settings_.vector_mask)) {
          vector = static_cast<std::size_t>(match->vector);
        }
      }
      break;
    case 6:
      protocol = SpoofedProtocol::kTcp;
      break;
    case 1:
    case 58:
      protocol = SpoofedProtocol::kIcmp;
      break;
    default:
      break;
  }
  spoofed_egress_[vector][static_cast<std::size_t>(protocol)].Add(1);
}

void ReflectionState::OnLaterFragment(const net::Frame& frame, std::int64_t now_ns) {
  const FragmentKey key{frame.udp.src, frame.udp.dst, frame.fragment.id};
  const FragmentOrigin* origin = fragments_table_.Find(key, now_ns);
  if (origin == nullptr) {
    fragments_unmatched_.Add(1);
    return;
  }
  if (origin->watched) {
    fragments_attributed_.Add(1);
    // A later fragment of a datagram counted already adds its bytes only.
    Count(*origin, frame.udp.src, frame.udp.dst, frame.fragment.payload_bytes * weight_, 0, now_ns);
  } else {
    fragments_not_watched_.Add(1);
  }
  if (frame.fragment.last) {
    fragments_table_.Erase(key);
  }
}

ReflectionCounts ReflectionState::Counts() const {
  ReflectionCounts c;
  for (int d = 0; d < kDirectionCount; ++d) {
    for (int m = 0; m < ntp::kModeCount; ++m) {
      c.ntp[d][m] = ntp_[d][m].Get();
    }
    for (int s = 0; s < 2; ++s) {
      c.monlist[d][s] = monlist_[d][s].Get();
      for (int v = 0; v < reflection::kVectorCount; ++v) {
        c.vectors[v][d][s] = vectors_[v][d][s].Get();
      }
    }
  }
  for (int v = 0; v < reflection::kVectorCount; ++v) {
    c.unsolicited[v] = unsolicited_[v].Get();
  }
  for (std::size_t i = 0; i < server_requests_.size(); ++i) {
    c.server_requests.push_back(server_requests_[i].Get());
    c.server_responses.push_back(server_responses_[i].Get());
  }
  for (int e = 0; e < net::kDecodeErrorCount; ++e) {
    c.decode_errors[e] = decode_errors_[e].Get();
  }
  c.ntp_malformed = ntp_malformed_.Get();
  c.fragments = fragments_.Get();
  c.frames = frames_.Get();
  c.request_evictions = request_evictions_.Get();
  c.fragments_attributed = fragments_attributed_.Get();
  c.fragments_not_watched = fragments_not_watched_.Get();
  c.fragments_unmatched = fragments_unmatched_.Get();
  c.fragment_evictions = fragment_evictions_.Get();
  for (int v = 0; v <= reflection::kVectorCount; ++v) {
    for (int p = 0; p < kSpoofedProtocolCount; ++p) {
      c.spoofed_egress[v][p] = spoofed_egress_[v][p].Get();
    }
  }
  for (int e = 0; e < net::kEncapsulationCount; ++e) {
    c.encapsulated[e] = encapsulated_[e].Get();
    c.undecoded[e] = undecoded_[e].Get();
  }
  return c;
}

std::array<std::uint64_t, 4> ReflectionState::TopReplacements(Vector vector) const {
  const auto v = static_cast<std::size_t>(vector);
  std::lock_guard<std::mutex> lock(top_mu_);
  return {top_[v].replacements(), reflectors_[v].replacements(), asked_[v].replacements(),
          victims_[v].replacements()};
}

ReflectorView ReflectionState::Reflectors(Vector vector, std::int64_t now_ns) const {
  const auto v = static_cast<std::size_t>(vector);
  std::lock_guard<std::mutex> lock(top_mu_);
  ReflectorView view{
      reflectors_[v].Top(now_ns, settings_.top_k), {}, victims_[v].Top(now_ns, settings_.top_k)};
  const auto asked = asked_[v].Top(now_ns, settings_.top_k * 4);
  for (const auto& [reflector, bytes] : view.reflectors.entries) {
    const auto it = std::find_if(asked.entries.begin(), asked.entries.end(),
                                 [&](const auto& e) { return e.first == reflector; });
    view.asked.push_back(it == asked.entries.end() ? 0 : it->second);
  }
  return view;
}

TopList<net::Address> ReflectionState::TopTargets(Vector vector, std::int64_t now_ns) const {
  std::lock_guard<std::mutex> lock(top_mu_);
  return top_[static_cast<std::size_t>(vector)].Top(now_ns, settings_.top_k);
}

}  // namespace edgewatch
