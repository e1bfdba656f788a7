#include "huale/core/option_checks.h"

#include <cmath>
#include <string>

#include "gtest/gtest.h"

namespace huale {
namespace {

// Stands in for a generated protobuf message: only descriptor()->name() is used.
struct FakeOptions {
  struct Descriptor {
    std::string name() const { return "FakeOptions"; }
  };
  static const Descriptor* descriptor() {
    static const Descriptor d;
    return &d;
  }
};

TEST(OptionChecks, PassingChecksLeaveOk) {
  OptionChecks checks{FakeOptions()};
  checks.InRange("share", 0, 0, 1).InRange("share", 1, 0, 1).AtLeast("ratio", 1, 1).Positive("n", 3);
  EXPECT_TRUE(checks.status().ok());
}

TEST(OptionChecks, TheFirstProblemIsReportedWithMessageFieldAndValue) {
  OptionChecks checks{FakeOptions()};
  checks.AtLeast("ratio", 1.5, 1).InRange("share", 1.5, 0, 1).Positive("n", 0);
  EXPECT_EQ(checks.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(checks.status().message(),
            "FakeOptions.share: expected a value in [0, 1], found 1.5");
}

TEST(OptionChecks, NanAndInfinityNeverPass) {
  EXPECT_FALSE(OptionChecks{FakeOptions()}.InRange("x", std::nan(""), 0, 1).status().ok());
  EXPECT_FALSE(OptionChecks{FakeOptions()}.AtLeast("x", INFINITY, 0).status().ok());
  EXPECT_FALSE(OptionChecks{FakeOptions()}.Positive("x", std::nan("")).status().ok());
  EXPECT_EQ(OptionChecks{FakeOptions()}.Positive("n", -2).status().message(),
            "FakeOptions.n: expected a finite value > 0, found -2");
  EXPECT_EQ(OptionChecks{FakeOptions()}.Check("bg", false, "must be <= fg").status().message(),
            "FakeOptions.bg: must be <= fg");
}

TEST(OptionChecks, NestedMessagesKeepTheirFieldPath) {
  const absl::Status inner = absl::InvalidArgumentError(
      "EntropyOptions.confident_score: expected a value in [0, 1], found 3");
  EXPECT_EQ(OptionChecks{FakeOptions()}.Include("entropy", inner).status().message(),
            "FakeOptions.entropy.confident_score: expected a value in [0, 1], found 3");
  EXPECT_TRUE(OptionChecks{FakeOptions()}.Include("entropy", absl::OkStatus()).status().ok());
}

}  // namespace
}  // namespace huale
