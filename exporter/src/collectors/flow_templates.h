#pragma once

#include <cstddef>
#include <cstdint>

#include "core/timed_table.h"
#include "parsers/flow/netflow.h"
#include "parsers/net/address.h"

namespace edgewatch {

// The templates and sampling settings NetFlow v9 and IPFIX exporters send, per agent (its UDP
// source: agents past the agents table's bound keep theirs too) and domain (v9 source ID, IPFIX
// observation domain), for the receiving thread. Bounded and fixed-size: `max_templates` templates,
// a quarter as many domains and samplers (at least 64), each forgotten `timeout_ns` after it was
// last sent (RFC 7011 10.3.7: a template over UDP lives until the exporter stops refreshing it) or
// when the table needs the room (counted). A withdrawal of all templates bumps the domain's
// generation: older templates of it are then not found.
class FlowTemplates {
 public:
  FlowTemplates(std::size_t max_templates, std::int64_t timeout_ns);

  // Stores a template, or withdraws it (field_count 0).
  void Store(const net::Address& agent, std::uint32_t domain, const flow::Template& t,
             std::int64_t now_ns);
  void WithdrawAll(const net::Address& agent, std::uint32_t domain, bool options,
                   std::int64_t now_ns);
  // The live template `id` of the domain, or null.
  const flow::Template* Find(const net::Address& agent, std::uint32_t domain, std::uint16_t id,
                             std::int64_t now_ns) const;

  // An options record's sampling rate: for its sampler, or (none named) the domain's.
  void SetSampling(const net::Address& agent, std::uint32_t domain, const flow::FlowRecord& options,
                   std::int64_t now_ns);
  // The 1-in-N a data record stands for: its own rate, its sampler's, its domain's, else 0.
  std::uint32_t SamplingOf(const net::Address& agent, std::uint32_t domain,
                           const flow::FlowRecord& record, std::int64_t now_ns) const;

  // Live entries forgotten for room: templates, and domains or samplers.
  std::uint64_t templates_forgotten() const { return templates_forgotten_; }
  std::uint64_t domains_forgotten() const { return domains_forgotten_; }

 private:
  struct DomainKey {
    net::Address agent;
    std::uint32_t domain = 0;
    friend bool operator==(const DomainKey&, const DomainKey&) = default;
  };
  struct Domain {
    std::uint32_t generation[2] = {0, 0};  // data, options
    std::uint32_t sampling_rate = 0;
  };
  struct TemplateKey {
    net::Address agent;
    std::uint32_t domain = 0;
    std::uint16_t id = 0;
    friend bool operator==(const TemplateKey&, const TemplateKey&) = default;
  };
  struct Stored {
    std::uint32_t generation = 0;
    flow::Template t;
  };
  struct SamplerKey {
    net::Address agent;
    std::uint32_t domain = 0;
    std::uint64_t sampler = 0;
    friend bool operator==(const SamplerKey&, const SamplerKey&) = default;
  };
  struct Hash {
    std::uint64_t operator()(const DomainKey& k) const;
    std::uint64_t operator()(const TemplateKey& k) const;
    std::uint64_t operator()(const SamplerKey& k) const;
  };
  // The domain's live entry, or a fresh one.
  Domain DomainOf(const DomainKey& key, std::int64_t now_ns) const;
  void Keep(const DomainKey& key, const Domain& d, std::int64_t now_ns);

  TimedTable<DomainKey, Domain, Hash> domains_;
  TimedTable<TemplateKey, Stored, Hash> templates_;
  TimedTable<SamplerKey, std::uint32_t, Hash> samplers_;
  std::uint64_t templates_forgotten_ = 0;
  std::uint64_t domains_forgotten_ = 0;
};

}  // namespace edgewatch
