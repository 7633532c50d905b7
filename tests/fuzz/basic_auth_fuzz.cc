// An Authorization header as any client may send it: base64, the user:password split and the
// authenticator's cheap check (bcrypt itself is libxcrypt's, and too slow to fuzz).
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "app/basic_auth.h"
#include "core/base64.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // htpasswd -nbBC 10 prom s3cret
  static const edgewatch::BasicAuthenticator auth(std::map<std::string, std::string>{
      {"prom", "$2y$10$fskRbYI3YvXxtgZYlNd0g.25JPJOI3wq7YsAFHD9oTFPr9hVR95s."}});
  const std::string_view header(reinterpret_cast<const char*>(data), size);
  (void)edgewatch::Base64Decode(header);
  (void)edgewatch::ParseBasicAuthorization(header);
  (void)auth.Check(header);
  return 0;
}
