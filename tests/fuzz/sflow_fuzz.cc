#include <cstddef>
#include <cstdint>
#include <span>

#include "parsers/flow/sflow.h"
#include "parsers/net/frame.h"

namespace {

// Decodes every sampled header as the capture's frames are decoded.
struct Visitor final : edgewatch::flow::SflowVisitor {
  void Flow(const edgewatch::flow::SflowFlowSample& s) override {
    if (s.has_header && s.header_protocol == 1) {
      (void)edgewatch::net::DecodeFrame(1, s.header);
    }
  }
  void Counters(const edgewatch::flow::SflowInterfaceCounters& /*counters*/) override {}
};

}  // namespace

// Input: one sFlow datagram.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Visitor v;
  (void)edgewatch::flow::ParseSflow(std::span(reinterpret_cast<const std::byte*>(data), size), v);
  return 0;
}
