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

// A small decimal count ("25"); 0 if it is none or absurdly large.
std::uint32_t Count(string_view s) {
  std::uint32_t n = 0;
  for (const char c : s) {
    if (!IsDigit(c) || n > 10'000'000) {
      return 0;
    }
    n = n * 10 + static_cast<std::uint32_t>(c - '0');
  }
  return n;
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

// The reason of the first wording in `table` that `detail` holds, else `fallback`.
template <std::size_t N>
Reason FirstReason(string_view detail, const std::array<std::pair<string_view, Reason>, N>& table,
                   Reason fallback) {
  for (const auto& [text, reason] : table) {
    if (detail.find(text) != npos) {
      return reason;
    }
  }
  return fallback;
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
  return FirstReason(detail, kReasons, Reason::kOther);
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
    e.queue_id = qid;
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
  const std::uint32_t attempts =
      Count(msg.substr(failed + 14, msg.find(' ', failed + 14) - failed - 14));
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
    const auto close = rest.find('>');
    e.sender = rest.substr(6, close - 6);
    e.queue_id = qid;
    // "from=<s>, size=N, nrcpt=K (queue active)", read in place: no search on every message.
    string_view t = rest.substr(std::min(close + 1, rest.size()));
    if (t.starts_with(", size=")) {
      t.remove_prefix(7);
      while (!t.empty() && IsDigit(t.front())) {
        t.remove_prefix(1);
      }
      if (t.starts_with(", nrcpt=")) {
        t.remove_prefix(8);
        e.recipients = Count(t.substr(0, t.find(' ')));
      }
    }
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

// Exim (mainlog, or syslog with log_file_path = syslog). Lines that name the client carry it
// as "H=name (helo) [ip]:port", "H=[ip]" or, in authenticator failures, "for name (helo) [ip]":
// the address is the first "[...]" outside the parentheses of the HELO name, which may hold
// brackets of its own ("H=([192.0.2.1]) [192.0.2.1]").
string_view EximClient(string_view s) {
  int depth = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '(') {
      ++depth;
    } else if (s[i] == ')') {
      depth = depth > 0 ? depth - 1 : 0;
    } else if (s[i] == '[' && depth == 0) {
      const auto close = s.find(']', i);
      return close == npos ? string_view() : s.substr(i + 1, close - i - 1);
    } else if (s[i] == ':' && depth == 0 && i + 1 < s.size() && s[i + 1] == ' ') {
      break;  // the end of "H=...": the reason follows
    }
  }
  return {};
}

// The field, not "H=" inside another one (a sender "<aH=b@x>").
string_view EximHostClient(string_view msg) {
  const auto h = msg.starts_with("H=") ? 0 : msg.find(" H=");
  return h == npos ? string_view() : EximClient(msg.substr(h + (h == 0 ? 2 : 3)));
}

// Which listener a session came to, by the port of "I=[ip]:port" (log_selector
// +incoming_interface, on by default in cPanel and DirectAdmin); without it, an authenticated
// message was submitted and anything else came to the MX.
SmtpService EximService(string_view msg, bool authenticated) {
  const auto i = msg.find(" I=[");
  if (i != npos) {
    const auto close = msg.find("]:", i);
    if (close != npos) {
      const string_view port = msg.substr(close + 2, msg.find(' ', close) - close - 2);
      if (port == "25") {
        return SmtpService::kSmtpd;
      }
      if (port == "587") {
        return SmtpService::kSubmission;
      }
      return port == "465" ? SmtpService::kSmtps : SmtpService::kOther;
    }
  }
  return authenticated ? SmtpService::kSubmission : SmtpService::kSmtpd;
}

// Exim's wording of a reject, and the list an RBL reject names ("rejected because 192.0.2.1
// is in a black list at zen.spamhaus.org", "found in dnsbl zen.spamhaus.org", "listed in ...").
Reason EximReason(string_view detail, Reason fallback, string_view* rbl) {
  for (string_view key : {" black list at ", " dnsbl ", "listed in ", "blacklisted at "}) {
    const auto at = detail.find(key);
    if (at != npos) {
      string_view list = detail.substr(at + key.size());
      list = list.substr(0, list.find_first_of(" \\\"'\t;,"));
      *rbl = list.ends_with('.') ? list.substr(0, list.size() - 1) : list;
      return Reason::kRbl;
    }
  }
  static constexpr std::array<std::pair<string_view, Reason>, 9> kReasons = {{
      {"relay not permitted", Reason::kRelay},
      {"Sender verify failed", Reason::kSender},
      {"sender verify failed", Reason::kSender},
      {"nknown user", Reason::kUnknownUser},
      {"Unrouteable address", Reason::kUnknownUser},
      {"greylist", Reason::kGreylist},
      {"Greylist", Reason::kGreylist},
      {"virus", Reason::kContent},
      {"spam", Reason::kContent},
  }};
  return FirstReason(detail, kReasons, fallback);
}

// "... rejected RCPT <a@b>: reason", "rejected MAIL", "rejected EHLO or HELO", "rejected after
// DATA", "rejected by local_scan()", "rejected connection": the stage, with "temporarily" too.
Event EximReject(string_view msg, std::size_t at) {
  Event e;
  e.kind = EventKind::kReject;
  e.client = EximHostClient(msg);
  e.smtp_service = EximService(msg, msg.find(" A=") != npos);
  e.sender = After(msg, " F=<", '>');
  const string_view what = msg.substr(at + 9);  // after "rejected "
  Reason fallback = Reason::kOther;
  if (what.starts_with("RCPT")) {
    e.stage = Stage::kRcpt;
    fallback = Reason::kRecipient;
  } else if (what.starts_with("MAIL")) {
    e.stage = Stage::kMail;
    fallback = Reason::kSender;
  } else if (what.starts_with("EHLO") || what.starts_with("HELO")) {
    e.stage = Stage::kHelo;
    fallback = Reason::kHelo;
  } else if (what.starts_with("after DATA") || what.starts_with("DATA") ||
             what.starts_with("by local_scan()")) {
    e.stage = Stage::kData;
    fallback = Reason::kContent;
  } else if (what.starts_with("connection")) {  // a pregreet or a connect ACL
    e.stage = Stage::kConnect;
    if (e.client.empty()) {
      e.client = EximClient(what);
    }
  }
  const auto colon = what.find(": ");
  e.reason = EximReason(colon == npos ? string_view() : what.substr(colon + 2), fallback, &e.rbl);
  return e;
}

// A message id: "1cNEpI-0005i7-Ci" (6-6-2) or, from Exim 4.97, "1rZ8ab-00000000Abc-1xyz".
bool IsEximMessageId(string_view t) {
  if (t.size() != 16 && t.size() != 23) {
    return false;
  }
  const std::size_t second = t.size() == 16 ? 13 : 18;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if ((i == 6 || i == second) ? t[i] != '-' : !IsAlnum(t[i])) {
      return false;
    }
  }
  return true;
}

// A message's own lines: "<=" arrival, "=>"/"->"/">>" delivery, "==" deferral, "**" bounce,
// sa-exim's verdict, and rejects after DATA.
Event EximMessage(string_view msg) {
  Event e;
  const string_view flag = msg.substr(0, msg.find(' '));
  const string_view rest = msg.substr(std::min(msg.size(), flag.size() + 1));
  if (flag == "<=") {
    if (rest.find(" H=") == npos) {
      return e;  // a local submission (P=local, U=user): no SMTP client
    }
    e.kind = EventKind::kAccepted;
    e.arrival_names_network = true;
    const string_view sender = rest.substr(0, rest.find(' '));
    e.sender = sender == "<>" ? string_view() : sender;
    e.client = EximHostClient(rest);
    const string_view auth = After(rest, " A=", ' ');  // "dovecot_login:user", "plain:user"
    const auto colon = auth.find(':');
    e.user = colon == npos ? string_view() : auth.substr(colon + 1);
    e.smtp_service = EximService(rest, !auth.empty());
    // +received_recipients: " for a@x b@y" ends the line (after T="subject", which may hold
    // " for " itself: the last one counts).
    if (const auto for_at = rest.rfind(" for "); for_at != npos) {
      string_view list = rest.substr(for_at + 5);
      while (!list.empty()) {
        const string_view address = Token(list);
        e.recipients += address.find('@') != npos ? 1 : 0;
      }
    }
    return e;
  }
  if (flag == "=>" || flag == "->" || flag == ">>" || flag == "==" || flag == "**") {
    e.kind = EventKind::kDelivery;
    e.delivery = flag == "=="   ? Delivery::kDeferred
                 : flag == "**" ? Delivery::kBounced
                                : Delivery::kSent;
    return e;
  }
  if (flag == "SA:") {  // sa-exim: "SA: Action: flagged as Spam but accepted: score=8.2 ..."
    if (rest.starts_with("Action: flagged as Spam but accepted")) {
      e.kind = EventKind::kFilter;
      e.filter = Filter::kSpamAssassin;
      e.verdict = Verdict::kSpam;
      e.action = Action::kTagged;
    } else if (rest.starts_with("Action: scanned but message isn't spam")) {
      e.kind = EventKind::kFilter;
      e.filter = Filter::kSpamAssassin;
      e.verdict = Verdict::kClean;
      e.action = Action::kPassed;
    }
    return e;
  }
  if (const auto at = msg.find("rejected "); at != npos) {
    return EximReject(msg, at);
  }
  return e;
}

Event Exim(string_view msg) {
  if (msg.starts_with('[')) {  // "[pid] " (log_selector +pid)
    const auto close = msg.find("] ");
    if (close != npos && close < 12) {
      msg.remove_prefix(close + 2);
    }
  }
  const string_view first = msg.substr(0, msg.find(' '));
  if (IsEximMessageId(first)) {
    return EximMessage(msg.substr(std::min(msg.size(), first.size() + 1)));
  }
  Event e;
  if (const auto failed = msg.find(" authenticator failed for "); failed != npos) {
    e.kind = EventKind::kAuthFailed;
    e.client = EximClient(msg.substr(failed + 26));
    e.user = After(msg, "(set_id=", ')');
    e.auth_attempts = 1;
    return e;
  }
  // log_selector +smtp_connection: "SMTP connection from [ip]:port I=... (TCP/IP connection
  // count = 3)" opens a session; "... closed by QUIT", "... lost" end one.
  if (msg.starts_with("SMTP connection from ") && msg.find("connection count = ") != npos) {
    e.kind = EventKind::kConnect;
    e.client = EximClient(msg.substr(21));
    e.smtp_service = EximService(msg, false);
    return e;
  }
  if (const auto at = msg.find("rejected "); at != npos && !EximHostClient(msg).empty()) {
    return EximReject(msg, at);
  }
  return e;
}

// Exim's own mainlog: "2013-06-10 18:33:32[.123][ +0100] [pid] message", no host, no program.
std::optional<SyslogLine> EximMainlog(string_view s) {
  std::size_t n = 19;
  if (n < s.size() && s[n] == '.') {
    ++n;
    while (n < s.size() && IsDigit(s[n])) {
      ++n;
    }
  }
  if (n + 6 <= s.size() && s[n] == ' ' && (s[n + 1] == '+' || s[n + 1] == '-') &&
      IsDigit(s[n + 2]) && IsDigit(s[n + 5])) {
    n += 6;  // log_timezone
  }
  if (n >= s.size() || s[n] != ' ') {
    return std::nullopt;
  }
  SyslogLine out;
  out.time = s.substr(0, n);
  out.program = "exim";
  out.message = s.substr(n + 1);
  return out;
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
        return EximMainlog(s);
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
    if (zone != npos && t[zone] != 'Z' && zone + 5 <= t.size()) {
      const auto zh = Number(t.substr(zone + 1, 2));
      // "+01:00" (RFC 3339) or "+0100" (Exim's log_timezone)
      const auto zm = Number(t.substr(zone + (t[zone + 3] == ':' ? 4 : 3), 2));
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
  if (program.starts_with("exim") && (program.size() == 4 || program == "exim4")) {
    return Exim(msg);
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
