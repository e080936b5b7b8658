#include "config/document.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

namespace corvette::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

TEST(ResolvePlainScalar, PyYamlTypes) {
  EXPECT_TRUE(ResolvePlainScalar("").is_null());
  EXPECT_TRUE(ResolvePlainScalar("~").is_null());
  EXPECT_TRUE(ResolvePlainScalar("null").is_null());
  for (const char* t : {"yes", "Yes", "true", "True", "TRUE", "on", "ON"}) {
    EXPECT_EQ(ResolvePlainScalar(t), true) << t;
  }
  for (const char* f : {"no", "NO", "false", "False", "off", "Off"}) {
    EXPECT_EQ(ResolvePlainScalar(f), false) << f;
  }
  EXPECT_EQ(ResolvePlainScalar("0"), 0);
  EXPECT_EQ(ResolvePlainScalar("42"), 42);
  EXPECT_EQ(ResolvePlainScalar("-7"), -7);
  EXPECT_EQ(ResolvePlainScalar("+7"), 7);
  EXPECT_EQ(ResolvePlainScalar("1_000"), 1000);
  EXPECT_EQ(ResolvePlainScalar("010"), 8);  // YAML 1.1 octal
  EXPECT_EQ(ResolvePlainScalar("0x1F"), 31);
  EXPECT_EQ(ResolvePlainScalar("0b101"), 5);
  EXPECT_TRUE(ResolvePlainScalar("1.5").is_number_float());
  EXPECT_DOUBLE_EQ(ResolvePlainScalar("1.5").get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(ResolvePlainScalar("1.").get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(ResolvePlainScalar(".5").get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(ResolvePlainScalar("1.0e+3").get<double>(), 1000.0);
  EXPECT_TRUE(std::isinf(ResolvePlainScalar(".inf").get<double>()));
  // Strings in PyYAML's YAML 1.1 reading:
  EXPECT_EQ(ResolvePlainScalar("1e3"), "1e3");
  EXPECT_EQ(ResolvePlainScalar("08"), "08");
  EXPECT_EQ(ResolvePlainScalar("y"), "y");
  EXPECT_EQ(ResolvePlainScalar("0,0,10,0,10,10"), "0,0,10,0,10,10");
  EXPECT_EQ(ResolvePlainScalar("rtsp://a:b@c/d"), "rtsp://a:b@c/d");
  EXPECT_EQ(ResolvePlainScalar("99999999999999999999"), "99999999999999999999");
}

TEST(ParseYaml, QuotedScalarsAreStrings) {
  ParsedDocument doc = ParseYaml("a: \"5\"\nb: '1.0'\nc: !!str yes\nd: 5\n");
  ASSERT_THAT(doc.errors, IsEmpty());
  EXPECT_EQ(doc.root["a"], "5");
  EXPECT_EQ(doc.root["b"], "1.0");
  EXPECT_EQ(doc.root["c"], "yes");
  EXPECT_EQ(doc.root["d"], 5);
}

TEST(ParseYaml, KeepsKeyOrder) {
  ParsedDocument doc = ParseYaml("z: 1\na: 2\nm: 3\n");
  std::vector<std::string> keys;
  for (auto it = doc.root.begin(); it != doc.root.end(); ++it)
    keys.push_back(it.key());
  EXPECT_THAT(keys, ElementsAre("z", "a", "m"));
}

TEST(ParseYaml, MergeKeysDoNotOverrideExplicitKeys) {
  ParsedDocument doc = ParseYaml("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\n");
  ASSERT_THAT(doc.errors, IsEmpty());
  EXPECT_EQ(doc.root["other"]["x"], 1);
  EXPECT_EQ(doc.root["other"]["y"], 3);
}

TEST(ParseYaml, MergeOfNonMapIsAnError) {
  ParsedDocument doc = ParseYaml("a:\n  <<: 5\n");
  EXPECT_THAT(doc.errors, ElementsAre(HasSubstr("merge key")));
}

TEST(ParseYaml, DuplicateKeyTakesTheLastValueWithAWarning) {
  ParsedDocument doc = ParseYaml("a: 1\nb: 2\na: 3\n");
  EXPECT_THAT(doc.errors, IsEmpty());
  EXPECT_EQ(doc.root["a"], 3);
  EXPECT_EQ(doc.root.begin().key(), "a");  // first place kept, as in a Python dict
  EXPECT_THAT(doc.warnings, ElementsAre("a: duplicate key on line 3 (first on line 1): the last "
                                        "value is used, as Frigate 0.8 (PyYAML) does"));
}

TEST(ParseYaml, DuplicateKeyWarningNamesTheKeyPathInsideMapsAndLists) {
  ParsedDocument doc = ParseYaml(
      "cameras:\n"
      "  back:\n"
      "    ffmpeg:\n"
      "      inputs:\n"
      "        - path: a\n"
      "        - path: b\n"
      "          roles: [detect]\n"
      "          path: c\n");
  EXPECT_THAT(doc.errors, IsEmpty());
  EXPECT_EQ(doc.root["cameras"]["back"]["ffmpeg"]["inputs"][1]["path"], "c");
  EXPECT_THAT(doc.warnings, ElementsAre(testing::StartsWith(
                                "cameras.back.ffmpeg.inputs[1].path: duplicate key on line 8 "
                                "(first on line 6)")));
}

TEST(ParseYaml, DuplicateMapIsReplacedNotMerged) {
  ParsedDocument doc = ParseYaml("m:\n  x: 1\nm:\n  y: 2\n");
  EXPECT_THAT(doc.errors, IsEmpty());
  EXPECT_EQ(doc.root["m"], Document::parse(R"({"y": 2})"));
  EXPECT_THAT(doc.warnings, SizeIs(1));
}

TEST(ParseYaml, DuplicateKeyInAnAliasedMapIsReportedOnce) {
  ParsedDocument doc = ParseYaml("base: &b\n  x: 1\n  x: 2\nother: *b\nmore:\n  <<: *b\n");
  EXPECT_THAT(doc.errors, IsEmpty());
  EXPECT_EQ(doc.root["other"]["x"], 2);
  EXPECT_EQ(doc.root["more"]["x"], 2);
  EXPECT_THAT(doc.warnings, ElementsAre(testing::StartsWith("base.x: duplicate key on line 3")));
}

TEST(ParseYaml, SyntaxErrorHasLineAndColumn) {
  ParsedDocument doc = ParseYaml("cameras:\n  a: [1, 2\n  b: 3\n");
  ASSERT_THAT(doc.errors, SizeIs(1));
  EXPECT_THAT(doc.errors[0], testing::StartsWith("line "));
  EXPECT_THAT(doc.errors[0], HasSubstr("YAML syntax error"));

  ParsedDocument tab = ParseYaml("a:\n\tb: 1\n");
  ASSERT_THAT(tab.errors, SizeIs(1));
  EXPECT_THAT(tab.errors[0], testing::StartsWith("line 2, column "));
}

TEST(ParseYaml, EmptyTextIsNull) {
  ParsedDocument doc = ParseYaml("");
  EXPECT_THAT(doc.errors, IsEmpty());
  EXPECT_TRUE(doc.root.is_null());
}

TEST(ParseJson, ParsesAndReportsPosition) {
  ParsedDocument ok = ParseJson(R"({"b": 1, "a": [true, null, 1.5, "x"]})");
  ASSERT_THAT(ok.errors, IsEmpty());
  EXPECT_EQ(ok.root.begin().key(), "b");
  EXPECT_EQ(ok.root["a"][2], 1.5);
  ParsedDocument bad = ParseJson("{\n  \"a\": 1,\n  }");
  ASSERT_THAT(bad.errors, SizeIs(1));
  EXPECT_THAT(bad.errors[0], testing::StartsWith("line 3, column 3: JSON syntax error: "));
}

}  // namespace
}  // namespace corvette::config
