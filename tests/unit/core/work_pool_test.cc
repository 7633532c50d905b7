#include "core/work_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

namespace edgewatch {
namespace {

TEST(WorkPoolTest, RunsWhatItAccepts) {
  WorkPool pool(2, 8);
  std::atomic<int> ran{0};
  std::vector<std::future<void>> done;
  for (int i = 0; i < 8; ++i) {
    auto p = std::make_shared<std::promise<void>>();
    done.push_back(p->get_future());
    ASSERT_TRUE(pool.TryPost([p, &ran] {
      ++ran;
      p->set_value();
    }));
  }
  for (auto& f : done) {
    f.wait();
  }
  EXPECT_EQ(ran, 8);
}

// A flood is refused at once, beyond what runs and waits: it never queues without bound.
TEST(WorkPoolTest, RefusesBeyondItsCapacityUntilASlotFrees) {
  WorkPool pool(1, 3);
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(pool.TryPost([gate, &started] {
    started.set_value();
    gate.wait();
  }));
  started.get_future().wait();  // one running
  ASSERT_TRUE(pool.TryPost([gate] { gate.wait(); }));
  ASSERT_TRUE(pool.TryPost([gate] { gate.wait(); }));  // two queued: at capacity
  bool ran = false;
  EXPECT_FALSE(pool.TryPost([&ran] { ran = true; }));
  release.set_value();
  pool.Stop();
  EXPECT_FALSE(ran);
  EXPECT_FALSE(pool.TryPost([] {}));
}

TEST(WorkPoolTest, StopRunsWhatIsQueued) {
  std::atomic<int> ran{0};
  {
    WorkPool pool(1, 100);
    for (int i = 0; i < 50; ++i) {
      ASSERT_TRUE(pool.TryPost([&ran] { ++ran; }));
    }
    pool.Stop();
    EXPECT_EQ(ran, 50);
  }
}

}  // namespace
}  // namespace edgewatch
