#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "parsers/expected.h"

namespace edgewatch {

// The exporter-toolkit web configuration file (--web.config.file) that node_exporter and
// blackbox_exporter read: TLS and bcrypt basic auth. Keys it has that edgewatch does not
// implement are rejected rather than ignored.
struct TlsServerConfig {
  std::string cert_file;  // PEM chain; relative paths are relative to the web config file
  std::string key_file;
  std::string min_version = "TLS12";              // TLS12 | TLS13
  std::string max_version;                        // empty: the library's newest
  std::string client_auth_type = "NoClientCert";  // | RequireAndVerifyClientCert |
                                                  //   VerifyClientCertIfGiven
  std::string client_ca_file;
};

struct WebConfig {
  std::optional<TlsServerConfig> tls;
  std::map<std::string, std::string> basic_auth_users;  // user -> bcrypt hash
};

Expected<WebConfig> LoadWebConfig(const std::string& path);

// The files serving with `config` (loaded from `path`) reads: the web config itself and its
// certificate, key and client CA; when one of them changes, the web config is loaded again.
std::vector<std::string> WebConfigFiles(const std::string& path, const WebConfig& config);
Expected<WebConfig> ParseWebConfig(const std::string& yaml, const std::string& path);

}  // namespace edgewatch
