#include "parsers/text/utf8.h"

#include <gtest/gtest.h>

namespace edgewatch::text {
namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";

TEST(Utf8Test, ValidTextStaysAsItIs) {
  for (const char* s : {"", "blog.example",
                        "b\xC3\xBC"
                        "cher.example",  // bücher
                        "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xED\x9F\xBF", "\xF4\x8F\xBF\xBF"}) {
    EXPECT_EQ(ValidUtf8(s), s);
  }
}

TEST(Utf8Test, EveryBadByteBecomesAReplacementCharacter) {
  EXPECT_EQ(ValidUtf8("\xFF\xFE.example"), std::string(kReplacement) + kReplacement + ".example");
  // A key cut in the middle of a character (b\xC3 of "bü").
  EXPECT_EQ(ValidUtf8("b\xC3"), std::string("b") + kReplacement);
  // Overlong '/' (C0 AF), a surrogate (ED A0 80), past U+10FFFF (F4 90 80 80), a lone
  // continuation byte: none is well-formed.
  EXPECT_EQ(ValidUtf8("\xC0\xAF"), std::string(kReplacement) + kReplacement);
  EXPECT_EQ(ValidUtf8("\xED\xA0\x80"), std::string(kReplacement) + kReplacement + kReplacement);
  EXPECT_EQ(Utf8SequenceLength("\xF4\x90\x80\x80"), 0u);
  EXPECT_EQ(Utf8SequenceLength("\xE0\x9F\xBF"), 0u);  // overlong three-byte form
  EXPECT_EQ(ValidUtf8("a\x80z"), std::string("a") + kReplacement + "z");
}

}  // namespace
}  // namespace edgewatch::text
