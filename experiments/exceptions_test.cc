#include "experiments/exceptions.h"

#include <new>
#include <stdexcept>

#include <c10/util/Exception.h>
#include <torch/torch.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace huale {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(CallCatchingExceptions, ALibTorchErrorBecomesOneLineWithoutItsBacktrace) {
  const absl::Status status = CallCatchingExceptions([]() -> absl::Status {
    // A real LibTorch failure: mismatched shapes.
    torch::matmul(torch::ones({2, 3}), torch::ones({2, 3}));
    return absl::OkStatus();
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(status.message(), HasSubstr("LibTorch: "));
  EXPECT_THAT(status.message(), HasSubstr("cannot be multiplied"));
  EXPECT_THAT(status.message(), Not(HasSubstr("Exception raised from")));
  EXPECT_THAT(status.message(), Not(HasSubstr("frame #")));
}

TEST(CallCatchingExceptions, OutOfMemoryAndOtherExceptionsAreStatuses) {
  EXPECT_EQ(CallCatchingExceptions([]() -> absl::Status { throw std::bad_alloc(); }).code(),
            absl::StatusCode::kResourceExhausted);
  const absl::Status other =
      CallCatchingExceptions([]() -> absl::Status { throw std::runtime_error("disk on fire"); });
  EXPECT_EQ(other.code(), absl::StatusCode::kUnknown);
  EXPECT_EQ(other.message(), "disk on fire");
  EXPECT_EQ(CallCatchingExceptions([]() -> absl::Status { throw 7; }).code(),
            absl::StatusCode::kUnknown);
  EXPECT_TRUE(CallCatchingExceptions([] { return absl::OkStatus(); }).ok());
  EXPECT_EQ(CallCatchingExceptions([] { return absl::NotFoundError("x"); }).code(),
            absl::StatusCode::kNotFound);
}

TEST(RunMainCatchingExceptions, AnEscapingExceptionIsExitCodeOne) {
  EXPECT_EQ(RunMainCatchingExceptions([] { return 2; }), 2);
  EXPECT_EQ(RunMainCatchingExceptions([]() -> int { throw std::runtime_error("late"); }), 1);
}

}  // namespace
}  // namespace huale
