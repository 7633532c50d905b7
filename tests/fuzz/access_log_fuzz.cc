#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "parsers/access_log/access_log.h"

// Input: a format spec (or "auto") up to the first newline, then log lines.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace edgewatch::access_log;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const auto newline = in.find('\n');
  const std::string_view spec = in.substr(0, newline);
  in = newline == std::string_view::npos ? std::string_view() : in.substr(newline + 1);
  std::optional<Format> format;
  if (auto compiled = Format::Compile(spec); spec != "auto" && compiled) {
    format = std::move(*compiled);
  }
  AutoFormat detect;
  while (!in.empty()) {
    const auto end = in.find('\n');
    const std::string_view line = in.substr(0, end);
    if (const auto r = format ? format->Parse(line) : detect.Parse(line)) {
      (void)ParseTime(r->time);
    }
    in = end == std::string_view::npos ? std::string_view() : in.substr(end + 1);
  }
  return 0;
}
