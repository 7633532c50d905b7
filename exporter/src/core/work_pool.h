#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace edgewatch {

// A fixed set of threads with a bounded backlog. Work that would exceed the bound is refused at
// once rather than queued, so a flood of slow work (bcrypt checks, scrapes) is answered "busy"
// instead of piling up behind itself. Thread-safe.
class WorkPool {
 public:
  // `capacity`: tasks queued or running at most (at least `threads`).
  WorkPool(std::size_t threads, std::size_t capacity);
  ~WorkPool();
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  // Queues `task`; false (and `task` dropped unrun) when `capacity` tasks are queued or running,
  // or the pool is stopping.
  bool TryPost(std::function<void()> task);
  // Runs what is queued, then joins the threads; TryPost fails from now on. Idempotent.
  void Stop();

  std::size_t capacity() const { return capacity_; }

 private:
  void Work();

  const std::size_t capacity_;
  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  std::size_t running_ = 0;                  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace edgewatch
