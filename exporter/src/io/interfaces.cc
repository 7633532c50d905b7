#include "io/interfaces.h"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace edgewatch::io {

Expected<std::vector<net::Prefix>> InterfaceAddresses(const std::string& interface) {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) {
    return Error{std::string("getifaddrs: ") + std::strerror(errno)};
  }
  const std::unique_ptr<ifaddrs, void (*)(ifaddrs*)> guard(list, ::freeifaddrs);
  std::vector<net::Prefix> out;
  for (const ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || (interface != "any" && interface != i->ifa_name)) {
      continue;
    }
    net::Prefix p;
    if (i->ifa_addr->sa_family == AF_INET) {
      std::memcpy(p.network.bytes.data(),
                  &reinterpret_cast<const sockaddr_in*>(i->ifa_addr)->sin_addr, 4);
      p.length = 32;
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      p.network.v6 = true;
      std::memcpy(p.network.bytes.data(),
                  &reinterpret_cast<const sockaddr_in6*>(i->ifa_addr)->sin6_addr, 16);
      p.length = 128;
    } else {
      continue;
    }
    out.push_back(p);
  }
  if (out.empty()) {
    return Error{"interface " + interface +
                 " has no IPv4 or IPv6 address; set "
                 "reflection.local_networks"};
  }
  return out;
}

}  // namespace edgewatch::io
