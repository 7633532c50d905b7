#include "parsers/flow/netflow.h"

#include <bit>
#include <cstring>

namespace edgewatch::flow {

namespace {

// Big-endian reads, each checked against the end: a datagram is untrusted bytes.
class Reader {
 public:
  explicit Reader(std::span<const std::byte> data) : data_(data) {}

  bool U8(std::uint8_t& v) {
    if (data_.empty()) {
      return false;
    }
    v = static_cast<std::uint8_t>(data_[0]);
    data_ = data_.subspan(1);
    return true;
  }
  bool U16(std::uint16_t& v) {
    std::uint64_t x = 0;
    if (!Unsigned(2, x)) {
      return false;
    }
    v = static_cast<std::uint16_t>(x);
    return true;
  }
  bool U32(std::uint32_t& v) {
    std::uint64_t x = 0;
    if (!Unsigned(4, x)) {
      return false;
    }
    v = static_cast<std::uint32_t>(x);
    return true;
  }
  // An unsigned value of 1 to 8 bytes (IPFIX's reduced-size encoding); longer ones keep their
  // last 8 bytes.
  bool Unsigned(std::size_t n, std::uint64_t& v) {
    if (n > data_.size()) {
      return false;
    }
    v = 0;
    for (std::size_t i = 0; i < n; ++i) {
      v = v << 8 | static_cast<std::uint8_t>(data_[i]);
    }
    data_ = data_.subspan(n);
    return true;
  }
  bool Bytes(std::size_t n, std::span<const std::byte>& out) {
    if (n > data_.size()) {
      return false;
    }
    out = data_.first(n);
    data_ = data_.subspan(n);
    return true;
  }
  bool Skip(std::size_t n) {
    std::span<const std::byte> ignored;
    return Bytes(n, ignored);
  }
  std::size_t size() const { return data_.size(); }

 private:
  std::span<const std::byte> data_;
};

// Information Element ids (IANA's IPFIX registry; NetFlow v9 uses the same numbers for these).
enum Element : std::uint16_t {
  kOctetDeltaCount = 1,
  kPacketDeltaCount = 2,
  kProtocolIdentifier = 4,
  kSourceTransportPort = 7,
  kSourceIpv4Address = 8,
  kIngressInterface = 10,
  kDestinationTransportPort = 11,
  kDestinationIpv4Address = 12,
  kEgressInterface = 14,
  kSourceIpv6Address = 27,
  kDestinationIpv6Address = 28,
  kSamplingInterval = 34,
  kSamplerId = 48,
  kSamplerRandomInterval = 50,
  kSelectorId = 302,
  kSamplingPacketInterval = 305,
  kSamplingPacketSpace = 306,
  kSamplingSize = 309,
  kSamplingPopulation = 310,
};

// What a field is to this reader, found once per template (TemplateField::kind) so that each
// record's fields dispatch on a dense switch and skip what is not read.
enum Kind : std::uint8_t {
  kSkip,
  kOctets,
  kPackets,
  kProtocol,
  kSrcPort,
  kDstPort,
  kInputIf,
  kOutputIf,
  kSrcAddress,
  kDstAddress,
  kInterval,
  kRandomInterval,
  kPacketInterval,
  kPacketSpace,
  kSize,
  kPopulation,
  kSampler,
};

std::uint8_t KindOf(std::uint16_t id, std::uint16_t length) {
  switch (id) {
    case kOctetDeltaCount:
      return kOctets;
    case kPacketDeltaCount:
      return kPackets;
    case kProtocolIdentifier:
      return kProtocol;
    case kSourceTransportPort:
      return kSrcPort;
    case kDestinationTransportPort:
      return kDstPort;
    case kIngressInterface:
      return kInputIf;
    case kEgressInterface:
      return kOutputIf;
    case kSourceIpv4Address:
      return length == 4 ? kSrcAddress : kSkip;
    case kSourceIpv6Address:
      return length == 16 ? kSrcAddress : kSkip;
    case kDestinationIpv4Address:
      return length == 4 ? kDstAddress : kSkip;
    case kDestinationIpv6Address:
      return length == 16 ? kDstAddress : kSkip;
    case kSamplingInterval:
      return kInterval;
    case kSamplerRandomInterval:
      return kRandomInterval;
    case kSamplingPacketInterval:
      return kPacketInterval;
    case kSamplingPacketSpace:
      return kPacketSpace;
    case kSamplingSize:
      return kSize;
    case kSamplingPopulation:
      return kPopulation;
    case kSamplerId:
    case kSelectorId:
      return kSampler;
    default:
      return kSkip;
  }
}

void SetAddress(std::span<const std::byte> value, net::Address& a) {
  a = {};
  a.v6 = value.size() == 16;
  std::memcpy(a.bytes.data(), value.data(), value.size());
}

// A big-endian unsigned value of 1 to 8 bytes (IPFIX's reduced-size encoding); 0 otherwise.
// The usual widths are one load each: this runs for every field of every record.
std::uint64_t Unsigned(const std::byte* p, std::size_t length) {
  switch (length) {
    case 1:
      return static_cast<std::uint8_t>(p[0]);
    case 2: {
      std::uint16_t v;
      std::memcpy(&v, p, 2);
      return std::endian::native == std::endian::little ? __builtin_bswap16(v) : v;
    }
    case 4: {
      std::uint32_t v;
      std::memcpy(&v, p, 4);
      return std::endian::native == std::endian::little ? __builtin_bswap32(v) : v;
    }
    case 8: {
      std::uint64_t v;
      std::memcpy(&v, p, 8);
      return std::endian::native == std::endian::little ? __builtin_bswap64(v) : v;
    }
    default:
      break;
  }
  if (length < 1 || length > 8) {
    return 0;
  }
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < length; ++i) {
    v = v << 8 | static_cast<std::uint8_t>(p[i]);
  }
  return v;
}

// The sampling fields of an options record, combined into a rate once its fields are read.
struct Sampling {
  std::uint64_t packet_interval = 0;
  std::uint64_t packet_space = 0;
  std::uint64_t size = 0;
  std::uint64_t population = 0;
  std::uint64_t random_interval = 0;
  std::uint64_t interval = 0;

  std::uint32_t Rate() const {
    // Systematic count-based sampling selects `interval` packets, then skips `space`.
    const std::uint64_t rate = interval != 0          ? interval
                               : random_interval != 0 ? random_interval
                               : packet_interval != 0
                                   ? (packet_interval + packet_space) / packet_interval
                               : size != 0 ? population / size
                                           : 0;
    return static_cast<std::uint32_t>(rate > UINT32_MAX ? UINT32_MAX : rate);
  }
};

// One field's value, of `length` bytes at `p`, into the record. A variable-length address
// field is read only at its family's length.
void Apply(std::uint8_t kind, const std::byte* p, std::size_t length, FlowRecord& r,
           Sampling& sampling) {
  switch (kind) {
    case kSkip:
      break;
    case kOctets:
      r.octets = Unsigned(p, length);
      break;
    case kPackets:
      r.packets = Unsigned(p, length);
      break;
    case kProtocol:
      r.protocol = static_cast<std::uint8_t>(Unsigned(p, length));
      break;
    case kSrcPort:
      r.src_port = static_cast<std::uint16_t>(Unsigned(p, length));
      break;
    case kDstPort:
      r.dst_port = static_cast<std::uint16_t>(Unsigned(p, length));
      break;
    case kInputIf:
      r.input_if = static_cast<std::uint32_t>(Unsigned(p, length));
      break;
    case kOutputIf:
      r.output_if = static_cast<std::uint32_t>(Unsigned(p, length));
      break;
    case kSrcAddress:
      if (length == 4 || length == 16) {
        SetAddress({p, length}, r.src);
        r.has_addresses = true;
      }
      break;
    case kDstAddress:
      if (length == 4 || length == 16) {
        SetAddress({p, length}, r.dst);
      }
      break;
    case kInterval:
      sampling.interval = Unsigned(p, length);
      break;
    case kRandomInterval:
      sampling.random_interval = Unsigned(p, length);
      break;
    case kPacketInterval:
      sampling.packet_interval = Unsigned(p, length);
      break;
    case kPacketSpace:
      sampling.packet_space = Unsigned(p, length);
      break;
    case kSize:
      sampling.size = Unsigned(p, length);
      break;
    case kPopulation:
      sampling.population = Unsigned(p, length);
      break;
    case kSampler:
      r.has_sampler = true;
      r.sampler = Unsigned(p, length);
      break;
    default:
      break;
  }
}

// Reads one record of `t`; false if it runs past the end of `in`. A template of fixed-length
// fields only (all of v9, nearly all of IPFIX) has records of its minimum length, checked
// once per record rather than per field.
bool ReadRecord(Reader& in, const Template& t, FlowRecord& r) {
  r = {};
  r.options = t.options;
  Sampling sampling;
  if (t.fixed_length) {
    std::span<const std::byte> record;
    if (!in.Bytes(t.min_record_length, record)) {
      return false;
    }
    const std::byte* p = record.data();
    for (std::size_t i = 0; i < t.field_count; ++i) {
      Apply(t.fields[i].kind, p, t.fields[i].length, r, sampling);
      p += t.fields[i].length;
    }
    r.sampling_rate = sampling.Rate();
    return true;
  }
  for (std::size_t i = 0; i < t.field_count; ++i) {
    std::size_t length = t.fields[i].length;
    if (length == kVariableLength) {
      std::uint8_t short_length = 0;
      std::uint16_t long_length = 0;
      if (!in.U8(short_length)) {
        return false;
      }
      length = short_length;
      if (short_length == 255) {
        if (!in.U16(long_length)) {
          return false;
        }
        length = long_length;
      }
    }
    std::span<const std::byte> value;
    if (!in.Bytes(length, value)) {
      return false;
    }
    Apply(t.fields[i].kind, value.data(), length, r, sampling);
  }
  r.sampling_rate = sampling.Rate();
  return true;
}

// The data records of one set, up to its padding (less than one record of the template).
void ReadData(Reader in, const Template& t, NetflowHeader& h, NetflowVisitor& visitor,
              bool& truncated) {
  if (t.min_record_length == 0) {
    return;  // a template of no fields: nothing to read, endlessly
  }
  FlowRecord r;
  while (in.size() >= t.min_record_length) {
    if (!ReadRecord(in, t, r)) {
      truncated = true;
      return;
    }
    ++h.data_records;
    visitor.Record(r);
  }
}

// One field specifier; IPFIX's enterprise bit brings a 4-byte enterprise number.
bool ReadField(Reader& in, bool ipfix, TemplateField& f, std::uint32_t& min_length) {
  if (!in.U16(f.id) || !in.U16(f.length)) {
    return false;
  }
  if (ipfix && (f.id & 0x8000) != 0) {
    f.id = kEnterpriseElement;
    if (!in.Skip(4)) {
      return false;
    }
  }
  min_length += f.length == kVariableLength && ipfix ? 1 : f.length;
  f.kind = KindOf(f.id, f.length);
  return true;
}

enum class Parsed { kOk, kTruncated, kTemplate };

// A template set (v9 0, IPFIX 2) or options template set (v9 1, IPFIX 3), up to its padding.
Parsed ReadTemplates(Reader in, bool ipfix, bool options, NetflowHeader& h,
                     NetflowVisitor& visitor) {
  while (in.size() >= 4) {
    Template t;
    t.options = options;
    std::uint16_t fields = 0;
    std::size_t v9_scope = 0;  // v9 options: the scope fields, of a type space of their own
    if (!in.U16(t.id) || !in.U16(fields)) {
      return Parsed::kTruncated;
    }
    if (t.id == 0 && fields == 0) {
      break;  // padding
    }
    if (ipfix && fields == 0) {  // a withdrawal: 4 bytes, no scope count
      if (t.id == (options ? 3 : 2)) {
        visitor.WithdrawAll(options);
      } else {
        visitor.Template(t);
      }
      continue;
    }
    if (options) {
      // IPFIX: the scope's field count (of `fields`). v9: the scope's and the options'
      // lengths in bytes, 4 per field.
      std::uint16_t second = 0;
      if (!in.U16(second)) {
        return Parsed::kTruncated;
      }
      if (!ipfix) {
        v9_scope = fields / 4u;
        fields = static_cast<std::uint16_t>(fields / 4 + second / 4);
      }
    }
    if (fields > kMaxTemplateFields || t.id < 256) {
      return Parsed::kTemplate;
    }
    t.field_count = fields;
    t.fixed_length = true;
    for (std::size_t i = 0; i < fields; ++i) {
      if (!ReadField(in, ipfix, t.fields[i], t.min_record_length)) {
        return Parsed::kTruncated;
      }
      if (t.fields[i].length == 0 || (!ipfix && t.fields[i].length == kVariableLength)) {
        return Parsed::kTemplate;
      }
      t.fixed_length = t.fixed_length && t.fields[i].length != kVariableLength;
      if (i < v9_scope) {
        t.fields[i].kind = kSkip;  // scope 1 (system), 2 (interface): not octets, packets
      }
    }
    ++h.templates;
    visitor.Template(t);
  }
  return Parsed::kOk;
}

Expected<NetflowHeader, DatagramError> ParseV5(Reader in, NetflowVisitor& visitor) {
  NetflowHeader h;
  h.version = 5;
  std::uint16_t count = 0;
  std::uint8_t engine_type = 0;
  std::uint8_t engine_id = 0;
  std::uint16_t sampling = 0;
  if (!in.U16(count) || !in.Skip(4) || !in.U32(h.export_time) || !in.Skip(4) ||
      !in.U32(h.sequence) || !in.U8(engine_type) || !in.U8(engine_id) || !in.U16(sampling)) {
    return DatagramError::kTruncated;
  }
  h.domain = std::uint32_t{engine_type} << 8 | engine_id;
  // The top two bits are the sampling mode, the rest the interval.
  h.v5_sampling_rate = (sampling >> 14) != 0 ? sampling & 0x3FFF : 0;
  visitor.Header(h);
  FlowRecord r;
  for (std::uint16_t i = 0; i < count; ++i) {
    std::span<const std::byte> src;
    std::span<const std::byte> dst;
    std::uint16_t input = 0;
    std::uint16_t output = 0;
    std::uint32_t packets = 0;
    std::uint32_t octets = 0;
    r = {};
    if (!in.Bytes(4, src) || !in.Bytes(4, dst) || !in.Skip(4) || !in.U16(input) ||
        !in.U16(output) || !in.U32(packets) || !in.U32(octets) || !in.Skip(8) ||
        !in.U16(r.src_port) || !in.U16(r.dst_port) || !in.Skip(2) || !in.U8(r.protocol) ||
        !in.Skip(9)) {  // ToS, AS numbers, masks, padding
      return DatagramError::kTruncated;
    }
    SetAddress(src, r.src);
    SetAddress(dst, r.dst);
    r.has_addresses = true;
    r.input_if = input;
    r.output_if = output;
    r.packets = packets;
    r.octets = octets;
    r.sampling_rate = h.v5_sampling_rate;
    ++h.data_records;
    visitor.Record(r);
  }
  return h;
}

}  // namespace

FlowProtocol FlowProtocolOf(std::span<const std::byte> datagram) {
  if (datagram.size() < 4) {
    return FlowProtocol::kUnknown;
  }
  const auto b = [&](std::size_t i) { return static_cast<std::uint8_t>(datagram[i]); };
  if (b(0) == 0 && b(1) == 0 && b(2) == 0 && b(3) == 5) {
    return FlowProtocol::kSflow;
  }
  if (b(0) != 0) {
    return FlowProtocol::kUnknown;
  }
  switch (b(1)) {
    case 5:
      return FlowProtocol::kNetflow5;
    case 9:
      return FlowProtocol::kNetflow9;
    case 10:
      return FlowProtocol::kIpfix;
    default:
      return FlowProtocol::kUnknown;
  }
}

Expected<NetflowHeader, DatagramError> ParseNetflow(std::span<const std::byte> datagram,
                                                    NetflowVisitor& visitor) {
  Reader in(datagram);
  std::uint16_t version = 0;
  if (!in.U16(version)) {
    return DatagramError::kTruncated;
  }
  if (version == 5) {
    return ParseV5(in, visitor);
  }
  if (version != 9 && version != 10) {
    return DatagramError::kVersion;
  }
  const bool ipfix = version == 10;
  NetflowHeader h;
  h.version = version;
  std::uint16_t length = 0;  // v9: a record count, unreliable; IPFIX: the message's length
  if (!in.U16(length)) {
    return DatagramError::kTruncated;
  }
  if (ipfix) {
    if (!in.U32(h.export_time) || !in.U32(h.sequence) || !in.U32(h.domain)) {
      return DatagramError::kTruncated;
    }
    if (length < 16 || length > datagram.size()) {
      return DatagramError::kTruncated;
    }
    in = Reader(datagram.subspan(16, length - 16u));
  } else if (!in.Skip(4) || !in.U32(h.export_time) || !in.U32(h.sequence) || !in.U32(h.domain)) {
    return DatagramError::kTruncated;
  }
  visitor.Header(h);
  bool truncated = false;
  while (in.size() >= 4) {
    std::uint16_t set_id = 0;
    std::uint16_t set_length = 0;
    std::span<const std::byte> body;
    if (!in.U16(set_id) || !in.U16(set_length) || set_length < 4 ||
        !in.Bytes(set_length - 4u, body)) {
      return DatagramError::kTruncated;
    }
    if (set_id >= 256) {
      if (const Template* t = visitor.Find(set_id); t != nullptr && t->field_count > 0) {
        ReadData(Reader(body), *t, h, visitor, truncated);
        if (truncated) {
          return DatagramError::kTruncated;
        }
      } else {
        ++h.unknown_sets;
      }
      continue;
    }
    const std::uint16_t templates = ipfix ? 2 : 0;
    if (set_id == templates || set_id == templates + 1) {
      switch (ReadTemplates(Reader(body), ipfix, set_id == templates + 1, h, visitor)) {
        case Parsed::kOk:
          break;
        case Parsed::kTruncated:
          return DatagramError::kTruncated;
        case Parsed::kTemplate:
          return DatagramError::kTemplate;
      }
    }
    // Other ids below 256 are reserved: skipped by their length.
  }
  return h;
}

}  // namespace edgewatch::flow
