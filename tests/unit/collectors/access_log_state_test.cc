#include "collectors/access_log_state.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace edgewatch {
namespace {

using access_log::Method;
using access_log::Request;

constexpr std::int64_t kSecond = 1'000'000'000;

Request Req(Method method, std::string_view path, std::uint16_t status, std::uint64_t bytes = 0,
            std::string_view user_agent = "") {
  Request r;
  r.method = method;
  r.path = path;
  r.status = status;
  r.bytes = bytes;
  r.user_agent = user_agent;
  return r;
}

// The parser finds probes (see AccessLogCollectorTest.SignaturesInEveryField); `r` as it would
// have parsed a line carrying `probe`.
Request Probed(Request r, access_log::Probe probe) {
  r.probes |= static_cast<std::uint8_t>(1U << static_cast<int>(probe));
  return r;
}

AccessLogSettings Settings() {
  AccessLogSettings s;
  s.xmlrpc_paths = {"/xmlrpc.php"};
  s.wp_login_paths = {"/wp-login.php"};
  s.top_k = 2;
  s.window_ns = 60 * kSecond;
  return s;
}

TEST(AccessLogStatsTest, CountsByMethodAndCodeAndTellsWhichPathsRankClients) {
  AccessLogStats stats(Settings());
  EXPECT_TRUE(stats.Add(Req(Method::kPost, "/blog/xmlrpc.php", 200, 370)).RanksClient());
  EXPECT_TRUE(stats.Add(Req(Method::kPost, "/wp-login.php", 302, 10)).RanksClient());
  EXPECT_FALSE(stats.Add(Req(Method::kGet, "/", 404, 196)).RanksClient());
  EXPECT_FALSE(stats
                   .Add(Req(Method::kGet, "/", 200, 0,
                            "WordPress/6.4.2; https://blog.example; verifying pingback from "
                            "192.0.2.200"))
                   .RanksClient());
  // WordPress's own loopbacks and fetches (wp-cron, Site Health, REST, oEmbed) are no pingbacks.
  EXPECT_FALSE(
      stats.Add(Req(Method::kPost, "/wp-cron.php", 200, 0, "WordPress/6.4.2; https://blog.example"))
          .RanksClient());
  EXPECT_FALSE(stats
                   .Add(Req(Method::kGet, "/wp-json/wp/v2/types/post", 200, 0,
                            "WordPress/6.4.2; https://blog.example"))
                   .RanksClient());
  const auto post = static_cast<std::size_t>(Method::kPost);
  const auto get = static_cast<std::size_t>(Method::kGet);
  EXPECT_EQ(stats.requests()[post][200 - 100], 2u);
  EXPECT_EQ(stats.requests()[get][404 - 100], 1u);
  EXPECT_EQ(stats.requests()[get][200 - 100], 2u);
  EXPECT_EQ(stats.xmlrpc()[post][200 - 100], 1u);
  EXPECT_EQ(stats.wp_login()[post][302 - 100], 1u);
  EXPECT_EQ(stats.response_bytes(), 370u + 10 + 196);
  EXPECT_EQ(stats.pingbacks(), 1u);
}

// Scanners probe every internet host; only a probe answered 2xx may have worked.
TEST(AccessLogStatsTest, ProbesAnsweredWithSuccessAreCountedApart) {
  AccessLogStats stats(Settings());
  for (const int status : {404, 200, 302, 500}) {
    stats.Add(Probed(Req(Method::kGet, "/cgi-bin/status", static_cast<std::uint16_t>(status)),
                     access_log::Probe::kShellshock));
  }
  const auto& shellshock = stats.probes()[static_cast<std::size_t>(access_log::Probe::kShellshock)];
  EXPECT_EQ(shellshock, (std::array<std::uint64_t, 5>{0, 1, 1, 1, 1}));  // 1xx ... 5xx
}

// Every request target below runs /xmlrpc.php (or wp-login.php) on Apache; see ResolvePathTest.
TEST(AccessLogStatsTest, ScriptsAreMatchedAsApacheResolvesTheirPath) {
  AccessLogStats stats(Settings());
  for (const char* path : {"/xmlrpc.php/", "/xmlrpc%2Ephp", "/%78mlrpc.php", "//xmlrpc.php",
                           "http://blog.example/xmlrpc.php", "/blog/../xmlrpc.php"}) {
    EXPECT_TRUE(stats.Add(Req(Method::kPost, path, 200)).RanksClient()) << path;
  }
  EXPECT_TRUE(stats.Add(Req(Method::kPost, "//wp-login.php/x", 200)).RanksClient());
  for (const char* path : {"/xmlrpc.php.bak", "/", "/xmlrpc.phps"}) {
    EXPECT_FALSE(stats.Add(Req(Method::kPost, path, 200)).RanksClient()) << path;
  }
  const auto post = static_cast<std::size_t>(Method::kPost);
  EXPECT_EQ(stats.xmlrpc()[post][200 - 100], 6u);
  EXPECT_EQ(stats.wp_login()[post][200 - 100], 1u);
}

TEST(AccessLogStatsTest, TopClientsAreBoundedAndLeaveTheWindow) {
  AccessLogStats stats(Settings());
  for (int i = 0; i < 5; ++i) {
    stats.AddTopClient("203.0.113.10", i * kSecond);
  }
  for (int i = 0; i < 3; ++i) {
    stats.AddTopClient("203.0.113.11", i * kSecond);
  }
  stats.AddTopClient("198.51.100.1", 0);
  auto top = stats.TopClients(10 * kSecond).entries;
  ASSERT_EQ(top.size(), 2u);  // top_k
  EXPECT_EQ(top[0].first.view(), "203.0.113.10");
  EXPECT_EQ(top[0].second, 5u);
  EXPECT_EQ(top[1].first.view(), "203.0.113.11");
  EXPECT_TRUE(stats.TopClients(200 * kSecond).entries.empty());  // long after the 60 s window
}

TEST(SiteKeyTest, LowerCaseWithoutThePort) {
  EXPECT_EQ(SiteKeyOf("Blog.Example.ORG").view(), "blog.example.org");
  EXPECT_EQ(SiteKeyOf("blog.example:8080").view(), "blog.example");
  EXPECT_EQ(SiteKeyOf("[2001:DB8::1]:443").view(), "[2001:db8::1]");
  EXPECT_EQ(SiteKeyOf("[2001:db8::1]").view(), "[2001:db8::1]");
  EXPECT_EQ(SiteKeyOf("2001:db8::1").view(), "2001:db8::1");
  EXPECT_EQ(SiteKeyOf("").view(), "");
  EXPECT_EQ(SiteKeyOf(std::string(300, 'a')).view().size(), 96u);
}

TEST(AccessLogStatsTest, SitesAreRankedByKind) {
  AccessLogStats stats(Settings());
  const auto blog = SiteKeyOf("blog.example");
  const auto shop = SiteKeyOf("shop.example");
  for (int i = 0; i < 3; ++i) {
    stats.AddSite(blog, stats.Add(Req(Method::kPost, "/xmlrpc.php", 200)), 0);
  }
  stats.AddSite(shop, stats.Add(Req(Method::kGet, "/xmlrpc.php", 405)), 0);
  stats.AddSite(shop, stats.Add(Req(Method::kPost, "/wp-login.php", 200)), 0);
  stats.AddSite(shop,
                stats.Add(Probed(Req(Method::kGet, "/x", 404), access_log::Probe::kShellshock)), 0);
  const auto names = [&](SiteKind kind) {
    std::vector<std::pair<std::string, std::uint64_t>> out;
    for (const auto& [site, n] : stats.TopSites(kind, kSecond).entries) {
      out.emplace_back(site.view(), n);
    }
    return out;
  };
  using V = std::vector<std::pair<std::string, std::uint64_t>>;
  EXPECT_EQ(names(SiteKind::kAll), (V{{"blog.example", 3}, {"shop.example", 3}}));
  EXPECT_EQ(names(SiteKind::kXmlrpc), (V{{"blog.example", 3}}));
  EXPECT_EQ(names(SiteKind::kWpLogin), (V{{"shop.example", 1}}));
  EXPECT_EQ(names(SiteKind::kProbe), (V{{"shop.example", 1}}));
  EXPECT_TRUE(stats.TopSites(SiteKind::kAll, 600 * kSecond).entries.empty());  // window passed
}

TEST(ClientKeyTest, KeepsAnIpv6AddressAndCutsLongerText) {
  EXPECT_EQ(ClientKey::From("2001:db8::77").view(), "2001:db8::77");
  EXPECT_EQ(ClientKey::From("").view(), "");
  const std::string long_text(200, 'x');
  EXPECT_LT(ClientKey::From(long_text).view().size(), long_text.size());
}

}  // namespace
}  // namespace edgewatch
