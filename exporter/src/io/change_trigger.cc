#include "io/change_trigger.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstring>

namespace edgewatch::io {

namespace asio = boost::asio;

struct ChangeTrigger::Impl {
  static constexpr std::uint32_t kMask = IN_CREATE | IN_MODIFY | IN_MOVED_FROM | IN_MOVED_TO |
                                         IN_DELETE | IN_CLOSE_WRITE | IN_ATTRIB | IN_MOVE_SELF |
                                         IN_DELETE_SELF;
  static constexpr std::uint32_t kWrites = IN_MODIFY | IN_CLOSE_WRITE;
  // More distinct files written in one round than this: read everything instead.
  static constexpr std::size_t kMaxWritten = 1024;

  Impl(std::vector<std::string> d, std::chrono::milliseconds i, const Clock& c)
      : directories(std::move(d)), interval(i), clock(c) {}

  std::vector<std::string> directories;
  std::chrono::milliseconds interval;
  const Clock& clock;
  asio::io_context io;
  asio::posix::stream_descriptor inotify{io};
  asio::steady_timer timer{io};
  std::map<std::string, int> watches;  // directory -> watch descriptor
  bool waiting = false;                // an inotify read wait is pending
  bool fired = false;
  bool stopped = false;              // set by a handler that Stop() posts
  std::vector<std::string> written;  // sorted, unique: this round's written files
  bool everything = true;            // this round: anything may have changed
  Clock::MonotonicTime last_everything{};

  void Renew() {
    if (!inotify.is_open()) {
      everything = true;
      return;
    }
    for (const auto& dir : directories) {
      const int wd = ::inotify_add_watch(inotify.native_handle(), dir.c_str(), kMask);
      auto it = watches.find(dir);
      if (it != watches.end() && it->second != wd) {  // the path is another directory now
        ::inotify_rm_watch(inotify.native_handle(), it->second);
      }
      if (wd >= 0) {
        if (it == watches.end() || it->second != wd) {
          everything = true;  // what happened there before the watch was not seen
        }
        watches[dir] = wd;
      } else if (it != watches.end()) {
        watches.erase(it);
      }
    }
  }

  // Under every spelling of the directory: two configured paths of one directory share a watch.
  void Written(int wd, std::string_view name) {
    bool known = false;
    for (const auto& [dir, w] : watches) {
      if (w == wd) {
        known = true;
        std::string path = dir + "/" + std::string(name);
        const auto at = std::lower_bound(written.begin(), written.end(), path);
        if (at == written.end() || *at != path) {
          written.insert(at, std::move(path));
        }
      }
    }
    everything = everything || !known || written.size() > kMaxWritten;  // !known: renewed away
  }

  void Drain() {
    alignas(inotify_event) std::array<char, 16384> events;
    ssize_t n;
    while ((n = ::read(inotify.native_handle(), events.data(), events.size())) > 0) {
      for (ssize_t at = 0; at < n && !everything;) {
        inotify_event ev;
        std::memcpy(&ev, events.data() + at, sizeof ev);
        const char* name = events.data() + at + sizeof ev;
        if ((ev.mask & ~kWrites) == 0 && ev.len > 0) {
          Written(ev.wd, std::string_view(name, ::strnlen(name, ev.len)));
        } else {
          everything = true;  // created, moved, deleted, attributes, overflow
        }
        at += static_cast<ssize_t>(sizeof ev + ev.len);
      }
    }
  }
};

ChangeTrigger::ChangeTrigger(std::vector<std::string> directories,
                             std::chrono::milliseconds interval, const Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(directories), interval, clock)) {
  const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd >= 0) {  // without inotify (limit reached) the interval alone paces the rounds
    impl_->inotify.assign(fd);
  }
  impl_->Renew();  // changes from now on are seen by the first Wait()
}

ChangeTrigger::~ChangeTrigger() = default;

bool ChangeTrigger::Wait() {
  Impl& s = *impl_;
  s.written.clear();
  s.everything = false;
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
      s.everything = true;
    }
  });
  while (!s.fired && !s.stopped) {
    s.io.run_one();
  }
  s.timer.cancel();
  // Files inotify cannot see (a directory with a glob) are read at least every interval, even
  // while writes elsewhere keep the timer from firing.
  const auto now = s.clock.Monotonic();
  if (s.everything || now - s.last_everything >= s.interval) {
    s.everything = true;
    s.last_everything = now;
  }
  return !s.stopped;
}

const std::vector<std::string>* ChangeTrigger::WrittenOnly() const {
  return impl_->everything ? nullptr : &impl_->written;
}

void ChangeTrigger::Watch(std::vector<std::string> directories) {
  Impl& s = *impl_;
  asio::post(s.io, [&s, d = std::move(directories)]() mutable {
    for (const auto& [dir, wd] : s.watches) {
      if (std::find(d.begin(), d.end(), dir) == d.end()) {
        ::inotify_rm_watch(s.inotify.native_handle(), wd);
      }
    }
    std::erase_if(s.watches,
                  [&](const auto& w) { return std::find(d.begin(), d.end(), w.first) == d.end(); });
    s.directories = std::move(d);
    s.Renew();
    s.everything = true;
    s.fired = true;
  });
}

void ChangeTrigger::Stop() {
  Impl& s = *impl_;
  asio::post(s.io, [&s] { s.stopped = true; });
}

}  // namespace edgewatch::io
