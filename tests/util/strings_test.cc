#include "util/strings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace corvette::util {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(StringsTest, TrimRemovesBlanksAtBothEndsOnly) {
  EXPECT_EQ(Trim(" \t a b \t "), "a b");
  EXPECT_EQ(Trim("ab"), "ab");
  EXPECT_EQ(Trim(""), "");
  EXPECT_EQ(Trim(" \t "), "");
  // By default only space and tab: a line break is content (HTTP, config values).
  EXPECT_EQ(Trim("\n5 "), "\n5");
}

TEST(StringsTest, TrimTakesTheCharactersToRemove) {
  EXPECT_EQ(Trim("\r\n 7  car\r\n", kWhitespace), "7  car");
  EXPECT_EQ(Trim("\v\f", kWhitespace), "");
  EXPECT_EQ(Trim("--a-b--", "-"), "a-b");
}

TEST(StringsTest, SplitKeepsEmptyParts) {
  EXPECT_THAT(Split("a,,b", ","), ElementsAre("a", "", "b"));
  EXPECT_THAT(Split("a,b,", ","), ElementsAre("a", "b", ""));
  EXPECT_THAT(Split("", ","), ElementsAre(""));
  EXPECT_THAT(Split("abc", ","), ElementsAre("abc"));
  EXPECT_THAT(Split("a&b;c", "&;"), ElementsAre("a", "b", "c"));
}

TEST(StringsTest, SplitViewsIntoTheText) {
  std::string_view text = "one/two";
  auto parts = Split(text, "/");
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[1].data(), text.data() + 4);
}

TEST(StringsTest, SplitNonEmptyDropsEmptyParts) {
  EXPECT_THAT(SplitNonEmpty(" -a  b ", " "), ElementsAre("-a", "b"));
  EXPECT_THAT(SplitNonEmpty("", " "), IsEmpty());
  EXPECT_THAT(SplitNonEmpty("   ", " "), IsEmpty());
  EXPECT_THAT(SplitNonEmpty("&a;;b&", "&;"), ElementsAre("a", "b"));
}

TEST(StringsTest, CaseConversionIsAsciiOnly) {
  EXPECT_EQ(ToLower("Info-WARNING 1"), "info-warning 1");
  EXPECT_EQ(ToUpper("debug_x 1"), "DEBUG_X 1");
  EXPECT_EQ(ToLower("\xc3\x84"), "\xc3\x84");  // Ä in UTF-8 stays as it is
  EXPECT_EQ(ToLower(""), "");
}

TEST(StringsTest, CaseInsensitiveComparisons) {
  EXPECT_TRUE(EqualsIgnoreCase("Content-Length", "content-length"));
  EXPECT_FALSE(EqualsIgnoreCase("Content-Length", "content-lengt"));
  EXPECT_FALSE(EqualsIgnoreCase("a", "b"));
  EXPECT_TRUE(EqualsIgnoreCase("", ""));
  EXPECT_TRUE(EndsWithIgnoreCase("config.YML", ".yml"));
  EXPECT_TRUE(EndsWithIgnoreCase("clip.mp4", ".MP4"));
  EXPECT_FALSE(EndsWithIgnoreCase("yml", ".yml"));
  EXPECT_TRUE(EndsWithIgnoreCase("x", ""));
}

}  // namespace
}  // namespace corvette::util
