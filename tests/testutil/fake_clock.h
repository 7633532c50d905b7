#pragma once

#include <atomic>
#include <chrono>

#include "core/clock.h"

namespace edgewatch::testing {

// A Clock that moves only when a test says so.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(SystemTime now = SystemTime(std::chrono::seconds(1'800'000'000)))
      : now_ns_(now.time_since_epoch().count()) {}

  SystemTime Now() const override { return SystemTime(SystemTime::duration(now_ns_.load())); }
  MonotonicTime Monotonic() const override {
    return MonotonicTime(MonotonicTime::duration(mono_ns_.load()));
  }
  void Advance(std::chrono::nanoseconds d) {
    now_ns_ += std::chrono::duration_cast<SystemTime::duration>(d).count();
    mono_ns_ += std::chrono::duration_cast<MonotonicTime::duration>(d).count();
  }

 private:
  std::atomic<SystemTime::rep> now_ns_;
  std::atomic<MonotonicTime::rep> mono_ns_{0};
};

}  // namespace edgewatch::testing
