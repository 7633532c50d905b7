#include <cstddef>
#include <cstdint>
#include <span>

#include "parsers/net/frame.h"
#include "parsers/ntp/ntp.h"
#include "parsers/reflection/classify.h"

// The first byte picks the link type, the rest is the frame. Every decoded UDP payload also
// goes through the NTP classifier and every vector's content judge, as in the capture path.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  static constexpr int kLinks[] = {edgewatch::net::kLinkEthernet,  edgewatch::net::kLinkLinuxSll,
                                   edgewatch::net::kLinkLinuxSll2, edgewatch::net::kLinkRaw,
                                   edgewatch::net::kLinkNull,      edgewatch::net::kLinkIpv4,
                                   edgewatch::net::kLinkIpv6,      edgewatch::net::kLinkRawDlt};
  const int link = kLinks[data[0] % (sizeof kLinks / sizeof kLinks[0])];
  const std::span<const std::byte> frame(reinterpret_cast<const std::byte*>(data + 1), size - 1);
  const auto decoded = edgewatch::net::DecodeFrame(link, frame);
  if (decoded && decoded->kind == edgewatch::net::FrameKind::kUdp) {
    const auto& udp = decoded->udp;
    (void)edgewatch::ntp::Classify(udp.payload);
    (void)edgewatch::reflection::ClassifyDatagram(udp.src_port, udp.dst_port, udp.payload, ~0u);
    for (const auto& v : edgewatch::reflection::kVectors) {
      (void)edgewatch::reflection::Judge(v.vector, udp.payload);
    }
  }
  return 0;
}
