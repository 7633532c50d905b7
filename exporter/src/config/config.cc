#include "config/config.h"

#include "config/yaml_reader.h"

namespace edgewatch {
namespace {

void ReadGlobal(MapReader& m, GlobalConfig& c) {
  m.Value("collector_timeout", c.collector_timeout, PositiveDuration);
}

}  // namespace

std::any& Config::Slot(const ConfigSection& section) {
  auto it = sections_.find(section.key);
  if (it == sections_.end()) {
    it = sections_.emplace(std::string(section.key), section.make()).first;
  }
  return it->second;
}

std::string EmbeddedDefaultConfig(ConfigSections sections) {
  std::string out =
      "# edgewatch embedded default: every other key has its default (docs/configuration.md)\n";
  for (const ConfigSection* s : sections) {
    if (!s->embedded.empty()) {
      out += std::string(s->key) + ":\n" + std::string(s->embedded);
    }
  }
  return out;
}

Expected<Config> ParseConfig(const std::string& yaml, const std::string& source,
                             ConfigSections sections) {
  Config initial;
  initial.source = source;
  for (const ConfigSection* s : sections) {
    initial.Slot(*s);
  }
  return DecodeDocument(
      yaml, source, std::move(initial), [&](YamlReader& reader, MapReader& top, Config& config) {
        top.Section("global", [&](MapReader& m) { ReadGlobal(m, config.global); });
        LabelNames servers("server"), neighbors("neighbor"), logs("log");
        ConfigContext context{config.global, servers, neighbors, logs};
        for (const ConfigSection* s : sections) {
          top.Section(s->key, [&](MapReader& m) { s->read(m, config.Slot(*s), context); });
        }
        servers.ReportDuplicates(reader);
        neighbors.ReportDuplicates(reader);
        logs.ReportDuplicates(reader);
      });
}

Expected<Config> LoadConfigFile(const std::string& path, ConfigSections sections) {
  auto text = ReadConfigText(path, "config file");
  if (!text) {
    return text.error();
  }
  // A file truncated by an editor or a config tool, read in the middle of a rewrite, must not
  // swap production for the defaults.
  if (IsEmptyDocument(*text)) {
    return Error{path +
                 ": the config file is empty; an empty file is not taken for the defaults (run "
                 "without --config.file for the embedded default)"};
  }
  return ParseConfig(*text, path, sections);
}

Expected<Config> LoadConfig(const std::optional<std::string>& file, ConfigSections sections) {
  return file ? LoadConfigFile(*file, sections) : Expected<Config>(DefaultConfig(sections));
}

Config DefaultConfig(ConfigSections sections) {
  // A unit test keeps the embedded default valid.
  return ParseConfig(EmbeddedDefaultConfig(sections), kEmbeddedDefaultSource, sections).value();
}

}  // namespace edgewatch
