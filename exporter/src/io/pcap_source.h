#pragma once

#include <pcap/pcap.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <type_traits>

#include "parsers/expected.h"

namespace edgewatch::io {

struct Packet {
  std::int64_t timestamp_ns = 0;  // capture time, nanoseconds since the epoch
  std::span<const std::byte> data;
  std::uint32_t wire_length = 0;  // on the wire; data may be shorter (snaplen)
};

struct LiveCaptureOptions {
  std::string interface = "any";
  int snaplen = 512;  // enough for every header and the first bytes of any payload
  std::size_t buffer_bytes = 8 << 20;
  bool promiscuous = false;
  std::string filter;          // BPF, compiled into the kernel
  bool outbound_only = false;  // pcap_setdirection(PCAP_D_OUT): what the host sends
  int timeout_ms = 250;
};

struct CaptureStats {
  std::uint64_t received = 0;
  std::uint64_t dropped = 0;  // kernel buffer drops plus interface drops
};

// A libpcap handle, live (TPACKET_V3 ring on Linux) or reading a pcap/pcapng file. Move-only;
// closes the handle. Loop() runs on one thread; Break() may be called from any other.
class PcapSource {
 public:
  // Errors name the interface and, for permission problems, the capability needed.
  static Expected<PcapSource> OpenLive(const LiveCaptureOptions& options);
  static Expected<PcapSource> OpenFile(const std::string& path);

  int link_type() const { return pcap_datalink(handle_.get()); }

  // Calls `on_packet(const Packet&)` for the packets available now: a file's next buffer, or
  // a live ring block (or nothing after the read timeout). Returns how many; 0 at end of file;
  // kBroken after Break(); an error when a live interface went away. The packet's bytes live
  // only during the call.
  template <typename F>
  Expected<int> Dispatch(F&& on_packet) {
    struct Context {
      std::remove_reference_t<F>* callback;
      std::int64_t nanos_per_tick;
    } context{&on_packet, nano_ ? 1 : 1000};
    auto trampoline = [](u_char* user, const pcap_pkthdr* header, const u_char* bytes) {
      const auto* c = reinterpret_cast<const Context*>(user);
      (*c->callback)(PacketOf(header, bytes, c->nanos_per_tick));
    };
    const int n = pcap_dispatch(handle_.get(), -1, trampoline, reinterpret_cast<u_char*>(&context));
    if (n == PCAP_ERROR) {
      return Error{pcap_geterr(handle_.get())};
    }
    return n == PCAP_ERROR_BREAK ? kBroken : n;
  }
  static constexpr int kBroken = -2;

  // Reads a file to its end.
  template <typename F>
  Status ReadAll(F&& on_packet) {
    for (;;) {
      auto n = Dispatch(on_packet);
      if (!n) {
        return n.error();
      }
      if (*n <= 0) {
        return {};
      }
    }
  }

  // The next packet of a file, nullopt at its end. Its bytes live until the next call.
  Expected<std::optional<Packet>> Next() {
    pcap_pkthdr* header = nullptr;
    const u_char* bytes = nullptr;
    const int r = pcap_next_ex(handle_.get(), &header, &bytes);
    if (r == PCAP_ERROR_BREAK) {
      return std::optional<Packet>();
    }
    if (r < 0) {
      return Error{pcap_geterr(handle_.get())};
    }
    return std::optional<Packet>(PacketOf(header, bytes, nano_ ? 1 : 1000));
  }

  void Break() { pcap_breakloop(handle_.get()); }

  Expected<CaptureStats> Stats() const;

 private:
  static Packet PacketOf(const pcap_pkthdr* header, const u_char* bytes,
                         std::int64_t nanos_per_tick) {
    Packet packet;
    packet.timestamp_ns = static_cast<std::int64_t>(header->ts.tv_sec) * 1'000'000'000 +
                          static_cast<std::int64_t>(header->ts.tv_usec) * nanos_per_tick;
    packet.data =
        std::span<const std::byte>(reinterpret_cast<const std::byte*>(bytes), header->caplen);
    packet.wire_length = header->len;
    return packet;
  }

  struct Closer {
    void operator()(pcap_t* p) const { pcap_close(p); }
  };

  PcapSource(pcap_t* handle, bool nano) : handle_(handle), nano_(nano) {}

  std::unique_ptr<pcap_t, Closer> handle_;
  bool nano_ = false;  // timestamps in nanoseconds rather than microseconds
};

}  // namespace edgewatch::io
