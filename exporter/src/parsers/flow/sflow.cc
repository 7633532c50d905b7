#include "parsers/flow/sflow.h"

#include <algorithm>

namespace edgewatch::flow {

namespace {

// XDR: big-endian 32-bit words; opaque data padded to a multiple of 4 bytes. Every read is
// checked against the end: a datagram is untrusted bytes.
class Xdr {
 public:
  explicit Xdr(std::span<const std::byte> data) : data_(data) {}

  bool U32(std::uint32_t& v) {
    if (data_.size() < 4) {
      return false;
    }
    v = static_cast<std::uint32_t>(data_[0]) << 24 | static_cast<std::uint32_t>(data_[1]) << 16 |
        static_cast<std::uint32_t>(data_[2]) << 8 | static_cast<std::uint32_t>(data_[3]);
    data_ = data_.subspan(4);
    return true;
  }
  bool U64(std::uint64_t& v) {
    std::uint32_t hi = 0;
    std::uint32_t lo = 0;
    if (!U32(hi) || !U32(lo)) {
      return false;
    }
    v = static_cast<std::uint64_t>(hi) << 32 | lo;
    return true;
  }
  // `n` bytes and their padding.
  bool Bytes(std::size_t n, std::span<const std::byte>& out) {
    const std::size_t padded = (n + 3) & ~std::size_t{3};
    if (n > data_.size() || padded > data_.size()) {
      return false;
    }
    out = data_.first(n);
    data_ = data_.subspan(padded);
    return true;
  }
  // A length-prefixed part (a sample, a record): its own reader.
  bool Part(Xdr& part) {
    std::uint32_t length = 0;
    std::span<const std::byte> bytes;
    if (!U32(length) || !Bytes(length, bytes)) {
      return false;
    }
    part = Xdr(bytes);
    return true;
  }
  bool Skip(std::size_t n) {
    std::span<const std::byte> ignored;
    return Bytes(n, ignored);
  }
  bool empty() const { return data_.empty(); }

 private:
  std::span<const std::byte> data_;
};

constexpr std::uint32_t Format(std::uint32_t enterprise, std::uint32_t format) {
  return enterprise << 12 | format;
}

// Calls `on(format, record)` for each record of a sample (a count, then each record's format
// and its length-prefixed data); false when one is cut short or `on` finds it so.
template <typename OnRecord>
bool Records(Xdr& in, OnRecord&& on) {
  std::uint32_t records = 0;
  if (!in.U32(records)) {
    return false;
  }
  for (std::uint32_t i = 0; i < records; ++i) {
    std::uint32_t format = 0;
    Xdr record({});
    if (!in.U32(format) || !in.Part(record) || !on(format, record)) {
      return false;
    }
  }
  return true;
}

bool FlowRecords(Xdr& in, SflowFlowSample& s) {
  return Records(in, [&](std::uint32_t format, Xdr& record) {
    if (format != Format(0, 1) || s.has_header) {
      return true;  // extended switch, router, gateway, user... data: not ours
    }
    std::uint32_t length = 0;
    s.has_header = true;
    return record.U32(s.header_protocol) && record.U32(s.frame_length) && record.U32(s.stripped) &&
           record.U32(length) && record.Bytes(length, s.header);
  });
}

bool FlowSample(Xdr& in, bool expanded, SflowVisitor& visitor) {
  SflowFlowSample s;
  std::uint32_t source = 0;
  if (!in.U32(s.sequence)) {
    return false;
  }
  if (expanded) {
    std::uint32_t input_format = 0;
    std::uint32_t output_format = 0;
    if (!in.U32(s.source_class) || !in.U32(s.source_index) || !in.U32(s.sampling_rate) ||
        !in.U32(s.sample_pool) || !in.U32(s.drops) || !in.U32(input_format) ||
        !in.U32(s.input_if) || !in.U32(output_format) || !in.U32(s.output_if)) {
      return false;
    }
  } else {
    std::uint32_t input = 0;
    std::uint32_t output = 0;
    if (!in.U32(source) || !in.U32(s.sampling_rate) || !in.U32(s.sample_pool) || !in.U32(s.drops) ||
        !in.U32(input) || !in.U32(output)) {
      return false;
    }
    s.source_class = source >> 24;
    s.source_index = source & 0xFFFFFF;
    s.input_if = input & 0x3FFFFFFF;  // the top two bits say what the value is
    s.output_if = output & 0x3FFFFFFF;
  }
  if (!FlowRecords(in, s)) {
    return false;
  }
  visitor.Flow(s);
  return true;
}

bool CounterSample(Xdr& in, bool expanded, SflowVisitor& visitor) {
  SflowInterfaceCounters c;
  std::uint32_t source = 0;
  if (!in.U32(c.sequence) || !in.U32(source)) {
    return false;
  }
  if (expanded) {
    if (!in.U32(c.source_index)) {  // `source` was the type
      return false;
    }
  } else {
    c.source_index = source & 0xFFFFFF;
  }
  return Records(in, [&](std::uint32_t format, Xdr& record) {
    if (format != Format(0, 1)) {
      return true;  // ethernet, VLAN, processor... counters
    }
    std::uint32_t if_type = 0;
    std::uint32_t direction = 0;
    std::uint32_t status = 0;
    std::uint32_t multicast = 0;
    std::uint32_t broadcast = 0;
    if (!record.U32(c.if_index) || !record.U32(if_type) || !record.U64(c.if_speed) ||
        !record.U32(direction) || !record.U32(status) || !record.U64(c.in_octets) ||
        !record.U32(c.in_unicast_packets) || !record.U32(multicast) || !record.U32(broadcast) ||
        !record.U32(c.in_discards) || !record.U32(c.in_errors) || !record.Skip(4) ||
        !record.U64(c.out_octets) || !record.U32(c.out_unicast_packets)) {
      return false;
    }
    visitor.Counters(c);
    return true;
  });
}

}  // namespace

Expected<SflowDatagram, DatagramError> ParseSflow(std::span<const std::byte> datagram,
                                                  SflowVisitor& visitor) {
  Xdr in(datagram);
  SflowDatagram d;
  std::uint32_t version = 0;
  std::uint32_t address_type = 0;
  if (!in.U32(version)) {
    return DatagramError::kTruncated;
  }
  if (version != 5) {
    return DatagramError::kVersion;
  }
  if (!in.U32(address_type)) {
    return DatagramError::kTruncated;
  }
  if (address_type != 1 && address_type != 2) {
    return DatagramError::kAddressType;
  }
  std::span<const std::byte> address;
  d.agent.v6 = address_type == 2;
  if (!in.Bytes(d.agent.v6 ? 16 : 4, address) || !in.U32(d.sub_agent) || !in.U32(d.sequence) ||
      !in.U32(d.uptime_ms) || !in.U32(d.samples)) {
    return DatagramError::kTruncated;
  }
  std::transform(address.begin(), address.end(), d.agent.bytes.begin(),
                 [](std::byte b) { return static_cast<std::uint8_t>(b); });
  for (std::uint32_t i = 0; i < d.samples; ++i) {
    std::uint32_t format = 0;
    Xdr sample({});
    if (!in.U32(format) || !in.Part(sample)) {
      return DatagramError::kTruncated;
    }
    bool ok = true;
    switch (format) {
      case Format(0, 1):
        ok = FlowSample(sample, false, visitor);
        break;
      case Format(0, 3):
        ok = FlowSample(sample, true, visitor);
        break;
      case Format(0, 2):
        ok = CounterSample(sample, false, visitor);
        break;
      case Format(0, 4):
        ok = CounterSample(sample, true, visitor);
        break;
      default:
        break;  // an enterprise's own sample
    }
    if (!ok) {
      return DatagramError::kTruncated;
    }
  }
  return d;
}

}  // namespace edgewatch::flow
