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

TEST(BasicAuthTest, ReadsTheCostOfAHash) {
  EXPECT_EQ(BcryptCost(kPromHash), 10);
  EXPECT_EQ(BcryptCost(kAliceHash), 4);
  EXPECT_EQ(BcryptCost("$2y$1x$abc"), std::nullopt);
  EXPECT_EQ(BcryptCost("$2y$"), std::nullopt);
}

TEST(BasicAuthTest, AuthenticatorAllowsOnlyValidCredentials) {
  using Verdict = BasicAuthenticator::Verdict;
  BasicAuthenticator off({});
  EXPECT_FALSE(off.enabled());
  EXPECT_EQ(off.Check(""), Verdict::kAllowed);

  BasicAuthenticator auth(std::map<std::string, std::string>{{"prom", kPromHash}});
  EXPECT_TRUE(auth.enabled());
  EXPECT_EQ(auth.Check(""), Verdict::kDenied);
  EXPECT_EQ(auth.Check("Basic !!!!"), Verdict::kDenied);
  EXPECT_EQ(auth.Check("Basic cHJvbTp3cm9uZw=="), Verdict::kNeedsVerify);  // prom:wrong
  EXPECT_FALSE(auth.Verify("Basic cHJvbTp3cm9uZw=="));
  EXPECT_EQ(auth.Check("Basic cHJvbTp3cm9uZw=="), Verdict::kNeedsVerify);  // failures not kept
  EXPECT_FALSE(auth.Verify("Basic Ym9iOnMzY3JldA=="));  // bob:s3cret, an unknown user
  EXPECT_EQ(auth.Check("Basic cHJvbTpzM2NyZXQ="), Verdict::kNeedsVerify);  // prom:s3cret
  EXPECT_TRUE(auth.Verify("Basic cHJvbTpzM2NyZXQ="));
  EXPECT_EQ(auth.Check("Basic cHJvbTpzM2NyZXQ="), Verdict::kAllowed);  // from the cache
}

// An unknown user is checked against the costliest configured hash, and never passes even
// with that user's password.
TEST(BasicAuthTest, UnknownUsersNeverPassWithAnotherUsersPassword) {
  BasicAuthenticator auth(
      std::map<std::string, std::string>{{"prom", kPromHash}, {"alice", kAliceHash}});
  EXPECT_FALSE(auth.Verify("Basic Ym9iOnMzY3JldA=="));  // bob:s3cret, prom's password
  EXPECT_TRUE(auth.Verify("Basic cHJvbTpzM2NyZXQ="));
}

}  // namespace
}  // namespace edgewatch
