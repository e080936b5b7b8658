#include "http/query.h"

#include <gtest/gtest.h>

#include <climits>

namespace corvette::http {
namespace {

TEST(PercentDecodeTest, DecodesEscapesAndOptionallyPlus) {
  EXPECT_EQ(PercentDecode("front%20door", false), "front door");
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
  EXPECT_EQ(PercentDecode("%2f%2F", false), "//");
  EXPECT_EQ(PercentDecode("caf%C3%A9", false), "caf\xC3\xA9");
}

TEST(PercentDecodeTest, RejectsBrokenEscapesAndNul) {
  EXPECT_EQ(PercentDecode("%", false), std::nullopt);
  EXPECT_EQ(PercentDecode("abc%2", false), std::nullopt);
  EXPECT_EQ(PercentDecode("%zz", false), std::nullopt);
  EXPECT_EQ(PercentDecode("a%00b", false), std::nullopt);
}

TEST(QueryParamsTest, ParsesPairsInOrderWithDecoding) {
  QueryParams query = QueryParams::Parse("camera=front+door&label=person%21&zone=&flag&&x=1=2");
  ASSERT_EQ(query.items().size(), 5u);
  EXPECT_EQ(*query.Find("camera"), "front door");
  EXPECT_EQ(*query.Find("label"), "person!");
  EXPECT_EQ(*query.Find("zone"), "");
  EXPECT_EQ(*query.Find("flag"), "");
  EXPECT_EQ(*query.Find("x"), "1=2");
  EXPECT_EQ(query.Find("missing"), nullptr);
}

TEST(QueryParamsTest, FirstOccurrenceWinsAndBrokenEscapesStayVerbatim) {
  QueryParams query = QueryParams::Parse("h=1&h=2&q=%zz");
  EXPECT_EQ(*query.Find("h"), "1");
  EXPECT_EQ(*query.Find("q"), "%zz");
}

TEST(QueryParamsTest, FlagsParseAsIntegersAndIgnoreTheRest) {
  QueryParams query = QueryParams::Parse("bbox=1&timestamp=0&zones=yes&mask=2&motion=&regions=-1");
  EXPECT_EQ(query.GetFlagInt("bbox"), 1);
  EXPECT_TRUE(query.GetFlag("bbox"));
  EXPECT_FALSE(query.GetFlag("timestamp", true));
  EXPECT_EQ(query.GetFlagInt("zones"), std::nullopt);
  EXPECT_TRUE(query.GetFlag("zones", true));
  EXPECT_FALSE(query.GetFlag("zones"));
  EXPECT_TRUE(query.GetFlag("mask"));
  EXPECT_EQ(query.GetFlagInt("motion"), std::nullopt);
  EXPECT_TRUE(query.GetFlag("regions"));
  EXPECT_FALSE(query.GetFlag("absent"));
}

TEST(QueryParamsTest, GetIntReturnsValueOrAbsent) {
  QueryParams query = QueryParams::Parse("h=360&fps=+5&limit=1_000&empty=");
  EXPECT_EQ(query.GetInt("h", 1, LLONG_MAX), 360);
  EXPECT_EQ(query.GetInt("fps", 1, 30), 5);
  EXPECT_EQ(query.GetInt("limit", 0, LLONG_MAX), 1000);
  EXPECT_EQ(query.GetInt("absent", 1, LLONG_MAX), std::nullopt);
  EXPECT_EQ(query.GetInt("empty", 1, LLONG_MAX), std::nullopt);
}

void ExpectError(const QueryParams& query, const std::string& name, long long min, long long max,
                 const std::string& message) {
  try {
    query.GetInt(name, min, max);
    ADD_FAILURE() << name << " did not throw";
  } catch (const HttpError& error) {
    EXPECT_EQ(error.status(), 400);
    EXPECT_EQ(std::string(error.what()), message);
  }
}

TEST(QueryParamsTest, GetIntErrorsSayWhatWasExpectedAndWhatCame) {
  QueryParams query = QueryParams::Parse("h=abc&fps=0&limit=-1&q=7&big=99999999999999999999&f=1.5");
  ExpectError(query, "h", 1, LLONG_MAX, "h: must be a positive integer (got 'abc')");
  ExpectError(query, "fps", 1, LLONG_MAX, "fps: must be a positive integer (got '0')");
  ExpectError(query, "limit", 0, LLONG_MAX, "limit: must be a non-negative integer (got '-1')");
  ExpectError(query, "q", 1, 5, "q: must be an integer from 1 to 5 (got '7')");
  ExpectError(query, "big", 1, LLONG_MAX,
              "big: must be a positive integer (got '99999999999999999999')");
  ExpectError(query, "f", 1, LLONG_MAX, "f: must be a positive integer (got '1.5')");
}

TEST(QueryParamsTest, GetNumberAcceptsIntegersAndDecimals) {
  QueryParams query =
      QueryParams::Parse("after=1623643750&before=1623643757.837&bad=12abc&nan=nan&hex=0x10");
  EXPECT_DOUBLE_EQ(*query.GetNumber("after"), 1623643750.0);
  EXPECT_DOUBLE_EQ(*query.GetNumber("before"), 1623643757.837);
  EXPECT_EQ(query.GetNumber("absent"), std::nullopt);
  for (const char* name : {"bad", "nan", "hex"}) {
    try {
      query.GetNumber(name);
      ADD_FAILURE() << name << " did not throw";
    } catch (const HttpError& error) {
      EXPECT_EQ(error.status(), 400);
      EXPECT_NE(std::string(error.what()).find("must be a number"), std::string::npos);
    }
  }
}

TEST(ParseIntegerTest, FollowsPythonInt) {
  EXPECT_EQ(ParseInteger(" 42 "), 42);
  EXPECT_EQ(ParseInteger("-7"), -7);
  EXPECT_EQ(ParseInteger("9223372036854775807"), LLONG_MAX);
  EXPECT_EQ(ParseInteger("-9223372036854775808"), LLONG_MIN);
  EXPECT_EQ(ParseInteger("9223372036854775808"), std::nullopt);
  EXPECT_EQ(ParseInteger("1__0"), std::nullopt);
  EXPECT_EQ(ParseInteger("_1"), std::nullopt);
  EXPECT_EQ(ParseInteger(""), std::nullopt);
  EXPECT_EQ(ParseInteger("+"), std::nullopt);
  EXPECT_EQ(ParseInteger("0x10"), std::nullopt);
}

}  // namespace
}  // namespace corvette::http
