#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace edgewatch {

// Decodes an "Authorization: Basic base64(user:password)" header value.
std::optional<std::pair<std::string, std::string>> ParseBasicAuthorization(std::string_view header);

// Checks a password against a bcrypt ($2a$/$2b$/$2y$) hash with libxcrypt's crypt_rn.
bool VerifyBcrypt(const std::string& password, const std::string& hash);

// The cost a bcrypt hash names ("$2y$10$..." is 10), or nullopt when it names none.
std::optional<int> BcryptCost(std::string_view hash);
// Costs a web config may use: below 10 is cheap to brute-force; each step above doubles what a
// wrong-password flood costs the exporter (cost 14 is about a second a try).
inline constexpr int kMinBcryptCost = 10;
inline constexpr int kMaxBcryptCost = 14;

// HTTP basic auth against bcrypt hashes, as exporter-toolkit does it. bcrypt is slow on purpose
// (tens of ms at cost 10), so credentials that passed are remembered, by SHA-256 digest only,
// for later scrapes. Check() is the cheap part (no bcrypt), so callers can run Verify(), the slow
// part, away from their I/O threads. An unknown user costs a bcrypt against the costliest
// configured hash, so timing does not tell user names apart. Thread-safe.
class BasicAuthenticator {
 public:
  explicit BasicAuthenticator(std::map<std::string, std::string> users);

  enum class Verdict { kAllowed, kDenied, kNeedsVerify };

  bool enabled() const { return !users_.empty(); }
  // Allowed when auth is off or the credentials passed before; denied when there are none or
  // they cannot be parsed; otherwise only Verify() can tell.
  Verdict Check(std::string_view authorization) const;
  // The bcrypt check; remembers credentials that pass.
  bool Verify(std::string_view authorization) const;

 private:
  static constexpr size_t kMaxCached = 64;

  std::map<std::string, std::string> users_;
  std::string decoy_;  // the costliest configured hash: what unknown users are checked against
  mutable std::mutex mu_;
  mutable std::set<std::string> passed_;  // guarded by mu_: digests of accepted credentials
};

}  // namespace edgewatch
