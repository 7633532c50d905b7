#pragma once

#include <cstdint>
#include <string_view>

namespace edgewatch {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil), for
// the log parsers' timestamps: no time zone database, no allocation.
constexpr std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct CivilDate {
  std::int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

// The date `days` after 1970-01-01 (Howard Hinnant's civil_from_days, DaysFromCivil's inverse).
constexpr CivilDate CivilFromDays(std::int64_t days) {
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}
static_assert(CivilFromDays(DaysFromCivil(2024, 2, 29)).day == 29);

// The month an English abbreviation at the start of `s` names ("Jan" 1 ... "Dec" 12), else 0.
// A switch on the three bytes: every line's time goes through it.
constexpr unsigned MonthNumber(std::string_view s) {
  if (s.size() < 3) {
    return 0;
  }
  const auto key = [](char a, char b, char c) {
    return static_cast<unsigned>(static_cast<unsigned char>(a)) << 16 |
           static_cast<unsigned>(static_cast<unsigned char>(b)) << 8 |
           static_cast<unsigned>(static_cast<unsigned char>(c));
  };
  switch (key(s[0], s[1], s[2])) {
    case key('J', 'a', 'n'):
      return 1;
    case key('F', 'e', 'b'):
      return 2;
    case key('M', 'a', 'r'):
      return 3;
    case key('A', 'p', 'r'):
      return 4;
    case key('M', 'a', 'y'):
      return 5;
    case key('J', 'u', 'n'):
      return 6;
    case key('J', 'u', 'l'):
      return 7;
    case key('A', 'u', 'g'):
      return 8;
    case key('S', 'e', 'p'):
      return 9;
    case key('O', 'c', 't'):
      return 10;
    case key('N', 'o', 'v'):
      return 11;
    case key('D', 'e', 'c'):
      return 12;
    default:
      return 0;
  }
}

// Years a log time may name. Windows run on nanoseconds since 1970 in an int64, which end in
// 2262; a time outside these years is a garbled line, not a date to compute with.
inline constexpr std::int64_t kMinLogYear = 1970;
inline constexpr std::int64_t kMaxLogYear = 2200;
constexpr bool PlausibleLogYear(std::int64_t y) { return y >= kMinLogYear && y <= kMaxLogYear; }

}  // namespace edgewatch
