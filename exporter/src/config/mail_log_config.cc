#include "config/mail_log_config.h"

namespace edgewatch {
namespace {

void ReadMailLog(MapReader& m, MailLogConfig& c, ConfigContext& context) {
  m.Bool("enabled", c.enabled);
  m.ListOfSections("logs", [&](MapReader& l) {
    auto& log = c.logs.emplace_back();
    ReadLogEntry(l, context.logs, log.name, log.path, log.journal);
  });
  m.List("rbls", c.rbls, [](const std::string& t) -> Expected<std::string> {
    if (!ParseHostName(t)) {
      return Error{"expected a DNS list name such as zen.spamhaus.org, got \"" + t + "\""};
    }
    return t;
  });
  if (c.rbls.size() > 32) {
    m.Fail("rbls", "at most 32 lists (each is a label value)");
  }
  m.Value("snowshoe_window", c.snowshoe_window, PositiveDuration);
  ReadFollow(m, c.follow);
}

}  // namespace

// The embedded default reads the mail daemons' entries in the systemd journal: a Debian 12
// host has no rsyslog and so no /var/log/mail.log unless one installs it, and with rsyslog the
// journal has the same entries.
const ConfigSection kMailLogSection = SectionOf<MailLogConfig, &ReadMailLog>(
    "  logs:\n"
    "    - name: mail\n"
    "      journal:\n"
    "        identifiers: [postfix*, exim*, amavis*, spamd, rspamd]\n");

}  // namespace edgewatch
