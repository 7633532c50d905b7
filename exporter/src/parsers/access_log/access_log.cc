#include "parsers/access_log/access_log.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include "parsers/civil_time.h"
#include "parsers/text/percent.h"

namespace edgewatch::access_log {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kNamed = {{
    {"common", R"(%h %l %u %t "%r" %>s %b)"},
    {"combined", R"(%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i")"},
    {"vhost_combined", R"(%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i")"},
    // nginx's predefined format, written with its own variables.
    {"nginx_combined",
     R"($remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent")"},
}};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The end of a quoted value starting at `pos`: the first '"' not escaped by a backslash.
std::size_t QuotedEnd(std::string_view line, std::size_t pos) {
  for (std::size_t i = line.find('"', pos); i != std::string_view::npos;
       i = line.find('"', i + 1)) {
    std::size_t backslashes = 0;
    while (i - backslashes > pos && line[i - backslashes - 1] == '\\') {
      ++backslashes;
    }
    if (backslashes % 2 == 0) {
      return i;
    }
  }
  return std::string_view::npos;
}

std::string_view Dash(std::string_view v) { return v == "-" ? std::string_view() : v; }

// Whether `lit` is at `pos` (at most line.size()) of `line`. Literals are a few bytes: a loop
// costs less than the memcmp call of a string_view comparison, made several times a line.
bool LiteralAt(std::string_view line, std::size_t pos, std::string_view lit) {
  if (line.size() - pos < lit.size()) {
    return false;
  }
  for (std::size_t i = 0; i < lit.size(); ++i) {
    if (line[pos + i] != lit[i]) {
      return false;
    }
  }
  return true;
}

// The probe scans of one field, defined with the signatures below.
std::uint32_t FieldProbes(std::string_view field, bool encoded);
bool Traversal(std::string_view target, bool escaped);

bool Digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) {
    return false;
  }
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (!IsDigit(s[i])) {
      return false;
    }
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

const char* MethodName(Method m) {
  static constexpr const char* kNames[kMethodCount] = {
      "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE", "OTHER"};
  return kNames[static_cast<int>(m)];
}

Method ParseMethod(std::string_view t) {
  switch (t.size()) {
    case 3:
      return t == "GET" ? Method::kGet : t == "PUT" ? Method::kPut : Method::kOther;
    case 4:
      return t == "POST" ? Method::kPost : t == "HEAD" ? Method::kHead : Method::kOther;
    case 5:
      return t == "PATCH" ? Method::kPatch : t == "TRACE" ? Method::kTrace : Method::kOther;
    case 6:
      return t == "DELETE" ? Method::kDelete : Method::kOther;
    case 7:
      return t == "OPTIONS" ? Method::kOptions : t == "CONNECT" ? Method::kConnect : Method::kOther;
    default:
      return Method::kOther;
  }
}

Expected<Format> Format::Compile(std::string_view spec) {
  for (const auto& [name, text] : kNamed) {
    if (spec == name) {
      auto f = Compile(text);
      if (f) {
        f->spec_ = std::string(name);
      }
      return f;
    }
  }
  Format f;
  f.spec_ = std::string(spec);
  std::string literal;  // collects text until the next field
  auto field = [&](Field kind) {
    (f.tokens_.empty() ? f.prefix_ : f.tokens_.back().literal) = std::move(literal);
    literal.clear();
    f.tokens_.push_back({"", kind});
  };
  for (std::size_t i = 0; i < spec.size(); ++i) {
    const char c = spec[i];
    if (c == '\\' && i + 1 < spec.size()) {  // \" \t \n as Apache's config parser reads them
      const char e = spec[++i];
      literal += e == 't' ? '\t' : e == 'n' ? '\n' : e;
    } else if (c == '%') {
      if (++i >= spec.size()) {
        return Error{"format ends in a lone %"};
      }
      if (spec[i] == '%') {
        literal += '%';
        continue;
      }
      // Modifiers: < > and a status list such as !400,501.
      while (i < spec.size() && (spec[i] == '<' || spec[i] == '>' || spec[i] == '!' ||
                                 spec[i] == ',' || IsDigit(spec[i]))) {
        ++i;
      }
      std::string_view argument;
      bool has_argument = false;
      if (i < spec.size() && spec[i] == '{') {
        const auto close = spec.find('}', i);
        if (close == std::string_view::npos) {
          return Error{"unclosed %{ in format"};
        }
        argument = spec.substr(i + 1, close - i - 1);
        has_argument = true;
        i = close + 1;
      }
      if (i >= spec.size()) {
        return Error{"format ends inside a % directive"};
      }
      switch (spec[i]) {
        case 'h':
        case 'a':
          field(Field::kClient);
          break;
        case 'v':
        case 'V':
          field(Field::kVhost);
          break;
        case 't':
          if (has_argument) {
            field(Field::kIgnore);
          } else {  // [10/Oct/2000:13:55:36 -0700]
            literal += '[';
            field(Field::kTime);
            literal += ']';
          }
          break;
        case 'r':
          field(Field::kRequest);
          break;
        case 'm':
          field(Field::kMethod);
          break;
        case 'U':
          field(Field::kPath);
          break;
        case 's':
          field(Field::kStatus);
          break;
        case 'b':
        case 'B':
        case 'O':
          field(Field::kBytes);
          break;
        case 'i':
          field(EqualsIgnoreCase(argument, "Referer")      ? Field::kReferer
                : EqualsIgnoreCase(argument, "User-Agent") ? Field::kUserAgent
                : EqualsIgnoreCase(argument, "Host")       ? Field::kHost
                                                           : Field::kScanned);
          break;
        case 'C':  // a cookie
        case 'u':  // the basic-auth user
        case 'q':  // the query string
          field(Field::kScanned);
          break;
        default:
          if (!std::isalpha(static_cast<unsigned char>(spec[i]))) {
            return Error{std::string("unknown directive %") + spec[i] + " in format"};
          }
          field(Field::kIgnore);
      }
    } else if (c == '$' && i + 1 < spec.size() &&
               (std::isalpha(static_cast<unsigned char>(spec[i + 1])) || spec[i + 1] == '{')) {
      // nginx: $name or ${name}
      std::size_t start = i + 1;
      std::size_t end = start;
      const bool braced = spec[start] == '{';
      if (braced) {
        end = spec.find('}', ++start);
        if (end == std::string_view::npos) {
          return Error{"unclosed ${ in format"};
        }
        i = end;
      } else {
        while (end < spec.size() &&
               (std::isalnum(static_cast<unsigned char>(spec[end])) || spec[end] == '_')) {
          ++end;
        }
        i = end - 1;
      }
      const std::string_view var = spec.substr(start, end - start);
      static constexpr std::array<std::pair<std::string_view, Field>, 16> kVars = {{
          {"remote_addr", Field::kClient},
          {"host", Field::kHost},
          {"http_host", Field::kHost},
          {"server_name", Field::kVhost},
          {"remote_user", Field::kScanned},
          {"args", Field::kScanned},
          {"query_string", Field::kScanned},
          {"request_uri", Field::kScanned},
          {"time_local", Field::kTime},
          {"request", Field::kRequest},
          {"request_method", Field::kMethod},
          {"uri", Field::kPath},
          {"status", Field::kStatus},
          {"body_bytes_sent", Field::kBytes},
          {"http_referer", Field::kReferer},
          {"http_user_agent", Field::kUserAgent},
      }};
      // Other request headers and cookies are the client's too.
      Field kind =
          var.starts_with("http_") || var.starts_with("cookie_") ? Field::kScanned : Field::kIgnore;
      for (const auto& [name, k] : kVars) {
        if (var == name) {
          kind = k;
        }
      }
      field(kind);
    } else {
      literal += c;
    }
  }
  if (f.tokens_.empty()) {
    return Error{"format has no % directive or $variable"};
  }
  f.tokens_.back().literal = std::move(literal);
  // A field between quotes may hold spaces and escaped quotes.
  const std::string* before = &f.prefix_;
  for (Token& t : f.tokens_) {
    t.quoted = !before->empty() && before->back() == '"' && t.literal.starts_with('"');
    before = &t.literal;
  }
  return f;
}

std::optional<Request> Format::Parse(std::string_view line) const {
  Request out;
  if (!LiteralAt(line, 0, prefix_)) {
    return std::nullopt;
  }
  // Shellshock and the literal Log4Shell lookup both hold a '{': one search of the line spares
  // nearly every line the search of each field.
  const bool braces = line.find('{') != std::string_view::npos;
  const auto scan = [&](std::string_view value, bool encoded) {
    if (braces || (encoded && value.find('%') != std::string_view::npos)) {
      out.probes |= static_cast<std::uint8_t>(FieldProbes(value, encoded));
    }
  };
  std::string_view target;  // the request line after the method, for the traversal check
  bool escaped = false;     // the request line holds a '%'
  std::size_t pos = prefix_.size();
  for (const Token& token : tokens_) {
    const std::string_view lit = token.literal;
    const bool quoted = token.quoted;
    std::size_t end;
    if (quoted) {
      end = QuotedEnd(line, pos);
    } else if (lit.empty() || lit[0] == ' ') {
      end = line.find(' ', pos);
    } else {
      end = line.find(lit[0], pos);
    }
    if (end == std::string_view::npos) {
      if (!lit.empty() || quoted) {
        return std::nullopt;
      }
      end = line.size();  // the last field runs to the end of the line
    }
    if (!LiteralAt(line, end, lit)) {
      return std::nullopt;
    }
    const std::string_view value = line.substr(pos, end - pos);
    // Unquoted values hold no space (found up to the first one when the literal starts with it).
    if (!quoted && token.field != Field::kTime && !lit.starts_with(' ') &&
        value.find(' ') != std::string_view::npos) {
      return std::nullopt;
    }
    switch (token.field) {
      case Field::kClient:
        out.client = value;
        break;
      case Field::kVhost:
        out.vhost = Dash(value);
        break;
      case Field::kTime:
        out.time = value;
        break;
      case Field::kRequest: {
        out.request = value;
        const auto sp = value.find(' ');
        out.method = ParseMethod(value.substr(0, sp));
        escaped = value.find('%') != std::string_view::npos;
        // The application %-decodes the target, so an encoded lookup counts there.
        if (braces || escaped) {
          out.probes |= static_cast<std::uint8_t>(FieldProbes(value, true));
        }
        if (sp != std::string_view::npos) {
          // The rest of the line, protocol included ("/a b HTTP/1.1"): finding where a target
          // with spaces ends would cost a backwards scan per line and tell the probe scan
          // nothing. The path runs to the first space or '?'.
          target = value.substr(sp + 1);
          out.path = target.substr(0, std::min(target.find(' '), target.find('?')));
        }
        break;
      }
      case Field::kMethod:
        out.method = ParseMethod(value);
        break;
      case Field::kPath:
        out.path = value.substr(0, value.find('?'));
        break;
      case Field::kStatus: {
        int status = 0;
        if (value.size() != 3 || !Digits(value, 0, 3, status) || status < 100 || status > 599) {
          return std::nullopt;
        }
        out.status = static_cast<std::uint16_t>(status);
        break;
      }
      case Field::kBytes:
        if (value != "-") {
          if (value.empty() || value.size() > 19) {
            return std::nullopt;
          }
          std::uint64_t bytes = 0;
          for (char c : value) {
            if (!IsDigit(c)) {
              return std::nullopt;
            }
            bytes = bytes * 10 + static_cast<std::uint64_t>(c - '0');
          }
          out.bytes = bytes;
        }
        break;
      // Headers reach an application (Log4j, bash) as sent: only literal signatures count.
      case Field::kReferer:
        out.referer = Dash(value);
        scan(value, false);
        break;
      case Field::kUserAgent:
        out.user_agent = Dash(value);
        scan(value, false);
        break;
      case Field::kHost:
        out.host = Dash(value);
        scan(value, false);
        break;
      case Field::kScanned:
        scan(value, true);  // a query string among them
        break;
      case Field::kIgnore:
        break;
    }
    pos = end + lit.size();
  }
  // %U's path when the format logs no request line.
  const bool has_target = !target.empty();
  if (Traversal(has_target ? target : out.path,
                has_target ? escaped : out.path.find('%') != std::string_view::npos)) {
    out.probes |= 1U << static_cast<int>(Probe::kPathTraversal);
  }
  return out;
}

std::vector<Format> DetectableFormats() {
  std::vector<Format> formats;
  for (std::string_view spec :
       {std::string_view("vhost_combined"),
        std::string_view(R"(%v %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i")"),
        std::string_view("combined"), std::string_view("common")}) {
    formats.push_back(*Format::Compile(spec));
  }
  return formats;
}

AutoFormat::AutoFormat() : formats_(DetectableFormats()), last_(2) {}

std::optional<Request> AutoFormat::TryAll(std::string_view line) {
  // common is a prefix of combined: after a common line, try combined first again.
  const std::size_t first = formats_[last_].spec() == "common" ? last_ - 1 : last_;
  if (auto r = formats_[first].Parse(line)) {
    last_ = first;
    return r;
  }
  for (std::size_t i = 0; i < formats_.size(); ++i) {
    if (i == first) {
      continue;
    }
    if (auto r = formats_[i].Parse(line)) {
      last_ = i;
      return r;
    }
  }
  return std::nullopt;
}

std::optional<Request> AutoFormat::Parse(std::string_view line) {
  if (auto r = TryAll(line)) {
    return r;
  }
  // A syslog-wrapped line: "Sep 15 16:13:46 host nginx[2869]: 81.150.104.130 - - [...".
  if (line.empty() || !(std::isupper(static_cast<unsigned char>(line[0])) || IsDigit(line[0]))) {
    return std::nullopt;
  }
  const auto colon = line.substr(0, 256).find(": ");
  if (colon == std::string_view::npos ||
      line.substr(0, colon).find('"') != std::string_view::npos) {
    return std::nullopt;
  }
  return TryAll(line.substr(colon + 2));
}

namespace {

char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }

// Whether `text` contains `needle` (lower case), ignoring ASCII case in `text`.
bool ContainsNoCase(std::string_view text, std::string_view needle) {
  if (needle.size() > text.size()) {
    return false;
  }
  for (std::size_t i = 0; i + needle.size() <= text.size(); ++i) {
    std::size_t j = 0;
    while (j < needle.size() && AsciiLower(text[i + j]) == needle[j]) {
      ++j;
    }
    if (j == needle.size()) {
      return true;
    }
  }
  return false;
}

// "() {" where bash would take it for a function definition: at the start of the value or after
// a separator ("x=() {"), not in code such as "function() {".
bool Shellshock(std::string_view s) {
  for (auto i = s.find("() {"); i != std::string_view::npos; i = s.find("() {", i + 1)) {
    if (i == 0 || !(std::isalnum(static_cast<unsigned char>(s[i - 1])) || s[i - 1] == '_')) {
      return true;
    }
  }
  return false;
}

bool Log4Shell(std::string_view s, bool encoded) {
  const auto dollar = s.find('$');
  if (dollar != std::string_view::npos &&
      (ContainsNoCase(s.substr(dollar), "${jndi:") || s.find("${${") != std::string_view::npos)) {
    return true;
  }
  const auto percent = encoded ? s.find('%') : std::string_view::npos;
  return percent != std::string_view::npos && ContainsNoCase(s.substr(percent), "%24%7bjndi");
}

// The Shellshock and Log4Shell bits of one field; `encoded`: the field is %-decoded before use
// (a URL, a query), so "%24%7Bjndi:" counts too. Called only for a field that holds a '{' (both
// signatures have one) or, encoded, a '%'.
std::uint32_t FieldProbes(std::string_view s, bool encoded) {
  return (Shellshock(s) ? 1U << static_cast<int>(Probe::kShellshock) : 0U) |
         (Log4Shell(s, encoded) ? 1U << static_cast<int>(Probe::kLog4Shell) : 0U);
}

// A ".." between separators ('/' or '\\'), or after one at the end of the target (the end of
// the text, or the space before the protocol). Searched by its first '.', with no comparison call
// per dot of "index.html HTTP/1.1".
bool DotDotSegment(std::string_view s) {
  const auto separator = [](char c) { return c == '/' || c == '\\'; };
  for (auto i = s.find('.'); i != std::string_view::npos && i + 1 < s.size();
       i = s.find('.', i + 1)) {
    if (s[i + 1] != '.') {
      ++i;  // no ".." starts at i + 1 either
      continue;
    }
    if (i > 0 && separator(s[i - 1]) &&
        (i + 2 == s.size() || separator(s[i + 2]) || s[i + 2] == ' ')) {
      return true;
    }
  }
  return false;
}

// A ".." segment in the request target, as logged or once or twice %-decoded: servers that
// decoded twice (Apache 2.4.50, CVE-2021-42013) ran ".%%32%65" as "..". `escaped`: the target
// may hold a '%'.
bool Traversal(std::string_view request, bool escaped) {
  if (DotDotSegment(request)) {
    return true;
  }
  if (!escaped) {
    return false;
  }
  // Only escapes of '.', '/' or '\\' (%2x, %5x), of '%' itself (%25) and double encodings
  // ("%%32%65") can hide one: most targets have none of them.
  std::size_t percent = std::string_view::npos;
  for (auto i = request.find('%'); i != std::string_view::npos; i = request.find('%', i + 1)) {
    const char next = i + 1 < request.size() ? request[i + 1] : '\0';
    if (next == '2' || next == '5' || next == '%') {
      percent = i;
      break;
    }
  }
  if (percent == std::string_view::npos) {
    return false;
  }
  std::array<char, 2048> buffer;  // the start of a long target is where a traversal is
  const std::size_t start = percent > 4 ? percent - 4 : 0;
  std::size_t n = std::min(buffer.size(), request.size() - start);
  std::copy_n(request.data() + start, n, buffer.data());
  for (int round = 0; round < 2; ++round) {
    n = text::PercentDecodeInPlace(buffer.data(), n);
    if (DotDotSegment(std::string_view(buffer.data(), n))) {
      return true;
    }
  }
  return false;
}

}  // namespace

const char* ProbeName(Probe p) {
  static constexpr const char* kNames[kProbeCount] = {"shellshock", "log4shell", "path_traversal"};
  return kNames[static_cast<int>(p)];
}

bool IsPingback(std::string_view ua) {
  // WordPress's other fetches (wp-cron and REST loopbacks, Site Health, oEmbed) carry
  // "WordPress/x; url" too; only the verifier says what it verifies.
  return ua.starts_with("WordPress/") &&
         ua.find("; verifying pingback from ") != std::string_view::npos;
}

bool PathMatches(std::string_view path, const std::vector<std::string>& suffixes) {
  for (const auto& s : suffixes) {
    if (path.ends_with(s)) {
      return true;
    }
  }
  return false;
}

std::optional<std::int64_t> ParseTime(std::string_view t) {
  // 10/Oct/2000:13:55:36 -0700
  int day = 0;
  int year = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int zone = 0;
  if (t.size() != 26 || t[2] != '/' || t[6] != '/' || t[11] != ':' || t[14] != ':' ||
      t[17] != ':' || t[20] != ' ' || (t[21] != '+' && t[21] != '-') || !Digits(t, 0, 2, day) ||
      !Digits(t, 7, 4, year) || !Digits(t, 12, 2, hour) || !Digits(t, 15, 2, minute) ||
      !Digits(t, 18, 2, second) || !Digits(t, 22, 4, zone)) {
    return std::nullopt;
  }
  const unsigned month = MonthNumber(t.substr(3, 3));
  if (month == 0 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60 ||
      !PlausibleLogYear(year)) {
    return std::nullopt;
  }
  const std::int64_t offset = (zone / 100 * 3600 + zone % 100 * 60) * (t[21] == '-' ? -1 : 1);
  return DaysFromCivil(year, month, static_cast<unsigned>(day)) * 86400 + hour * 3600 +
         minute * 60 + second - offset;
}

}  // namespace edgewatch::access_log
