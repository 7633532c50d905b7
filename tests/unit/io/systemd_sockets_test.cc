#include "io/systemd_sockets.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace edgewatch::io {
namespace {

TEST(SystemdSocketsTest, DescriptorsFromThree) {
  const auto fds = PassedDescriptors("4242", "2", 4242);
  ASSERT_TRUE(fds.ok()) << fds.error().message;
  EXPECT_EQ(*fds, (std::vector<int>{3, 4}));
}

TEST(SystemdSocketsTest, ErrorsSayWhatIsWrong) {
  EXPECT_EQ(PassedDescriptors(std::nullopt, std::nullopt, 1).error().message,
            "--web.systemd-socket: no sockets were passed (LISTEN_PID/LISTEN_FDS unset); start "
            "edgewatch from its .socket unit, or without the flag");
  // Passed to a parent that started us (a shell script in ExecStart=): not ours.
  EXPECT_EQ(PassedDescriptors("99", "1", 100).error().message,
            "--web.systemd-socket: the sockets were passed to process 99, not to this one (100)");
  for (const char* count : {"0", "x", "-1", "65", ""}) {
    EXPECT_EQ(PassedDescriptors("7", count, 7).error().message,
              std::string("--web.systemd-socket: LISTEN_FDS is \"") + count +
                  "\", not a count of sockets (1-64)")
        << count;
  }
}

// What was passed is taken once: the variables are gone afterwards, so nothing this process
// starts later takes the same descriptors.
TEST(SystemdSocketsTest, TakingUnsetsTheVariables) {
  ::setenv("LISTEN_PID", "1", 1);  // not this process
  ::setenv("LISTEN_FDS", "1", 1);
  ::setenv("LISTEN_FDNAMES", "edgewatch.socket", 1);
  const auto taken = TakeSystemdSockets();
  ASSERT_FALSE(taken.ok());
  EXPECT_NE(taken.error().message.find("passed to process 1, not to this one"), std::string::npos);
  EXPECT_EQ(std::getenv("LISTEN_PID"), nullptr);
  EXPECT_EQ(std::getenv("LISTEN_FDS"), nullptr);
  EXPECT_EQ(std::getenv("LISTEN_FDNAMES"), nullptr);
}

}  // namespace
}  // namespace edgewatch::io
