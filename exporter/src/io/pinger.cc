#include "io/pinger.h"

#include <unistd.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <cerrno>
#include <cstring>
#include <random>

#include "parsers/icmp/echo.h"
#include "parsers/net/address.h"

namespace edgewatch::io {
namespace {

namespace asio = boost::asio;

constexpr std::size_t kMaxPacket = 9000 + 60;

icmp::Cookie RandomCookie() {
  std::random_device random;
  icmp::Cookie cookie;
  for (auto& b : cookie) {
    b = static_cast<std::byte>(random());
  }
  return cookie;
}

}  // namespace

struct IcmpPinger::Socket {
  IcmpSocket icmp;
  asio::posix::stream_descriptor readable;  // a duplicate of icmp's descriptor, for async waits
  int ttl = 0;
};

IcmpPinger::IcmpPinger(asio::io_context& io, Logger logger, EchoReplyHandler on_reply)
    : io_(io),
      logger_(std::move(logger)),
      on_reply_(std::move(on_reply)),
      // Random, so that another edgewatch (or a restarted one) on the host has another.
      id_(static_cast<std::uint16_t>(std::random_device()())),
      cookie_(RandomCookie()),
      in_(IcmpSocket::kBatch * kMaxPacket),
      out_(IcmpSocket::kBatch * kMaxPacket),
      sent_via_(65536, nullptr) {}

IcmpPinger::~IcmpPinger() = default;

IcmpPinger::Socket* IcmpPinger::SocketFor(bool v6, const std::optional<net::Address>& source) {
  const auto key = std::make_pair(v6, source);
  if (auto it = sockets_.find(key); it != sockets_.end()) {
    return it->second.get();
  }
  const std::string source_text = source ? net::FormatAddress(*source) : "default";
  auto opened = IcmpSocket::Open(v6);
  Status ready = opened ? Status() : Status(opened.error());
  if (ready && source) {
    ready = opened->Bind(*source);
  }
  int duplicate = -1;
  if (ready) {
    duplicate = ::dup(opened->fd());
    if (duplicate < 0) {
      ready = Error{std::string("cannot duplicate the ICMP socket: ") + std::strerror(errno)};
    }
  }
  if (!ready) {
    const std::string message = ready.error().message + " (source " + source_text + ")";
    if (open_errors_.insert(message).second) {
      logger_.Error("cannot probe neighbours", {{"err", message}});
    }
    return nullptr;
  }
  auto socket = std::make_unique<Socket>(
      Socket{std::move(*opened), asio::posix::stream_descriptor(io_, duplicate), 0});
  Socket* raw = socket.get();
  sockets_.emplace(key, std::move(socket));
  Read(*raw);
  logger_.Info("probing", {{"socket", raw->icmp.raw() ? "raw" : "ping (unprivileged)"},
                           {"family", v6 ? "ipv6" : "ipv4"},
                           {"source", source_text}});
  return raw;
}

void IcmpPinger::Read(Socket& s) {
  s.readable.async_wait(
      asio::posix::stream_descriptor::wait_read, [this, &s](const boost::system::error_code& ec) {
        if (ec) {
          return;
        }
        std::array<IcmpSocket::Received, IcmpSocket::kBatch> received;
        while (const std::size_t n = s.icmp.Receive(in_, kMaxPacket, received)) {
          for (const auto& got : std::span(received).first(n)) {
            const auto parsed =
                icmp::ParseEchoReply(s.icmp.v6(), s.icmp.with_ip_header(), cookie_, got.data);
            if (!parsed && parsed.error() == icmp::Rejection::kBadCookie) {
              rejected_.fetch_add(1, std::memory_order_relaxed);
              continue;
            }
            // Ping sockets see only their own replies, with an identifier the kernel chose.
            if (parsed && (!s.icmp.raw() || parsed->id == id_) && sent_via_[parsed->seq] == &s) {
              on_reply_(got.from, parsed->seq);
            }
          }
        }
        Read(s);
      });
}

void IcmpPinger::Send(std::span<const EchoProbe> probes, std::span<int> errors) {
  for (std::size_t begin = 0; begin < probes.size();) {
    const EchoProbe& first = probes[begin];
    Socket* s = SocketFor(first.to.v6, first.source);
    // A batch: the following probes for the same socket and TTL, at most kBatch.
    std::size_t end = begin + 1;
    while (end < probes.size() && end - begin < IcmpSocket::kBatch &&
           probes[end].to.v6 == first.to.v6 && probes[end].source == first.source &&
           probes[end].ttl == first.ttl) {
      ++end;
    }
    if (s == nullptr) {
      std::fill(errors.begin() + static_cast<std::ptrdiff_t>(begin),
                errors.begin() + static_cast<std::ptrdiff_t>(end), EACCES);
    } else {
      SendBatch(*s, probes.subspan(begin, end - begin), errors.subspan(begin, end - begin));
    }
    begin = end;
  }
}

void IcmpPinger::SendBatch(Socket& s, std::span<const EchoProbe> probes, std::span<int> errors) {
  if (s.ttl != probes[0].ttl) {
    if (Status set = s.icmp.SetTtl(probes[0].ttl); !set) {
      logger_.Warn("probes keep the previous TTL", {{"err", set.error().message}});
    }
    s.ttl = probes[0].ttl;
  }
  std::array<IcmpSocket::Outgoing, IcmpSocket::kBatch> batch;
  for (std::size_t i = 0; i < probes.size(); ++i) {
    const std::span<std::byte> packet(out_.data() + i * kMaxPacket, kMaxPacket);
    const std::size_t size =
        icmp::BuildEchoRequest(s.icmp.v6(), id_, probes[i].seq, probes[i].size, cookie_, packet);
    batch[i] = {probes[i].to, packet.first(size)};
    sent_via_[probes[i].seq] = &s;
  }
  for (std::size_t done = 0; done < probes.size();) {
    const auto result = s.icmp.Send(std::span(batch).first(probes.size()).subspan(done));
    std::fill(errors.begin() + static_cast<std::ptrdiff_t>(done),
              errors.begin() + static_cast<std::ptrdiff_t>(done + result.sent), 0);
    done += result.sent;
    if (done < probes.size()) {
      errors[done] = result.error;  // that one failed; try the rest
      ++done;
    }
  }
}

}  // namespace edgewatch::io
