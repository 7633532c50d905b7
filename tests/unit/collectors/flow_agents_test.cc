#include "collectors/flow_agents.h"

#include <gtest/gtest.h>

#include <string>

namespace edgewatch {
namespace {

net::Address Ip(const std::string& text) { return *net::ParseAddress(text); }
constexpr flow::FlowProtocol kSflow = flow::FlowProtocol::kSflow;

TEST(FlowAgentsTest, GapsAreLostDatagramsAndStepsBackResets) {
  FlowAgents agents(4, 16);
  const std::size_t a = agents.Slot(Ip("192.0.2.1"), kSflow);
  for (std::uint32_t s : {1u, 2u, 3u, 7u, 8u}) {  // 4, 5, 6 lost
    agents.Sequence(a, 0, s);
  }
  agents.Sequence(a, 1, 100);  // a second sub-agent has a sequence of its own
  agents.Sequence(a, 1, 101);
  agents.Sequence(a, 0, 1);  // the agent restarted
  agents.Sequence(a, 0, 2);
  const auto list = agents.Agents();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].lost, 3u);
  EXPECT_EQ(list[0].resets, 1u);
}

TEST(FlowAgentsTest, TheSequenceWrapsWithoutAReset) {
  FlowAgents agents(4, 16);
  const std::size_t a = agents.Slot(Ip("192.0.2.1"), kSflow);
  agents.Sequence(a, 0, 0xFFFFFFFEu);
  agents.Sequence(a, 0, 0xFFFFFFFFu);
  agents.Sequence(a, 0, 1);  // 0 lost
  EXPECT_EQ(agents.Agents()[0].lost, 1u);
  EXPECT_EQ(agents.Agents()[0].resets, 0u);
}

TEST(FlowAgentsTest, AgentsPastTheBoundShareOneSlot) {
  FlowAgents agents(3, 16);
  for (int i = 0; i < 1000; ++i) {
    const std::size_t slot =
        agents.Slot(Ip("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256)), kSflow);
    agents.Datagram(slot, i);
    agents.Sequence(slot, 0, 5);  // would be resets, had they one sequence
  }
  EXPECT_EQ(agents.Slot(Ip("10.0.0.1"), kSflow),
            agents.Slot(Ip("10.0.0.1"), kSflow));  // kept, found again
  const auto list = agents.Agents();
  ASSERT_EQ(list.size(), 4u);
  EXPECT_EQ(list[0].address, Ip("10.0.0.0"));
  EXPECT_FALSE(list[2].other);
  EXPECT_TRUE(list[3].other);
  EXPECT_EQ(list[3].datagrams, 997u);
  EXPECT_EQ(list[3].resets, 0u);
  EXPECT_EQ(list[0].datagrams + list[1].datagrams + list[2].datagrams, 3u);
}

TEST(FlowAgentsTest, RecordSequencesAdvanceByTheirRecordsAndAnUnknownCountIsNotJudged) {
  FlowAgents agents(4, 16);
  const std::size_t a = agents.Slot(Ip("192.0.2.1"), flow::FlowProtocol::kIpfix);
  agents.Sequence(a, 7, 100, 30);  // records 100..129
  agents.Sequence(a, 7, 130, 30);
  agents.Sequence(a, 7, 170, 5);  // 160..169 lost
  agents.Sequence(a, 7, 175, 0);  // a set of an unknown template: its records uncounted
  agents.Sequence(a, 7, 400, 1);  // so this is not judged
  agents.Sequence(a, 7, 401, 1);
  EXPECT_EQ(agents.Agents()[0].lost, 10u);
  EXPECT_EQ(agents.Agents()[0].resets, 0u);
}

TEST(FlowAgentsTest, OneSenderOfTwoProtocolsIsTwoAgentsAndEachProtocolHasItsOther) {
  FlowAgents agents(2, 16);
  const std::size_t s = agents.Slot(Ip("192.0.2.1"), kSflow);
  const std::size_t i = agents.Slot(Ip("192.0.2.1"), flow::FlowProtocol::kIpfix);
  EXPECT_NE(s, i);
  EXPECT_EQ(agents.Slot(Ip("192.0.2.1"), flow::FlowProtocol::kIpfix), i);
  const std::size_t other_sflow = agents.Slot(Ip("192.0.2.2"), kSflow);
  const std::size_t other_v9 = agents.Slot(Ip("192.0.2.3"), flow::FlowProtocol::kNetflow9);
  EXPECT_NE(other_sflow, other_v9);
  EXPECT_EQ(agents.Slot(Ip("192.0.2.4"), kSflow), other_sflow);
  const auto list = agents.Agents();
  ASSERT_EQ(list.size(), 4u);
  EXPECT_EQ(list[1].protocol, flow::FlowProtocol::kIpfix);
  EXPECT_TRUE(list[2].other);
  EXPECT_EQ(list[2].protocol, kSflow);
  EXPECT_EQ(list[3].protocol, flow::FlowProtocol::kNetflow9);
}

TEST(FlowAgentsTest, InterfaceCountersAreBoundedAndKeepTheLatest) {
  FlowAgents agents(4, 2);
  const std::size_t a = agents.Slot(Ip("192.0.2.1"), kSflow);
  flow::SflowInterfaceCounters c;
  c.if_speed = 10'000'000'000;
  for (std::uint32_t index : {1u, 2u, 3u, 1u}) {
    c.if_index = index;
    c.in_octets += 1000;
    c.out_octets += 10;
    agents.Interface(a, c);
  }
  const auto interfaces = agents.Interfaces();
  ASSERT_EQ(interfaces.size(), 2u);
  EXPECT_EQ(interfaces[0].if_index, 1u);
  EXPECT_EQ(interfaces[0].in_octets, 4000u);
  EXPECT_EQ(interfaces[0].agent, Ip("192.0.2.1"));
  EXPECT_EQ(interfaces[1].in_octets, 2000u);
  EXPECT_EQ(agents.interfaces_not_kept(), 1u);  // ifIndex 3
}

TEST(FlowAgentsTest, ErrorsHaveNames) {
  EXPECT_STREQ(FlowErrorName(FlowError::kTruncated), "truncated");
  EXPECT_STREQ(FlowErrorName(FlowError::kHeaderProtocol), "header_protocol");
  EXPECT_STREQ(FlowErrorName(FlowError::kUnknownTemplate), "unknown_template");
}

}  // namespace
}  // namespace edgewatch
