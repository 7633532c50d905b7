#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/trigger.h"

namespace edgewatch::io {

// Paces a file follower's rounds, and may know that only some files were written.
class FileChangeTrigger : public Trigger {
 public:
  // After Wait(): the paths written to since the previous Wait(), sorted, when the trigger knows
  // that nothing else changed; null when anything may have changed.
  virtual const std::vector<std::string>* WrittenOnly() const = 0;
};

// Fires when inotify reports a change in one of `directories` (a file created, written, renamed
// or deleted there), and at the latest every `interval`: the polling fallback for what inotify
// cannot see (a watched directory moved away and back, network filesystems, no inotify at all).
// Watching starts at construction and is renewed on every Wait(), so a directory that appears
// later is watched from then.
// When only files were written, WrittenOnly() names them as directory + "/" + name, so a reader
// of many files reads just those; at least every `interval` it is null (read everything).
// Runs on Boost.Asio; Wait() from one thread, Stop() from any.
class ChangeTrigger final : public FileChangeTrigger {
 public:
  ChangeTrigger(std::vector<std::string> directories, std::chrono::milliseconds interval,
                const Clock& clock);
  ~ChangeTrigger() override;

  bool Wait() override;
  void Stop() override;
  const std::vector<std::string>* WrittenOnly() const override;
  // Watches these directories from the next round on. Thread-safe.
  void Watch(std::vector<std::string> directories);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace edgewatch::io
