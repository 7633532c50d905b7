#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "io/change_trigger.h"

namespace edgewatch::testing {

// A trigger a test fires by hand: the live path of a follower without inotify or sleeps. With
// `written`, it reports those paths as the only ones written, as inotify would.
class StepTrigger final : public io::FileChangeTrigger {
 public:
  StepTrigger() = default;
  explicit StepTrigger(std::vector<std::string> written) : written_(std::move(written)) {}

  const std::vector<std::string>* WrittenOnly() const override {
    return written_.empty() ? nullptr : &written_;
  }
  bool Wait() override {
    std::unique_lock<std::mutex> lock(mu_);
    ++waits_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return stopped_ || steps_ > 0; });
    if (stopped_) {
      return false;
    }
    --steps_;
    return true;
  }
  void Stop() override {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    cv_.notify_all();
  }
  // Lets the follower run one more round and waits until it has finished it.
  void Step() {
    std::unique_lock<std::mutex> lock(mu_);
    const int target = waits_ + 1;
    ++steps_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return waits_ >= target; });
  }
  void AwaitFirstRound() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return waits_ >= 1; });
  }

 private:
  std::vector<std::string> written_;
  std::mutex mu_;
  std::condition_variable cv_;
  int waits_ = 0;
  int steps_ = 0;
  bool stopped_ = false;
};

}  // namespace edgewatch::testing
