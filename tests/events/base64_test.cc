#include "events/base64.h"

#include <gtest/gtest.h>

namespace corvette::events {
namespace {

TEST(Base64Test, EncodesAsPythonB64encode) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode(std::string("\xff\xfe\x00", 3)), "//4A");
}

TEST(Base64Test, DecodesWhatItEncodesAndRefusesGarbage) {
  std::string bytes;
  for (int i = 0; i < 1000; ++i)
    bytes.push_back(static_cast<char>(i * 37));
  for (size_t n : {0u, 1u, 2u, 3u, 999u, 1000u}) {
    auto decoded = Base64Decode(Base64Encode(bytes.substr(0, n)));
    ASSERT_TRUE(decoded.has_value()) << n;
    EXPECT_EQ(*decoded, bytes.substr(0, n));
  }
  EXPECT_FALSE(Base64Decode("Zm9").has_value());
  EXPECT_FALSE(Base64Decode("Zm9*").has_value());
  EXPECT_FALSE(Base64Decode("Z===").has_value());
  EXPECT_FALSE(Base64Decode("Zg==Zm9v").has_value());
}

}  // namespace
}  // namespace corvette::events
