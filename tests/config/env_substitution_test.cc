#include "config/env_substitution.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace corvette::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

TEST(SubstitutionVariables, OnlyFrigatePrefixAndConfigWins) {
  auto vars = SubstitutionVariables({{"FRIGATE_A", "env"}, {"FRIGATE_B", "b"}, {"PATH", "/bin"}},
                                    {{"FRIGATE_A", "file"}, {"OTHER", "x"}});
  EXPECT_THAT(vars, ElementsAre(Pair("FRIGATE_A", "file"), Pair("FRIGATE_B", "b")));
}

TEST(SubstituteEnvironment, ReplacesVariablesAndDoubledBraces) {
  Diagnostics diag;
  std::map<std::string, std::string> vars = {{"FRIGATE_PW", "s3cret"}, {"FRIGATE_U", "me"}};
  EXPECT_EQ(SubstituteEnvironment("rtsp://{FRIGATE_U}:{FRIGATE_PW}@h/{{x}}", vars, "p", diag),
            "rtsp://me:s3cret@h/{x}");
  EXPECT_EQ(SubstituteEnvironment("no braces", vars, "p", diag), "no braces");
  EXPECT_EQ(SubstituteEnvironment("{{FRIGATE_PW}}", vars, "p", diag), "{FRIGATE_PW}");
  EXPECT_EQ(SubstituteEnvironment("", vars, "p", diag), "");
  EXPECT_THAT(diag.errors(), IsEmpty());
}

TEST(SubstituteEnvironment, ErrorsNameTheKeyPath) {
  Diagnostics diag;
  std::map<std::string, std::string> vars = {{"FRIGATE_PW", "x"}};
  EXPECT_FALSE(SubstituteEnvironment("{FRIGATE_NOPE}", vars, "mqtt.password", diag));
  EXPECT_FALSE(SubstituteEnvironment("a}b", vars, "p1", diag));
  EXPECT_FALSE(SubstituteEnvironment("a{FRIGATE_PW", vars, "p2", diag));
  EXPECT_FALSE(SubstituteEnvironment("{}", vars, "p3", diag));
  EXPECT_FALSE(SubstituteEnvironment("{HOME}", vars, "p4", diag));
  EXPECT_THAT(diag.errors(),
              ElementsAre(HasSubstr("mqtt.password: unknown variable {FRIGATE_NOPE} (expected "),
                          HasSubstr("p1: single \"}\" at character 2"),
                          HasSubstr("p2: unclosed \"{\" at character 2"),
                          HasSubstr("p3: variable {} is not a FRIGATE_ variable"),
                          HasSubstr("p4: variable {HOME} is not a FRIGATE_ variable")));
}

}  // namespace
}  // namespace corvette::config
