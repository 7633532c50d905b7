#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/trigger.h"

namespace edgewatch::io {

// Fires when inotify reports a change in one of `directories` (a file created, written, renamed
// or deleted there), and at the latest every `interval`: the polling fallback for what inotify
// cannot see (a watched directory moved away and back, network filesystems, no inotify at all).
// Watches are renewed on every Wait(), so a directory that appears later is watched from then.
// Runs on Boost.Asio; Wait() from one thread, Stop() from any.
class ChangeTrigger final : public Trigger {
 public:
  ChangeTrigger(std::vector<std::string> directories, std::chrono::milliseconds interval);
  ~ChangeTrigger() override;

  bool Wait() override;
  void Stop() override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace edgewatch::io
