#include <cstddef>
#include <cstdint>
#include <map>
#include <span>

#include "parsers/flow/netflow.h"

namespace {

// Keeps the datagram's templates, so its data sets are read with them.
struct Visitor final : edgewatch::flow::NetflowVisitor {
  void Header(const edgewatch::flow::NetflowHeader& /*header*/) override {}
  void Template(const edgewatch::flow::Template& t) override { templates[t.id] = t; }
  void WithdrawAll(bool /*options*/) override { templates.clear(); }
  const edgewatch::flow::Template* Find(std::uint16_t id) override {
    const auto it = templates.find(id);
    return it == templates.end() || it->second.field_count == 0 ? nullptr : &it->second;
  }
  void Record(const edgewatch::flow::FlowRecord& /*record*/) override {}
  std::map<std::uint16_t, edgewatch::flow::Template> templates;
};

}  // namespace

// Input: one NetFlow v5/v9 or IPFIX datagram.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Visitor v;
  (void)edgewatch::flow::ParseNetflow(std::span(reinterpret_cast<const std::byte*>(data), size), v);
  return 0;
}
