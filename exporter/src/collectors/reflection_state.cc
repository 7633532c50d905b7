#include "collectors/reflection_state.h"

#include <bit>
#include <cstring>

#include "core/distinct_counter.h"
#include "parsers/reflection/classify.h"

namespace edgewatch {
namespace {

using reflection::Side;
using reflection::Vector;

std::uint64_t Fold(const net::Address& a) {
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;
  std::memcpy(&hi, a.bytes.data(), 8);
  std::memcpy(&lo, a.bytes.data() + 8, 8);
  return MixBits(hi ^ MixBits(lo));
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

const char* SideName(Side s) { return s == Side::kRequest ? "request" : "response"; }

RequestTable::RequestTable(std::size_t capacity, std::int64_t timeout_ns)
    : slots_(std::bit_ceil(std::max<std::size_t>(capacity, 2 * kBucket))),
      bucket_mask_(slots_.size() / kBucket - 1),
      timeout_ns_(timeout_ns) {}

std::array<std::size_t, 2> RequestTable::Buckets(const net::Address& local,
                                                 const net::Address& remote, Vector vector) const {
  const std::uint64_t h =
      MixBits(Fold(local) ^ (Fold(remote) << 1) ^ static_cast<std::uint64_t>(vector));
  const std::size_t first = static_cast<std::size_t>(h) & bucket_mask_;
  std::size_t second = static_cast<std::size_t>(h >> 32) & bucket_mask_;
  if (second == first) {
    second = (first + 1) & bucket_mask_;  // two distinct buckets, always
  }
  return {first * kBucket, second * kBucket};
}

RequestTable::Slot* RequestTable::Room(std::size_t first, std::int64_t now_ns) {
  for (std::size_t i = first; i < first + kBucket; ++i) {
    if (!Live(slots_[i], now_ns)) {
      return &slots_[i];
    }
  }
  return nullptr;
}

bool RequestTable::Record(const net::Address& local, const net::Address& remote, Vector vector,
                          std::int64_t now_ns) {
  const auto buckets = Buckets(local, remote, vector);
  for (const std::size_t first : buckets) {
    for (std::size_t i = first; i < first + kBucket; ++i) {
      Slot& s = slots_[i];
      if (s.last_ns != INT64_MIN && s.vector == vector && s.local == local && s.remote == remote) {
        s.last_ns = now_ns;
        return true;
      }
    }
  }
  const Slot fresh{local, remote, now_ns, vector};
  for (const std::size_t first : buckets) {
    if (Slot* room = Room(first, now_ns)) {
      *room = fresh;
      return true;
    }
  }
  // Both buckets are full of live requests: cuckoo. Move an entry whose other bucket has room
  // there and take its slot; if none has, displace one at random and look again from its
  // other bucket.
  Slot moving = fresh;
  std::size_t bucket = buckets[0];
  for (int step = 0; step < kMaxSteps; ++step) {
    for (std::size_t i = bucket; i < bucket + kBucket; ++i) {
      const std::size_t other = OtherBucket(slots_[i], bucket);
      if (Slot* room = Room(other, now_ns)) {
        *room = slots_[i];
        slots_[i] = moving;
        return true;
      }
    }
    walk_ = walk_ * 6364136223846793005ULL + 1442695040888963407ULL;  // an LCG: cheap, enough
    Slot& victim = slots_[bucket + static_cast<std::size_t>(walk_ >> 61)];
    std::swap(moving, victim);
    bucket = OtherBucket(moving, bucket);
  }
  return false;  // `moving` is forgotten
}

std::size_t RequestTable::OtherBucket(const Slot& s, std::size_t bucket) const {
  const auto both = Buckets(s.local, s.remote, s.vector);
  return both[0] == bucket ? both[1] : both[0];
}

bool RequestTable::Solicited(const net::Address& local, const net::Address& remote, Vector vector,
                             std::int64_t now_ns) const {
  for (const std::size_t first : Buckets(local, remote, vector)) {
    for (std::size_t i = first; i < first + kBucket; ++i) {
      const Slot& s = slots_[i];
      if (s.last_ns != INT64_MIN && s.vector == vector && s.local == local && s.remote == remote) {
        return Live(s, now_ns);
      }
    }
  }
  return false;
}

ReflectionState::ReflectionState(ReflectionSettings settings)
    : settings_(std::move(settings)),
      server_requests_(settings_.ntp_servers.size() + 1),
      server_responses_(settings_.ntp_servers.size() + 1),
      requests_(settings_.request_table_size, settings_.request_timeout_ns) {
  for (int i = 0; i < reflection::kVectorCount; ++i) {
    top_.emplace_back(settings_.top_k * 4, settings_.window_ns);
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
                              std::span<const std::byte> bytes) {
  frames_.Add(1);
  last_frame_ns_.store(timestamp_ns, std::memory_order_relaxed);
  if (local_generation_.load(std::memory_order_acquire) != taken_generation_) {
    TakeUpLocalNetworks();
  }
  const auto decoded = net::DecodeFrame(link_type, bytes);
  if (!decoded) {
    decode_errors_[static_cast<std::size_t>(decoded.error())].Add(1);
    return;
  }
  const net::Frame& frame = *decoded;
  switch (frame.kind) {
    case net::FrameKind::kFragment:
      fragments_.Add(1);
      return;
    case net::FrameKind::kUdp:
      break;
    default:
      return;
  }
  const net::UdpDatagram& udp = frame.udp;
  const auto match =
      reflection::ClassifyDatagram(udp.src_port, udp.dst_port, udp.payload, settings_.vector_mask);
  if (!match) {
    return;
  }
  const bool dst_local = IsLocal(udp.dst);
  const bool src_local = IsLocal(udp.src);
  const Direction direction = dst_local   ? Direction::kIn
                              : src_local ? Direction::kOut
                                          : Direction::kTransit;
  const auto dir = static_cast<std::size_t>(direction);
  const Side side = match->side;
  const std::uint64_t length = udp.payload_length;

  if (match->vector == Vector::kNtp) {
    if (const auto packet = ntp::Classify(udp.payload)) {
      ntp_[dir][static_cast<std::size_t>(packet->mode)].Add(length);
      if (packet->IsMonlist()) {
        monlist_[dir][static_cast<std::size_t>(side)].Add(length);
      }
    } else {
      ntp_malformed_.Add(1);
    }
    const net::Address& server = side == Side::kRequest ? udp.dst : udp.src;
    const std::size_t index = ServerIndex(server);
    if (index < settings_.ntp_servers.size() || IsLocal(server)) {
      (side == Side::kRequest ? server_requests_ : server_responses_)[index].Add(length);
    }
  }

  const auto v = static_cast<std::size_t>(match->vector);
  vectors_[v][dir][static_cast<std::size_t>(side)].Add(length);
  // Every request a local host sends is remembered, to a remote or a local server alike (a
  // customer syncing from the provider's NTP server, Postfix asking unbound on 127.0.0.1):
  // an answer to a local host is unsolicited only if that host asked nobody there.
  if (side == Side::kRequest && src_local) {
    if (!requests_.Record(udp.src, udp.dst, match->vector, timestamp_ns)) {
      request_evictions_.Add(1);
    }
  } else if (side == Side::kResponse && direction == Direction::kIn &&
             !requests_.Solicited(udp.dst, udp.src, match->vector, timestamp_ns)) {
    unsolicited_[v].Add(length);
    std::lock_guard<std::mutex> lock(top_mu_);
    top_[v].Add(timestamp_ns, udp.dst, length);
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
  return c;
}

TopList<net::Address> ReflectionState::TopTargets(Vector vector, std::int64_t now_ns) const {
  std::lock_guard<std::mutex> lock(top_mu_);
  return top_[static_cast<std::size_t>(vector)].Top(now_ns, settings_.top_k);
}

}  // namespace edgewatch
