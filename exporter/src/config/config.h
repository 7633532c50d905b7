#pragma once

#include <any>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "config/section.h"
#include "parsers/expected.h"

namespace edgewatch {

// Config::source without --config.file.
inline constexpr char kEmbeddedDefaultSource[] = "<embedded default>";

// The sections a config file may have: those of the collectors edgewatch has.
using ConfigSections = std::span<const ConfigSection* const>;

// The whole configuration: `global`, and one section per collector (its struct, declared in
// config/<name>_config.h), each with at least `enabled`. A section the file leaves out has its
// defaults.
class Config {
 public:
  std::string source;  // file it came from, or kEmbeddedDefaultSource
  GlobalConfig global;

  template <class T>
  const T& Section() const {
    const auto it = sections_.find(T::kKey);
    if (it == sections_.end()) {
      static const T kDefaults;
      return kDefaults;
    }
    return std::any_cast<const T&>(it->second);
  }
  // For tests and decoding: the section, made with its defaults if absent.
  template <class T>
  T& Mutable() {
    auto it = sections_.find(T::kKey);
    if (it == sections_.end()) {
      it = sections_.emplace(std::string(T::kKey), T{}).first;
    }
    return std::any_cast<T&>(it->second);
  }
  std::any& Slot(const ConfigSection& section);

 private:
  std::map<std::string, std::any, std::less<>> sections_;
};

// The configuration used when --config.file is not given, as YAML: what `sections` add to their
// defaults (ConfigSection::embedded).
std::string EmbeddedDefaultConfig(ConfigSections sections);

// Strict decoding of `global` and `sections`: unknown keys, wrong types and bad values are
// errors. On failure the Error lists every problem, one "file:line:column: key.path: message"
// per line, in file order.
Expected<Config> ParseConfig(const std::string& yaml, const std::string& source,
                             ConfigSections sections);
Expected<Config> LoadConfigFile(const std::string& path, ConfigSections sections);
Config DefaultConfig(ConfigSections sections);
// The file when given, else the embedded default.
Expected<Config> LoadConfig(const std::optional<std::string>& file, ConfigSections sections);

}  // namespace edgewatch
