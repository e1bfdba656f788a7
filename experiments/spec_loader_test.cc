#include "experiments/spec_loader.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace huale {
namespace {

using ::testing::HasSubstr;

TEST(ParseSpecText, ReadsFieldsAndKeepsDefaults) {
  auto spec = ParseSpecText(R"pb(
    name: "x"
    seed: 7
    schedule { budget_per_cycle: 100 }
  )pb", "x.pbtxt");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->seed(), 7u);
  EXPECT_EQ(spec->schedule().budget_per_cycle(), 100);
  EXPECT_EQ(spec->schedule().initial_size(), 500);
  EXPECT_FLOAT_EQ(spec->training().learning_rate(), 0.0025f);
}

TEST(ParseSpecText, UnknownFieldNamesFileLineColumnAndField) {
  auto spec = ParseSpecText("name: \"x\"\nschedule {\n  budjet: 5\n}\n", "specs/bad.pbtxt");
  ASSERT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(spec.status().message(), HasSubstr("specs/bad.pbtxt:3:"));
  EXPECT_THAT(spec.status().message(), HasSubstr("budjet"));
}

TEST(ParseSpecText, WrongValueTypeNamesTheField) {
  auto spec = ParseSpecText("seed: \"seven\"\n", "s.pbtxt");
  ASSERT_FALSE(spec.ok());
  EXPECT_THAT(spec.status().message(), HasSubstr("s.pbtxt:1:"));
  // Protobuf's message only says what it expected; the quoted line names the field.
  EXPECT_THAT(spec.status().message(), HasSubstr("seed: \"seven\""));
}

TEST(ResolveSpecPath, MissingSpecListsWhereItLooked) {
  auto path = ResolveSpecPath("no_such_spec");
  ASSERT_EQ(path.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(path.status().message(), HasSubstr("experiments/specs/no_such_spec.pbtxt"));
}

}  // namespace
}  // namespace huale
