#include "config/schema_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace corvette::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(MapReader, ReadsTypedValuesAndReportsUnknownKeys) {
  Document doc = Document::parse(R"({"a": 1, "b": 2.5, "c": true, "d": "x", "e": null, "zz": 0})");
  Diagnostics diag;
  MapReader r(&doc, "sec", diag);
  EXPECT_EQ(r.Int("a"), 1);
  EXPECT_EQ(r.Number("b"), 2.5);
  EXPECT_EQ(r.Number("a"), 1.0);  // integers are numbers
  EXPECT_EQ(r.Bool("c"), true);
  EXPECT_EQ(r.String("d"), "x");
  EXPECT_FALSE(r.Int("e").has_value());  // null reads as absent
  EXPECT_FALSE(r.Int("missing").has_value());
  r.Finish();
  EXPECT_THAT(diag.errors(), ElementsAre("sec.zz: unknown key (expected one of a, b, c, d, e, "
                                         "missing)"));
}

TEST(MapReader, TypeAndRangeErrors) {
  Document doc = Document::parse(R"({"i": "5", "f": 2.0, "r": 300, "n": -0.5, "s": 5, "l": "x",
                                     "b": 1})");
  Diagnostics diag;
  MapReader r(&doc, "", diag);
  EXPECT_FALSE(r.Int("i"));
  EXPECT_FALSE(r.Int("f"));
  EXPECT_FALSE(r.Int("r", IntRange{1, 255}));
  EXPECT_FALSE(r.Number("n", NumberRange{0, 1}));
  EXPECT_FALSE(r.String("s"));
  EXPECT_FALSE(r.StringList("l"));
  EXPECT_FALSE(r.Bool("b"));
  r.Finish();
  EXPECT_THAT(diag.errors(),
              ElementsAre("i: the string \"5\" is not an integer (expected an integer)",
                          "f: the number 2.0 is not an integer (expected an integer)",
                          "r: 300 is out of range (expected an integer from 1 to 255)",
                          "n: -0.5 is out of range (expected a number from 0 to 1)",
                          HasSubstr("s: the number 5 is not a string (expected a string"),
                          "l: the string \"x\" is not a list (expected a list of strings)",
                          "b: the number 1 is not a boolean (expected true or false)"));
}

TEST(MapReader, NotAMap) {
  Document doc = Document::array({1});
  Diagnostics diag;
  MapReader r(&doc, "objects", diag);
  EXPECT_FALSE(r.present());
  r.Finish();
  EXPECT_THAT(diag.errors(), ElementsAre(HasSubstr("objects: a list is not a map")));
}

TEST(MapReader, RequireAndNested) {
  Document doc = Document::parse(R"({"sub": {"k": 1, "extra": 2}})");
  Diagnostics diag;
  MapReader r(&doc, "top", diag);
  r.Require("host", "a host name");
  MapReader sub = r.Map("sub");
  EXPECT_EQ(sub.Int("k"), 1);
  sub.Finish();
  r.Finish();
  EXPECT_THAT(diag.errors(), ElementsAre("top.host: missing (expected a host name)",
                                         "top.sub.extra: unknown key (expected one of k)"));
}

TEST(ReadArgs, StringSplitsAtSpacesAndListTakesIntegers) {
  Diagnostics diag;
  EXPECT_THAT(*ReadArgs(Document("  -a  b -c "), "x", diag), ElementsAre("-a", "b", "-c"));
  EXPECT_THAT(*ReadArgs(Document(""), "x", diag), IsEmpty());
  EXPECT_THAT(*ReadArgs(Document::parse(R"(["-r", 5, ""])"), "x", diag), ElementsAre("-r", "5"));
  EXPECT_THAT(diag.errors(), IsEmpty());
  EXPECT_FALSE(ReadArgs(Document::parse(R"(["-r", 5.5])"), "x", diag));
  EXPECT_FALSE(ReadArgs(Document(true), "y", diag));
  EXPECT_THAT(diag.errors(),
              ElementsAre(HasSubstr("x[1]: the number 5.5 is not a string"),
                          HasSubstr("y: the boolean true is not a string or a list")));
}

TEST(Ranges, Describe) {
  EXPECT_EQ(IntRange{}.Describe(), "an integer");
  EXPECT_EQ(IntRange{1}.Describe(), "an integer >= 1");
  EXPECT_EQ((IntRange{1, 255}.Describe()), "an integer from 1 to 255");
  EXPECT_EQ((NumberRange{0, 1}.Describe()), "a number from 0 to 1");
  EXPECT_EQ((NumberRange{0, 1, true}.Describe()), "a number > 0 and <= 1");
}

}  // namespace
}  // namespace corvette::config
