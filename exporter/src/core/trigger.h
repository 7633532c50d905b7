#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace edgewatch {

// Paces a polling or retry loop: `while (trigger.Wait()) { one round }`. The seam that keeps
// sleeps out of tests: they pass a trigger they fire by hand.
class Trigger {
 public:
  virtual ~Trigger() = default;
  // Blocks until the next round is due; false once Stop() was called.
  virtual bool Wait() = 0;
  // Wakes Wait() for good. Thread-safe.
  virtual void Stop() = 0;
};

// Fires every `interval` (the first Wait() also waits one interval).
class IntervalTrigger final : public Trigger {
 public:
  explicit IntervalTrigger(std::chrono::milliseconds interval) : interval_(interval) {}

  bool Wait() override {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, interval_, [&] { return stopped_; });
    return !stopped_;
  }

  void Stop() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopped_ = true;
    }
    cv_.notify_all();
  }

 private:
  std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;  // guarded by mu_
};

}  // namespace edgewatch
