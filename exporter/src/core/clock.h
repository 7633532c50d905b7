#pragma once

#include <chrono>

namespace edgewatch {

// The one seam for time: wall time for timestamps, monotonic time for durations. Code outside
// this header and io/ never calls std::chrono::*::now(). Implementations are thread-safe.
class Clock {
 public:
  using SystemTime = std::chrono::system_clock::time_point;
  using MonotonicTime = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;
  virtual SystemTime Now() const = 0;
  virtual MonotonicTime Monotonic() const = 0;
};

class SystemClock final : public Clock {
 public:
  SystemTime Now() const override { return std::chrono::system_clock::now(); }
  MonotonicTime Monotonic() const override { return std::chrono::steady_clock::now(); }
};

// Seconds since the Unix epoch, as Prometheus timestamps are exposed.
inline double ToUnixSeconds(Clock::SystemTime t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace edgewatch
