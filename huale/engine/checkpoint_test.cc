#include "huale/engine/checkpoint.h"

#include <signal.h>
#include <sys/resource.h>

#include <filesystem>
#include <iostream>

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

// A full disk (here: a file-size limit, which fails writes as ENOSPC would)
// is an error naming the file; the previous checkpoint stays and no temporary
// file is left (issue 13: LibTorch's writer aborted and left *.tmp.<pid>).
TEST(Checkpoint, AFullDiskIsAnErrorThatKeepsThePreviousFileAndLeavesNoTemporary) {
  const std::string dir = testing::TempDir() + "/ckpt_full";
  const std::string path = dir + "/train_state.pt";
  TinyNet net(64);
  ASSERT_TRUE(SaveCheckpoint(path, net, nullptr, {1, 5}).ok());
  const absl::StatusOr<std::string> before = ReadFile(path);
  ASSERT_TRUE(before.ok());

  struct rlimit old_limit;
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  signal(SIGXFSZ, SIG_IGN);  // a write past the limit fails with EFBIG instead
  struct rlimit small = old_limit;
  small.rlim_cur = 2048;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  const absl::Status full = SaveCheckpoint(path, net, nullptr, {2, 9});
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &old_limit), 0);

  ASSERT_FALSE(full.ok());
  EXPECT_THAT(full.message(), ::testing::HasSubstr("train_state.pt"));
  EXPECT_THAT(full.message(), ::testing::HasSubstr("train_state.pt: cannot write: File too large"));
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    EXPECT_EQ(entry.path().filename(), "train_state.pt") << "left behind: " << entry.path();
  }
  EXPECT_EQ(*ReadFile(path), *before);
  TinyNet back(64);
  absl::StatusOr<TrainPosition> position = LoadCheckpoint(path, back, nullptr);
  ASSERT_TRUE(position.ok()) << position.status();
  EXPECT_EQ(position->iteration, 5);
}

// One checkpoint deeper: a train state damaged after it was written falls
// back to the one before it.
TEST(Checkpoint, ADamagedTrainStateFallsBackToThePreviousOne) {
  const std::string path = testing::TempDir() + "/ckpt_previous/train_state.pt";
  TinyNet net(5);
  ASSERT_TRUE(SaveCheckpointKeepingPrevious(path, net, nullptr, {1, 4}).ok());
  EXPECT_FALSE(std::filesystem::exists(PreviousCheckpointPath(path)));  // nothing before
  ASSERT_TRUE(SaveCheckpointKeepingPrevious(path, net, nullptr, {2, 8}).ok());
  TinyNet back(5);
  std::string from;
  absl::StatusOr<TrainPosition> latest = LoadCheckpointOrPrevious(path, back, nullptr, &from);
  ASSERT_TRUE(latest.ok()) << latest.status();
  EXPECT_EQ(latest->iteration, 8);
  EXPECT_EQ(from, path);

  // Truncate the newest (as a failing disk or a careless copy would).
  const std::string bytes = *ReadFile(path);
  std::filesystem::resize_file(path, bytes.size() / 2);
  absl::StatusOr<TrainPosition> fallback = LoadCheckpointOrPrevious(path, back, nullptr, &from);
  ASSERT_TRUE(fallback.ok()) << fallback.status();
  EXPECT_EQ(fallback->iteration, 4);
  EXPECT_EQ(from, PreviousCheckpointPath(path));
  // Both damaged: an error, nothing loaded.
  std::filesystem::resize_file(PreviousCheckpointPath(path), 10);
  absl::StatusOr<TrainPosition> none = LoadCheckpointOrPrevious(path, back, nullptr, &from);
  EXPECT_EQ(none.status().code(), absl::StatusCode::kDataLoss);
}

// A byte changed anywhere in the file (a bad sector, a bit flip) is never
// loaded as if nothing happened: the load fails, or what it gives is exactly
// what was saved (a byte the archive does not use).
TEST(Checkpoint, AChangedByteNeverLoadsSilentlyChangedWeights) {
  const std::string path = testing::TempDir() + "/ckpt_flip/model.pt";
  torch::manual_seed(3);
  TinyNet net(4);
  ASSERT_TRUE(SaveCheckpoint(path, net, nullptr, {1, 2}).ok());
  const std::string bytes = *ReadFile(path);
  int failed = 0, unchanged = 0, silent = 0;
  // Every byte of the headers (huale's line, the first zip entries), then every 13th.
  for (size_t offset = 0; offset < bytes.size(); offset += offset < 512 ? 1 : 13) {
    std::string damaged = bytes;
    damaged[offset] = static_cast<char>(damaged[offset] ^ 0x10);
    ASSERT_TRUE(WriteFileAtomically(path, damaged).ok());
    TinyNet back(4);
    absl::StatusOr<TrainPosition> loaded = LoadCheckpoint(path, back, nullptr);
    if (!loaded.ok()) {
      EXPECT_EQ(loaded.status().code(), absl::StatusCode::kDataLoss) << loaded.status();
      ++failed;
      continue;
    }
    bool same = loaded->epochs_done == 1 && loaded->iteration == 2;
    for (const auto& [a, b] : {std::pair{net.fc1->weight, back.fc1->weight},
                               std::pair{net.fc1->bias, back.fc1->bias},
                               std::pair{net.fc2->weight, back.fc2->weight},
                               std::pair{net.fc2->bias, back.fc2->bias}}) {
      same = same && torch::equal(a, b);
    }
    if (same) {
      ++unchanged;
    } else {
      ++silent;
      ADD_FAILURE() << "byte " << offset << " of " << bytes.size() << " changed the weights silently";
      if (silent > 5) break;
    }
  }
  std::cout << bytes.size() << " bytes: " << failed << " flips refused, " << unchanged
            << " harmless, " << silent << " silent\n";
}

}  // namespace
}  // namespace huale
