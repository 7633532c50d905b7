#include "parsers/net/address.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace edgewatch::net {
namespace {

// The C library is the independent reference: edgewatch's pure parser and formatter must agree
// with inet_pton / inet_ntop on every input.
std::optional<Address> LibcParse(const std::string& text) {
  Address a;
  if (inet_pton(AF_INET, text.c_str(), a.bytes.data()) == 1) {
    return a;
  }
  a.v6 = true;
  if (inet_pton(AF_INET6, text.c_str(), a.bytes.data()) == 1) {
    return a;
  }
  return std::nullopt;
}

std::string LibcFormat(const Address& a) {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(a.v6 ? AF_INET6 : AF_INET, a.bytes.data(), buf, sizeof buf);
  return buf;
}

TEST(AddressTest, ParsesAsInetPton) {
  const std::vector<std::string> texts = {"192.0.2.1",
                                          "0.0.0.0",
                                          "255.255.255.255",
                                          "192.0.2.256",
                                          "192.0.2",
                                          "192.0.2.1.5",
                                          "01.2.3.4",
                                          "1.2.3.04",
                                          "1..2.3",
                                          " 1.2.3.4",
                                          "1.2.3.4 ",
                                          "::",
                                          "::1",
                                          "1::",
                                          "2001:db8::1",
                                          "2001:DB8:0:0:0:0:0:1",
                                          "2001:db8::1::2",
                                          "2001:db8:0:0:0:0:0:0:1",
                                          "::ffff:192.0.2.1",
                                          "::192.0.2.1",
                                          "64:ff9b::192.0.2.33",
                                          "1:2:3:4:5:6:7:8",
                                          "1:2:3:4:5:6:7::",
                                          "::2:3:4:5:6:7:8",
                                          "1:2:3:4:5:6:1.2.3.4",
                                          "1:2:3:4:5:6:7:1.2.3.4",
                                          "12345::1",
                                          "fe80::1%eth0",
                                          "[::1]",
                                          ":1",
                                          "1:",
                                          "g::1",
                                          "",
                                          "::ffff:1.2.3",
                                          "0000:0000::0001",
                                          "fe80:0:0:0:0:0:0:0",
                                          "fe80::1:2:3:4:5",
                                          "2001:db8:0:0:1:0:0:1",
                                          ":::",
                                          "1:2:3:4:5:6:7:8:9",
                                          "2001:db8::g",
                                          "unknown",
                                          "1.2.3.4:25",
                                          "256.1.1.1"};
  for (const auto& t : texts) {
    EXPECT_EQ(ParseAddress(t), LibcParse(t)) << t;
  }
}

// Contains() masks two words at once; the reference compares bit by bit. Every prefix length
// of both families, random addresses near and far from the network.
TEST(AddressTest, PrefixContainsAsBitByBit) {
  std::mt19937_64 random(7);
  const auto bit = [](const Address& a, int i) { return (a.bytes[i / 8] >> (7 - i % 8)) & 1; };
  for (const bool v6 : {false, true}) {
    const int width = v6 ? 128 : 32;
    for (int length = 0; length <= width; ++length) {
      for (int round = 0; round < 50; ++round) {
        Address network{v6, {}};
        Address address{v6, {}};
        for (int i = 0; i < width / 8; ++i) {
          network.bytes[i] = static_cast<std::uint8_t>(random());
        }
        for (int i = length; i < width; ++i) {  // host bits cleared, as parsed prefixes are
          network.bytes[i / 8] &= static_cast<std::uint8_t>(~(1 << (7 - i % 8)));
        }
        address = network;
        const int flip = static_cast<int>(random() % static_cast<std::uint64_t>(width));
        if (round % 2 == 1) {
          address.bytes[flip / 8] ^= static_cast<std::uint8_t>(1 << (7 - flip % 8));
        }
        bool inside = true;
        for (int i = 0; i < length; ++i) {
          inside = inside && bit(address, i) == bit(network, i);
        }
        EXPECT_EQ((Prefix{network, length}.Contains(address)), inside)
            << FormatAddress(network) << "/" << length << " " << FormatAddress(address);
        EXPECT_FALSE((Prefix{network, length}.Contains(Address{!v6, address.bytes})));
      }
    }
  }
}

TEST(AddressTest, FormatsAsInetNtop) {
  std::vector<Address> addresses;
  for (const char* t :
       {"192.0.2.1", "0.0.0.0", "::", "::1", "1::", "2001:db8::1", "2001:db8:0:1:0:0:0:1",
        "2001:0:0:1:0:0:0:1", "1:0:0:2:0:0:0:3", "::ffff:192.0.2.1", "::192.0.2.1", "::ffff:0:1",
        "1:2:3:4:5:6:7:8", "0:1:0:1:0:1:0:1", "fe80::"}) {
    addresses.push_back(*LibcParse(t));
  }
  // Random addresses with many zero groups, where the "::" choice matters.
  std::mt19937 random(42);
  for (int n = 0; n < 5000; ++n) {
    Address a;
    a.v6 = n % 5 != 0;
    for (std::size_t i = 0; i < (a.v6 ? 16u : 4u); i += 2) {
      const bool zero = random() % 2 == 0;
      a.bytes[i] = zero ? 0 : static_cast<std::uint8_t>(random());
      a.bytes[i + 1] = zero ? 0 : static_cast<std::uint8_t>(random());
    }
    addresses.push_back(a);
  }
  for (const auto& a : addresses) {
    EXPECT_EQ(FormatAddress(a), LibcFormat(a));
    EXPECT_EQ(ParseAddress(FormatAddress(a)), a) << LibcFormat(a);
  }
}

}  // namespace
}  // namespace edgewatch::net
