#include "parsers/mod_status/mod_status.h"

#include <charconv>
#include <cmath>
#include <utility>

namespace edgewatch::mod_status {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::optional<double> Number(std::string_view s) {
  s = Trim(s);
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
    return std::nullopt;
  }
  return v;
}

// Each line of `text` (the last may lack its newline).
template <typename F>
void ForEachLine(std::string_view text, F f) {
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    f(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
  }
}

using Field = std::optional<double> Status::*;

constexpr std::pair<std::string_view, Field> kApacheFields[] = {
    {"Total Accesses", &Status::total_accesses},
    {"Total kBytes", &Status::total_kbytes},
    {"Total Duration", &Status::total_duration_ms},
    {"CPUUser", &Status::cpu_user},
    {"CPUSystem", &Status::cpu_system},
    {"CPUChildrenUser", &Status::cpu_children_user},
    {"CPUChildrenSystem", &Status::cpu_children_system},
    {"Uptime", &Status::uptime_seconds},
    {"BusyWorkers", &Status::busy_workers},
    {"IdleWorkers", &Status::idle_workers},
    {"BusyServers", &Status::busy_workers},  // lighttpd
    {"IdleServers", &Status::idle_workers},  // lighttpd
    {"GracefulWorkers", &Status::graceful_workers},
    {"Processes", &Status::processes},
    {"Stopping", &Status::stopping},
    {"ConnsTotal", &Status::conns_total},
    {"ConnsAsyncWriting", &Status::conns_async_writing},
    {"ConnsAsyncKeepAlive", &Status::conns_async_keep_alive},
    {"ConnsAsyncClosing", &Status::conns_async_closing},
    {"ConnsAsyncWaitIO", &Status::conns_async_wait_io},
    {"Load1", &Status::load1},
    {"Load5", &Status::load5},
    {"Load15", &Status::load15},
};

Expected<Status> ParseNginx(std::string_view body) {
  // Active connections: 291
  // server accepts handled requests
  //  16630948 16630948 31070465
  // Reading: 6 Writing: 179 Waiting: 106
  Status s;
  s.flavour = Flavour::kNginx;
  int line_no = 0;
  bool counts = false;
  ForEachLine(body, [&](std::string_view line) {
    ++line_no;
    line = Trim(line);
    if (line.starts_with("Active connections:")) {
      s.active = Number(line.substr(19));
    } else if (line_no == 3) {
      double v[3];
      int n = 0;
      while (n < 3 && !line.empty()) {
        const size_t sp = line.find(' ');
        const auto num = Number(line.substr(0, sp));
        if (!num) {
          return;
        }
        v[n++] = *num;
        line = sp == std::string_view::npos ? std::string_view() : Trim(line.substr(sp));
      }
      if (n == 3) {
        s.accepts = v[0];
        s.handled = v[1];
        s.total_accesses = v[2];
        counts = true;
      }
    } else if (line.starts_with("Reading:")) {
      // "Reading: 6 Writing: 179 Waiting: 106"
      for (auto [key, field] : {std::pair{std::string_view("Reading:"), &Status::reading},
                                std::pair{std::string_view("Writing:"), &Status::writing},
                                std::pair{std::string_view("Waiting:"), &Status::waiting}}) {
        const size_t at = line.find(key);
        if (at == std::string_view::npos) {
          continue;
        }
        std::string_view rest = Trim(line.substr(at + key.size()));
        s.*field = Number(rest.substr(0, rest.find(' ')));
      }
    }
  });
  if (!s.active || !counts || !s.reading || !s.writing || !s.waiting) {
    return Error{"truncated or malformed nginx stub_status page"};
  }
  return s;
}

}  // namespace

Expected<Status> Parse(std::string_view body) {
  const size_t first = body.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return Error{"empty status page"};
  }
  const std::string_view content = body.substr(first);
  if (content.front() == '<') {
    return Error{
        "got an HTML page, not the machine-readable status: add ?auto to the URL "
        "(server-status?auto), and turn ExtendedStatus On for the totals"};
  }
  if (content.starts_with("Active connections:")) {
    return ParseNginx(content);
  }
  Status s;
  bool known = false;
  ForEachLine(content, [&](std::string_view line) {
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      return;  // the host name line, "TLSSessionCacheStatus", ...
    }
    const std::string_view key = Trim(line.substr(0, colon));
    const std::string_view value = Trim(line.substr(colon + 1));
    if (key == "ServerVersion") {
      s.version = std::string(value);
      known = true;
      return;
    }
    if (key == "ServerMPM") {
      s.mpm = std::string(value);
      known = true;
      return;
    }
    if (key == "Scoreboard") {
      std::array<std::uint32_t, kScoreboardStates> counts{};
      for (char c : value) {
        for (int i = 0; i < kScoreboardStates; ++i) {
          if (c == kScoreboardChars[i]) {
            ++counts[i];
            break;
          }
        }
      }
      s.scoreboard = counts;
      s.scoreboard_length = static_cast<std::uint32_t>(value.size());
      known = true;
      return;
    }
    for (const auto& [name, field] : kApacheFields) {
      if (key == name) {
        if (auto v = Number(value)) {
          s.*field = *v;
          known = true;
        }
        return;
      }
    }
  });
  if (!known) {
    return Error{"not a server-status?auto or stub_status page (no known field in the reply)"};
  }
  return s;
}

std::optional<double> WorkerSlots(const Status& s, std::uint64_t max_request_workers) {
  if (max_request_workers > 0) {
    return static_cast<double>(max_request_workers);
  }
  if (!s.scoreboard || s.flavour != Flavour::kApache) {
    return std::nullopt;
  }
  constexpr std::size_t kGraceful = 8;
  constexpr std::size_t kOpen = kScoreboardStates - 1;
  static_assert(kScoreboardChars[kGraceful] == 'G' && kScoreboardChars[kOpen] == '.');
  return s.scoreboard_length - (*s.scoreboard)[kOpen] - (*s.scoreboard)[kGraceful];
}

std::optional<double> ChildProcessLimit(const Status& s, std::uint64_t max_request_workers) {
  if (s.flavour != Flavour::kApache) {
    return std::nullopt;
  }
  double workers = static_cast<double>(max_request_workers);
  if (workers == 0) {
    if (!s.scoreboard || s.scoreboard_length == 0) {
      return std::nullopt;
    }
    workers = s.scoreboard_length;
  }
  double per_child = 1;
  if (s.mpm != "prefork") {
    if (!s.processes || *s.processes <= 0 || !s.busy_workers || !s.idle_workers) {
      return std::nullopt;
    }
    // Busy and idle workers are those of the processes not stopping.
    const double active = *s.processes - s.stopping.value_or(0);
    if (!(active > 0)) {
      return std::nullopt;
    }
    per_child = std::round((*s.busy_workers + *s.idle_workers) / active);
    if (!(per_child >= 1) || std::isinf(per_child)) {  // also NaN from a garbled page
      return std::nullopt;
    }
  }
  return std::ceil(workers / per_child);
}

}  // namespace edgewatch::mod_status
