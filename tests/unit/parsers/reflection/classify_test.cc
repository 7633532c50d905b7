#include "parsers/reflection/classify.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace edgewatch::reflection {
namespace {

constexpr std::uint32_t kAll = (1u << kVectorCount) - 1;

std::vector<std::byte> Bytes(std::initializer_list<int> values) {
  std::vector<std::byte> out;
  for (int v : values) {
    out.push_back(static_cast<std::byte>(v));
  }
  return out;
}

std::vector<std::byte> Text(const std::string& text, std::vector<std::byte> head = {}) {
  for (char c : text) {
    head.push_back(static_cast<std::byte>(c));
  }
  return head;
}

std::vector<std::byte> Ntp(int first_byte, int second_byte = 0) {
  std::vector<std::byte> p(48);
  p[0] = static_cast<std::byte>(first_byte);
  p[1] = static_cast<std::byte>(second_byte);
  return p;
}

// Headers as the protocols put them on the wire (RFC 1035 4.1.1; memcached protocol.txt "UDP
// protocol"; RFC 4511 / CLDAP as Windows DCs answer the netlogon ping; RFC 3416 PDUs).
const auto kDnsQuery = Bytes({0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1});
const auto kDnsAnswer = Bytes({0x12, 0x34, 0x81, 0x80, 0, 1, 0, 9, 0, 0, 0, 1});
const auto kMemcachedHeader = Bytes({0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00});
// LDAPMessage { messageID 1, searchRequest / searchResEntry / searchResDone }, the first with a
// 4-octet long-form length as Windows sends it.
const auto kCldapSearch =
    Bytes({0x30, 0x84, 0, 0, 0, 0x0a, 0x02, 0x01, 0x01, 0x63, 0x84, 0, 0, 0, 0x02, 0x04, 0x00});
const auto kCldapEntry = Bytes({0x30, 0x0c, 0x02, 0x01, 0x01, 0x64, 0x07, 0x04, 0x00});
const auto kCldapDone = Bytes({0x30, 0x0c, 0x02, 0x01, 0x01, 0x65, 0x07, 0x0a, 0x01, 0x00});
// SNMP v2c { version 1, community "public", GetBulkRequest / GetResponse }.
const auto kSnmpBulk = Bytes({0x30, 0x19, 0x02, 0x01, 0x01, 0x04, 0x06, 'p', 'u', 'b', 'l', 'i',
                              'c', 0xa5, 0x0c, 0x02, 0x01, 0x01});
const auto kSnmpResponse = Bytes({0x30, 0x19, 0x02, 0x01, 0x01, 0x04, 0x06, 'p', 'u', 'b', 'l', 'i',
                                  'c', 0xa2, 0x0c, 0x02, 0x01, 0x01});
const auto kSnmpV3 = Bytes({0x30, 0x3e, 0x02, 0x01, 0x03, 0x30, 0x11, 0x02, 0x04});

TEST(ReflectionJudgeTest, ReadsEachProtocol) {
  EXPECT_EQ(Judge(Vector::kNtp, Ntp(0x23)), Judgement::kRequest);   // v4 client
  EXPECT_EQ(Judge(Vector::kNtp, Ntp(0x24)), Judgement::kResponse);  // v4 server
  EXPECT_EQ(Judge(Vector::kNtp, Ntp(0x17)), Judgement::kRequest);   // mode 7, R clear
  EXPECT_EQ(Judge(Vector::kNtp, Ntp(0x97)), Judgement::kResponse);  // mode 7, R set (monlist)
  EXPECT_EQ(Judge(Vector::kNtp, Ntp(0x21)), Judgement::kUnknown);   // symmetric active
  EXPECT_EQ(Judge(Vector::kNtp, Ntp(0x25)), Judgement::kUnknown);   // broadcast: unasked
  EXPECT_EQ(Judge(Vector::kDns, kDnsQuery), Judgement::kRequest);
  EXPECT_EQ(Judge(Vector::kDns, kDnsAnswer), Judgement::kResponse);
  EXPECT_EQ(Judge(Vector::kDns, Bytes({0x12, 0x34, 0x81})), Judgement::kUnknown);  // short
  EXPECT_EQ(Judge(Vector::kSsdp, Text("HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\n")),
            Judgement::kResponse);
  EXPECT_EQ(Judge(Vector::kSsdp, Text("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n")),
            Judgement::kRequest);
  EXPECT_EQ(Judge(Vector::kSsdp, Text("NOTIFY * HTTP/1.1\r\n")), Judgement::kRequest);
  EXPECT_EQ(Judge(Vector::kSsdp, Text("\x16\x03\x01")), Judgement::kUnknown);
  EXPECT_EQ(Judge(Vector::kMemcached, Text("VALUE a 0 5\r\nhello\r\nEND\r\n", kMemcachedHeader)),
            Judgement::kResponse);
  EXPECT_EQ(Judge(Vector::kMemcached, Text("STAT pid 1234\r\n", kMemcachedHeader)),
            Judgement::kResponse);
  EXPECT_EQ(Judge(Vector::kMemcached, Text("stats\r\n", kMemcachedHeader)), Judgement::kRequest);
  EXPECT_EQ(Judge(Vector::kMemcached, Text("get a b c\r\n", kMemcachedHeader)),
            Judgement::kRequest);
  // The third datagram of a long reply: the middle of a value, sequence number 2.
  EXPECT_EQ(Judge(Vector::kMemcached, Text("xxxxxxxx", Bytes({0, 1, 0, 2, 0, 9, 0, 0}))),
            Judgement::kResponse);
  EXPECT_EQ(Judge(Vector::kMemcached, Text("xxxxxxxx", kMemcachedHeader)), Judgement::kUnknown);
  EXPECT_EQ(Judge(Vector::kCldap, kCldapSearch), Judgement::kRequest);
  EXPECT_EQ(Judge(Vector::kCldap, kCldapEntry), Judgement::kResponse);
  EXPECT_EQ(Judge(Vector::kCldap, kCldapDone), Judgement::kResponse);
  EXPECT_EQ(Judge(Vector::kCldap, Bytes({0x30, 0x84, 0xff})), Judgement::kUnknown);
  EXPECT_EQ(Judge(Vector::kSnmp, kSnmpBulk), Judgement::kRequest);
  EXPECT_EQ(Judge(Vector::kSnmp, kSnmpResponse), Judgement::kResponse);
  EXPECT_EQ(Judge(Vector::kSnmp, kSnmpV3), Judgement::kUnknown);
  EXPECT_EQ(Judge(Vector::kChargen, Text("!\"#$%&'()*+,-./0123456789")), Judgement::kResponse);
}

// Every prefix of every message above is safe and never misread as the opposite side.
TEST(ReflectionJudgeTest, PrefixesAreSafe) {
  for (const auto& [vector, message] : std::vector<std::pair<Vector, std::vector<std::byte>>>{
           {Vector::kCldap, kCldapSearch}, {Vector::kSnmp, kSnmpBulk}, {Vector::kDns, kDnsQuery}}) {
    for (std::size_t n = 0; n <= message.size(); ++n) {
      const auto j = Judge(vector, std::span(message).first(n));
      EXPECT_NE(j, Judgement::kResponse) << n;
    }
  }
}

Match M(Vector v, Side s) { return {v, s}; }

void ExpectMatch(std::optional<Match> got, Match want) {
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->vector, want.vector);
  EXPECT_EQ(got->side, want.side);
}

TEST(ReflectionClassifyTest, TheSourcePortAndTheContentDecide) {
  // Plain traffic: to a service port a request, from it an answer.
  ExpectMatch(ClassifyDatagram(40000, 53, kDnsQuery, kAll), M(Vector::kDns, Side::kRequest));
  ExpectMatch(ClassifyDatagram(53, 40000, kDnsAnswer, kAll), M(Vector::kDns, Side::kResponse));
  // Answers aimed at a service port are answers: a reflected flood at a victim's resolver or
  // NTP port, memcached and SSDP answering port to port.
  ExpectMatch(ClassifyDatagram(123, 53, Ntp(0x97, 0x80), kAll), M(Vector::kNtp, Side::kResponse));
  ExpectMatch(ClassifyDatagram(53, 123, kDnsAnswer, kAll), M(Vector::kDns, Side::kResponse));
  ExpectMatch(ClassifyDatagram(11211, 11211, Text("VALUE a 0 5\r\n", kMemcachedHeader), kAll),
              M(Vector::kMemcached, Side::kResponse));
  ExpectMatch(ClassifyDatagram(1900, 1900, Text("HTTP/1.1 200 OK\r\n"), kAll),
              M(Vector::kSsdp, Side::kResponse));
  // Requests sent from the service port stay requests.
  ExpectMatch(ClassifyDatagram(1900, 1900, Text("M-SEARCH * HTTP/1.1\r\n"), kAll),
              M(Vector::kSsdp, Side::kRequest));
  ExpectMatch(ClassifyDatagram(53, 53, kDnsQuery, kAll), M(Vector::kDns, Side::kRequest));
  ExpectMatch(ClassifyDatagram(123, 123, Ntp(0x23), kAll), M(Vector::kNtp, Side::kRequest));
  ExpectMatch(ClassifyDatagram(123, 123, Ntp(0x24), kAll), M(Vector::kNtp, Side::kResponse));
  // Content that does not say: symmetric NTP port to port asks, from the port alone answers.
  ExpectMatch(ClassifyDatagram(123, 123, Ntp(0x21), kAll), M(Vector::kNtp, Side::kRequest));
  ExpectMatch(ClassifyDatagram(161, 40000, kSnmpV3, kAll), M(Vector::kSnmp, Side::kResponse));
  // Chargen from :19 to an NTP server is chargen, not an NTP request.
  ExpectMatch(ClassifyDatagram(19, 123, Text("!\"#$%&'()*+,-./"), kAll),
              M(Vector::kChargen, Side::kResponse));
  // ...unless chargen is not watched.
  const std::uint32_t no_chargen = kAll & ~(1u << static_cast<int>(Vector::kChargen));
  ExpectMatch(ClassifyDatagram(19, 123, Text("!\"#$%&'()*+,-./"), no_chargen),
              M(Vector::kNtp, Side::kRequest));
  EXPECT_FALSE(ClassifyDatagram(40000, 443, kDnsQuery, kAll).has_value());
}

}  // namespace
}  // namespace edgewatch::reflection
