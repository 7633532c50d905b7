#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "parsers/expected.h"

namespace edgewatch::io {

// A listening socket systemd handed over (socket activation).
struct PassedSocket {
  int fd = -1;
  bool v6 = false;  // AF_INET6, else AF_INET
};

// The descriptors a socket-activated service was given, as sd_listen_fds(3) reads them (without
// libsystemd): LISTEN_PID must be `self_pid` and LISTEN_FDS counts descriptors from 3. The
// values are the variables' (none: unset); the errors say what is wrong and how to start it.
Expected<std::vector<int>> PassedDescriptors(std::optional<std::string_view> listen_pid,
                                             std::optional<std::string_view> listen_fds,
                                             long self_pid);

// Takes this process' sockets from systemd: reads LISTEN_PID and LISTEN_FDS, unsets them (and
// LISTEN_FDNAMES) so that nothing started later takes them too, and checks that each is a
// listening TCP socket, which it marks close-on-exec.
Expected<std::vector<PassedSocket>> TakeSystemdSockets();

}  // namespace edgewatch::io
