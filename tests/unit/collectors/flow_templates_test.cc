#include "collectors/flow_templates.h"

#include <gtest/gtest.h>

namespace edgewatch {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

net::Address Ip(const char* text) { return *net::ParseAddress(text); }

flow::Template Data(std::uint16_t id, std::uint16_t fields) {
  flow::Template t;
  t.id = id;
  t.field_count = fields;
  return t;
}

TEST(FlowTemplatesTest, KeptPerAgentAndDomainUntilWithdrawnOrExpired) {
  FlowTemplates templates(64, 60 * kSecond);
  templates.Store(Ip("192.0.2.1"), 1, Data(300, 5), 0);
  templates.Store(Ip("192.0.2.1"), 2, Data(300, 7), 0);
  templates.Store(Ip("192.0.2.2"), 1, Data(300, 9), 0);
  ASSERT_NE(templates.Find(Ip("192.0.2.1"), 1, 300, kSecond), nullptr);
  EXPECT_EQ(templates.Find(Ip("192.0.2.1"), 1, 300, kSecond)->field_count, 5);
  EXPECT_EQ(templates.Find(Ip("192.0.2.1"), 2, 300, kSecond)->field_count, 7);
  EXPECT_EQ(templates.Find(Ip("192.0.2.2"), 1, 300, kSecond)->field_count, 9);
  EXPECT_EQ(templates.Find(Ip("192.0.2.1"), 1, 301, kSecond), nullptr);
  templates.Store(Ip("192.0.2.1"), 1, Data(300, 0), kSecond);  // withdrawn
  EXPECT_EQ(templates.Find(Ip("192.0.2.1"), 1, 300, kSecond), nullptr);
  // Not refreshed within the timeout: gone.
  EXPECT_EQ(templates.Find(Ip("192.0.2.2"), 1, 300, 61 * kSecond), nullptr);
}

TEST(FlowTemplatesTest, WithdrawingAllForgetsOnlyThatKindOfTheDomain) {
  FlowTemplates templates(64, 60 * kSecond);
  flow::Template options = Data(256, 3);
  options.options = true;
  templates.Store(Ip("192.0.2.1"), 1, Data(300, 5), 0);
  templates.Store(Ip("192.0.2.1"), 1, options, 0);
  templates.Store(Ip("192.0.2.1"), 2, Data(300, 5), 0);
  templates.WithdrawAll(Ip("192.0.2.1"), 1, false, kSecond);
  EXPECT_EQ(templates.Find(Ip("192.0.2.1"), 1, 300, kSecond), nullptr);
  EXPECT_NE(templates.Find(Ip("192.0.2.1"), 1, 256, kSecond), nullptr);
  EXPECT_NE(templates.Find(Ip("192.0.2.1"), 2, 300, kSecond), nullptr);
  templates.Store(Ip("192.0.2.1"), 1, Data(300, 6), 2 * kSecond);  // sent again: back
  EXPECT_EQ(templates.Find(Ip("192.0.2.1"), 1, 300, 2 * kSecond)->field_count, 6);
}

TEST(FlowTemplatesTest, SamplingComesFromTheRecordThenItsSamplerThenItsDomain) {
  FlowTemplates templates(64, 60 * kSecond);
  flow::FlowRecord options;
  options.options = true;
  options.sampling_rate = 1000;
  templates.SetSampling(Ip("192.0.2.1"), 1, options, 0);  // the domain's
  options.has_sampler = true;
  options.sampler = 5;
  options.sampling_rate = 64;
  templates.SetSampling(Ip("192.0.2.1"), 1, options, 0);  // sampler 5's
  flow::FlowRecord record;
  EXPECT_EQ(templates.SamplingOf(Ip("192.0.2.1"), 1, record, kSecond), 1000u);
  EXPECT_EQ(templates.SamplingOf(Ip("192.0.2.1"), 2, record, kSecond), 0u);  // none said
  record.has_sampler = true;
  record.sampler = 5;
  EXPECT_EQ(templates.SamplingOf(Ip("192.0.2.1"), 1, record, kSecond), 64u);
  record.sampler = 6;  // unknown sampler: the domain's
  EXPECT_EQ(templates.SamplingOf(Ip("192.0.2.1"), 1, record, kSecond), 1000u);
  record.sampling_rate = 10;
  EXPECT_EQ(templates.SamplingOf(Ip("192.0.2.1"), 1, record, kSecond), 10u);
}

TEST(FlowTemplatesTest, AFloodOfTemplatesStaysInItsTableAndIsCounted) {
  FlowTemplates templates(64, 3600 * kSecond);
  for (std::uint32_t domain = 0; domain < 10000; ++domain) {
    templates.Store(Ip("192.0.2.1"), domain, Data(300, 5), domain);
  }
  EXPECT_GT(templates.templates_forgotten(), 9000u);
  EXPECT_GT(templates.domains_forgotten(), 9000u);
  // The newest is kept.
  EXPECT_NE(templates.Find(Ip("192.0.2.1"), 9999, 300, 10000), nullptr);
}

}  // namespace
}  // namespace edgewatch
