#include "app/basic_auth.h"

#include <gtest/gtest.h>

namespace edgewatch {
namespace {

// From Apache's htpasswd -B (an independent bcrypt): prom:s3cret (cost 10), alice:"p:ss wörd"
// (cost 4).
constexpr char kPromHash[] = "$2y$10$fskRbYI3YvXxtgZYlNd0g.25JPJOI3wq7YsAFHD9oTFPr9hVR95s.";
constexpr char kAliceHash[] = "$2y$04$cKALKcEqepsi444uQk4gz.LsdcNOwtq2UcRCHqtGvMLpv42/nqMIa";

TEST(BasicAuthTest, ParsesAuthorizationHeader) {
  // "prom:s3cret" in base64 is cHJvbTpzM2NyZXQ=
  auto creds = ParseBasicAuthorization("Basic cHJvbTpzM2NyZXQ=");
  ASSERT_TRUE(creds.has_value());
  EXPECT_EQ(creds->first, "prom");
  EXPECT_EQ(creds->second, "s3cret");
  // "a:b:c" -> user a, password b:c
  auto colon = ParseBasicAuthorization("basic YTpiOmM=");
  ASSERT_TRUE(colon.has_value());
  EXPECT_EQ(colon->second, "b:c");
  EXPECT_FALSE(ParseBasicAuthorization("Bearer cHJvbTpzM2NyZXQ=").has_value());
  EXPECT_FALSE(ParseBasicAuthorization("Basic !!!!").has_value());
  EXPECT_FALSE(ParseBasicAuthorization("Basic cHJvbQ==").has_value());         // "prom", no colon
  EXPECT_FALSE(ParseBasicAuthorization("Basic cHJvbTpzM2NyZXQ").has_value());  // bad length
}

TEST(BasicAuthTest, VerifiesBcryptFromHtpasswd) {
  EXPECT_TRUE(VerifyBcrypt("s3cret", kPromHash));
  EXPECT_FALSE(VerifyBcrypt("s3cret!", kPromHash));
  EXPECT_TRUE(VerifyBcrypt("p:ss wörd", kAliceHash));
  EXPECT_FALSE(VerifyBcrypt("", kAliceHash));
  EXPECT_FALSE(VerifyBcrypt("s3cret", "not-a-hash"));
  EXPECT_FALSE(VerifyBcrypt(std::string("s3cret\0x", 8), kPromHash));  // compared whole
}

TEST(BasicAuthTest, AuthenticatorAllowsOnlyValidCredentials) {
  BasicAuthenticator off({});
  EXPECT_FALSE(off.enabled());
  EXPECT_TRUE(off.Allows(""));

  BasicAuthenticator auth(std::map<std::string, std::string>{{"prom", kPromHash}});
  EXPECT_TRUE(auth.enabled());
  EXPECT_FALSE(auth.Allows(""));
  EXPECT_FALSE(auth.Allows("Basic cHJvbTp3cm9uZw=="));  // prom:wrong
  EXPECT_FALSE(auth.Allows("Basic Ym9iOnMzY3JldA=="));  // bob:s3cret
  EXPECT_TRUE(auth.Allows("Basic cHJvbTpzM2NyZXQ="));   // prom:s3cret
  EXPECT_TRUE(auth.Allows("Basic cHJvbTpzM2NyZXQ="));   // again, from the cache
  EXPECT_FALSE(auth.Allows("Basic cHJvbTp3cm9uZw=="));
}

}  // namespace
}  // namespace edgewatch
