// A binary linking :all_losses holds exactly the losses huale/losses/BUILD
// declares (all_losses_names.txt, generated from its huale_component lines):
// Caffe's "Unknown layer type" bug came from a linker dropping registrations.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "huale/core/declared_components.h"
#include "huale/losses/loss.h"

namespace huale {
namespace {

TEST(AllLosses, HoldsExactlyTheLossesTheBuildFileDeclares) {
  const absl::StatusOr<std::vector<std::string>> declared =
      ReadDeclaredComponents("huale/losses/all_losses_names.txt", "loss");
  ASSERT_TRUE(declared.ok()) << declared.status();
  ASSERT_FALSE(declared->empty());
  EXPECT_EQ(LossRegistry::Get().Names(), *declared);
}

TEST(AllLosses, EveryRegisteredLossBuildsWithDefaultOptions) {
  for (const std::string& name : LossRegistry::Get().Names()) {
    LossSpec spec;
    spec.set_name(name);
    const absl::StatusOr<std::unique_ptr<Loss>> loss = LossRegistry::Get().Create(name, spec);
    EXPECT_TRUE(loss.ok()) << name << " with default options: " << loss.status();
  }
}

TEST(AllLosses, UnknownNameSuggestsTheClosest) {
  const absl::Status status = LossRegistry::Get().Create("eoiu", LossSpec()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(status.message().find("eiou"), std::string::npos) << status;
}

}  // namespace
}  // namespace huale
