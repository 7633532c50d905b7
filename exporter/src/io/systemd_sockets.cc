#include "io/systemd_sockets.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <string>

namespace edgewatch::io {
namespace {

// SD_LISTEN_FDS_START: the first descriptor systemd passes.
constexpr int kFirstPassed = 3;

std::optional<long> Number(std::string_view text) {
  long n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 0) {
    return std::nullopt;
  }
  return n;
}

std::optional<std::string_view> Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::nullopt : std::optional<std::string_view>(v);
}

}  // namespace

Expected<std::vector<int>> PassedDescriptors(std::optional<std::string_view> listen_pid,
                                             std::optional<std::string_view> listen_fds,
                                             long self_pid) {
  if (!listen_pid || !listen_fds) {
    return Error{
        "--web.systemd-socket: no sockets were passed (LISTEN_PID/LISTEN_FDS unset); start "
        "edgewatch from its .socket unit, or without the flag"};
  }
  const auto pid = Number(*listen_pid);
  if (!pid || *pid != self_pid) {
    return Error{"--web.systemd-socket: the sockets were passed to process " +
                 std::string(*listen_pid) + ", not to this one (" + std::to_string(self_pid) + ")"};
  }
  const auto count = Number(*listen_fds);
  if (!count || *count == 0 || *count > 64) {
    return Error{"--web.systemd-socket: LISTEN_FDS is \"" + std::string(*listen_fds) +
                 "\", not a count of sockets (1-64)"};
  }
  std::vector<int> fds;
  for (long i = 0; i < *count; ++i) {
    fds.push_back(kFirstPassed + static_cast<int>(i));
  }
  return fds;
}

Expected<std::vector<PassedSocket>> TakeSystemdSockets() {
  auto fds = PassedDescriptors(Env("LISTEN_PID"), Env("LISTEN_FDS"), static_cast<long>(::getpid()));
  ::unsetenv("LISTEN_PID");
  ::unsetenv("LISTEN_FDS");
  ::unsetenv("LISTEN_FDNAMES");
  if (!fds) {
    return fds.error();
  }
  std::vector<PassedSocket> out;
  for (const int fd : *fds) {
    const std::string which = "--web.systemd-socket: descriptor " + std::to_string(fd);
    int type = 0;
    int listening = 0;
    socklen_t len = sizeof type;
    if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0) {
      return Error{which + " is not a socket"};
    }
    len = sizeof listening;
    ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len);
    sockaddr_storage address{};
    len = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &len);
    if (type != SOCK_STREAM || listening == 0 ||
        (address.ss_family != AF_INET && address.ss_family != AF_INET6)) {
      return Error{which +
                   " is not a listening TCP socket (the unit needs ListenStream= of an address "
                   "or port)"};
    }
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    out.push_back({fd, address.ss_family == AF_INET6});
  }
  return out;
}

}  // namespace edgewatch::io
