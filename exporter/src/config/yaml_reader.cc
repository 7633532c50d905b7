#include "config/yaml_reader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>
#include <utility>

#include "config/values.h"

namespace edgewatch {

namespace {

// True if the quoted scalar opening at text[pos] is closed before the end of `text`.
bool QuoteCloses(std::string_view text, std::size_t pos) {
  const char quote = text[pos];
  for (std::size_t i = pos + 1; i < text.size(); ++i) {
    if (quote == '"' && text[i] == '\\') {
      ++i;  // an escape: the next character is never the closing quote
    } else if (text[i] == quote) {
      if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
        ++i;  // '' inside single quotes is a quote
        continue;
      }
      return true;
    }
  }
  return false;
}

// The first quoted scalar of `node` that yaml-cpp let run to the end of the document (it does
// not report an unterminated quote), if any.
std::optional<YAML::Mark> UnterminatedQuote(const YAML::Node& node, std::string_view text) {
  if (node.IsScalar()) {
    const YAML::Mark m = node.Mark();
    const auto pos = static_cast<std::size_t>(m.pos);
    if (!m.is_null() && pos < text.size() && (text[pos] == '"' || text[pos] == '\'') &&
        !QuoteCloses(text, pos)) {
      return m;
    }
    return std::nullopt;
  }
  if (node.IsMap()) {
    for (const auto& kv : node) {
      if (auto m = UnterminatedQuote(kv.first, text)) {
        return m;
      }
      if (auto m = UnterminatedQuote(kv.second, text)) {
        return m;
      }
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) {
      if (auto m = UnterminatedQuote(item, text)) {
        return m;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

YAML::Node YamlReader::Load(const std::string& text) {
  try {
    YAML::Node root = YAML::Load(text);
    if (const auto open = UnterminatedQuote(root, text)) {
      Fail(*open, "",
           "invalid YAML: a quoted string is never closed (it runs to the end of the file)");
      return YAML::Node();
    }
    return root;
  } catch (const YAML::Exception& e) {
    Fail(e.mark, "", "invalid YAML: " + e.msg);
    return YAML::Node();
  }
}

void YamlReader::Fail(const YAML::Mark& at, std::string_view path, std::string_view message) {
  std::string line = file_;
  if (!at.is_null()) {
    line += ":" + std::to_string(at.line + 1) + ":" + std::to_string(at.column + 1);
  }
  line += ": ";
  if (!path.empty()) {
    line += path;
    line += ": ";
  }
  line += message;
  errors_.push_back({at.is_null() ? -1 : at.line, at.is_null() ? -1 : at.column, std::move(line)});
}

Error YamlReader::Failure() const {
  std::vector<Problem> sorted = errors_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Problem& a, const Problem& b) {
    return std::pair(a.line, a.column) < std::pair(b.line, b.column);
  });
  std::string all;
  for (const auto& e : sorted) {
    if (!all.empty()) {
      all += '\n';
    }
    all += e.text;
  }
  return Error{all};
}

Expected<std::string> ReadConfigText(const std::string& path, std::string_view what) {
  // Fail closed: a directory would read as an empty document (no TLS, no users, all defaults),
  // a FIFO could block forever, /dev/zero never end.
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!ec && std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
    return Error{path + ": cannot read " + std::string(what) +
                 ": not a regular file (a directory, device or FIFO)"};
  }
  if (!ec && std::filesystem::is_regular_file(status) &&
      std::filesystem::file_size(path, ec) > kMaxConfigBytes) {
    return Error{path + ": " + std::string(what) + " is larger than 1 MiB"};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error{path + ": cannot open " + std::string(what) + ": " + std::strerror(errno)};
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return Error{path + ": cannot read " + std::string(what)};
  }
  return text.str();
}

std::string_view KindOf(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) {
    return "null";
  }
  if (node.IsMap()) {
    return "a mapping";
  }
  if (node.IsSequence()) {
    return "a list";
  }
  return "a scalar";
}

MapReader::MapReader(YamlReader& reader, const YAML::Node& node, std::string path)
    : reader_(reader), path_(std::move(path)) {
  if (node.IsDefined()) {
    mark_ = node.Mark();
  }
  if (!node.IsDefined() || node.IsNull()) {
    return;
  }
  if (!node.IsMap()) {
    reader_.Fail(node.Mark(), path_.empty() ? "(top level)" : path_,
                 "expected a mapping of keys, got " + std::string(KindOf(node)));
    return;
  }
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
    if (Find(key) != nullptr) {
      reader_.Fail(it->first.Mark(), Child(key), "duplicate key");
      continue;
    }
    entries_.push_back({key, it->first.Mark(), it->second, false});
  }
}

MapReader::Entry* MapReader::Find(std::string_view key) {
  for (auto& e : entries_) {
    if (e.key == key) {
      return &e;
    }
  }
  return nullptr;
}

YAML::Mark MapReader::MarkOf(const Entry& e) {
  return e.value.Mark().is_null() ? e.key_mark : e.value.Mark();
}

std::string MapReader::Child(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void MapReader::Scalar(std::string_view key, std::string_view expected,
                       const std::function<void(const std::string&, const YAML::Mark&)>& use) {
  asked_.emplace_back(key);
  Entry* e = Find(key);
  if (e == nullptr) {
    return;
  }
  e->used = true;
  if (!e->value.IsScalar()) {
    reader_.Fail(MarkOf(*e), Child(key),
                 "expected " + std::string(expected) + ", got " + std::string(KindOf(e->value)));
    return;
  }
  use(e->value.Scalar(), MarkOf(*e));
}

void MapReader::Bool(std::string_view key, bool& out) {
  Scalar(key, "true or false", [&](const std::string& text, const YAML::Mark& mark) {
    if (text == "true") {
      out = true;
    } else if (text == "false") {
      out = false;
    } else {
      reader_.Fail(mark, Child(key), "expected true or false, got \"" + text + "\"");
    }
  });
}

void MapReader::String(std::string_view key, std::string& out) {
  Scalar(key, "a string", [&](const std::string& text, const YAML::Mark&) { out = text; });
}

void MapReader::Duration(std::string_view key, std::chrono::milliseconds& out) {
  Value(key, out, ParseDuration);
}

bool MapReader::Items(
    std::string_view key,
    const std::function<void(const std::string&, const std::string&, const YAML::Mark&)>& use) {
  asked_.emplace_back(key);
  Entry* e = Find(key);
  if (e == nullptr) {
    return false;
  }
  e->used = true;
  if (e->value.IsNull()) {
    return true;  // `key:` with nothing: an empty list
  }
  if (!e->value.IsSequence()) {
    reader_.Fail(MarkOf(*e), Child(key), "expected a list, got " + std::string(KindOf(e->value)));
    return true;
  }
  for (std::size_t i = 0; i < e->value.size(); ++i) {
    const YAML::Node item = e->value[i];
    const std::string path = Child(key) + "[" + std::to_string(i) + "]";
    if (!item.IsScalar()) {
      reader_.Fail(item.Mark(), path, "expected a string, got " + std::string(KindOf(item)));
      continue;
    }
    use(item.Scalar(), path, item.Mark());
  }
  return true;
}

void MapReader::ListOfSections(std::string_view key, const std::function<void(MapReader&)>& read) {
  asked_.emplace_back(key);
  Entry* e = Find(key);
  if (e == nullptr) {
    return;
  }
  e->used = true;
  if (e->value.IsNull()) {
    return;
  }
  if (!e->value.IsSequence()) {
    reader_.Fail(MarkOf(*e), Child(key), "expected a list, got " + std::string(KindOf(e->value)));
    return;
  }
  for (std::size_t i = 0; i < e->value.size(); ++i) {
    const YAML::Node item = e->value[i];
    MapReader section(reader_, item, Child(key) + "[" + std::to_string(i) + "]");
    read(section);
    section.Finish();
  }
}

void MapReader::Section(std::string_view key, const std::function<void(MapReader&)>& read) {
  asked_.emplace_back(key);
  Entry* e = Find(key);
  if (e == nullptr) {
    return;
  }
  e->used = true;
  MapReader section(reader_, e->value, Child(key));
  if (section.mark_.is_null()) {
    section.mark_ = e->key_mark;
  }
  read(section);
  section.Finish();
}

void MapReader::Entries(std::string_view key, const std::function<void(const FreeEntry&)>& read) {
  asked_.emplace_back(key);
  Entry* e = Find(key);
  if (e == nullptr) {
    return;
  }
  e->used = true;
  MapReader entries(reader_, e->value, Child(key));
  for (auto& entry : entries.entries_) {
    entry.used = true;
    read(FreeEntry{entry.key, entries.Child(entry.key), entry.value, MarkOf(entry)});
  }
}

MapReader::Place MapReader::Where(std::string_view key) {
  const Entry* e = Find(key);
  return {e != nullptr ? MarkOf(*e) : mark_, Child(key)};
}

void MapReader::Fail(std::string_view key, std::string_view message) {
  const Place place = Where(key);
  reader_.Fail(place.mark, place.path, message);
}

void MapReader::Finish() {
  for (const auto& e : entries_) {
    if (e.used) {
      continue;
    }
    std::string known;
    for (const auto& k : asked_) {
      known += known.empty() ? "" : ", ";
      known += k;
    }
    reader_.Fail(e.key_mark, Child(e.key),
                 "unknown key" + (known.empty() ? "" : "; valid keys here: " + known));
  }
}

bool IsEmptyDocument(std::string_view text) {
  while (!text.empty()) {
    const auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    const auto first = line.find_first_not_of(" \t\r");
    if (first != std::string_view::npos) {
      line = line.substr(first);
      if (!line.starts_with('#') && line != "---" && line != "...") {
        return false;
      }
    }
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  }
  return true;
}

}  // namespace edgewatch
