#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/expected.h"
#include "yaml-cpp/yaml.h"

namespace edgewatch {

// Strict YAML reading shared by every config file (edgewatch config, web config). Collects every
// problem as one line "file:line:column: key.path: what was expected" instead of stopping at the
// first, so an operator fixes a file in one pass.
class YamlReader {
 public:
  explicit YamlReader(std::string file_name) : file_(std::move(file_name)) {}

  // Parses a document; a syntax error is recorded and a null node returned.
  YAML::Node Load(const std::string& text);

  void Fail(const YAML::Mark& at, std::string_view path, std::string_view message);

  bool ok() const { return errors_.empty(); }
  // All errors, one per line, in the order of their places in the file (those without a place
  // first).
  Error Failure() const;
  const std::string& file() const { return file_; }

 private:
  struct Problem {
    int line = -1;
    int column = -1;
    std::string text;
  };

  std::string file_;
  std::vector<Problem> errors_;
};

// Reads the keys of one YAML mapping. Every getter leaves `out` untouched when the key is absent
// (so defaults stay) and records an error when it has the wrong type. Finish() reports keys
// nobody asked for; duplicate keys are reported at construction.
class MapReader {
 public:
  // `node` may be null or absent (an empty section); anything but a mapping is an error.
  MapReader(YamlReader& reader, const YAML::Node& node, std::string path);

  void Bool(std::string_view key, bool& out);
  void String(std::string_view key, std::string& out);
  void Duration(std::string_view key, std::chrono::milliseconds& out);
  // A scalar converted by `parse` (returns Expected<T>), e.g. ParseCidr.
  template <typename T, typename Parse>
  void Value(std::string_view key, T& out, Parse parse) {
    Scalar(key, "a string", [&](const std::string& text, const YAML::Mark& mark) {
      auto parsed = parse(text);
      if (parsed) {
        out = std::move(*parsed);
      } else {
        reader_.Fail(mark, Child(key), parsed.error().message);
      }
    });
  }
  // A list of scalars, each converted by `parse` (returns Expected<T>); replaces `out`.
  template <typename T, typename Parse>
  void List(std::string_view key, std::vector<T>& out, Parse parse) {
    std::vector<T> items;
    const bool present =
        Items(key, [&](const std::string& text, const std::string& path, const YAML::Mark& mark) {
          auto parsed = parse(text);
          if (parsed) {
            items.push_back(std::move(*parsed));
          } else {
            reader_.Fail(mark, path, parsed.error().message);
          }
        });
    if (present) {
      out = std::move(items);
    }
  }
  // A list of mappings, each read by `read` with its own MapReader (path "key[i]").
  void ListOfSections(std::string_view key, const std::function<void(MapReader&)>& read);
  // A nested mapping, read by `read` with its own MapReader (Finish() is called for it).
  void Section(std::string_view key, const std::function<void(MapReader&)>& read);
  // One entry of a mapping with free-form keys (e.g. user names).
  struct FreeEntry {
    const std::string& name;
    std::string path;
    const YAML::Node& value;
    YAML::Mark mark;  // of the value, or of the key when the value is null
  };
  void Entries(std::string_view key, const std::function<void(const FreeEntry&)>& read);

  // Reports a problem with `key`, at its value (or at the section when the key is absent).
  void Fail(std::string_view key, std::string_view message);

  // Where `key`'s value is, for a problem found later (e.g. a check across sections).
  struct Place {
    YAML::Mark mark;
    std::string path;
  };
  Place Where(std::string_view key);

  void Finish();

  std::string Child(std::string_view key) const;
  const YAML::Mark& mark() const { return mark_; }

 private:
  struct Entry {
    std::string key;
    YAML::Mark key_mark;
    YAML::Node value;
    bool used = false;
  };

  Entry* Find(std::string_view key);
  // Marks of null values are unset; report those at their key.
  static YAML::Mark MarkOf(const Entry& e);
  // Calls `use` for each scalar item of the list at `key`; false when the key is absent.
  bool Items(
      std::string_view key,
      const std::function<void(const std::string&, const std::string&, const YAML::Mark&)>& use);
  void Scalar(std::string_view key, std::string_view expected,
              const std::function<void(const std::string&, const YAML::Mark&)>& use);

  YamlReader& reader_;
  std::string path_;
  YAML::Mark mark_;
  std::vector<Entry> entries_;
  std::vector<std::string> asked_;
};

// Decodes a whole YAML document into T strictly: `read(top-level MapReader, T&)`, then unknown
// top-level keys are reported. On failure the Error lists every problem, one per line.
template <typename T, typename Read>
Expected<T> DecodeDocument(const std::string& yaml, const std::string& source, T value, Read read) {
  YamlReader reader(source);
  const YAML::Node root = reader.Load(yaml);
  if (reader.ok()) {
    MapReader top(reader, root, "");
    read(reader, top, value);
    top.Finish();
  }
  if (!reader.ok()) {
    return reader.Failure();
  }
  return value;
}

// Config files are small; a larger one is refused rather than read.
inline constexpr std::uintmax_t kMaxConfigBytes = 1 << 20;

// Reads a whole config file, which must be a regular file of at most kMaxConfigBytes; the error
// names the path and `what` ("config file").
Expected<std::string> ReadConfigText(const std::string& path, std::string_view what);

// Whether a document holds nothing but blank lines, comments and document markers.
bool IsEmptyDocument(std::string_view text);

// Describes a node's kind for messages: "a mapping", "a list", "a string", "null".
std::string_view KindOf(const YAML::Node& node);

}  // namespace edgewatch
