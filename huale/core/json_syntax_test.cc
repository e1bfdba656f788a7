#include "huale/core/json_syntax.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace huale {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(JsonSyntaxError, ValidJsonHasNone) {
  EXPECT_EQ(JsonSyntaxError(R"({"images": [{"id": 1}], "x": [1.5, null, true]})"), "");
  EXPECT_EQ(JsonSyntaxError("  [] \n"), "");
}

TEST(JsonSyntaxError, ATruncatedFileIsNamedAtItsEnd) {
  const std::string text = "{\"images\": [\n {\"id\": 1,\n  \"file_name\": \"a.jpg\"";
  const std::string error = JsonSyntaxError(text);
  EXPECT_THAT(error, StartsWith("line 3, column 23 (byte 46): "));
  EXPECT_THAT(error, HasSubstr("unexpected end of input"));
}

TEST(JsonSyntaxError, AStrayCharacterIsNamedWhereItIs) {
  EXPECT_THAT(JsonSyntaxError("{\"a\": [1, 2,,]}"), StartsWith("line 1, column 13 (byte 12): "));
  EXPECT_THAT(JsonSyntaxError("{\n\"score\": NaN}"), StartsWith("line 2, column "));
  EXPECT_THAT(JsonSyntaxError("{\"a\": 1} x"), HasSubstr("expected end of input"));
}

TEST(JsonSyntaxError, ANumberOutOfRangeIsNamedByByte) {
  EXPECT_EQ(JsonSyntaxError("{\"a\": 1e999}"), "byte 10: number overflow parsing '1e999'");
}

TEST(JsonSyntaxError, ALongTokenIsNotQuotedWhole) {
  const std::string text = "{\"a\": \"" + std::string(5000, 'x');
  EXPECT_LE(JsonSyntaxError(text).size(), 303u);
}

}  // namespace
}  // namespace huale
