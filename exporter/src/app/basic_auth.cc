#include "app/basic_auth.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <array>
#include <cctype>
#include <cstring>
#include <memory>

#include "core/base64.h"

namespace edgewatch {
namespace {

std::string Digest(const std::string& user, const std::string& password) {
  std::string material = user;
  material += '\0';
  material += password;
  std::array<unsigned char, SHA256_DIGEST_LENGTH> md{};
  SHA256(reinterpret_cast<const unsigned char*>(material.data()), material.size(), md.data());
  OPENSSL_cleanse(material.data(), material.size());
  return std::string(reinterpret_cast<const char*>(md.data()), md.size());
}

}  // namespace

std::optional<std::pair<std::string, std::string>> ParseBasicAuthorization(
    std::string_view header) {
  constexpr std::string_view kScheme = "Basic ";
  if (header.size() < kScheme.size() ||
      strncasecmp(header.data(), kScheme.data(), kScheme.size()) != 0) {
    return std::nullopt;
  }
  header.remove_prefix(kScheme.size());
  while (!header.empty() && header.front() == ' ') {
    header.remove_prefix(1);
  }
  const auto decoded = Base64Decode(header);
  if (!decoded) {
    return std::nullopt;
  }
  const size_t colon = decoded->find(':');
  if (colon == std::string::npos) {
    return std::nullopt;
  }
  return std::make_pair(decoded->substr(0, colon), decoded->substr(colon + 1));
}

bool VerifyBcrypt(const std::string& password, const std::string& hash) {
  // crypt() reads a C string: "s3cret\0x" would pass as "s3cret".
  if (password.find('\0') != std::string::npos) {
    return false;
  }
  auto data = std::make_unique<crypt_data>();
  const char* result = crypt_rn(password.c_str(), hash.c_str(), data.get(), sizeof(crypt_data));
  return result != nullptr && result[0] != '*' && std::strlen(result) == hash.size() &&
         CRYPTO_memcmp(result, hash.data(), hash.size()) == 0;
}

std::optional<int> BcryptCost(std::string_view hash) {
  if (hash.size() < 7 || hash[0] != '$' || hash[1] != '2' || hash[3] != '$' || hash[6] != '$' ||
      !std::isdigit(static_cast<unsigned char>(hash[4])) ||
      !std::isdigit(static_cast<unsigned char>(hash[5]))) {
    return std::nullopt;
  }
  return (hash[4] - '0') * 10 + (hash[5] - '0');
}

BasicAuthenticator::BasicAuthenticator(std::map<std::string, std::string> users)
    : users_(std::move(users)) {
  for (const auto& [user, hash] : users_) {
    if (decoy_.empty() || BcryptCost(hash).value_or(0) > BcryptCost(decoy_).value_or(0)) {
      decoy_ = hash;
    }
  }
}

BasicAuthenticator::Verdict BasicAuthenticator::Check(std::string_view authorization) const {
  if (users_.empty()) {
    return Verdict::kAllowed;
  }
  const auto credentials = ParseBasicAuthorization(authorization);
  if (!credentials) {
    return Verdict::kDenied;
  }
  const std::string digest = Digest(credentials->first, credentials->second);
  std::lock_guard<std::mutex> lock(mu_);
  return passed_.count(digest) != 0 ? Verdict::kAllowed : Verdict::kNeedsVerify;
}

bool BasicAuthenticator::Verify(std::string_view authorization) const {
  if (users_.empty()) {
    return true;
  }
  const auto credentials = ParseBasicAuthorization(authorization);
  if (!credentials) {
    return false;
  }
  const auto& [user, password] = *credentials;
  const auto it = users_.find(user);
  // An unknown user's password may match the decoy's; `it` decides, after the same work.
  const bool ok =
      VerifyBcrypt(password, it == users_.end() ? decoy_ : it->second) && it != users_.end();
  if (ok) {
    const std::string digest = Digest(user, password);
    std::lock_guard<std::mutex> lock(mu_);
    if (passed_.size() >= kMaxCached) {
      passed_.clear();
    }
    passed_.insert(digest);
  }
  return ok;
}

}  // namespace edgewatch
