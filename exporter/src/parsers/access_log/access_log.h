#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/expected.h"

namespace edgewatch::access_log {

// HTTP methods as a fixed set, so that a label built from one stays bounded.
enum class Method : std::uint8_t {
  kGet,
  kHead,
  kPost,
  kPut,
  kDelete,
  kOptions,
  kPatch,
  kConnect,
  kTrace,
  kOther,
};
inline constexpr int kMethodCount = 10;
const char* MethodName(Method m);
Method ParseMethod(std::string_view text);

// One access log line. Views point into the line; empty when the format has no such field or
// the server logged "-".
struct Request {
  std::string_view client;
  std::string_view vhost;    // %v: the server's own name for the virtual host
  std::string_view host;     // %{Host}i: the name the client asked for
  std::string_view time;     // %t without the brackets: 10/Oct/2000:13:55:36 -0700
  std::string_view request;  // the request line as logged, escapes and all
  std::string_view path;     // the request target without the query (see ResolvePath)
  std::string_view referer;
  std::string_view user_agent;
  std::uint64_t bytes = 0;
  std::uint16_t status = 0;
  Method method = Method::kOther;
  // The Probe bits (bit i: Probe i) found in the fields a client chose: the request line, the
  // referer, user agent and Host above and those a format logs besides (other request headers,
  // cookies, the basic-auth user, the query). Found as the line is parsed, so that a Request
  // stays small whatever the format logs.
  std::uint8_t probes = 0;

  // The site: the server's name for it, else the one the client asked for.
  std::string_view site() const { return vhost.empty() ? host : vhost; }
};

// A compiled log format: Apache `LogFormat` directives (%h %l %u %t "%r" %>s %b %{Referer}i
// %{User-Agent}i %v %p %D %T ... ; unknown ones are matched and ignored) or nginx `log_format`
// variables ($remote_addr $time_local "$request" $status ...). Text after the last field is
// tolerated, so a log with extra trailing fields still parses.
class Format {
 public:
  // A predefined name (common, combined, vhost_combined, nginx_combined) or a format string;
  // the error says why a string cannot be used.
  static Expected<Format> Compile(std::string_view spec);

  // The request of `line`, whose views point into it; none when the line does not have this
  // format. No allocation.
  std::optional<Request> Parse(std::string_view line) const;

  const std::string& spec() const { return spec_; }

 private:
  enum class Field : std::uint8_t {
    kClient,
    kVhost,
    kTime,
    kRequest,
    kMethod,
    kPath,
    kStatus,
    kBytes,
    kReferer,
    kUserAgent,
    kHost,
    kScanned,  // client-chosen, kept for the probe scan
    kIgnore,
  };
  struct Token {
    std::string literal;  // text that must follow the field (or lead the line, for the first)
    Field field = Field::kIgnore;
    bool quoted = false;  // "field": runs to the closing quote
  };

  std::string spec_;
  std::string prefix_;  // literal text before the first field
  std::vector<Token> tokens_;
};

// The formats `access_log` tries when a log names none, most specific first: vhost_combined,
// vhost then client, combined, common.
std::vector<Format> DetectableFormats();

// Parses lines of an unknown format: tries the format that matched last first, then the others,
// and once a line matches none, a syslog prefix ("May 11 04:02:36 host nginx[12]: ") is skipped
// and the formats tried again. Not thread-safe (remembers the last match).
class AutoFormat {
 public:
  AutoFormat();
  std::optional<Request> Parse(std::string_view line);

 private:
  std::optional<Request> TryAll(std::string_view line);

  std::vector<Format> formats_;
  std::size_t last_ = 0;
};

// Attack signatures looked for in every logged field a client chose (Request::probes).
enum class Probe : std::uint8_t {
  kShellshock,     // "() {" (CVE-2014-6271) at the start of a value or after a separator
  kLog4Shell,      // "${jndi:" or nested "${${" lookups (CVE-2021-44228), plain or, where a
                   // server decodes (the request target, a query), %-encoded
  kPathTraversal,  // a ".." segment in the request target once %-decoded, twice included
                   // (CVE-2021-41773 "/.%2e/", CVE-2021-42013 ".%%32%65"), or "..\"
};
inline constexpr int kProbeCount = 3;
const char* ProbeName(Probe p);

// A WordPress pingback verification ("WordPress/6.4; https://example.org; verifying pingback
// from 192.0.2.7"): this host is the target of a pingback reflection flood. WordPress's other
// requests with its plain user agent are not.
bool IsPingback(std::string_view user_agent);

// Whether `path` (as ResolvePath gives it) ends with one of `suffixes` (each starting with '/').
bool PathMatches(std::string_view path, const std::vector<std::string>& suffixes);

// Seconds since the Unix epoch of a %t value ("10/Oct/2000:13:55:36 -0700"); nullopt if it is
// not one.
std::optional<std::int64_t> ParseTime(std::string_view time);

}  // namespace edgewatch::access_log
