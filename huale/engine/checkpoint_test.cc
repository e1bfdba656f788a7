#include "huale/engine/checkpoint.h"

#include <torch/torch.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "huale/core/atomic_file.h"

namespace huale {
namespace {

struct TinyNet : torch::nn::Module {
  explicit TinyNet(int hidden) {
    fc1 = register_module("fc1", torch::nn::Linear(3, hidden));
    fc2 = register_module("fc2", torch::nn::Linear(hidden, 1));
  }
  torch::Tensor forward(torch::Tensor x) { return fc2(torch::relu(fc1(x))); }
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
};

// One SGD step with momentum, so the optimiser has state worth restoring.
void Step(TinyNet& net, torch::optim::SGD& sgd) {
  sgd.zero_grad();
  net.forward(torch::ones({4, 3})).sum().backward();
  sgd.step();
}

TEST(Checkpoint, RestoresModelOptimiserAndPositionSoTrainingContinuesIdentically) {
  const std::string path = testing::TempDir() + "/ckpt/train_state.pt";
  torch::manual_seed(0);
  TinyNet a(5);
  torch::optim::SGD sgd_a(a.parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
  Step(a, sgd_a);
  ASSERT_TRUE(SaveCheckpoint(path, a, &sgd_a, {3, 17}).ok());

  torch::manual_seed(1);
  TinyNet b(5);
  torch::optim::SGD sgd_b(b.parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
  auto position = LoadCheckpoint(path, b, &sgd_b);
  ASSERT_TRUE(position.ok()) << position.status();
  EXPECT_EQ(position->epochs_done, 3);
  EXPECT_EQ(position->iteration, 17);

  // The next step uses the restored momentum buffers: both nets stay equal.
  Step(a, sgd_a);
  Step(b, sgd_b);
  EXPECT_TRUE(torch::equal(a.fc1->weight, b.fc1->weight));
  EXPECT_TRUE(torch::equal(a.fc2->bias, b.fc2->bias));
}

TEST(Checkpoint, WrongArchitectureIsAnErrorNamingTheFile) {
  const std::string path = testing::TempDir() + "/ckpt/small.pt";
  TinyNet small(5);
  ASSERT_TRUE(SaveCheckpoint(path, small, nullptr, {}).ok());
  TinyNet wide(8);
  auto position = LoadCheckpoint(path, wide, nullptr);
  ASSERT_FALSE(position.ok());
  EXPECT_THAT(position.status().message(), ::testing::HasSubstr(path));
  EXPECT_THAT(position.status().message(),
              ::testing::HasSubstr("tensor 'fc1.weight' has shape [5, 3] in the file, the model "
                                   "expects [8, 3]"));
}

TEST(Checkpoint, CorruptFileIsAnErrorNotACrash) {
  const std::string path = testing::TempDir() + "/ckpt/corrupt.pt";
  ASSERT_TRUE(WriteFileAtomically(path, "not a zip archive").ok());
  TinyNet net(5);
  EXPECT_EQ(LoadCheckpoint(path, net, nullptr).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(LoadCheckpoint(path + ".missing", net, nullptr).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace huale
