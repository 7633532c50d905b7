#include "parsers/access_log/access_log.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "testutil/testdata.h"

namespace edgewatch::access_log {
namespace {

Format Compiled(std::string_view spec) {
  auto f = Format::Compile(spec);
  EXPECT_TRUE(f) << f.error().message;
  return f ? *f : *Format::Compile("common");
}

// Parses `line` into `out`, to keep the cases below short.
template <typename Parser>
bool Into(Parser&& parser, std::string_view line, Request& out) {
  const auto r = parser.Parse(line);
  if (r) {
    out = *r;
  }
  return r.has_value();
}

struct Tally {
  int lines = 0;  // non-empty
  int parsed = 0;
  int post = 0;
  int wp_login = 0;
  int xmlrpc = 0;
  int status_404 = 0;
};

Tally TallyFile(const std::string& name) {
  std::ifstream in(testing::TestData("access_log/" + name));
  EXPECT_TRUE(in.good()) << name;
  AutoFormat parser;
  Tally t;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) {
      continue;
    }
    ++t.lines;
    Request r;
    if (!Into(parser, line, r)) {
      continue;
    }
    ++t.parsed;
    t.post += r.method == Method::kPost;
    t.wp_login += r.path.ends_with("/wp-login.php");
    t.xmlrpc += r.path.ends_with("/xmlrpc.php");
    t.status_404 += r.status == 404;
  }
  return t;
}

// Expected numbers: the corpus README, and for "parsed" and 404s an independent count with grep
// (a combined/common regular expression, `grep -c '" 404 '`), written here.
TEST(AccessLogCorpusTest, ElasticApacheCombinedBaseline) {
  const Tally t = TallyFile("elastic-examples-apache_logs.log");
  EXPECT_EQ(t.lines, 10000);
  EXPECT_EQ(t.parsed, 10000);
  EXPECT_EQ(t.post, 5);
  EXPECT_EQ(t.wp_login, 12);
  EXPECT_EQ(t.xmlrpc, 0);
  EXPECT_EQ(t.status_404, 213);
}

TEST(AccessLogCorpusTest, SyslogWrappedNginxWordPressBruteForce) {
  const Tally t = TallyFile("crowdsec-http-bf-wordpress-bf.log");
  EXPECT_EQ(t.lines, 9);  // and one empty line
  EXPECT_EQ(t.parsed, 9);
  EXPECT_EQ(t.post, 9);
  EXPECT_EQ(t.wp_login, 9);
}

TEST(AccessLogCorpusTest, MixedApacheFormats) {
  // combined, common, vhost with and without port, and two error-log lines.
  const Tally t = TallyFile("crowdsec-apache2-logs.log");
  EXPECT_EQ(t.lines, 9);
  EXPECT_EQ(t.parsed, 7);
  EXPECT_EQ(t.post, 1);
}

TEST(AccessLogCorpusTest, MixedNginxForms) {
  // One line lacks the user field, one is an error-log line.
  const Tally t = TallyFile("crowdsec-nginx_http-logs.log");
  EXPECT_EQ(t.lines, 9);
  EXPECT_EQ(t.parsed, 7);
  EXPECT_EQ(t.post, 0);
}

TEST(AccessLogCorpusTest, WordPressScansAndUserEnumeration) {
  const Tally scan = TallyFile("crowdsec-http-wordpress-scan.log");
  EXPECT_EQ(scan.lines, 8);
  EXPECT_EQ(scan.parsed, 8);
  EXPECT_EQ(scan.status_404, 8);
  EXPECT_EQ(scan.post + scan.wp_login + scan.xmlrpc, 0);
  const Tally enumeration = TallyFile("crowdsec-http-wordpress_user-enum.log");
  EXPECT_EQ(enumeration.lines, 12);
  EXPECT_EQ(enumeration.parsed, 12);
  EXPECT_EQ(enumeration.post + enumeration.wp_login + enumeration.xmlrpc, 0);
}

TEST(AccessLogCorpusTest, NetdataCommonLogWithGarbage) {
  const Tally t = TallyFile("netdata-weblog-common.log");
  EXPECT_EQ(t.lines, 500);   // 499 newlines and a last line without one
  EXPECT_EQ(t.parsed, 456);  // 44 "Unmatched!" lines
  EXPECT_EQ(t.post, 154);
}

TEST(AccessLogFormatTest, CombinedFields) {
  const Format f = Compiled("combined");
  Request r;
  ASSERT_TRUE(Into(
      f,
      R"(2001:db8::1 - frank [10/Oct/2000:13:55:36 -0700] "POST /blog/xmlrpc.php?rsd HTTP/1.1" 200 2326 "-" "WordPress/6.4.2; https://example.org; verifying pingback from 203.0.113.9")",
      r));
  EXPECT_EQ(r.client, "2001:db8::1");
  EXPECT_EQ(r.time, "10/Oct/2000:13:55:36 -0700");
  EXPECT_EQ(r.method, Method::kPost);
  EXPECT_EQ(r.path, "/blog/xmlrpc.php");
  EXPECT_EQ(r.request, "POST /blog/xmlrpc.php?rsd HTTP/1.1");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.bytes, 2326u);
  EXPECT_EQ(r.referer, "");  // "-"
  EXPECT_EQ(r.user_agent,
            "WordPress/6.4.2; https://example.org; verifying pingback from 203.0.113.9");
}

TEST(AccessLogFormatTest, EscapedQuotesDashBytesAndTrailingFields) {
  const Format f = Compiled("combined");
  Request r;
  ASSERT_TRUE(Into(
      f,
      R"(192.0.2.7 - - [01/Jan/2024:00:00:00 +0000] "GET /a\"b HTTP/1.1" 304 - "-" "() { :; }; /bin/bash -c \"id\"" 1234 extra.example)",
      r));
  EXPECT_EQ(r.path, R"(/a\"b)");
  EXPECT_EQ(r.status, 304);
  EXPECT_EQ(r.bytes, 0u);
  EXPECT_EQ(r.user_agent, R"(() { :; }; /bin/bash -c \"id\")");
}

TEST(AccessLogFormatTest, RejectsBadStatusBytesAndTruncatedLines) {
  const Format f = Compiled("combined");
  Request r;
  const std::string ok =
      R"(1.2.3.4 - - [01/Jan/2024:00:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "x")";
  EXPECT_TRUE(Into(f, ok, r));
  for (std::size_t cut = 0; cut < ok.size() - 1; ++cut) {
    EXPECT_FALSE(Into(f, std::string_view(ok).substr(0, cut), r)) << cut;
  }
  EXPECT_FALSE(
      Into(f, R"(1.2.3.4 - - [01/Jan/2024:00:00:00 +0000] "GET / HTTP/1.1" 2000 5 "-" "x")", r));
  EXPECT_FALSE(
      Into(f, R"(1.2.3.4 - - [01/Jan/2024:00:00:00 +0000] "GET / HTTP/1.1" 099 5 "-" "x")", r));
  EXPECT_FALSE(
      Into(f, R"(1.2.3.4 - - [01/Jan/2024:00:00:00 +0000] "GET / HTTP/1.1" 200 5k "-" "x")", r));
}

TEST(AccessLogFormatTest, GarbageRequestLineStillCounts) {
  const Format f = Compiled("combined");
  Request r;
  ASSERT_TRUE(
      Into(f, R"(1.2.3.4 - - [01/Jan/2024:00:00:00 +0000] "\x16\x03\x01" 400 226 "-" "-")", r));
  EXPECT_EQ(r.method, Method::kOther);
  EXPECT_EQ(r.path, "");
  EXPECT_EQ(r.status, 400);
}

TEST(AccessLogFormatTest, CustomApacheLogFormat) {
  const Format f = Compiled(
      R"(%a %{X-Forwarded-For}i %u %t \"%m %U%q %H\" %>s %B %D %{ms}T \"%{User-agent}i\" %v)");
  Request r;
  ASSERT_TRUE(Into(
      f,
      R"(198.51.100.4 203.0.113.1 - [05/Mar/2021:09:01:38 +0100] "POST /wp-login.php?x=1 HTTP/2.0" 302 0 5123 5 "curl/8.0" www.example.org)",
      r));
  EXPECT_EQ(r.client, "198.51.100.4");
  EXPECT_EQ(r.method, Method::kPost);
  EXPECT_EQ(r.path, "/wp-login.php");
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(r.user_agent, "curl/8.0");
  EXPECT_EQ(r.vhost, "www.example.org");
}

TEST(AccessLogFormatTest, NginxVariables) {
  const Format f = Compiled(
      R"($remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" rt=$request_time host=$host)");
  Request r;
  ASSERT_TRUE(Into(
      f,
      R"(10.0.0.1 - - [15/Sep/2021:16:13:46 +0000] "PATCH /x HTTP/1.1" 499 0 "-" "ua" rt=0.001 host=a.example)",
      r));
  EXPECT_EQ(r.method, Method::kPatch);
  EXPECT_EQ(r.status, 499);
  // nginx's $host is the client's Host (else the server name): the site, client-chosen.
  EXPECT_EQ(r.host, "a.example");
  EXPECT_EQ(r.site(), "a.example");
  EXPECT_EQ(r.time, "15/Sep/2021:16:13:46 +0000");
  EXPECT_TRUE(Into(Compiled("nginx_combined"),
                   R"(10.0.0.1 - - [15/Sep/2021:16:13:46 +0000] "GET / HTTP/1.1" 200 1 "-" "ua")",
                   r));
}

TEST(AccessLogFormatTest, CompileErrors) {
  EXPECT_EQ(Format::Compile("plain text").error().message,
            "format has no % directive or $variable");
  EXPECT_EQ(Format::Compile("%h %{Referer").error().message, "unclosed %{ in format");
  EXPECT_EQ(Format::Compile("%h %").error().message, "format ends in a lone %");
  EXPECT_EQ(Format::Compile("%h %?").error().message, "unknown directive %? in format");
}

TEST(AccessLogFormatTest, MethodsNormalised) {
  EXPECT_EQ(ParseMethod("GET"), Method::kGet);
  EXPECT_EQ(ParseMethod("OPTIONS"), Method::kOptions);
  EXPECT_EQ(ParseMethod("CONNECT"), Method::kConnect);
  EXPECT_EQ(ParseMethod("get"), Method::kOther);
  EXPECT_EQ(ParseMethod("PROPFIND"), Method::kOther);
  EXPECT_STREQ(MethodName(Method::kOther), "OTHER");
}

TEST(AccessLogFormatTest, AutoFormatFollowsMixedLines) {
  AutoFormat parser;
  Request r;
  ASSERT_TRUE(
      Into(parser, R"(1.2.3.4 - - [01/Jan/2024:00:00:00 +0000] "GET / HTTP/1.1" 200 5)", r));
  EXPECT_EQ(r.user_agent, "");
  // After a common line, a combined one still gets its user agent.
  ASSERT_TRUE(Into(
      parser, R"(1.2.3.4 - - [01/Jan/2024:00:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "agent")", r));
  EXPECT_EQ(r.user_agent, "agent");
  ASSERT_TRUE(Into(
      parser,
      R"(www.example.org:443 1.2.3.4 - - [01/Jan/2024:00:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "a")",
      r));
  EXPECT_EQ(r.vhost, "www.example.org");
  EXPECT_EQ(r.client, "1.2.3.4");
  EXPECT_FALSE(Into(parser, "[Thu Oct 13 12:24:49.880562 2022] [auth_basic:error] AH01618", r));
}

TEST(AccessLogTimeTest, ParsesOffsets) {
  // date -d '2000-10-10 13:55:36 -0700' +%s
  EXPECT_EQ(ParseTime("10/Oct/2000:13:55:36 -0700"), 971211336);
  // date -d '2015-05-17 10:05:03 +0000' +%s
  EXPECT_EQ(ParseTime("17/May/2015:10:05:03 +0000"), 1431857103);
  EXPECT_FALSE(ParseTime("17/Mai/2015:10:05:03 +0000"));
  EXPECT_FALSE(ParseTime("17/May/2015:10:05:03"));
  EXPECT_FALSE(ParseTime("1x/May/2015:10:05:03 +0000"));
  EXPECT_FALSE(ParseTime("17/May/9999:10:05:03 +0000"));  // its nanoseconds overflow an int64
}

}  // namespace
}  // namespace edgewatch::access_log
