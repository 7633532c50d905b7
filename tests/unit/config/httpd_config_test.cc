#include "config/httpd_config.h"

#include <gtest/gtest.h>

#include "testutil/config.h"
#include "testutil/testdata.h"

namespace edgewatch {
namespace {

using testing::LoadErrors;
using testing::Problems;
using testing::Sections;
using testing::TestData;

TEST(HttpdConfigTest, HttpdRules) {
  const std::string path = TestData("config/httpd_errors.yml");
  EXPECT_EQ(
      LoadErrors("config/httpd_errors.yml"),
      Problems(
          path,
          {":4:12: httpd.servers[0].url: expected an http:// or https:// URL, got \"ftp://x/\"",
           ":5:16: httpd.servers[0].flavour: expected one of auto, apache, nginx, got "
           "\"lighttpd\"",
           ":6:16: httpd.servers[0].timeout: must be below global.collector_timeout (8s)",
           ":7:13: httpd.servers[1].name: duplicate server name \"web\"",
           ":9:30: httpd.servers[1].basic_auth.username: basic_auth needs username and one of "
           "password or password_file",
           ":10:7: httpd.servers[2].name: every server needs a name (the server label)",
           ":11:28: httpd.servers[2].max_request_workers: expected a whole number from 1 to "
           "1048576, got \"0\"",
           ":12:24: httpd.processes[1]: expected a process name of 1 to 15 characters, got "
           "\"a-very-long-process-name\""}));
}

}  // namespace
}  // namespace edgewatch
