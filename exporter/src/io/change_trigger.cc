#include "io/change_trigger.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace edgewatch::io {

namespace asio = boost::asio;

struct ChangeTrigger::Impl {
  static constexpr std::uint32_t kMask = IN_CREATE | IN_MODIFY | IN_MOVED_FROM | IN_MOVED_TO |
                                         IN_DELETE | IN_CLOSE_WRITE | IN_ATTRIB | IN_MOVE_SELF |
                                         IN_DELETE_SELF;

  std::vector<std::string> directories;
  std::chrono::milliseconds interval;
  asio::io_context io;
  asio::posix::stream_descriptor inotify{io};
  asio::steady_timer timer{io};
  std::map<std::string, int> watches;  // directory -> watch descriptor
  bool waiting = false;                // an inotify read wait is pending
  bool fired = false;
  bool stopped = false;  // set by a handler that Stop() posts

  void Renew() {
    if (!inotify.is_open()) {
      return;
    }
    for (const auto& dir : directories) {
      const int wd = ::inotify_add_watch(inotify.native_handle(), dir.c_str(), kMask);
      auto it = watches.find(dir);
      if (it != watches.end() && it->second != wd) {  // the path is another directory now
        ::inotify_rm_watch(inotify.native_handle(), it->second);
      }
      if (wd >= 0) {
        watches[dir] = wd;
      } else if (it != watches.end()) {
        watches.erase(it);
      }
    }
  }

  void Drain() {
    alignas(inotify_event) std::array<char, 16384> events;
    while (::read(inotify.native_handle(), events.data(), events.size()) > 0) {
    }
  }
};

ChangeTrigger::ChangeTrigger(std::vector<std::string> directories,
                             std::chrono::milliseconds interval)
    : impl_(std::make_unique<Impl>()) {
  impl_->directories = std::move(directories);
  impl_->interval = interval;
  const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd >= 0) {  // without inotify (limit reached) the interval alone paces the rounds
    impl_->inotify.assign(fd);
  }
}

ChangeTrigger::~ChangeTrigger() = default;

bool ChangeTrigger::Wait() {
  Impl& s = *impl_;
  s.Renew();
  s.fired = false;
  if (s.inotify.is_open() && !s.waiting) {
    s.waiting = true;
    s.inotify.async_wait(asio::posix::stream_descriptor::wait_read,
                         [&s](const boost::system::error_code& ec) {
                           s.waiting = false;
                           if (!ec) {
                             s.Drain();
                             s.fired = true;
                           }
                         });
  }
  s.timer.expires_after(s.interval);
  s.timer.async_wait([&s](const boost::system::error_code& ec) {
    if (!ec) {
      s.fired = true;
    }
  });
  while (!s.fired && !s.stopped) {
    s.io.run_one();
  }
  s.timer.cancel();
  return !s.stopped;
}

void ChangeTrigger::Stop() {
  Impl& s = *impl_;
  asio::post(s.io, [&s] { s.stopped = true; });
}

}  // namespace edgewatch::io
