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

// HTTP basic auth against bcrypt hashes, as exporter-toolkit does it. bcrypt is slow on purpose
// (tens of ms at cost 10), so credentials that passed are remembered, by SHA-256 digest only,
// for later scrapes. Unknown users cost one bcrypt too, so timing does not reveal user names.
// Thread-safe.
class BasicAuthenticator {
 public:
  explicit BasicAuthenticator(std::map<std::string, std::string> users);

  bool enabled() const { return !users_.empty(); }
  // True when auth is disabled or `authorization` holds valid credentials.
  bool Allows(std::string_view authorization) const;

 private:
  static constexpr size_t kMaxCached = 64;

  std::map<std::string, std::string> users_;
  mutable std::mutex mu_;
  mutable std::set<std::string> passed_;  // guarded by mu_: digests of accepted credentials
};

}  // namespace edgewatch
