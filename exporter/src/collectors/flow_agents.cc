#include "collectors/flow_agents.h"

#include <bit>

#include "core/distinct_counter.h"

namespace edgewatch {

const char* FlowErrorName(FlowError e) {
  switch (e) {
    case FlowError::kTruncated:
      return "truncated";
    case FlowError::kVersion:
      return "version";
    case FlowError::kAddressType:
      return "address_type";
    case FlowError::kOversize:
      return "oversize";
    case FlowError::kHeaderProtocol:
      return "header_protocol";
    case FlowError::kTemplate:
      return "template";
    case FlowError::kUnknownTemplate:
      return "unknown_template";
  }
  return "unknown";
}

FlowAgents::FlowAgents(std::size_t max_agents, std::size_t max_interfaces)
    : max_agents_(max_agents),
      max_interfaces_(max_interfaces),
      index_(std::bit_ceil(2 * max_agents), -1) {
  slots_.reserve(max_agents + std::tuple_size_v<decltype(other_)>);
}

std::size_t FlowAgents::Slot(const net::Address& sender, flow::FlowProtocol protocol) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::size_t mask = index_.size() - 1;
  const auto p = static_cast<std::size_t>(protocol);
  for (std::size_t i = (AddressHash(sender) + p) & mask;; i = (i + 1) & mask) {
    if (index_[i] < 0) {
      if (slots_.size() - others_ >= max_agents_) {
        if (other_[p] < 0) {
          other_[p] = static_cast<std::int32_t>(slots_.size());
          ++others_;
          slots_.push_back({});
          slots_.back().agent.other = true;
          slots_.back().agent.protocol = protocol;
        }
        return static_cast<std::size_t>(other_[p]);
      }
      index_[i] = static_cast<std::int32_t>(slots_.size());
      slots_.push_back({});
      slots_.back().agent.address = sender;
      slots_.back().agent.protocol = protocol;
      return static_cast<std::size_t>(index_[i]);
    }
    const Agent& a = slots_[static_cast<std::size_t>(index_[i])].agent;
    if (a.address == sender && a.protocol == protocol && !a.other) {
      return static_cast<std::size_t>(index_[i]);
    }
  }
}

void FlowAgents::Datagram(std::size_t slot, std::int64_t wall_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  ++slots_[slot].agent.datagrams;
  slots_[slot].agent.last_seen_ns = wall_ns;
}

void FlowAgents::Sequence(std::size_t slot, std::uint32_t domain, std::uint32_t sequence,
                          std::uint32_t advance) {
  std::lock_guard<std::mutex> lock(mu_);
  Slotted& s = slots_[slot];
  if (s.agent.other) {
    return;  // many agents' sequences in one slot say nothing
  }
  std::size_t d = 0;
  while (d < s.domains && s.next[d].domain != domain) {
    ++d;
  }
  if (d == s.domains) {
    if (s.domains == kDomains) {
      return;
    }
    ++s.domains;
  } else if (s.next[d].known) {
    const std::uint32_t ahead = sequence - s.next[d].sequence;  // modulo 2^32: a wrap is no reset
    if (ahead < (1u << 31)) {
      s.agent.lost += ahead;
    } else {
      ++s.agent.resets;
    }
  }
  s.next[d] = {domain, sequence + advance, advance != 0};
}

void FlowAgents::Samples(std::size_t slot, std::uint32_t n, std::uint32_t sampling_rate) {
  std::lock_guard<std::mutex> lock(mu_);
  slots_[slot].agent.samples += n;
  slots_[slot].agent.sampling_rate = sampling_rate;
}

void FlowAgents::Failed(std::size_t slot, FlowError error, std::uint32_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  slots_[slot].agent.errors[static_cast<std::size_t>(error)] += n;
}

void FlowAgents::Templates(std::size_t slot, std::uint32_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  slots_[slot].agent.templates += n;
}

void FlowAgents::Interface(std::size_t slot, const flow::SflowInterfaceCounters& counters) {
  std::lock_guard<std::mutex> lock(mu_);
  if (slots_[slot].agent.other) {
    ++interfaces_not_kept_;  // whose interface would it be
    return;
  }
  const auto key = std::pair{slot, counters.if_index};
  auto it = interfaces_.find(key);
  if (it == interfaces_.end()) {
    if (interfaces_.size() >= max_interfaces_) {
      ++interfaces_not_kept_;
      return;
    }
    it = interfaces_.emplace(key, InterfaceCounters{slots_[slot].agent.address, counters.if_index})
             .first;
  }
  it->second.speed_bps = counters.if_speed;
  it->second.in_octets = counters.in_octets;
  it->second.out_octets = counters.out_octets;
}

std::vector<FlowAgents::Agent> FlowAgents::Agents() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Agent> out;
  for (const Slotted& s : slots_) {
    if (!s.agent.other) {
      out.push_back(s.agent);
    }
  }
  for (const std::int32_t other : other_) {
    if (other >= 0) {
      out.push_back(slots_[static_cast<std::size_t>(other)].agent);
    }
  }
  return out;
}

std::vector<FlowAgents::InterfaceCounters> FlowAgents::Interfaces() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<InterfaceCounters> out;
  for (const auto& [key, counters] : interfaces_) {
    out.push_back(counters);
  }
  return out;
}

std::uint64_t FlowAgents::interfaces_not_kept() const {
  std::lock_guard<std::mutex> lock(mu_);
  return interfaces_not_kept_;
}

}  // namespace edgewatch
