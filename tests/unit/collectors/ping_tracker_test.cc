#include "collectors/ping_tracker.h"

#include <gtest/gtest.h>

#include "config/values.h"

namespace edgewatch {
namespace {

using std::chrono::milliseconds;
using Time = Clock::MonotonicTime;

Time At(int ms) { return Time(milliseconds(ms)); }
Clock::SystemTime Wall(int ms) { return Clock::SystemTime(milliseconds(1'800'000'000'000 + ms)); }
net::Address Ip(const char* text) { return ParseIpAddress(text).value(); }

class PingTrackerTest : public ::testing::Test {
 protected:
  PingTracker tracker_{
      {{Ip("10.203.0.2"), milliseconds(1000), 3}, {Ip("2001:db8::2"), milliseconds(500), 2}}};
};

TEST_F(PingTrackerTest, MatchesRepliesAndMeasuresRtt) {
  const auto seq = tracker_.Sent(0, At(0));
  EXPECT_EQ(tracker_.Reply(Ip("10.203.0.2"), seq, At(3), Wall(3)), PingTracker::Match::kAnswered);
  const auto s = tracker_.Get(0, At(10));
  EXPECT_EQ(s.settled(), 1u);
  EXPECT_EQ(s.received, 1u);
  EXPECT_TRUE(s.up);
  EXPECT_EQ(s.rtt_count, 1u);
  EXPECT_DOUBLE_EQ(s.rtt_sum_seconds, 0.003);
  // 3 ms falls in the buckets from 3.2 ms (50 us x 2^6) up.
  EXPECT_EQ(s.buckets[5], 0u);  // 1.6 ms
  EXPECT_EQ(s.buckets[6], 1u);  // 3.2 ms
  EXPECT_EQ(s.buckets[19], 1u);
  EXPECT_EQ(*s.last_reply, Wall(3));
  EXPECT_DOUBLE_EQ(PingTracker::BucketBounds()[0], 0.00005);
}

TEST_F(PingTrackerTest, LateDuplicateAndForeignReplies) {
  const auto a = tracker_.Sent(0, At(0));
  EXPECT_EQ(tracker_.Reply(Ip("10.203.0.2"), a, At(5), Wall(5)), PingTracker::Match::kAnswered);
  EXPECT_EQ(tracker_.Reply(Ip("10.203.0.2"), a, At(6), Wall(6)), PingTracker::Match::kDuplicate);
  const auto b = tracker_.Sent(0, At(1000));
  EXPECT_EQ(tracker_.Reply(Ip("10.203.0.9"), b, At(1001), Wall(1001)),
            PingTracker::Match::kUnknown);  // right sequence, wrong host
  EXPECT_EQ(tracker_.Reply(Ip("10.203.0.2"), b, At(2500), Wall(2500)),
            PingTracker::Match::kLate);  // after the 1 s timeout: lost
  const auto s = tracker_.Get(0, At(2600));
  EXPECT_EQ(s.settled(), 2u);
  EXPECT_EQ(s.received, 1u);
  EXPECT_EQ(s.duplicates, 1u);
  EXPECT_EQ(s.lost, 1u);
}

// A probe counts as settled once answered or timed out: a scrape while one is in flight
// must not read as loss.
TEST_F(PingTrackerTest, ProbesSettleWhenAnsweredOrLost) {
  const auto a = tracker_.Sent(0, At(0));
  EXPECT_EQ(tracker_.Get(0, At(1)).settled(), 0u);
  tracker_.Reply(Ip("10.203.0.2"), a, At(2), Wall(2));
  EXPECT_EQ(tracker_.Get(0, At(3)).settled(), 1u);
  tracker_.Sent(0, At(1000));
  EXPECT_EQ(tracker_.Get(0, At(1999)).settled(), 1u);  // within its 1 s timeout
  const auto s = tracker_.Get(0, At(2001));
  EXPECT_EQ(s.settled(), 2u);
  EXPECT_EQ(s.lost, 1u);
  // Forgotten with the old address: never settled, so never counted as lost.
  tracker_.Sent(0, At(3000));
  tracker_.SetAddress(0, Ip("10.203.0.3"));
  EXPECT_EQ(tracker_.Get(0, At(5000)).settled(), 2u);
}

TEST_F(PingTrackerTest, UpUntilWindowProbesInARowAreLost) {
  const auto first = tracker_.Sent(0, At(0));
  tracker_.Reply(Ip("10.203.0.2"), first, At(1), Wall(1));
  for (int i = 1; i <= 3; ++i) {
    tracker_.Sent(0, At(i * 1000));
  }
  EXPECT_TRUE(tracker_.Get(0, At(3500)).up);   // probes 1 and 2 lost, 3 still pending
  EXPECT_FALSE(tracker_.Get(0, At(4100)).up);  // 3 lost too: window 3 reached
  const auto back = tracker_.Sent(0, At(5000));
  tracker_.Reply(Ip("10.203.0.2"), back, At(5002), Wall(5002));
  EXPECT_TRUE(tracker_.Get(0, At(5003)).up);
  EXPECT_FALSE(tracker_.Get(1, At(5003)).up);  // never answered: not up
}

TEST_F(PingTrackerTest, SendFailuresCountAsLost) {
  const auto seq = tracker_.Sent(1, At(0));
  tracker_.SendFailed(1, seq);
  const auto s = tracker_.Get(1, At(1));
  EXPECT_EQ(s.send_errors, 1u);
  EXPECT_EQ(s.lost, 1u);
  EXPECT_EQ(tracker_.Reply(Ip("2001:db8::2"), seq, At(2), Wall(2)), PingTracker::Match::kUnknown);
}

TEST_F(PingTrackerTest, SequenceSpaceWrapsWithoutMixingTargets) {
  for (int i = 0; i < 70000; ++i) {
    const auto seq = tracker_.Sent(i % 2, At(i));
    tracker_.Reply(i % 2 == 0 ? Ip("10.203.0.2") : Ip("2001:db8::2"), seq, At(i), Wall(i));
  }
  EXPECT_EQ(tracker_.Get(0, At(70000)).received, 35000u);
  EXPECT_EQ(tracker_.Get(1, At(70000)).received, 35000u);
  EXPECT_EQ(tracker_.Get(0, At(70000)).lost, 0u);
}

}  // namespace
}  // namespace edgewatch
