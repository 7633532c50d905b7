#pragma once

#include <cstdint>

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

// Years a log time may name. Windows run on nanoseconds since 1970 in an int64, which end in
// 2262; a time outside these years is a garbled line, not a date to compute with.
inline constexpr std::int64_t kMinLogYear = 1970;
inline constexpr std::int64_t kMaxLogYear = 2200;
constexpr bool PlausibleLogYear(std::int64_t y) { return y >= kMinLogYear && y <= kMaxLogYear; }

}  // namespace edgewatch
