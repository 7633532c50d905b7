#include "parsers/proc/proc_stat.h"

#include <array>
#include <charconv>
#include <limits>

namespace edgewatch::proc {
namespace {

std::optional<std::uint64_t> ToNumber(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

// Splits off the next space-separated token of `rest`.
std::string_view NextToken(std::string_view& rest) {
  const size_t start = rest.find_first_not_of(" \t");
  if (start == std::string_view::npos) {
    rest = {};
    return {};
  }
  rest.remove_prefix(start);
  const size_t end = rest.find_first_of(" \t\n");
  std::string_view token = rest.substr(0, end);
  rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
  return token;
}

// Each line of `text` in turn, without its newline.
template <typename F>
std::optional<std::uint64_t> FindInLines(std::string_view text, F match) {
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    if (auto v = match(text.substr(0, nl))) {
      return v;
    }
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
  }
  return std::nullopt;
}

}  // namespace

std::optional<ProcessStat> ParseProcessStat(std::string_view text) {
  const size_t open = text.find('(');
  const size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return std::nullopt;
  }
  std::string_view rest = text.substr(close + 1);
  // Fields 3 (state) .. 24 (rss) follow the command name.
  std::array<std::string_view, 22> fields;
  for (auto& f : fields) {
    f = NextToken(rest);
  }
  const auto ppid = ToNumber(fields[1]);
  const auto utime = ToNumber(fields[11]);
  const auto stime = ToNumber(fields[12]);
  const auto cutime = ToNumber(fields[13]);
  const auto cstime = ToNumber(fields[14]);
  const auto start = ToNumber(fields[19]);
  const auto vsize = ToNumber(fields[20]);
  const auto rss = ToNumber(fields[21]);
  if (!ppid || !utime || !stime || !cutime || !cstime || !start || !vsize || !rss) {
    return std::nullopt;
  }
  return ProcessStat{text.substr(open + 1, close - open - 1),
                     *ppid,
                     *utime,
                     *stime,
                     *cutime,
                     *cstime,
                     *start,
                     *vsize,
                     *rss};
}

std::optional<std::uint64_t> ParseMaxOpenFiles(std::string_view text) {
  constexpr std::string_view kPrefix = "Max open files";
  return FindInLines(text, [&](std::string_view line) -> std::optional<std::uint64_t> {
    if (!line.starts_with(kPrefix)) {
      return std::nullopt;
    }
    line.remove_prefix(kPrefix.size());
    const std::string_view soft = NextToken(line);
    if (soft == "unlimited") {
      return std::numeric_limits<std::uint64_t>::max();
    }
    return ToNumber(soft);
  });
}

std::optional<std::uint64_t> ParseBootTime(std::string_view text) {
  return FindInLines(text, [](std::string_view line) -> std::optional<std::uint64_t> {
    if (!line.starts_with("btime ")) {
      return std::nullopt;
    }
    line.remove_prefix(6);
    return ToNumber(NextToken(line));
  });
}

std::optional<std::array<double, 3>> ParseLoadAverage(std::string_view text) {
  std::array<double, 3> load{};
  for (double& v : load) {
    const std::string_view token = NextToken(text);
    const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), v);
    if (token.empty() || ec != std::errc() || end != token.data() + token.size() || v < 0) {
      return std::nullopt;
    }
  }
  return load;
}

std::optional<std::uint64_t> ParsePidFile(std::string_view text) {
  const std::string_view pid = NextToken(text);
  if (!NextToken(text).empty()) {
    return std::nullopt;
  }
  const auto value = ToNumber(pid);
  return value && *value > 0 ? value : std::nullopt;
}

}  // namespace edgewatch::proc
