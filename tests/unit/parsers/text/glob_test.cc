#include "parsers/text/glob.h"

#include <fnmatch.h>
#include <gtest/gtest.h>

#include <string>

namespace edgewatch::text {
namespace {

// GlobMatch agrees with fnmatch(3) with FNM_PATHNAME (what glob(3) does per name) on patterns
// without brackets.
TEST(GlobTest, MatchesAsFnmatchDoes) {
  const char* patterns[] = {"/var/log/apache2/*access.log",
                            "/var/log/apache2/*/access.log",
                            "/var/log/*-access.log",
                            "/var/log/site?.log",
                            "*",
                            "/a/*/*/b*",
                            "/plain/path.log",
                            "/x/**.log"};
  const char* paths[] = {"/var/log/apache2/access.log",
                         "/var/log/apache2/other_vhosts_access.log",
                         "/var/log/apache2/shop.example/access.log",
                         "/var/log/apache2/a/b/access.log",
                         "/var/log/shop-eu-access.log",
                         "/var/log/site1.log",
                         "/var/log/site12.log",
                         "/var/log/site/.log",
                         "/a/x/y/bz",
                         "/a/x/bz",
                         "/plain/path.log",
                         "/x/y.log",
                         "/x/.log",
                         "relative"};
  for (const char* pattern : patterns) {
    for (const char* path : paths) {
      EXPECT_EQ(GlobMatch(pattern, path), ::fnmatch(pattern, path, FNM_PATHNAME) == 0)
          << pattern << " " << path;
    }
  }
}

TEST(GlobTest, CaptureIsWhatTheFirstStarMatched) {
  EXPECT_EQ(GlobCapture("/var/log/apache2/*-access.log", "/var/log/apache2/shop-eu-access.log"),
            "shop-eu");
  EXPECT_EQ(
      GlobCapture("/var/log/apache2/*/access.log", "/var/log/apache2/blog.example/access.log"),
      "blog.example");
  EXPECT_EQ(GlobCapture("/var/www/*/logs/*.log", "/var/www/a.example/logs/access.log"),
            "a.example");
  EXPECT_EQ(GlobCapture("/var/log/*access.log", "/var/log/access.log"), "");
  EXPECT_EQ(GlobCapture("/var/log/*-access.log", "/var/log/x/y-access.log"), std::nullopt);
  EXPECT_EQ(GlobCapture("/var/log/access.log", "/var/log/access.log"), std::nullopt);
  EXPECT_EQ(GlobCapture("/var/log/site?/*.log", "/var/log/site1/a.log"), "a");
  EXPECT_EQ(GlobCapture("/long/prefix/*", "/short"), std::nullopt);
}

}  // namespace
}  // namespace edgewatch::text
