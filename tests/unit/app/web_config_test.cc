#include "app/web_config.h"

#include <gtest/gtest.h>

#include "testutil/testdata.h"

namespace edgewatch {
namespace {

using testing::TestData;

// Generated with `htpasswd -nbBC 10 prom s3cret` and `htpasswd -nbBC 4 alice 'p:ss wörd'`.
constexpr char kPromHash[] = "$2y$10$fskRbYI3YvXxtgZYlNd0g.25JPJOI3wq7YsAFHD9oTFPr9hVR95s.";

TEST(WebConfigTest, ReadsExporterToolkitFormat) {
  const std::string path = TestData("web/full.yml");
  auto web = LoadWebConfig(path);
  ASSERT_TRUE(web.ok()) << web.error().message;
  ASSERT_TRUE(web->tls.has_value());
  EXPECT_EQ(web->tls->cert_file, TestData("web/server.crt"));  // relative to the file
  EXPECT_EQ(web->tls->key_file, "/etc/edgewatch/server.key");
  EXPECT_EQ(web->tls->client_ca_file, TestData("web/ca.crt"));
  EXPECT_EQ(web->tls->min_version, "TLS13");
  EXPECT_EQ(web->tls->client_auth_type, "RequireAndVerifyClientCert");
  EXPECT_EQ(web->basic_auth_users.at("prom"), kPromHash);
}

TEST(WebConfigTest, ReportsEveryError) {
  const std::string path = TestData("web/errors.yml");
  auto web = LoadWebConfig(path);
  ASSERT_FALSE(web.ok());
  EXPECT_EQ(web.error().message,
            path + ":2:3: tls_server_config: cert_file and key_file must be given together\n" +
                path +
                ":3:16: tls_server_config.min_version: expected one of TLS12, TLS13, got "
                "\"TLS14\"\n" +
                path +
                ":5:8: basic_auth_users.bob: expected a bcrypt hash ($2y$...), e.g. from "
                "`htpasswd -nBC 10 USER`\n" +
                path +
                ":6:1: http_server_config: unknown key; valid keys here: tls_server_config, "
                "basic_auth_users");
}

// A directory read as an empty document would turn TLS and auth off: it is refused.
TEST(WebConfigTest, ADirectoryIsRefused) {
  const auto web = LoadWebConfig("/tmp");
  ASSERT_FALSE(web.ok());
  EXPECT_EQ(web.error().message,
            "/tmp: cannot read web config file: not a regular file (a directory, device or FIFO)");
}

TEST(WebConfigTest, RefusesWhatCannotWork) {
  auto web = ParseWebConfig(
      "tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS13\n"
      "  max_version: TLS12\nbasic_auth_users:\n  \"a:b\": x\n",
      "w.yml");
  ASSERT_FALSE(web.ok());
  EXPECT_EQ(web.error().message,
            "w.yml:5:16: tls_server_config.max_version: max_version TLS12 is below min_version "
            "TLS13\n"
            "w.yml:7:10: basic_auth_users.a:b: a user name cannot hold ':' (basic auth sends "
            "user:password)");
  auto old = ParseWebConfig("tls_server_config:\n  min_version: TLS10\n", "w.yml");
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.error().message,
            "w.yml:2:16: tls_server_config.min_version: TLS10 cannot be served (OpenSSL 3 here "
            "offers TLS12 and TLS13)");
}

// Cost 4 is cheap to brute-force; cost 15 lets each wrong password cost the exporter seconds.
TEST(WebConfigTest, RefusesBcryptCostsOutsideTenToFourteen) {
  auto web = ParseWebConfig(
      "basic_auth_users:\n"
      "  alice: $2y$04$cKALKcEqepsi444uQk4gz.LsdcNOwtq2UcRCHqtGvMLpv42/nqMIa\n"
      "  carol: $2y$15$cKALKcEqepsi444uQk4gz.LsdcNOwtq2UcRCHqtGvMLpv42/nqMIa\n"
      "  prom: $2y$10$fskRbYI3YvXxtgZYlNd0g.25JPJOI3wq7YsAFHD9oTFPr9hVR95s.\n",
      "w.yml");
  ASSERT_FALSE(web.ok());
  EXPECT_EQ(web.error().message,
            "w.yml:2:10: basic_auth_users.alice: bcrypt cost 4 is outside 10..14: cheaper is easy "
            "to brute-force, dearer lets a flood of wrong passwords cost seconds each\n"
            "w.yml:3:10: basic_auth_users.carol: bcrypt cost 15 is outside 10..14: cheaper is "
            "easy to brute-force, dearer lets a flood of wrong passwords cost seconds each");
}

TEST(WebConfigTest, EmptyFileMeansNoTlsNoAuth) {
  auto web = ParseWebConfig("", "inline.yml");
  ASSERT_TRUE(web.ok());
  EXPECT_FALSE(web->tls.has_value());
  EXPECT_TRUE(web->basic_auth_users.empty());
}

TEST(WebConfigTest, ClientAuthNeedsCa) {
  auto web = ParseWebConfig(
      "tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: "
      "VerifyClientCertIfGiven\n",
      "w.yml");
  ASSERT_FALSE(web.ok());
  EXPECT_EQ(web.error().message,
            "w.yml:2:3: tls_server_config: client_auth_type VerifyClientCertIfGiven needs "
            "client_ca_file");
}

}  // namespace
}  // namespace edgewatch
