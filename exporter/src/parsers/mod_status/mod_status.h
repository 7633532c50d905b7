#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "parsers/expected.h"

namespace edgewatch::mod_status {

enum class Flavour : std::uint8_t { kApache, kNginx };

// Apache scoreboard states in the order of mod_status' legend.
inline constexpr int kScoreboardStates = 11;
inline constexpr std::array<char, kScoreboardStates> kScoreboardChars = {
    '_', 'S', 'R', 'W', 'K', 'D', 'C', 'L', 'G', 'I', '.'};
inline constexpr std::array<const char*, kScoreboardStates> kScoreboardNames = {
    "waiting", "starting", "reading",  "sending",      "keepalive", "dns_lookup",
    "closing", "logging",  "graceful", "idle_cleanup", "open_slot"};

// One server-status page. Every field is optional: versions, MPMs and ExtendedStatus differ in
// what they print.
struct Status {
  Flavour flavour = Flavour::kApache;
  std::string version;  // ServerVersion, e.g. "Apache/2.4.71 (Debian)"
  std::string mpm;      // ServerMPM: prefork, worker, event
  std::optional<double> total_accesses;
  std::optional<double> total_kbytes;
  std::optional<double> total_duration_ms;
  std::optional<double> cpu_user;
  std::optional<double> cpu_system;
  std::optional<double> cpu_children_user;
  std::optional<double> cpu_children_system;
  std::optional<double> uptime_seconds;
  std::optional<double> busy_workers;
  std::optional<double> idle_workers;
  std::optional<double> graceful_workers;  // 2.4.71+: workers of stopping processes
  std::optional<double> processes;         // child processes, stopping ones included
  std::optional<double> stopping;          // of them, those finishing after a graceful restart
  std::optional<double> conns_total;
  std::optional<double> conns_async_writing;
  std::optional<double> conns_async_keep_alive;
  std::optional<double> conns_async_closing;
  std::optional<double> conns_async_wait_io;
  std::optional<double> load1;
  std::optional<double> load5;
  std::optional<double> load15;
  // Count per kScoreboardChars state; unset without a Scoreboard line.
  std::optional<std::array<std::uint32_t, kScoreboardStates>> scoreboard;
  std::uint32_t scoreboard_length = 0;
  // nginx stub_status.
  std::optional<double> active;
  std::optional<double> accepts;
  std::optional<double> handled;
  std::optional<double> reading;
  std::optional<double> writing;
  std::optional<double> waiting;
};

// Parses Apache's `server-status?auto` (2.2, 2.4; prefork, worker, event; lighttpd's look-alike
// too) or nginx's stub_status, detected from the text. Unknown lines are ignored, a last line
// without a newline is fine; an HTML page or text with none of the known keys is an error.
// The error says what the page was instead, with a hint.
Expected<Status> Parse(std::string_view body);

// The worker slots that can take work now: max_request_workers when given (exact), else the
// scoreboard's started slots that do not belong to a stopping process: not open ('.') and not
// gracefully finishing ('G': after a graceful restart under load, a real 2.4.71 event page has
// 22 started slots, 12 of them 'G', 10 usable). nginx and pages without a scoreboard: none.
std::optional<double> WorkerSlots(const Status& status, std::uint64_t max_request_workers);

// How many child processes the server runs when every worker is in use, from one good page:
// worker capacity (max_request_workers when given, else the scoreboard's length, which is
// ServerLimit x ThreadLimit) over the workers per child (1 for prefork; BusyWorkers +
// IdleWorkers over the processes not stopping for threaded MPMs). Unknown (nullopt) for nginx, for
// a threaded MPM whose page has no Processes line, and without a scoreboard or max_request_workers.
std::optional<double> ChildProcessLimit(const Status& status, std::uint64_t max_request_workers);

}  // namespace edgewatch::mod_status
