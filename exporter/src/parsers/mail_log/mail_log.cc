#include "parsers/mail_log/mail_log.h"

#include <algorithm>
#include <array>
#include <tuple>
#include <utility>

#include "parsers/civil_time.h"

namespace edgewatch::mail_log {
namespace {

using std::string_view;
constexpr auto npos = string_view::npos;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// The next space-separated token of `s`, which moves past it and its space.
string_view Token(string_view& s) {
  const auto sp = s.find(' ');
  const string_view token = s.substr(0, sp);
  s = sp == npos ? string_view() : s.substr(sp + 1);
  return token;
}

// The address inside the first "[...]" of `s`: "unknown[192.0.2.1]" and "[192.0.2.1]:25".
string_view BracketAddress(string_view s) {
  const auto open = s.find('[');
  if (open == npos) {
    return {};
  }
  const auto close = s.find(']', open);
  return close == npos ? string_view() : s.substr(open + 1, close - open - 1);
}

// What follows `key` up to `end` (or the end of `s`).
string_view After(string_view s, string_view key, char end) {
  const auto at = s.find(key);
  if (at == npos) {
    return {};
  }
  const string_view rest = s.substr(at + key.size());
  return rest.substr(0, rest.find(end));
}

// "QID: rest" or "NOQUEUE: rest" -> rest, with the queue id (short hex or long base-52 form).
string_view StripQueueId(string_view msg, string_view* qid) {
  const auto colon = msg.find(": ");
  if (colon == npos || colon < 5 || colon > 20) {
    return msg;
  }
  for (char c : msg.substr(0, colon)) {
    if (!IsAlnum(c)) {
      return msg;
    }
  }
  *qid = msg.substr(0, colon);
  return msg.substr(colon + 2);
}

std::optional<int> Number(string_view s) {
  if (s.empty() || s.size() > 9) {
    return std::nullopt;
  }
  int v = 0;
  for (char c : s) {
    if (!IsDigit(c)) {
      return std::nullopt;
    }
    v = v * 10 + (c - '0');
  }
  return v;
}

// Where HH:MM:SS starts in an RFC 3164 time: 7 after a two-character day ("Nov  6", "Nov 06"),
// 6 after an unpadded one ("Nov 6", as some syslog daemons and hand-made logs write it); 0 when
// `s` does not start with a month and day.
std::size_t Rfc3164ClockStart(string_view s) {
  if (s.size() < 6 || MonthNumber(s) == 0 || s[3] != ' ') {
    return 0;
  }
  if (IsDigit(s[4]) && s[5] == ' ') {
    return 6;
  }
  return (s[4] == ' ' || IsDigit(s[4])) && IsDigit(s[5]) && s.size() > 6 && s[6] == ' ' ? 7 : 0;
}

// "Nov  6 04:02:36", "Nov 6 04:02:36" or "Nov 06 04:02:36.123456": its length, or 0.
std::size_t Rfc3164TimeLength(string_view s) {
  const std::size_t c = Rfc3164ClockStart(s);
  if (c == 0 || s.size() < c + 8 || s[c + 2] != ':' || s[c + 5] != ':' || !IsDigit(s[c]) ||
      !IsDigit(s[c + 7])) {
    return 0;
  }
  std::size_t n = c + 8;
  if (n < s.size() && s[n] == '.') {
    ++n;
    while (n < s.size() && IsDigit(s[n])) {
      ++n;
    }
  }
  return n;
}

// "2024-08-26T01:33:38.572449+00:00" (or a space instead of the T, as rspamd writes).
bool IsIsoTime(string_view s) {
  return s.size() >= 19 && IsDigit(s[0]) && s[4] == '-' && s[7] == '-' &&
         (s[10] == 'T' || s[10] == ' ') && s[13] == ':' && s[16] == ':';
}

Reason ReasonOf(string_view detail) {
  static constexpr std::array<std::pair<string_view, Reason>, 9> kReasons = {{
      {"blocked using ", Reason::kRbl},
      {"Greylist", Reason::kGreylist},
      {"greylist", Reason::kGreylist},
      {"User unknown", Reason::kUnknownUser},
      {"Relay access denied", Reason::kRelay},
      {"Helo command rejected", Reason::kHelo},
      {"Sender address rejected", Reason::kSender},
      {"Recipient address rejected", Reason::kRecipient},
      {"Client host rejected", Reason::kClient},
  }};
  for (const auto& [text, reason] : kReasons) {
    if (detail.find(text) != npos) {
      return reason;
    }
  }
  return Reason::kOther;
}

Stage StageOf(string_view word) {
  static constexpr std::array<std::pair<string_view, Stage>, 8> kStages = {{
      {"CONNECT", Stage::kConnect},
      {"HELO", Stage::kHelo},
      {"EHLO", Stage::kHelo},
      {"MAIL", Stage::kMail},
      {"RCPT", Stage::kRcpt},
      {"DATA", Stage::kData},
      {"END-OF-MESSAGE", Stage::kEndOfMessage},
      {"BDAT", Stage::kData},
  }};
  for (const auto& [text, stage] : kStages) {
    if (word == text) {
      return stage;
    }
  }
  return Stage::kOther;
}

// "RCPT from host[ip]: 554 5.7.1 ...; from=<s> to=<r> ..." (smtpd, postscreen) and
// "header Subject: ... from host[ip]; from=<s> ..." (cleanup).
Event Reject(string_view rest, bool content) {
  Event e;
  e.kind = EventKind::kReject;
  string_view words = rest;
  const string_view first = Token(words);
  if (first == "header" || first == "body") {
    e.stage = first == "header" ? Stage::kHeader : Stage::kBody;
    e.reason = Reason::kContent;
  } else {
    e.stage = StageOf(first);
    e.reason = content ? Reason::kContent : ReasonOf(rest);
  }
  if (const auto from = rest.find(" from "); from != npos) {
    e.client = BracketAddress(rest.substr(from + 6, rest.find(' ', from + 6) - from - 6));
  }
  if (e.reason == Reason::kRbl) {
    const string_view list = After(rest, "blocked using ", ';');
    e.rbl = list.substr(0, list.find_first_of(", "));
  }
  e.sender = After(rest, "from=<", '>');
  return e;
}

Event Smtpd(string_view msg) {
  Event e;
  if (msg.starts_with("connect from ")) {
    e.kind = EventKind::kConnect;
    e.client = BracketAddress(msg.substr(13));
    return e;
  }
  if (msg.starts_with("disconnect from ")) {
    e.kind = EventKind::kDisconnect;
    e.client = BracketAddress(msg.substr(16));
    return e;
  }
  if (msg.starts_with("proxy-accept: ")) {
    e.kind = EventKind::kAccepted;
    return e;
  }
  string_view qid;
  const string_view rest = StripQueueId(msg, &qid);
  if (qid.empty()) {
    return e;
  }
  if (rest.starts_with("reject: ")) {
    return Reject(rest.substr(8), false);
  }
  if (rest.starts_with("milter-reject: ")) {
    return Reject(rest.substr(15), true);
  }
  if (rest.starts_with("client=") && qid != "NOQUEUE") {
    e.kind = EventKind::kAccepted;
    e.client = BracketAddress(rest.substr(0, rest.find(',')));
    e.user = After(rest, ", sasl_username=", ',');
  }
  return e;
}

// smtpd "warning: unknown[203.0.113.42]: SASL LOGIN authentication failed: ...".
Event SmtpdWarning(string_view msg) {
  Event e;
  const auto close = msg.find("]: SASL ");
  if (close == npos || msg.find(" authentication failed", close) == npos) {
    return e;
  }
  e.kind = EventKind::kAuthFailed;
  e.client = BracketAddress(msg.substr(0, close + 1));
  e.auth_attempts = 1;
  return e;
}

// Dovecot's login processes, one line per connection: "imap-login: Disconnected (auth failed,
// 3 attempts in 12 secs): user=<alice>, method=PLAIN, rip=198.51.100.7, lip=192.0.2.1, ...".
// `login_program`: the syslog program is the login process itself, so the message does not name
// it.
Event Dovecot(string_view msg, bool login_program) {
  Event e;
  const auto failed = msg.find("(auth failed, ");
  if (failed == npos || (!login_program && msg.substr(0, failed).find("-login: ") == npos)) {
    return e;
  }
  e.kind = EventKind::kAuthFailed;
  e.auth_service = AuthService::kDovecot;
  e.client = After(msg, " rip=", ',');
  e.user = After(msg, " user=<", '>');
  const string_view count = msg.substr(failed + 14, msg.find(' ', failed + 14) - failed - 14);
  std::uint32_t attempts = 0;
  for (const char c : count) {
    if (!IsDigit(c) || attempts > 100000) {
      attempts = 0;
      break;
    }
    attempts = attempts * 10 + static_cast<std::uint32_t>(c - '0');
  }
  e.auth_attempts = attempts > 0 ? attempts : 1;
  return e;
}

Event Postscreen(string_view msg) {
  Event e;
  if (msg.starts_with("NOQUEUE: reject: ")) {
    e = Reject(msg.substr(17), false);
    if (e.reason == Reason::kOther) {
      e.reason = Reason::kPostscreen;
    }
    e.postscreen = true;
    e.postscreen_result = PostscreenResult::kReject;
    return e;
  }
  static constexpr std::array<std::pair<string_view, PostscreenResult>, 16> kResults = {{
      {"CONNECT from ", PostscreenResult::kConnect},
      {"PASS NEW ", PostscreenResult::kPassNew},
      {"PASS OLD ", PostscreenResult::kPassOld},
      {"DNSBL rank ", PostscreenResult::kDnsbl},
      {"PREGREET ", PostscreenResult::kPregreet},
      {"HANGUP ", PostscreenResult::kHangup},
      {"COMMAND PIPELINING ", PostscreenResult::kPipelining},
      {"NON-SMTP COMMAND ", PostscreenResult::kNonSmtpCommand},
      {"BARE NEWLINE ", PostscreenResult::kBareNewline},
      {"COMMAND TIME LIMIT ", PostscreenResult::kCommandLimit},
      {"COMMAND COUNT LIMIT ", PostscreenResult::kCommandLimit},
      {"COMMAND LENGTH LIMIT ", PostscreenResult::kCommandLimit},
      {"WHITELISTED ", PostscreenResult::kAllowlisted},
      {"ALLOWLISTED ", PostscreenResult::kAllowlisted},
      {"BLACKLISTED ", PostscreenResult::kDenylisted},
      {"DENYLISTED ", PostscreenResult::kDenylisted},
  }};
  for (const auto& [text, result] : kResults) {
    if (msg.starts_with(text)) {
      e.kind = EventKind::kPostscreen;
      e.postscreen = true;
      e.postscreen_result = result;
      e.client = BracketAddress(msg.substr(text.size()));
      return e;
    }
  }
  return e;
}

Event Cleanup(string_view msg) {
  string_view qid;
  const string_view rest = StripQueueId(msg, &qid);
  if (qid.empty()) {
    return {};
  }
  if (rest.starts_with("reject: ")) {
    return Reject(rest.substr(8), true);
  }
  if (rest.starts_with("milter-reject: ")) {
    return Reject(rest.substr(15), true);
  }
  if (rest.starts_with("milter-discard: ")) {  // accepted, then dropped: out of pass-through
    Event e;
    e.kind = EventKind::kFilter;
    e.filter = Filter::kMilter;
    e.verdict = Verdict::kDiscard;
    e.action = Action::kBlocked;
    e.client = BracketAddress(After(rest, " from ", ':'));
    return e;
  }
  return {};
}

Event Qmgr(string_view msg) {
  string_view qid;
  const string_view rest = StripQueueId(msg, &qid);
  Event e;
  if (!qid.empty() && rest.starts_with("from=<")) {
    e.kind = EventKind::kSender;
    e.sender = rest.substr(6, rest.find('>') - 6);
  }
  return e;
}

Event Delivered(string_view msg) {
  string_view qid;
  const string_view rest = StripQueueId(msg, &qid);
  Event e;
  if (qid.empty() || !rest.starts_with("to=<")) {
    return e;
  }
  const string_view status = After(rest, ", status=", ' ');
  if (status.empty()) {
    return e;
  }
  e.kind = EventKind::kDelivery;
  e.delivery = status == "sent"       ? Delivery::kSent
               : status == "bounced"  ? Delivery::kBounced
               : status == "deferred" ? Delivery::kDeferred
               : status == "expired"  ? Delivery::kExpired
                                      : Delivery::kOther;
  return e;
}

// "(4051607-09) Blocked INFECTED (Porcupine...) {DiscardedInbound,Quarantined}, [ip]:port ..."
Event Amavis(string_view msg) {
  Event e;
  if (msg.starts_with('(')) {
    const auto close = msg.find(") ");
    if (close == npos) {
      return e;
    }
    msg.remove_prefix(close + 2);
  }
  const bool passed = msg.starts_with("Passed ");
  if (!passed && !msg.starts_with("Blocked ")) {
    return e;
  }
  msg.remove_prefix(passed ? 7 : 8);
  const string_view category = msg.substr(0, msg.find_first_of(" ,{("));
  static constexpr std::array<std::pair<string_view, Verdict>, 5> kCategories = {{
      {"CLEAN", Verdict::kClean},
      {"SPAM", Verdict::kSpam},
      {"SPAMMY", Verdict::kSpammy},
      {"INFECTED", Verdict::kInfected},
      {"BANNED", Verdict::kBanned},
  }};
  e.verdict = category.starts_with("BAD-HEADER")  ? Verdict::kBadHeader
              : category.starts_with("UNCHECKED") ? Verdict::kUnchecked
                                                  : Verdict::kOther;
  for (const auto& [text, verdict] : kCategories) {
    if (category == text) {
      e.verdict = verdict;
    }
  }
  e.kind = EventKind::kFilter;
  e.filter = Filter::kAmavis;
  const string_view how = After(msg, "{", '}');
  e.action =
      !passed ? Action::kBlocked
      : (e.verdict == Verdict::kSpam || e.verdict == Verdict::kSpammy || how.find("Tagged") != npos)
          ? Action::kTagged
          : Action::kPassed;
  e.client = BracketAddress(msg.substr(category.size()));
  return e;
}

// "clean message (2.1/5.0) for user:1000 in 0.5 seconds, 1234 bytes." / "identified spam (...)"
Event Spamd(string_view msg) {
  if (msg.starts_with("spamd: ")) {
    msg.remove_prefix(7);
  }
  Event e;
  e.filter = Filter::kSpamAssassin;
  if (msg.starts_with("clean message (")) {
    e.kind = EventKind::kFilter;
    e.verdict = Verdict::kClean;
    e.action = Action::kPassed;
  } else if (msg.starts_with("identified spam (")) {
    e.kind = EventKind::kFilter;
    e.verdict = Verdict::kSpam;
    e.action = Action::kTagged;
  }
  return e;
}

// rspamd's actions, as it logs them, and what they mean here.
constexpr std::array<std::tuple<string_view, Verdict, Action>, 7> kRspamdActions = {{
    {"no action", Verdict::kClean, Action::kPassed},
    {"add header", Verdict::kAddHeader, Action::kTagged},
    {"rewrite subject", Verdict::kRewriteSubject, Action::kTagged},
    {"greylist", Verdict::kGreylist, Action::kBlocked},
    {"soft reject", Verdict::kSoftReject, Action::kBlocked},
    {"reject", Verdict::kReject, Action::kBlocked},
    {"discard", Verdict::kDiscard, Action::kBlocked},
}};

// rspamd_task_write_log: "..., ip: 192.0.2.1, from: <a@b>, (default: F (no action): [..."
Event Rspamd(string_view msg) {
  Event e;
  const auto at = msg.find("(default: ");
  if (at == npos || at + 13 > msg.size()) {
    return e;
  }
  const string_view action = After(msg.substr(at + 11), "(", ')');
  for (const auto& [text, verdict, act] : kRspamdActions) {
    if (action == text) {
      e.kind = EventKind::kFilter;
      e.filter = Filter::kRspamd;
      e.verdict = verdict;
      e.action = act;
      e.client = After(msg, "ip: ", ',');
      e.sender = After(msg, "from: <", '>');
    }
  }
  return e;
}

}  // namespace

std::optional<SyslogLine> ParseSyslog(string_view line) {
  SyslogLine out;
  string_view s = line;
  bool rfc5424 = false;
  if (s.starts_with('<')) {  // <PRI>, then "1 " for RFC 5424
    const auto close = s.find('>');
    if (close == npos || close > 4) {
      return std::nullopt;
    }
    s.remove_prefix(close + 1);
    if (s.starts_with("1 ")) {
      rfc5424 = true;
      s.remove_prefix(2);
    }
  }
  if (IsIsoTime(s)) {
    if (s[10] == ' ') {  // rspamd's own log: "2024-01-01 12:00:00 #1234(normal) <id>; task; ..."
      const auto hash = s.find(" #", 19);
      if (hash == npos || hash > 32) {
        return std::nullopt;
      }
      out.time = s.substr(0, hash);
      out.program = "rspamd";
      out.message = s.substr(hash + 1);
      return out;
    }
    out.time = Token(s);
  } else if (const std::size_t n = Rfc3164TimeLength(s); n > 0 && n < s.size() && s[n] == ' ') {
    out.time = s.substr(0, n);
    s.remove_prefix(n + 1);
  } else {
    return std::nullopt;
  }
  out.host = Token(s);
  if (out.host.empty()) {
    return std::nullopt;
  }
  if (rfc5424) {
    out.program = Token(s);
    Token(s);                  // procid
    Token(s);                  // msgid
    if (s.starts_with('[')) {  // structured data: [id k="v" ...]...
      const auto end = s.find("] ");
      s = end == npos ? string_view() : s.substr(end + 2);
    } else {
      Token(s);  // "-"
    }
    if (s.starts_with("\xEF\xBB\xBF")) {
      s.remove_prefix(3);
    }
    out.message = s;
    return out.program.empty() ? std::nullopt : std::optional(out);
  }
  const auto colon = s.find(": ");
  const auto colon_end = s.ends_with(':') ? s.size() - 1 : npos;
  const auto end = colon != npos ? colon : colon_end;
  if (end == npos || end == 0 || s.substr(0, end).find(' ') != npos) {
    return std::nullopt;
  }
  const string_view tag = s.substr(0, end);
  out.program = tag.substr(0, tag.find('['));
  out.message = end + 2 <= s.size() ? s.substr(end + 2) : string_view();
  return out;
}

std::optional<std::int64_t> SyslogSeconds(string_view t, int year) {
  int y = year;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  std::int64_t offset = 0;
  if (IsIsoTime(t)) {
    const auto yy = Number(t.substr(0, 4));
    const auto mm = Number(t.substr(5, 2));
    const auto dd = Number(t.substr(8, 2));
    const auto hh = Number(t.substr(11, 2));
    const auto mi = Number(t.substr(14, 2));
    const auto ss = Number(t.substr(17, 2));
    if (!yy || !mm || !dd || !hh || !mi || !ss) {
      return std::nullopt;
    }
    y = *yy;
    month = *mm;
    day = *dd;
    hour = *hh;
    minute = *mi;
    second = *ss;
    const auto zone = t.find_first_of("+-Z", 19);
    if (zone != npos && t[zone] != 'Z' && zone + 6 <= t.size()) {
      const auto zh = Number(t.substr(zone + 1, 2));
      const auto zm = Number(t.substr(zone + 4, 2));
      if (zh && zm) {
        offset = (*zh * 3600 + *zm * 60) * (t[zone] == '-' ? -1 : 1);
      }
    }
  } else if (Rfc3164TimeLength(t) > 0) {
    month = static_cast<int>(MonthNumber(t));
    const std::size_t c = Rfc3164ClockStart(t);
    const auto dd =
        Number(c == 6 ? t.substr(4, 1) : t.substr(t[4] == ' ' ? 5 : 4, t[4] == ' ' ? 1 : 2));
    const auto hh = Number(t.substr(c, 2));
    const auto mi = Number(t.substr(c + 3, 2));
    const auto ss = Number(t.substr(c + 6, 2));
    if (!dd || !hh || !mi || !ss) {
      return std::nullopt;
    }
    day = *dd;
    hour = *hh;
    minute = *mi;
    second = *ss;
  } else {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60 ||
      !PlausibleLogYear(y)) {
    return std::nullopt;
  }
  return DaysFromCivil(y, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
         hour * 3600 + minute * 60 + second - offset;
}

Event Classify(const SyslogLine& line) {
  const string_view program = line.program;
  const string_view msg = line.message;
  if (program.starts_with("postfix")) {
    const string_view daemon = program.substr(program.rfind('/') + 1);
    if (daemon == "smtpd") {
      Event e = msg.starts_with("warning: ") ? SmtpdWarning(msg.substr(9)) : Smtpd(msg);
      e.smtp_service = SmtpServiceOf(program);
      return e;
    }
    if (daemon == "postscreen") {
      return Postscreen(msg);
    }
    if (daemon == "cleanup") {
      return Cleanup(msg);
    }
    if (daemon == "qmgr") {
      return Qmgr(msg);
    }
    for (string_view agent : {"smtp", "lmtp", "local", "virtual", "pipe", "error", "discard"}) {
      if (daemon == agent) {
        return Delivered(msg);
      }
    }
    return {};
  }
  if (program.starts_with("amavis")) {
    return Amavis(msg);
  }
  if (program == "spamd") {
    return Spamd(msg);
  }
  if (program == "rspamd") {
    return Rspamd(msg);
  }
  if (program == "dovecot") {
    return Dovecot(msg, false);
  }
  if (program.ends_with("-login")) {  // Dovecot 2.0/2.1 logged as "imap-login[pid]: ..."
    return Dovecot(msg, true);
  }
  return {};
}

SmtpService SmtpServiceOf(std::string_view program) {
  const auto first = program.find('/');
  const auto last = program.rfind('/');
  if (first == npos || first == last) {
    return SmtpService::kSmtpd;
  }
  const string_view name = program.substr(first + 1, last - first - 1);
  if (name == "submission") {
    return SmtpService::kSubmission;
  }
  return name == "smtps" || name == "submissions" ? SmtpService::kSmtps : SmtpService::kOther;
}

const char* SmtpServiceName(SmtpService s) {
  static constexpr const char* kNames[kSmtpServiceCount] = {"smtpd", "submission", "smtps",
                                                            "other"};
  return kNames[static_cast<int>(s)];
}

const char* AuthServiceName(AuthService s) {
  static constexpr const char* kNames[kAuthServiceCount] = {"smtpd", "dovecot"};
  return kNames[static_cast<int>(s)];
}

std::string_view SenderDomain(std::string_view address) {
  const auto at = address.rfind('@');
  return at == npos ? std::string_view() : address.substr(at + 1);
}

bool CanReject(Stage s, Reason r) {
  return (s == Stage::kHeader || s == Stage::kBody) ? r == Reason::kContent : true;
}

bool CanJudge(Filter f, Verdict v, Action a) {
  switch (f) {
    case Filter::kSpamAssassin:
      return (v == Verdict::kClean && a == Action::kPassed) ||
             (v == Verdict::kSpam && a == Action::kTagged);
    case Filter::kRspamd:
      return std::any_of(kRspamdActions.begin(), kRspamdActions.end(), [&](const auto& entry) {
        return std::get<1>(entry) == v && std::get<2>(entry) == a;
      });
    case Filter::kMilter:
      return v == Verdict::kDiscard && a == Action::kBlocked;
    case Filter::kAmavis:
      break;
  }
  static constexpr std::array kAmavisCategories = {
      Verdict::kClean,  Verdict::kSpam,      Verdict::kSpammy,    Verdict::kInfected,
      Verdict::kBanned, Verdict::kBadHeader, Verdict::kUnchecked, Verdict::kOther};
  if (std::find(kAmavisCategories.begin(), kAmavisCategories.end(), v) == kAmavisCategories.end()) {
    return false;
  }
  if (a == Action::kBlocked) {
    return true;
  }
  return (v == Verdict::kSpam || v == Verdict::kSpammy) ? a == Action::kTagged : true;
}

const char* StageName(Stage s) {
  static constexpr const char* kNames[kStageCount] = {
      "connect", "helo", "mail", "rcpt", "data", "end_of_message", "header", "body", "other"};
  return kNames[static_cast<int>(s)];
}

const char* ReasonName(Reason r) {
  static constexpr const char* kNames[kReasonCount] = {
      "rbl",   "client",   "helo",       "sender",  "recipient", "unknown_user",
      "relay", "greylist", "postscreen", "content", "other"};
  return kNames[static_cast<int>(r)];
}

const char* PostscreenResultName(PostscreenResult r) {
  static constexpr const char* kNames[kPostscreenResultCount] = {
      "connect",      "pass_new",      "pass_old",    "dnsbl",
      "pregreet",     "hangup",        "pipelining",  "non_smtp_command",
      "bare_newline", "command_limit", "allowlisted", "denylisted",
      "reject"};
  return kNames[static_cast<int>(r)];
}

const char* FilterName(Filter f) {
  static constexpr const char* kNames[kFilterCount] = {"amavis", "spamassassin", "rspamd",
                                                       "milter"};
  return kNames[static_cast<int>(f)];
}

const char* VerdictName(Verdict v) {
  static constexpr const char* kNames[kVerdictCount] = {
      "clean",     "spam",       "spammy",          "infected", "banned",      "bad_header",
      "unchecked", "add_header", "rewrite_subject", "greylist", "soft_reject", "reject",
      "discard",   "other"};
  return kNames[static_cast<int>(v)];
}

const char* ActionName(Action a) {
  static constexpr const char* kNames[kActionCount] = {"passed", "tagged", "blocked"};
  return kNames[static_cast<int>(a)];
}

const char* DeliveryName(Delivery d) {
  static constexpr const char* kNames[kDeliveryCount] = {"sent", "bounced", "deferred", "expired",
                                                         "other"};
  return kNames[static_cast<int>(d)];
}

}  // namespace edgewatch::mail_log
