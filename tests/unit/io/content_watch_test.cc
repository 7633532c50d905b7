#include "io/content_watch.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "testutil/temp_dir.h"

namespace edgewatch::io {
namespace {

void Write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

TEST(ContentWatchTest, ContentNotTimes) {
  const testing::TempDir dir("cw");
  const auto cert = dir.File("server.crt");
  const auto key = dir.File("server.key");
  Write(cert, "A");
  Write(key, "K");
  ContentWatch watch({cert, key});
  EXPECT_FALSE(watch.Changed());
  // Same bytes written again (a deploy that rewrites unchanged files): no change.
  Write(cert, "A");
  EXPECT_FALSE(watch.Changed());
  Write(cert, "B");
  EXPECT_TRUE(watch.Changed());
  EXPECT_FALSE(watch.Changed());  // seen now
}

// A Kubernetes ConfigMap volume: the file is a symlink into a directory swapped atomically.
TEST(ContentWatchTest, FollowsASwappedSymlink) {
  const testing::TempDir dir("cw");
  std::filesystem::create_directory(dir.File("v1"));
  std::filesystem::create_directory(dir.File("v2"));
  Write(dir.File("v1/edgewatch.yml"), "process:\n  enabled: true\n");
  Write(dir.File("v2/edgewatch.yml"), "process:\n  enabled: false\n");
  std::filesystem::create_directory_symlink("v1", dir.File("..data"));
  std::filesystem::create_symlink("..data/edgewatch.yml", dir.File("edgewatch.yml"));
  ContentWatch watch({dir.File("edgewatch.yml")});
  std::filesystem::create_directory_symlink("v2", dir.File("..data_tmp"));
  std::filesystem::rename(dir.File("..data_tmp"), dir.File("..data"));
  EXPECT_TRUE(watch.Changed());
}

TEST(ContentWatchTest, VanishingAndAppearingAreChanges) {
  const testing::TempDir dir("cw");
  const auto path = dir.File("web.yml");
  ContentWatch watch({path});
  EXPECT_FALSE(watch.Changed());  // missing then, missing now
  Write(path, "basic_auth_users: {}\n");
  EXPECT_TRUE(watch.Changed());
  std::filesystem::remove(path);
  EXPECT_TRUE(watch.Changed());
}

}  // namespace
}  // namespace edgewatch::io
