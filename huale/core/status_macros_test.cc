#include "huale/core/status_macros.h"

#include <memory>
#include <string>

#include "gtest/gtest.h"

namespace huale {
namespace {

absl::Status Fails() { return absl::NotFoundError("no such file"); }
absl::StatusOr<std::unique_ptr<int>> Seven() { return std::make_unique<int>(7); }
absl::StatusOr<int> Missing() { return absl::DataLossError("truncated"); }

absl::Status PassesThrough(bool fail, int* reached) {
  HUALE_RETURN_IF_ERROR(fail ? Fails() : absl::OkStatus());
  *reached = 1;
  return absl::OkStatus();
}

absl::StatusOr<int> Sum(bool fail) {
  HUALE_ASSIGN_OR_RETURN(std::unique_ptr<int> seven, Seven());  // move-only value
  int other = 0;
  HUALE_ASSIGN_OR_RETURN(other, fail ? Missing() : absl::StatusOr<int>(3));
  return *seven + other;
}

TEST(StatusMacros, ReturnIfErrorReturnsTheErrorUnchanged) {
  int reached = 0;
  absl::Status status = PassesThrough(/*fail=*/true, &reached);
  EXPECT_EQ(status, absl::NotFoundError("no such file"));
  EXPECT_EQ(reached, 0);
  EXPECT_TRUE(PassesThrough(/*fail=*/false, &reached).ok());
  EXPECT_EQ(reached, 1);
}

TEST(StatusMacros, AssignOrReturnDeclaresAssignsAndReturns) {
  EXPECT_EQ(Sum(/*fail=*/false).value(), 10);
  EXPECT_EQ(Sum(/*fail=*/true).status(), absl::DataLossError("truncated"));
}

}  // namespace
}  // namespace huale
