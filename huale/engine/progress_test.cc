#include "huale/engine/progress.h"

#include <algorithm>
#include <cstdlib>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace huale {
namespace {

using ::testing::HasSubstr;

TEST(FormatDuration, MinutesAndHours) {
  EXPECT_EQ(FormatDuration(0), "0:00");
  EXPECT_EQ(FormatDuration(247), "4:07");
  EXPECT_EQ(FormatDuration(3909), "1:05:09");
  EXPECT_EQ(FormatDuration(-1), "?");
}

TEST(ProgressBar, RendersCountsUnitAndStatus) {
  ProgressBar bar("epoch 1/2", 40, "img", /*out=*/nullptr);
  bar.Advance(10, "loss 0.5");
  const std::string text = bar.Render();
  EXPECT_THAT(text, HasSubstr("epoch 1/2 [######.................."));
  EXPECT_THAT(text, HasSubstr("10/40 img"));
  EXPECT_THAT(text, HasSubstr("ETA"));
  EXPECT_THAT(text, HasSubstr("loss 0.5"));
  bar.Advance(30);
  EXPECT_THAT(bar.Render(), HasSubstr("took"));
}

TEST(ProgressBar, LogModePrintsALinePerTenthAndAFinalLine) {
  char* buffer = nullptr;
  size_t size = 0;
  FILE* log = open_memstream(&buffer, &size);
  {
    ProgressBar bar("pool", 100, "img", log);
    for (int i = 0; i < 100; ++i) bar.Advance(1);
  }
  std::fclose(log);
  const std::string text(buffer, size);
  free(buffer);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 11);  // 0%, 10%..90%, final
  EXPECT_THAT(text, HasSubstr("100/100 img"));
}

}  // namespace
}  // namespace huale
