#include "parsers/journal/journal_entry.h"

#include <algorithm>

#include "parsers/civil_time.h"
#include "parsers/text/glob.h"

namespace edgewatch::journal {

std::string_view FieldValue(std::string_view data, std::string_view field) {
  if (data.size() <= field.size() || data[field.size()] != '=' ||
      data.substr(0, field.size()) != field) {
    return {};
  }
  return data.substr(field.size() + 1);
}

void EntryCopy::Clear() {
  identifier.size = unit.size = hostname.size = syslog_pid.size = pid.size = 0;
  message_kept_ = message_size = 0;
  has_message = false;
}

void EntryCopy::Take(std::string_view data) {
  if (data.empty()) {
    return;
  }
  // The first byte picks the candidates: every field but a few is skipped after one compare.
  switch (data[0]) {
    case 'M':
      if (data.substr(0, 8) == "MESSAGE=") {
        has_message = true;
        message_size = data.size() - 8;
        message_kept_ = std::min(message_size, message_.size());
        std::copy_n(data.data() + 8, message_kept_, message_.data());
      }
      return;
    case 'S':
      if (const auto v = FieldValue(data, "SYSLOG_IDENTIFIER"); !v.empty()) {
        identifier.Set(v);
      } else if (const auto p = FieldValue(data, "SYSLOG_PID"); !p.empty()) {
        syslog_pid.Set(p);
      }
      return;
    case '_':
      if (const auto v = FieldValue(data, "_HOSTNAME"); !v.empty()) {
        hostname.Set(v);
      } else if (const auto p = FieldValue(data, "_PID"); !p.empty()) {
        pid.Set(p);
      } else if (const auto u = FieldValue(data, "_SYSTEMD_UNIT"); !u.empty()) {
        unit.Set(u);
      }
      return;
    default:
      return;
  }
}

namespace {

// Appends what fits of `s` at `at`; false when it did not all fit.
bool Put(std::span<char> out, std::size_t& at, std::string_view s) {
  const std::size_t n = std::min(s.size(), out.size() - at);
  std::copy_n(s.data(), n, out.data() + at);
  at += n;
  return n == s.size();
}

// Like Put, with newlines (and the CR of CR LF) turned into spaces.
bool PutMessage(std::span<char> out, std::size_t& at, std::string_view s) {
  const std::size_t n = std::min(s.size(), out.size() - at);
  std::transform(s.data(), s.data() + n, out.data() + at,
                 [](char c) { return c == '\n' || c == '\r' ? ' ' : c; });
  at += n;
  return n == s.size();
}

void TwoDigits(char* at, unsigned v) {
  at[0] = static_cast<char>('0' + v / 10 % 10);
  at[1] = static_cast<char>('0' + v % 10);
}

}  // namespace

WrittenLine SyslogLineWriter::Write(const EntryFields& e, std::span<char> out) {
  const std::int64_t second = e.realtime_usec / 1'000'000;
  if (second != second_) {
    second_ = second;
    const std::int64_t in_day = second >= 0 ? second % 86400 : 0;
    const auto [y, m, d] = CivilFromDays(second >= 0 ? second / 86400 : 0);
    char* s = stamp_;
    TwoDigits(s, static_cast<unsigned>(y / 100));
    TwoDigits(s + 2, static_cast<unsigned>(y % 100));
    s[4] = '-';
    TwoDigits(s + 5, m);
    s[7] = '-';
    TwoDigits(s + 8, d);
    s[10] = 'T';
    TwoDigits(s + 11, static_cast<unsigned>(in_day / 3600));
    s[13] = ':';
    TwoDigits(s + 14, static_cast<unsigned>(in_day / 60 % 60));
    s[16] = ':';
    TwoDigits(s + 17, static_cast<unsigned>(in_day % 60));
    const std::string_view zone = "+00:00";
    std::copy(zone.begin(), zone.end(), s + 19);
    stamp_size_ = 25;
  }
  std::size_t at = 0;
  bool whole = Put(out, at, {stamp_, stamp_size_}) && Put(out, at, " ") &&
               Put(out, at, e.hostname.empty() ? std::string_view("localhost") : e.hostname) &&
               Put(out, at, " ") && Put(out, at, e.identifier);
  if (whole && !e.pid.empty()) {
    whole = Put(out, at, "[") && Put(out, at, e.pid) && Put(out, at, "]");
  }
  whole = whole && Put(out, at, ": ") && PutMessage(out, at, e.message);
  return {{out.data(), at}, !whole};
}

WrittenLine SyslogLineWriter::WriteMessage(std::string_view message, std::span<char> out) {
  std::size_t at = 0;
  const bool whole = PutMessage(out, at, message);
  return {{out.data(), at}, !whole};
}

EntryFilter::EntryFilter(std::vector<std::string> identifiers, std::vector<std::string> units)
    : identifiers_(std::move(identifiers)), units_(std::move(units)) {
  const auto plain = [](const std::string& p) {
    return p.find_first_of("*?") == std::string::npos;
  };
  exact_ = std::all_of(identifiers_.begin(), identifiers_.end(), plain) &&
           std::all_of(units_.begin(), units_.end(), plain);
}

bool EntryFilter::Matches(std::string_view identifier, std::string_view unit) const {
  if (identifiers_.empty() && units_.empty()) {
    return true;
  }
  const auto any = [](const std::vector<std::string>& patterns, std::string_view value) {
    return std::any_of(patterns.begin(), patterns.end(),
                       [&](const std::string& p) { return text::NameMatch(p, value); });
  };
  return any(identifiers_, identifier) || any(units_, unit);
}

}  // namespace edgewatch::journal
