#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace edgewatch::mail_log {

// The syslog envelope of a mail log line. Views point into the line.
struct SyslogLine {
  std::string_view time;  // as logged
  std::string_view host;
  std::string_view program;  // "postfix/smtpd", "postfix-out/smtp", "amavis", "spamd", ...
  std::string_view message;  // after "program[pid]: "
};

// RFC 3164 ("Nov  6 04:02:36 host prog[12]: msg", optionally with fractional seconds as in
// Postfix's maillog_file), ISO 8601 / RFC 3339 ("2024-08-26T01:33:38.572449+00:00 host ..."),
// and RFC 5424 ("<22>1 2024-08-26T01:33:38Z host prog 12 - - msg"); and the two logs of their
// own: rspamd's ("2024-01-01 12:00:00 #1234(normal) ...") and Exim's mainlog ("2013-06-10
// 18:33:32 [pid] msg", program "exim", no host). nullopt otherwise.
std::optional<SyslogLine> ParseSyslog(std::string_view line);

// Seconds of a syslog time: exact for ISO 8601 times; for RFC 3164 times, which have no year
// and no zone, seconds since the start of `year` in UTC. nullopt if it is neither.
std::optional<std::int64_t> SyslogSeconds(std::string_view time, int year);

// Where in the SMTP dialogue a reject happened (smtpd, postscreen), or which cleanup check.
enum class Stage : std::uint8_t {
  kConnect,
  kHelo,
  kMail,
  kRcpt,
  kData,
  kEndOfMessage,
  kHeader,  // cleanup header_checks
  kBody,    // cleanup body_checks
  kOther,
};
inline constexpr int kStageCount = 9;
const char* StageName(Stage s);

// Why: a fixed set, so that reject labels stay bounded whatever the server says.
enum class Reason : std::uint8_t {
  kRbl,          // "blocked using LIST"
  kClient,       // Client host rejected
  kHelo,         // Helo command rejected
  kSender,       // Sender address rejected
  kRecipient,    // Recipient address rejected (other than unknown user, greylisting)
  kUnknownUser,  // User unknown in ... table
  kRelay,        // Relay access denied
  kGreylist,     // greylisting (postgrey, policyd)
  kPostscreen,   // postscreen's own temporary reject (after-220 tests)
  kContent,      // header/body checks, milter rejects
  kOther,
};
inline constexpr int kReasonCount = 11;
const char* ReasonName(Reason r);

enum class PostscreenResult : std::uint8_t {
  kConnect,
  kPassNew,
  kPassOld,
  kDnsbl,  // "DNSBL rank N"
  kPregreet,
  kHangup,
  kPipelining,
  kNonSmtpCommand,
  kBareNewline,
  kCommandLimit,  // command time, count or length limit
  kAllowlisted,   // WHITELISTED / ALLOWLISTED
  kDenylisted,    // BLACKLISTED / DENYLISTED
  kReject,
};
inline constexpr int kPostscreenResultCount = 13;
const char* PostscreenResultName(PostscreenResult r);

// kMilter: Postfix's own line for a milter's verdict, when the milter's log is elsewhere.
enum class Filter : std::uint8_t { kAmavis, kSpamAssassin, kRspamd, kMilter };
inline constexpr int kFilterCount = 4;
const char* FilterName(Filter f);

// amavis contents categories, spamd's two answers, and rspamd's actions.
enum class Verdict : std::uint8_t {
  kClean,
  kSpam,
  kSpammy,
  kInfected,
  kBanned,
  kBadHeader,
  kUnchecked,
  kAddHeader,
  kRewriteSubject,
  kGreylist,
  kSoftReject,
  kReject,
  kDiscard,  // accepted, then dropped: rspamd's "discard", Postfix's milter-discard
  kOther,
};
inline constexpr int kVerdictCount = 14;
const char* VerdictName(Verdict v);

// What happened to the message: delivered unchanged, delivered marked as spam, or stopped.
enum class Action : std::uint8_t { kPassed, kTagged, kBlocked };
inline constexpr int kActionCount = 3;
const char* ActionName(Action a);

// Whether Classify() can yield the combination: the label sets exported at 0 before any event,
// so that ratios over them show 0 on a quiet server, and no impossible one is exported.
// Header and body checks reject for content only; smtpd, postscreen and milters at any stage.
bool CanReject(Stage s, Reason r);
// amavis: any verdict blocked, SPAM and SPAMMY passed as tagged, the rest passed as they are or
// tagged; spamd: clean passed, spam tagged; rspamd: its six actions.
bool CanJudge(Filter f, Verdict v, Action a);

enum class Delivery : std::uint8_t { kSent, kBounced, kDeferred, kExpired, kOther };
inline constexpr int kDeliveryCount = 5;
const char* DeliveryName(Delivery d);

enum class EventKind : std::uint8_t {
  kNone,        // a line that matters to no metric
  kConnect,     // smtpd "connect from host[ip]"
  kDisconnect,  // smtpd "disconnect from host[ip]"
  kAccepted,    // smtpd gave the message a queue id ("QID: client=", "proxy-accept")
  kReject,      // smtpd, postscreen or cleanup reject
  kPostscreen,  // a postscreen verdict (a postscreen reject is a kReject with postscreen set)
  kSender,      // qmgr "QID: from=<sender>"
  kFilter,      // a content filter verdict
  kDelivery,    // smtp/lmtp/local/virtual/pipe "status=..."
  kAuthFailed,  // a failed SMTP AUTH (smtpd) or IMAP/POP3 login (dovecot): a password guessed
};

// Which smtpd a session came to, from its syslog name (master.cf's -o syslog_name): "postfix/smtpd"
// is the MX on port 25, "postfix/submission/smtpd" and "postfix/smtps/smtpd" are customers
// sending (any instance name, "postfix-out/..."). Others are kOther, so the label stays bounded.
enum class SmtpService : std::uint8_t { kSmtpd, kSubmission, kSmtps, kOther };
inline constexpr int kSmtpServiceCount = 4;
const char* SmtpServiceName(SmtpService s);
SmtpService SmtpServiceOf(std::string_view program);

// Who refused a password: Postfix's smtpd (SASL) or Dovecot's login processes.
enum class AuthService : std::uint8_t { kSmtpd, kDovecot };
inline constexpr int kAuthServiceCount = 2;
const char* AuthServiceName(AuthService s);

struct Event {
  EventKind kind = EventKind::kNone;
  std::string_view client;  // the client's IP address as logged (connect, accepted, reject, ...)
  std::string_view sender;  // envelope sender (reject, kSender, Exim kAccepted); empty for <>
  Stage stage = Stage::kOther;
  Reason reason = Reason::kOther;
  std::string_view rbl;  // kRbl: the list's name
  bool postscreen = false;
  PostscreenResult postscreen_result = PostscreenResult::kConnect;
  Filter filter = Filter::kAmavis;
  Verdict verdict = Verdict::kOther;
  Action action = Action::kPassed;
  Delivery delivery = Delivery::kOther;
  // kAccepted: the SASL user that submitted the message (Postfix sasl_username=, Exim A=),
  // empty when none did; kAuthFailed: the user Dovecot or Exim (set_id=) names, if any.
  std::string_view user;
  AuthService auth_service = AuthService::kSmtpd;
  SmtpService smtp_service = SmtpService::kSmtpd;  // smtpd events: which smtpd
  std::uint32_t auth_attempts = 0;                 // kAuthFailed: failed attempts the line reports
  // Postfix kAccepted and kSender: the message's queue id, which joins qmgr's line (with the
  // recipients) to smtpd's (with the SASL user).
  std::string_view queue_id;
  // Exim kAccepted: the arrival is where the client's network is seen (Exim logs connections
  // only with +smtp_connection); Postfix's was seen at connect.
  bool arrival_names_network = false;
  // kSender (qmgr nrcpt=), Exim kAccepted (its "for a@x b@y", log_selector
  // +received_recipients): the message's recipients; 0 when the line does not say.
  std::uint32_t recipients = 0;
};

// Classifies the message of a Postfix (any instance name: postfix-out/smtpd), amavis, spamd,
// rspamd, Dovecot or Exim line. Pure: views into `line`, no allocation.
Event Classify(const SyslogLine& line);

// The domain of an address ("user@Example.ORG" -> "Example.ORG"); empty without one.
std::string_view SenderDomain(std::string_view address);

}  // namespace edgewatch::mail_log
