#include "huale/models/ops/multi_scale_roi_align.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/autograd.h>

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "huale/models/ops/test_fixtures.h"
#include "huale/models/ops/torchvision_reference.h"

namespace huale {
namespace ops {
namespace {

class MultiScaleRoiAlignTest : public ::testing::Test {
 protected:
  void SetUp() override {
    reference::SetThreadsFromEnv();
    auto loaded = testing::LoadOpsFixtures();
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    f_ = *std::move(loaded);
    for (int level = 0; level < 4; ++level) {
      features_.push_back(f_.at("msra_feature" + std::to_string(level)));
    }
    for (int i = 0; i < 3; ++i) boxes_.push_back(f_.at("msra_boxes" + std::to_string(i)));
    const at::Tensor shapes = f_.at("msra_image_shapes");
    for (int64_t i = 0; i < shapes.size(0); ++i) {
      image_sizes_.emplace_back(shapes[i][0].item<int64_t>(), shapes[i][1].item<int64_t>());
    }
  }

  std::map<std::string, at::Tensor> f_;
  std::vector<at::Tensor> features_;
  std::vector<at::Tensor> boxes_;
  std::vector<std::pair<int64_t, int64_t>> image_sizes_;
};

TEST_F(MultiScaleRoiAlignTest, ScalesAndLevelsMatchTorchvision) {
  const MultiScaleRoiAlign pooler(7, 2);
  const std::vector<double> scales = pooler.Scales(features_, image_sizes_);
  const at::Tensor expected_scales = f_.at("msra_scales");
  ASSERT_EQ(static_cast<int64_t>(scales.size()), expected_scales.numel());
  for (size_t l = 0; l < scales.size(); ++l) {
    EXPECT_EQ(scales[l], expected_scales[l].item<double>()) << "level " << l;
  }
  // Box sizes straddle the FPN boundaries (112, 224, 448) by 0.01 to 0.1 px.
  const at::Tensor levels = MapBoxesToLevels(at::cat(boxes_, 0), 2, 5);
  EXPECT_TRUE(at::equal(levels, f_.at("msra_levels")));
}

TEST_F(MultiScaleRoiAlignTest, ForwardAndBackwardMatchTorchvision) {
  const MultiScaleRoiAlign pooler(7, 2);
  std::vector<at::Tensor> leaves;
  for (const at::Tensor& f : features_) leaves.push_back(f.clone().set_requires_grad(true));
  const at::Tensor pooled = pooler(leaves, boxes_, image_sizes_);
  const at::Tensor& expected = f_.at("msra_output");
  ASSERT_EQ(pooled.sizes(), expected.sizes());
  EXPECT_LE((pooled - expected).abs().max().item<double>(), 1e-5);

  torch::autograd::backward({pooled}, {f_.at("msra_output_grad")});
  for (size_t l = 0; l < leaves.size(); ++l) {
    const at::Tensor& expected_grad = f_.at("msra_feature" + std::to_string(l) + "_grad");
    ASSERT_TRUE(leaves[l].grad().defined()) << "level " << l;
    EXPECT_LE((leaves[l].grad() - expected_grad).abs().max().item<double>(), 1e-5)
        << "level " << l;
  }
}

TEST_F(MultiScaleRoiAlignTest, SingleLevelMatchesTorchvision) {
  const MultiScaleRoiAlign pooler({5, 3}, 0);
  const at::Tensor pooled = pooler({features_[0]}, boxes_, image_sizes_);
  const at::Tensor& expected = f_.at("msra_single_output");
  ASSERT_EQ(pooled.sizes(), expected.sizes());
  EXPECT_LE((pooled - expected).abs().max().item<double>(), 1e-5);
}

TEST_F(MultiScaleRoiAlignTest, NoBoxesGivesEmptyOutput) {
  const MultiScaleRoiAlign pooler(7, 2);
  const std::vector<at::Tensor> none(3, at::zeros({0, 4}));
  EXPECT_EQ(pooler(features_, none, image_sizes_).sizes(),
            (at::IntArrayRef{0, features_[0].size(1), 7, 7}));
}

TEST_F(MultiScaleRoiAlignTest, RejectsMismatchedInputs) {
  const MultiScaleRoiAlign pooler(7, 2);
  EXPECT_THROW(pooler(features_, {boxes_[0]}, image_sizes_), c10::Error);
  EXPECT_THROW(pooler(features_, boxes_, {}), c10::Error);
  EXPECT_THROW(pooler({}, boxes_, image_sizes_), c10::Error);
}

}  // namespace
}  // namespace ops
}  // namespace huale
