#include "io/interfaces.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace edgewatch::io {
namespace {

bool Has(const std::vector<net::Prefix>& prefixes, const char* address, int length) {
  const net::Prefix want{*net::ParseAddress(address), length};
  return std::find(prefixes.begin(), prefixes.end(), want) != prefixes.end();
}

TEST(InterfaceAddressesTest, LoopbackAndAny) {
  const auto lo = InterfaceAddresses("lo");
  ASSERT_TRUE(lo.ok()) << lo.error().message;
  EXPECT_TRUE(Has(*lo, "127.0.0.1", 32));
  EXPECT_TRUE(Has(*lo, "::1", 128));
  const auto any = InterfaceAddresses("any");
  ASSERT_TRUE(any.ok());
  EXPECT_TRUE(Has(*any, "127.0.0.1", 32));
  EXPECT_GE(any->size(), lo->size());
}

TEST(InterfaceAddressesTest, AnInterfaceWithoutAddressesSaysWhatToDo) {
  const auto none = InterfaceAddresses("nonexistent0");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message,
            "interface nonexistent0 has no IPv4 or IPv6 address; set reflection.local_networks");
}

}  // namespace
}  // namespace edgewatch::io
