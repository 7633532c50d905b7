#include "app/commands.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "testutil/temp_dir.h"
#include "testutil/testdata.h"

namespace edgewatch {
namespace {

int RunEdgewatch(std::vector<std::string_view> args, std::string& out, std::string& err) {
  args.insert(args.begin(), "edgewatch");
  std::ostringstream o, e;
  const int rc = RunMain(args, o, e);
  out = o.str();
  err = e.str();
  return rc;
}

TEST(CommandsTest, VersionAndHelp) {
  std::string out, err;
  EXPECT_EQ(RunEdgewatch({"--version"}, out, err), kExitOk);
  EXPECT_EQ(out.rfind("edgewatch ", 0), 0u);
  EXPECT_EQ(RunEdgewatch({"--help"}, out, err), kExitOk);
  EXPECT_NE(out.find("usage: edgewatch"), std::string::npos);
}

TEST(CommandsTest, BadFlagsExitTwoWithAHint) {
  std::string out, err;
  EXPECT_EQ(RunEdgewatch({"--bogus"}, out, err), kExitUsage);
  EXPECT_EQ(err, "edgewatch: unknown flag --bogus; see --help\n");
}

TEST(CommandsTest, CheckConfigSaysOkOrListsEveryError) {
  std::string out, err;
  EXPECT_EQ(RunEdgewatch({"check-config", "--no-collector.bgp"}, out, err), kExitOk);
  EXPECT_EQ(out,
            "<embedded default>: OK; enabled collectors: process, reflection, httpd, "
            "access_log, mail_log\n");
  const std::string bad = testing::TestData("config/several_errors.yml");
  EXPECT_EQ(RunEdgewatch({"check-config", bad}, out, err), kExitUsage);
  EXPECT_EQ(err.rfind(bad + ":", 0), 0u) << err;
  EXPECT_GT(std::count(err.begin(), err.end(), '\n'), 1);  // every error, one per line
  EXPECT_EQ(RunEdgewatch({"--config.check", "--web.config.file=/nonexistent/web.yml"}, out, err),
            kExitUsage);
  EXPECT_NE(err.find("/nonexistent/web.yml"), std::string::npos) << err;
}

// check-config loads the certificate and key as start-up would, and says which is wrong.
TEST(CommandsTest, CheckConfigLoadsTheCertificateAndKey) {
  const testing::TempDir dir("check-tls");
  const auto web = [&](const std::string& key) {
    const std::string path = dir.File("web.yml");
    std::ofstream(path) << "tls_server_config:\n  cert_file: " << testing::TestData("web/test.crt")
                        << "\n  key_file: " << testing::TestData(key) << "\n";
    return "--web.config.file=" + path;
  };
  std::string out, err;
  const std::string good = web("web/test.key");
  EXPECT_EQ(RunEdgewatch({"check-config", good}, out, err), kExitOk) << err;
  const std::string mismatched = web("web/other.key");
  EXPECT_EQ(RunEdgewatch({"check-config", mismatched}, out, err), kExitUsage);
  EXPECT_EQ(err, dir.File("web.yml") + ": tls_server_config.key_file " +
                     testing::TestData("web/other.key") +
                     " is not the key of the certificate in cert_file " +
                     testing::TestData("web/test.crt") + "\n");
  const std::string missing = web("web/none.key");
  EXPECT_EQ(RunEdgewatch({"check-config", missing}, out, err), kExitUsage);
  EXPECT_NE(err.find("tls_server_config.key_file " + testing::TestData("web/none.key")),
            std::string::npos)
      << err;
}

}  // namespace
}  // namespace edgewatch
