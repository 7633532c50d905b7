#include "collectors/flow_templates.h"

#include <algorithm>

#include "core/distinct_counter.h"

namespace edgewatch {

std::uint64_t FlowTemplates::Hash::operator()(const DomainKey& k) const {
  return AddressHash(k.agent) ^ MixBits(k.domain);
}
std::uint64_t FlowTemplates::Hash::operator()(const TemplateKey& k) const {
  return AddressHash(k.agent) ^ MixBits(std::uint64_t{k.domain} << 16 | k.id);
}
std::uint64_t FlowTemplates::Hash::operator()(const SamplerKey& k) const {
  return AddressHash(k.agent) ^ MixBits(k.domain ^ MixBits(k.sampler));
}

FlowTemplates::FlowTemplates(std::size_t max_templates, std::int64_t timeout_ns)
    : domains_(std::max<std::size_t>(max_templates / 4, 64), timeout_ns),
      templates_(max_templates, timeout_ns),
      samplers_(std::max<std::size_t>(max_templates / 4, 64), timeout_ns) {}

FlowTemplates::Domain FlowTemplates::DomainOf(const DomainKey& key, std::int64_t now_ns) const {
  const Domain* d = domains_.Find(key, now_ns);
  return d != nullptr ? *d : Domain{};
}

void FlowTemplates::Keep(const DomainKey& key, const Domain& d, std::int64_t now_ns) {
  if (!domains_.Record(key, d, now_ns)) {
    ++domains_forgotten_;
  }
}

void FlowTemplates::Store(const net::Address& agent, std::uint32_t domain, const flow::Template& t,
                          std::int64_t now_ns) {
  // The domain is refreshed with each of its templates, so it outlives them.
  const DomainKey key{agent, domain};
  const Domain d = DomainOf(key, now_ns);
  Keep(key, d, now_ns);
  const TemplateKey tk{agent, domain, t.id};
  if (t.field_count == 0) {
    templates_.Erase(tk);
    return;
  }
  if (!templates_.Record(tk, {d.generation[t.options ? 1 : 0], t}, now_ns)) {
    ++templates_forgotten_;
  }
}

void FlowTemplates::WithdrawAll(const net::Address& agent, std::uint32_t domain, bool options,
                                std::int64_t now_ns) {
  const DomainKey key{agent, domain};
  Domain d = DomainOf(key, now_ns);
  ++d.generation[options ? 1 : 0];
  Keep(key, d, now_ns);
}

const flow::Template* FlowTemplates::Find(const net::Address& agent, std::uint32_t domain,
                                          std::uint16_t id, std::int64_t now_ns) const {
  const Stored* s = templates_.Find({agent, domain, id}, now_ns);
  if (s == nullptr) {
    return nullptr;
  }
  const Domain d = DomainOf({agent, domain}, now_ns);
  return s->generation == d.generation[s->t.options ? 1 : 0] ? &s->t : nullptr;
}

void FlowTemplates::SetSampling(const net::Address& agent, std::uint32_t domain,
                                const flow::FlowRecord& options, std::int64_t now_ns) {
  if (options.sampling_rate == 0) {
    return;
  }
  if (options.has_sampler) {
    if (!samplers_.Record({agent, domain, options.sampler}, options.sampling_rate, now_ns)) {
      ++domains_forgotten_;
    }
    return;
  }
  const DomainKey key{agent, domain};
  Domain d = DomainOf(key, now_ns);
  d.sampling_rate = options.sampling_rate;
  Keep(key, d, now_ns);
}

std::uint32_t FlowTemplates::SamplingOf(const net::Address& agent, std::uint32_t domain,
                                        const flow::FlowRecord& record, std::int64_t now_ns) const {
  if (record.sampling_rate != 0) {
    return record.sampling_rate;
  }
  if (record.has_sampler) {
    if (const std::uint32_t* rate = samplers_.Find({agent, domain, record.sampler}, now_ns)) {
      return *rate;
    }
  }
  return DomainOf({agent, domain}, now_ns).sampling_rate;
}

}  // namespace edgewatch
