// CSV quoting as RFC 4180 section 2 specifies it (rules 5 to 7).
#include "huale/core/csv.h"

#include "gtest/gtest.h"

namespace huale {
namespace {

TEST(Csv, PlainFieldsAreNotQuoted) {
  EXPECT_EQ(CsvField("huale_cascade"), "huale_cascade");
  EXPECT_EQ(CsvField("0.125"), "0.125");
  EXPECT_EQ(CsvField(""), "");
}

TEST(Csv, CommaQuoteAndLineBreaksAreQuotedAndQuotesDoubled) {
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField("cr\r"), "\"cr\r\"");
}

TEST(Csv, RowsJoinFieldsWithCommasAndEndWithANewline) {
  EXPECT_EQ(CsvRow({"id", "score"}), "id,score\n");
  EXPECT_EQ(CsvRow({}), "\n");
  CsvWriter csv;
  csv.AddRow({"image_id", "note"});
  csv.AddRow({"000005", "a, b"});
  EXPECT_EQ(csv.text(), "image_id,note\n000005,\"a, b\"\n");
}

}  // namespace
}  // namespace huale
