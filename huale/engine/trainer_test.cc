// The trainer on real data (the Fashion-MNIST smoke scenes): it trains, writes a
// checkpoint per epoch, resumes from it to the same weights, and stops with a
// clear error on a non-finite loss while the last good checkpoint stays.
#include "huale/engine/trainer.h"

#include <filesystem>

#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "huale/data/fmnist_det.h"
#include "huale/data/voc_reader.h"
#include "huale/engine/checkpoint.h"

namespace huale {
namespace {

using ::testing::HasSubstr;

class TrainerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    torch::set_num_threads(1);
    root_ = new std::string(testing::TempDir() + "/trainer_test_data");
    absl::StatusOr<FmnistDetOptions> options = FmnistDetProfile("smoke");
    ASSERT_TRUE(options.ok());
    options->output_dir = *root_;
    ASSERT_TRUE(MakeFmnistDet(*options).ok());
  }

  void SetUp() override {
    DatasetSpec spec;
    spec.set_format("voc");
    spec.set_root(*root_);
    absl::StatusOr<Dataset> read = ReadVocDataset(spec, "trainval");
    ASSERT_TRUE(read.ok()) << read.status();
    dataset_ = *std::move(read);
    for (int64_t i = 0; i < 16; ++i) labelled_.push_back(i);
  }

  std::unique_ptr<Detector> NewModel() {
    torch::manual_seed(0);
    ModelSpec spec;
    spec.set_name("fasterrcnn_small_fpn");
    auto model = ModelRegistry::Get().Create("fasterrcnn_small_fpn", spec,
                                             static_cast<int>(dataset_.class_names.size()));
    EXPECT_TRUE(model.ok()) << model.status();
    return *std::move(model);
  }

  TrainerOptions Options(const std::string& name, int epochs, float lr) {
    TrainerOptions options;
    options.training.set_epochs(epochs);
    options.training.set_batch_size(4);
    options.training.set_learning_rate(lr);
    options.training.set_warmup_iterations(2);
    options.training.set_min_size(160);
    options.training.set_max_size(160);
    options.training.set_loader_threads(1);
    options.seed = 5;
    options.train_state_path = testing::TempDir() + "/" + name + "/train_state.pt";
    options.label = name;
    return options;
  }

  // The summary of a training that must succeed (an empty one after a failure).
  TrainSummary TrainOk(Detector& model, const TrainerOptions& options) {
    absl::StatusOr<TrainSummary> summary = TrainDetector(model, dataset_, labelled_, options);
    EXPECT_TRUE(summary.ok()) << summary.status();
    return summary.ok() ? *summary : TrainSummary();
  }

  static std::string* root_;
  Dataset dataset_;
  std::vector<int64_t> labelled_;
};

std::string* TrainerTest::root_ = nullptr;

void ExpectSameWeights(Detector& a, Detector& b) {
  auto pa = a.named_parameters();
  auto pb = b.named_parameters();
  for (const auto& item : pa) {
    EXPECT_TRUE(torch::allclose(item.value(), pb[item.key()], 1e-6, 1e-7)) << item.key();
  }
}

TEST_F(TrainerTest, TrainsAndResumingFromTheEpochCheckpointGivesTheSameWeights) {
  auto straight = NewModel();
  absl::StatusOr<TrainSummary> two_epochs =
      TrainDetector(*straight, dataset_, labelled_, Options("straight", 2, 0.01));
  ASSERT_TRUE(two_epochs.ok()) << two_epochs.status();
  EXPECT_EQ(two_epochs->epochs_trained, 2);
  EXPECT_EQ(two_epochs->iterations, 8);
  for (double loss : two_epochs->epoch_mean_loss) EXPECT_TRUE(std::isfinite(loss));

  // Stop after one epoch (as if killed in epoch 2), then resume to two.
  auto interrupted = NewModel();
  ASSERT_TRUE(TrainDetector(*interrupted, dataset_, labelled_, Options("resumed", 1, 0.01)).ok());
  auto resumed = NewModel();
  absl::StatusOr<TrainSummary> rest =
      TrainDetector(*resumed, dataset_, labelled_, Options("resumed", 2, 0.01));
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_EQ(rest->epochs_trained, 1);
  EXPECT_EQ(rest->iterations, 8);
  ExpectSameWeights(*straight, *resumed);
}

// training.iterations: 10 steps over 16 images in batches of 4 are two epochs
// and half of a third. A run stopped at the epoch-2 checkpoint (8 steps) and
// resumed to the budget ends with the weights of one that ran straight through,
// the learning rate dropping at step 6 (lr_steps in steps) in both.
TEST_F(TrainerTest, IterationBudgetTrainsExactlyThatManyStepsAndResumesToTheSameWeights) {
  const auto Budget = [&](const std::string& name, int iterations) {
    TrainerOptions options = Options(name, /*epochs=*/1, 0.01);  // epochs ignored
    options.training.set_iterations(iterations);
    options.training.add_lr_steps(6);
    return options;
  };
  auto straight = NewModel();
  const TrainSummary budget = TrainOk(*straight, Budget("steps_straight", 10));
  EXPECT_EQ(budget.iterations, 10);
  EXPECT_EQ(budget.epochs_trained, 3);
  EXPECT_EQ(budget.epochs_done, 3);

  auto interrupted = NewModel();
  EXPECT_EQ(TrainOk(*interrupted, Budget("steps_resumed", 8)).epochs_trained, 2);
  auto resumed = NewModel();
  const TrainSummary rest = TrainOk(*resumed, Budget("steps_resumed", 10));
  EXPECT_EQ(rest.epochs_trained, 1);
  EXPECT_EQ(rest.iterations, 10);
  ExpectSameWeights(*straight, *resumed);
}

// training.amp: the forward runs under bfloat16 autocast (here on the CPU, the
// same code path as on a GPU): the losses stay float and finite, the weights
// stay float32 and move, and the run differs from full precision.
TEST_F(TrainerTest, AmpTrainsUnderBfloat16AutocastWithFloatWeights) {
  auto full = NewModel();
  ASSERT_TRUE(TrainDetector(*full, dataset_, labelled_, Options("fp32", 1, 0.01)).ok());
  auto mixed = NewModel();
  auto untrained = NewModel();
  TrainerOptions options = Options("amp", 1, 0.01);
  options.training.set_amp(true);
  absl::StatusOr<TrainSummary> summary = TrainDetector(*mixed, dataset_, labelled_, options);
  ASSERT_TRUE(summary.ok()) << summary.status();
  for (double loss : summary->epoch_mean_loss) EXPECT_TRUE(std::isfinite(loss));
  for (const auto& p : mixed->parameters()) EXPECT_EQ(p.scalar_type(), torch::kFloat);
  // Some weight moved, and not exactly as in full precision.
  const auto Differs = [](Detector& a, Detector& b) {
    auto pa = a.named_parameters();
    auto pb = b.named_parameters();
    for (const auto& item : pa) {
      if (!torch::equal(item.value(), pb[item.key()])) return true;
    }
    return false;
  };
  EXPECT_TRUE(Differs(*mixed, *untrained));
  EXPECT_TRUE(Differs(*mixed, *full));
  EXPECT_FALSE(at::autocast::is_autocast_enabled(at::kCPU));  // restored after training
}

TEST_F(TrainerTest, NonFiniteLossStopsWithTheTermsAndKeepsTheLastGoodCheckpoint) {
  auto model = NewModel();
  TrainerOptions options = Options("diverging", 1, 0.01);
  ASSERT_TRUE(TrainDetector(*model, dataset_, labelled_, options).ok());
  const auto good_size = std::filesystem::file_size(options.train_state_path);

  // Poison one weight: the next forward pass yields NaN losses.
  {
    torch::NoGradGuard no_grad;
    model->parameters().front().fill_(std::numeric_limits<float>::quiet_NaN());
  }
  options.training.set_epochs(2);
  absl::StatusOr<TrainSummary> diverged =
      TrainDetector(*model, dataset_, labelled_, [&] {
        TrainerOptions fresh = options;
        fresh.train_state_path = "";  // do not resume: train the poisoned model
        return fresh;
      }());
  ASSERT_EQ(diverged.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(diverged.status().message(), HasSubstr("the loss is not finite"));
  EXPECT_THAT(diverged.status().message(), HasSubstr("loss_classifier="));
  EXPECT_EQ(std::filesystem::file_size(options.train_state_path), good_size);

  auto reloaded = NewModel();
  absl::StatusOr<TrainPosition> position =
      LoadCheckpoint(options.train_state_path, *reloaded, nullptr);
  ASSERT_TRUE(position.ok());
  EXPECT_EQ(position->epochs_done, 1);
  for (const torch::Tensor& p : reloaded->parameters()) {
    EXPECT_TRUE(torch::isfinite(p).all().item<bool>());
  }
}

}  // namespace
}  // namespace huale
