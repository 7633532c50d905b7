#include "config/values.h"

#include <gtest/gtest.h>

namespace edgewatch {
namespace {

using std::chrono::milliseconds;

TEST(DurationTest, ParsesPrometheusSyntax) {
  EXPECT_EQ(*ParseDuration("500ms"), milliseconds(500));
  EXPECT_EQ(*ParseDuration("10s"), milliseconds(10'000));
  EXPECT_EQ(*ParseDuration("1m"), milliseconds(60'000));
  EXPECT_EQ(*ParseDuration("1h30m"), milliseconds(5'400'000));
  EXPECT_EQ(*ParseDuration("1d"), milliseconds(86'400'000));
  EXPECT_EQ(*ParseDuration("2w"), milliseconds(1'209'600'000));
  EXPECT_EQ(*ParseDuration("1y"), milliseconds(31'536'000'000));
  EXPECT_EQ(*ParseDuration("1m30s250ms"), milliseconds(90'250));
  EXPECT_EQ(*ParseDuration("0s"), milliseconds(0));
}

TEST(DurationTest, RejectsOtherForms) {
  for (const char* bad : {"", "10", "s", "-1s", "1.5s", "10 s", "10sec", "30s1m", "1s1s", "1x"}) {
    auto d = ParseDuration(bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_EQ(
        d.error().message,
        std::string("expected a duration such as 500ms, 10s, 1m or 1h30m, got \"") + bad + "\"");
  }
  EXPECT_EQ(ParseDuration("999999999999y").error().message,
            "duration \"999999999999y\" is too large");
  // 300y passed check-config and then overflowed every deadline (kept in nanoseconds).
  EXPECT_EQ(*ParseDuration("10y"), milliseconds(315'360'000'000));
  EXPECT_EQ(ParseDuration("300y").error().message,
            "durations are at most 10y (deadlines are kept in nanoseconds), got \"300y\"");
  EXPECT_FALSE(ParseDuration("10y1ms").ok());
}

TEST(DurationTest, Formats) {
  EXPECT_EQ(FormatDuration(milliseconds(5'400'000)), "1h30m");
  EXPECT_EQ(FormatDuration(milliseconds(1500)), "1s500ms");
  EXPECT_EQ(FormatDuration(milliseconds(0)), "0s");
}

TEST(IpAddressTest, ParsesBothFamilies) {
  auto v4 = ParseIpAddress("192.0.2.1");
  ASSERT_TRUE(v4.ok());
  EXPECT_FALSE(v4->v6);
  EXPECT_EQ(v4->bytes[0], 192);
  EXPECT_EQ(v4->bytes[3], 1);
  auto v6 = ParseIpAddress("2001:db8::1");
  ASSERT_TRUE(v6.ok());
  EXPECT_TRUE(v6->v6);
  EXPECT_EQ(v6->bytes[1], 0x01);
  EXPECT_EQ(v6->bytes[15], 0x01);
  EXPECT_EQ(net::FormatAddress(*v6), "2001:db8::1");
  EXPECT_EQ(ParseIpAddress("192.0.2.256").error().message,
            "expected an IPv4 or IPv6 address, got \"192.0.2.256\"");
  EXPECT_FALSE(ParseIpAddress("example.com").ok());
  EXPECT_FALSE(ParseIpAddress("[::1]").ok());
}

TEST(CidrTest, ParsesAndMatches) {
  auto net = ParseCidr("192.0.2.0/24");
  ASSERT_TRUE(net.ok()) << net.error().message;
  EXPECT_TRUE(net->Contains(*ParseIpAddress("192.0.2.77")));
  EXPECT_FALSE(net->Contains(*ParseIpAddress("192.0.3.1")));
  EXPECT_FALSE(net->Contains(*ParseIpAddress("::ffff:192.0.2.1")));

  auto odd = ParseCidr("10.128.0.0/9");
  ASSERT_TRUE(odd.ok());
  EXPECT_TRUE(odd->Contains(*ParseIpAddress("10.255.1.1")));
  EXPECT_FALSE(odd->Contains(*ParseIpAddress("10.127.1.1")));

  auto v6 = ParseCidr("2001:db8::/32");
  ASSERT_TRUE(v6.ok());
  EXPECT_TRUE(v6->Contains(*ParseIpAddress("2001:db8:ffff::1")));
  EXPECT_FALSE(v6->Contains(*ParseIpAddress("2001:db9::1")));

  auto host = ParseCidr("198.51.100.7");
  ASSERT_TRUE(host.ok());
  EXPECT_EQ(host->length, 32);
  EXPECT_TRUE(ParseCidr("0.0.0.0/0")->Contains(*ParseIpAddress("203.0.113.9")));
}

TEST(CidrTest, RejectsBadInput) {
  EXPECT_EQ(ParseCidr("192.0.2.1/24").error().message,
            "CIDR \"192.0.2.1/24\" has host bits set; did you mean 192.0.2.0/24?");
  EXPECT_EQ(ParseCidr("192.0.2.0/33").error().message,
            "expected a CIDR such as 192.0.2.0/24 or 2001:db8::/32, got \"192.0.2.0/33\"");
  EXPECT_FALSE(ParseCidr("2001:db8::/129").ok());
  EXPECT_FALSE(ParseCidr("192.0.2.0/").ok());
  EXPECT_FALSE(ParseCidr("192.0.2.0/2x").ok());
  EXPECT_FALSE(ParseCidr("lan").ok());
}

TEST(UrlTest, ParsesHttpAndHttps) {
  auto u = ParseUrl("http://127.0.0.1:8080/server-status?auto");
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->scheme, "http");
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->target, "/server-status?auto");

  auto s = ParseUrl("https://www.example.com");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->port, 443);
  EXPECT_EQ(s->target, "/");

  auto v6 = ParseUrl("http://[::1]:81/nginx_status");
  ASSERT_TRUE(v6.ok()) << v6.error().message;
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 81);
}

TEST(UrlTest, RejectsBadInput) {
  EXPECT_EQ(ParseUrl("ftp://example.com/").error().message,
            "expected an http:// or https:// URL, got \"ftp://example.com/\"");
  EXPECT_EQ(ParseUrl("http://user:pw@example.com/").error().message,
            "credentials in URL \"http://user:pw@example.com/\" are not supported; use "
            "basic_auth");
  EXPECT_EQ(ParseUrl("http://example.com:99999/").error().message,
            "expected a port number 0-65535 in \"http://example.com:99999/\"");
  EXPECT_FALSE(ParseUrl("http:///path").ok());
  EXPECT_FALSE(ParseUrl("http://[::1/").ok());
  EXPECT_FALSE(ParseUrl("http://example.com:/").ok());
}

TEST(ListenAddressTest, ParsesForms) {
  auto any = ParseListenAddress(":10123");
  ASSERT_TRUE(any.ok());
  EXPECT_EQ(any->host, "");
  EXPECT_EQ(any->port, 10123);
  auto v4 = ParseListenAddress("127.0.0.1:0");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 0);
  auto v6 = ParseListenAddress("[::1]:9100");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_TRUE(ParseListenAddress("localhost:9100").ok());
}

TEST(ListenAddressTest, RejectsBadInput) {
  EXPECT_EQ(ParseListenAddress("10123").error().message,
            "expected a listen address such as :10123, 127.0.0.1:10123 or [::1]:10123, got "
            "\"10123\"");
  EXPECT_FALSE(ParseListenAddress("::1:9100").ok());
  EXPECT_FALSE(ParseListenAddress("host.example:9100").ok());
  EXPECT_FALSE(ParseListenAddress("[127.0.0.1]:9100").ok());
  EXPECT_EQ(ParseListenAddress(":70000").error().message,
            "expected a port number 0-65535 in \":70000\"");
}

}  // namespace
}  // namespace edgewatch
