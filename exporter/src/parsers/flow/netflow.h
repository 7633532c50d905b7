#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "parsers/expected.h"
#include "parsers/flow/datagram_error.h"
#include "parsers/net/address.h"

namespace edgewatch::flow {

// NetFlow v5 (Cisco's fixed records), NetFlow v9 (RFC 3954) and IPFIX (RFC 7011): one export
// datagram of an exporter. v9 and IPFIX describe their records by templates the exporter sends
// now and then; the caller keeps them (per exporter and domain) and hands them back by id.
struct NetflowHeader {
  std::uint16_t version = 0;  // 5, 9 or 10 (IPFIX)
  // v5: flows the exporter sent before this datagram; v9: datagrams before it; IPFIX: data
  // records before it. Per exporter and `domain`: a gap is loss.
  std::uint32_t sequence = 0;
  // v9 source ID, IPFIX observation domain ID, v5 engine type << 8 | engine ID.
  std::uint32_t domain = 0;
  std::uint32_t export_time = 0;       // Unix seconds
  std::uint32_t v5_sampling_rate = 0;  // v5 header's 1-in-N packet sampling, 0: none said
  // What the datagram held: data records read (options data included), data sets whose
  // template was unknown (their records cannot be counted), templates read.
  std::uint32_t data_records = 0;
  std::uint32_t unknown_sets = 0;
  std::uint32_t templates = 0;
};

// One field of a template: an Information Element and its length in the record.
// kVariableLength: an IPFIX variable-length field (its length precedes its value).
inline constexpr std::uint16_t kVariableLength = 0xFFFF;
// The id an enterprise-specific element gets here: none of ours, only skipped.
inline constexpr std::uint16_t kEnterpriseElement = 0xFFFF;
struct TemplateField {
  std::uint16_t id = 0;
  std::uint16_t length = 0;
  std::uint8_t kind = 0;  // what the parser reads it as, found with the template (0: skipped)
};

// A (data or options) template. More than kMaxTemplateFields fields is refused (kTemplate):
// real templates have a few dozen at most, and the template table's slots are fixed-size.
inline constexpr std::size_t kMaxTemplateFields = 64;
struct Template {
  std::uint16_t id = 0;
  std::uint16_t field_count = 0;        // 0: a withdrawal (IPFIX) of template `id`
  bool options = false;                 // options template: its records describe the exporter
  std::uint32_t min_record_length = 0;  // fixed lengths, plus 1 per variable-length field
  bool fixed_length = false;            // no variable-length field: every record is the minimum
  std::array<TemplateField, kMaxTemplateFields> fields{};
};

// What a data record (or a v5 record) says of one flow, as far as it says it. Counters and
// sampling are 0 where the template has no such field.
struct FlowRecord {
  bool options = false;  // a record of an options template (sampling settings, no flow)
  bool has_addresses = false;
  net::Address src;
  net::Address dst;
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  std::uint8_t protocol = 0;  // IP protocol number
  std::uint64_t octets = 0;   // IP bytes (headers included) since the last export
  std::uint64_t packets = 0;
  std::uint32_t input_if = 0;
  std::uint32_t output_if = 0;
  // 1-in-N packet sampling the record carries (samplingInterval, samplerRandomInterval,
  // PSAMP's packet interval/space or size/population), 0: not carried.
  std::uint32_t sampling_rate = 0;
  bool has_sampler = false;  // samplerId or selectorId: the sampler an options record set up
  std::uint64_t sampler = 0;
};

// What a datagram holds, handed over in the datagram's order (a template before the data
// that uses it).
class NetflowVisitor {
 public:
  virtual ~NetflowVisitor() = default;
  // The header, before anything in the datagram (its counts are still 0).
  virtual void Header(const NetflowHeader& header) = 0;
  // A template or options template (field_count 0: withdrawn) of the header's domain.
  virtual void Template(const Template& t) = 0;
  // IPFIX's withdrawal of all (options) templates of the domain.
  virtual void WithdrawAll(bool options) = 0;
  // The domain's template `id`, or null if none is known.
  virtual const flow::Template* Find(std::uint16_t id) = 0;
  virtual void Record(const FlowRecord& record) = 0;
};

// Parses one datagram, calling `visitor` as it goes; a datagram cut short ends with an error
// after what came before was handed over. Data sets of an unknown template are skipped and
// counted in the header, padding after a set's last record too. Pure, no allocation.
Expected<NetflowHeader, DatagramError> ParseNetflow(std::span<const std::byte> datagram,
                                                    NetflowVisitor& visitor);

// Which protocol a flow datagram is, by its first bytes: sFlow's first 32-bit word is its
// version (5), a NetFlow or IPFIX header's first 16 bits are theirs (5, 9, 10).
enum class FlowProtocol : std::uint8_t { kSflow, kNetflow5, kNetflow9, kIpfix, kUnknown };
FlowProtocol FlowProtocolOf(std::span<const std::byte> datagram);

}  // namespace edgewatch::flow
