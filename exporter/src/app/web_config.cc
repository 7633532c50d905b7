#include "app/web_config.h"

#include <array>
#include <filesystem>

#include "app/basic_auth.h"
#include "config/values.h"
#include "config/yaml_reader.h"

namespace edgewatch {
namespace {

// OpenSSL 3 on Debian 12 serves no TLS below 1.2 at its default security level: a config that
// asks for 1.0 or 1.1 would be accepted and then not honoured.
Expected<std::string> TlsVersion(const std::string& text) {
  if (text == "TLS10" || text == "TLS11") {
    return Error{text + " cannot be served (OpenSSL 3 here offers TLS12 and TLS13)"};
  }
  return ParseOneOf({"TLS12", "TLS13"}, text);
}

std::string Resolve(const std::string& config_path, const std::string& file) {
  if (file.empty() || std::filesystem::path(file).is_absolute()) {
    return file;
  }
  return (std::filesystem::path(config_path).parent_path() / file).string();
}

bool LooksLikeBcrypt(const std::string& hash) {
  return hash.size() == 60 && hash[0] == '$' && hash[1] == '2' && hash[3] == '$' &&
         (hash[2] == 'a' || hash[2] == 'b' || hash[2] == 'y');
}

}  // namespace

Expected<WebConfig> ParseWebConfig(const std::string& yaml, const std::string& path) {
  return DecodeDocument(
      yaml, path, WebConfig{}, [&](YamlReader& reader, MapReader& top, WebConfig& config) {
        top.Section("tls_server_config", [&](MapReader& m) {
          TlsServerConfig tls;
          m.String("cert_file", tls.cert_file);
          m.String("key_file", tls.key_file);
          m.Value("min_version", tls.min_version, TlsVersion);
          m.Value("max_version", tls.max_version, TlsVersion);
          m.Value("client_auth_type", tls.client_auth_type, [](const std::string& t) {
            return ParseOneOf(
                {"NoClientCert", "RequireAndVerifyClientCert", "VerifyClientCertIfGiven"}, t);
          });
          m.String("client_ca_file", tls.client_ca_file);
          if (tls.cert_file.empty() != tls.key_file.empty()) {
            reader.Fail(m.mark(), "tls_server_config",
                        "cert_file and key_file must be given together");
          }
          if (!tls.max_version.empty() && tls.max_version < tls.min_version) {
            m.Fail("max_version",
                   "max_version " + tls.max_version + " is below min_version " + tls.min_version);
          }
          if (tls.client_auth_type != "NoClientCert" && tls.client_ca_file.empty()) {
            reader.Fail(m.mark(), "tls_server_config",
                        "client_auth_type " + tls.client_auth_type + " needs client_ca_file");
          }
          if (!tls.cert_file.empty()) {
            tls.cert_file = Resolve(path, tls.cert_file);
            tls.key_file = Resolve(path, tls.key_file);
            tls.client_ca_file = Resolve(path, tls.client_ca_file);
            config.tls = tls;
          }
        });
        top.Entries("basic_auth_users", [&](const MapReader::FreeEntry& e) {
          if (e.name.find(':') != std::string::npos) {
            reader.Fail(e.mark, e.path,
                        "a user name cannot hold ':' (basic auth sends user:password)");
            return;
          }
          if (!e.value.IsScalar() || !LooksLikeBcrypt(e.value.Scalar())) {
            reader.Fail(e.mark, e.path,
                        "expected a bcrypt hash ($2y$...), e.g. from `htpasswd -nBC 10 USER`");
            return;
          }
          const int cost = BcryptCost(e.value.Scalar()).value_or(0);
          if (cost < kMinBcryptCost || cost > kMaxBcryptCost) {
            reader.Fail(e.mark, e.path,
                        "bcrypt cost " + std::to_string(cost) + " is outside " +
                            std::to_string(kMinBcryptCost) + ".." + std::to_string(kMaxBcryptCost) +
                            ": cheaper is easy to brute-force, dearer lets a flood of wrong "
                            "passwords cost seconds each");
            return;
          }
          config.basic_auth_users[e.name] = e.value.Scalar();
        });
      });
}

Expected<WebConfig> LoadWebConfig(const std::string& path) {
  auto text = ReadConfigText(path, "web config file");
  if (!text) {
    return text.error();
  }
  return ParseWebConfig(*text, path);
}

std::vector<std::string> WebConfigFiles(const std::string& path, const WebConfig& config) {
  std::vector<std::string> files{path};
  if (config.tls) {
    for (const std::string* f :
         {&config.tls->cert_file, &config.tls->key_file, &config.tls->client_ca_file}) {
      if (!f->empty()) {
        files.push_back(*f);
      }
    }
  }
  return files;
}

}  // namespace edgewatch
