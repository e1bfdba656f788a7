// A binary linking :all_losses holds every loss the method doc names (Caffe's
// "Unknown layer type" bug came from a linker dropping registrations).
#include <string>

#include "gtest/gtest.h"
#include "huale/losses/loss.h"

namespace huale {
namespace {

TEST(AllLosses, EveryMethodDocLossIsRegistered) {
  for (const std::string name :
       {"cross_entropy", "smooth_l1", "eiou", "focal_eiou", "sync_iou", "emphasis"}) {
    EXPECT_TRUE(LossRegistry::Get().Contains(name)) << name;
    LossSpec spec;
    spec.set_name(name);
    EXPECT_TRUE(LossRegistry::Get().Create(name, spec).ok()) << name << " with default options";
  }
}

TEST(AllLosses, UnknownNameSuggestsTheClosest) {
  const absl::Status status = LossRegistry::Get().Create("eoiu", LossSpec()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(status.message().find("eiou"), std::string::npos) << status;
}

}  // namespace
}  // namespace huale
