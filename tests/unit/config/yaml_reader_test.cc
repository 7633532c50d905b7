#include "config/yaml_reader.h"

#include <gtest/gtest.h>

namespace edgewatch {
namespace {

struct Doc {
  bool flag = false;
  std::string name;
  std::string later;
};

Expected<Doc> Decode(const std::string& yaml) {
  return DecodeDocument(yaml, "t.yml", Doc{}, [](YamlReader& reader, MapReader& top, Doc& d) {
    top.Bool("flag", d.flag);
    top.String("name", d.name);
    top.Section("nested", [&](MapReader& m) {
      m.String("later", d.later);
      // A check found after reading, reported at the place it concerns.
      const MapReader::Place at = m.Where("later");
      if (d.later == "bad") {
        reader.Fail(at.mark, at.path, "found later");
      }
    });
  });
}

TEST(YamlReaderTest, ReadsKnownKeysAndKeepsDefaults) {
  auto d = Decode("flag: true\nnested:\n  later: x\n");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_TRUE(d->flag);
  EXPECT_EQ(d->name, "");
  EXPECT_EQ(d->later, "x");
}

TEST(YamlReaderTest, ReportsEveryProblemInFileOrder) {
  // The nested problem is found first, while reading; the unknown top-level key last, by Finish.
  auto d = Decode("bogus: 1\nflag: maybe\nnested:\n  later: bad\n  extra: 2\nname: [1]\n");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().message,
            "t.yml:1:1: bogus: unknown key; valid keys here: flag, name, nested\n"
            "t.yml:2:7: flag: expected true or false, got \"maybe\"\n"
            "t.yml:4:10: nested.later: found later\n"
            "t.yml:5:3: nested.extra: unknown key; valid keys here: later\n"
            "t.yml:6:7: name: expected a string, got a list");
}

TEST(YamlReaderTest, DuplicateKeysAndSyntaxErrors) {
  auto dup = Decode("flag: true\nflag: false\n");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.error().message.find("t.yml:2:1: flag: duplicate key"), std::string::npos)
      << dup.error().message;
  auto syntax = Decode("flag: [\n");
  ASSERT_FALSE(syntax.ok());
  EXPECT_EQ(syntax.error().message.rfind("t.yml:", 0), 0u);
  EXPECT_NE(syntax.error().message.find("invalid YAML"), std::string::npos);
}

// yaml-cpp lets a quoted string that is never closed run to the end of the file, so a path
// such as "/var/log/x.log would swallow the rest of the config silently.
TEST(YamlReaderTest, AnUnterminatedQuoteIsAnError) {
  for (const char* yaml : {"flag: true\nname: \"/var/log/x.log\nnested:\n  later: x\n",
                           "flag: true\nname: '/var/log/x.log\n"}) {
    auto d = Decode(yaml);
    ASSERT_FALSE(d.ok()) << yaml;
    EXPECT_EQ(d.error().message,
              "t.yml:2:7: invalid YAML: a quoted string is never closed (it runs to the end of "
              "the file)");
  }
  // Escaped quotes inside, and quotes that close, are fine.
  auto ok = Decode("name: 'it''s'\nnested:\n  later: \"a\\\"b\"\n");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->name, "it's");
  EXPECT_EQ(ok->later, "a\"b");
}

TEST(YamlReaderTest, ReadConfigTextNamesThePath) {
  auto text = ReadConfigText("/nonexistent/x.yml", "config file");
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().message,
            "/nonexistent/x.yml: cannot open config file: No such file or directory");
}

}  // namespace
}  // namespace edgewatch
