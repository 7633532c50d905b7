#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/section.h"

namespace edgewatch {

struct MailLogFileConfig {
  std::string name;  // the log label
  std::string path;  // a path or a glob; empty when read from the journal
  std::optional<JournalLogConfig> journal{};

  friend bool operator==(const MailLogFileConfig&, const MailLogFileConfig&) = default;
};
// Mail logs: rejects, RBL hits, postscreen, content-filter verdicts, deliveries, snowshoe.
struct MailLogConfig {
  static constexpr std::string_view kKey = "mail_log";

  bool enabled = true;
  std::vector<MailLogFileConfig> logs;
  // RBL names kept as `rbl` label values; rejects by any other list count as "other".
  std::vector<std::string> rbls = {"zen.spamhaus.org", "bl.spamcop.net", "b.barracudacentral.org",
                                   "psbl.surriel.com"};
  // The sliding window of the snowshoe indicators.
  std::chrono::milliseconds snowshoe_window{std::chrono::hours(1)};
  FollowConfig follow;

  friend bool operator==(const MailLogConfig&, const MailLogConfig&) = default;
};

extern const ConfigSection kMailLogSection;

}  // namespace edgewatch
