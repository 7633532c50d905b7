#include "parsers/access_log/request_path.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace edgewatch::access_log {
namespace {

std::string Resolved(std::string_view target) {
  std::array<char, 256> scratch{};
  return std::string(ResolvePath(target, scratch));
}

// Every form below runs /xmlrpc.php on Apache 2.4 (tests/integration/test_access_log.py sends
// them to a real one and sees its script run).
TEST(ResolvePathTest, FormsApacheRunsAsTheScript) {
  for (std::string_view target :
       {"/xmlrpc.php", "/xmlrpc.php/", "/xmlrpc.php/anything/else", "/xmlrpc%2Ephp",
        "/xmlrpc%2ephp", "/%78mlrpc.php", "/%78%6D%6C%72%70%63%2E%70%68%70", "//xmlrpc.php",
        "///xmlrpc.php", "/./xmlrpc.php", "/wp/../xmlrpc.php", "/../xmlrpc.php", "/%2e/xmlrpc.php",
        "/%2E%2E/xmlrpc.php", "http://example.org/xmlrpc.php",
        "HTTPS://example.org:8443//xmlrpc.php?x=1", "/xmlrpc.php?rsd", "/xmlrpc.php#top"}) {
    EXPECT_EQ(Resolved(target), "/xmlrpc.php") << target;
  }
}

TEST(ResolvePathTest, OtherScriptsAndNonScriptsStayApart) {
  EXPECT_EQ(Resolved("/xmlrpc.php.bak"), "/xmlrpc.php.bak");
  EXPECT_EQ(Resolved("/?from=xmlrpc.php"), "/");
  EXPECT_EQ(Resolved("/index.php?p=/xmlrpc.php"), "/index.php");
  EXPECT_EQ(Resolved("/blog/xmlrpc.php"), "/blog/xmlrpc.php");
  EXPECT_EQ(Resolved("/xmlrpc.phpx/"), "/xmlrpc.phpx/");
  // An encoded '/' is not decoded: Apache refuses it (AllowEncodedSlashes Off), it runs nothing.
  EXPECT_EQ(Resolved("/a%2Fxmlrpc.php"), "/a%2Fxmlrpc.php");
  // Reserved and non-ASCII escapes stay encoded.
  EXPECT_EQ(Resolved("/caf%C3%A9/%3F"), "/caf%C3%A9/%3F");
}

TEST(ResolvePathTest, DotSegmentsAndSlashes) {
  EXPECT_EQ(Resolved("/a/b/../c"), "/a/c");
  EXPECT_EQ(Resolved("/a/./b/."), "/a/b/");
  EXPECT_EQ(Resolved("/a/.."), "/");
  EXPECT_EQ(Resolved("/.."), "/");
  EXPECT_EQ(Resolved("/../../etc/passwd"), "/etc/passwd");
  EXPECT_EQ(Resolved("/a//b///"), "/a/b/");
  EXPECT_EQ(Resolved("/.well-known/x"), "/.well-known/x");
  EXPECT_EQ(Resolved("/a/..b/c"), "/a/..b/c");
  EXPECT_EQ(Resolved("http://host"), "/");
}

TEST(ResolvePathTest, OddTargetsAreLeftAlone) {
  EXPECT_EQ(Resolved(""), "");
  EXPECT_EQ(Resolved("*"), "*");
  EXPECT_EQ(Resolved("/x%2"), "/x%2");
  EXPECT_EQ(Resolved("/x%zz"), "/x%zz");
  EXPECT_EQ(Resolved("/%"), "/%");
}

TEST(ResolvePathTest, UnchangedPathsAreNotCopied) {
  std::array<char, 64> scratch{};
  const std::string_view target = "/wp-login.php?action=lostpassword";
  const auto path = ResolvePath(target, scratch);
  EXPECT_EQ(path, "/wp-login.php");
  EXPECT_EQ(path.data(), target.data());
}

TEST(ResolvePathTest, LongPathsAreCutToTheScratch) {
  std::array<char, 8> scratch{};
  const auto path = ResolvePath("//aaaaaaaaaaaaaaaa", scratch);
  EXPECT_EQ(path, "/aaaaaaa");
  EXPECT_EQ(path.data(), scratch.data());
}

}  // namespace
}  // namespace edgewatch::access_log
