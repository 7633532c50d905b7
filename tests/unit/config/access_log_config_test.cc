#include "config/access_log_config.h"

#include <gtest/gtest.h>

#include "testutil/config.h"
#include "testutil/testdata.h"

namespace edgewatch {
namespace {

using testing::LoadErrors;
using testing::Problems;
using testing::Sections;
using testing::TestData;

TEST(AccessLogConfigTest, AccessLogRules) {
  const std::string path = TestData("config/access_log_errors.yml");
  EXPECT_EQ(
      LoadErrors("config/access_log_errors.yml"),
      Problems(
          path,
          {":5:15: access_log.logs[0].format: unclosed %{ in format (predefined: common, "
           "combined, vhost_combined, nginx_combined)",
           ":6:13: access_log.logs[1].name: duplicate log name \"web\"",
           ":8:7: access_log.logs[2].path: every log needs a path (a file or a glob) or a journal",
           ":11:24: access_log.logs[3].vhost_from_path: needs a '*' in path to take the site "
           "from (e.g. /var/log/apache2/*-access.log)",
           ":12:18: access_log.xmlrpc_paths[0]: expected a request path starting with / (no "
           "query string), got \"xmlrpc.php\"",
           ":13:10: access_log.top_k: expected a whole number from 1 to 100, got \"0\"",
           ":14:20: access_log.max_line_length: expected a whole number from 256 to 16777216, "
           "got \"10\"",
           ":15:18: access_log.poll_interval: must be greater than 0s",
           ":16:14: access_log.max_files: expected a whole number from 1 to 10000, got \"0\""}));
}

}  // namespace
}  // namespace edgewatch
