#include <cstddef>
#include <cstdint>
#include <string_view>

#include "parsers/mail_log/mail_log.h"
#include "parsers/net/address.h"

// Input: mail log lines.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace edgewatch;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  while (!in.empty()) {
    const auto end = in.find('\n');
    const std::string_view line = in.substr(0, end);
    if (const auto s = mail_log::ParseSyslog(line)) {
      const auto e = mail_log::Classify(*s);
      (void)net::ParseAddress(e.client);
      (void)mail_log::SenderDomain(e.sender);
      (void)mail_log::SyslogSeconds(s->time, 2026);
    }
    in = end == std::string_view::npos ? std::string_view() : in.substr(end + 1);
  }
  return 0;
}
