#include "io/spool_file.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace edgewatch::io {
namespace {

TEST(SpoolFileTest, WhatWasAppendedIsMappedInOrder) {
  SpoolFile f;
  ASSERT_TRUE(f.Append("abc", 3).ok());
  const std::string big(1 << 20, 'x');
  ASSERT_TRUE(f.Append(big.data(), big.size()).ok());
  EXPECT_EQ(f.size(), 3u + big.size());
  const auto map = f.Map();
  ASSERT_TRUE(map.ok()) << map.error().message;
  ASSERT_EQ(map->size(), 3u + big.size());
  EXPECT_EQ(std::memcmp(map->data(), "abcx", 4), 0);
  EXPECT_EQ(static_cast<char>((*map)[map->size() - 1]), 'x');
  EXPECT_FALSE(f.Append("d", 1).ok());  // mapped: written once
}

TEST(SpoolFileTest, AnEmptySpoolMapsToNothing) {
  SpoolFile f;
  const auto map = f.Map();
  ASSERT_TRUE(map.ok());
  EXPECT_TRUE(map->empty());
}

}  // namespace
}  // namespace edgewatch::io
