// The web config decoder (tls_server_config, basic_auth_users) on any text.
#include <cstddef>
#include <cstdint>
#include <string>

#include "app/web_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)edgewatch::ParseWebConfig(text, "web.yml");
  return 0;
}
