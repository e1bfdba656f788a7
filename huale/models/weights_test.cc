// Weights files: every tensor name checked, errors name the tensor and shapes.
#include "huale/models/weights.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include <torch/serialize.h>
#include <torch/torch.h>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace huale {
namespace {

using ::testing::HasSubstr;

struct Net : torch::nn::Module {
  Net() {
    fc = register_module("fc", torch::nn::Linear(3, 2));
    stats = register_buffer("stats", torch::zeros({4}));
  }
  torch::nn::Linear fc{nullptr};
  torch::Tensor stats;
};

// A detector's shape in miniature: backbone.body.conv1 and a head.
struct BodyAndHead : torch::nn::Module {
  BodyAndHead() {
    auto backbone = register_module("backbone", std::make_shared<torch::nn::Module>());
    auto body = backbone->register_module("body", std::make_shared<torch::nn::Module>());
    conv = body->register_module("conv1", torch::nn::Linear(2, 2));
    head = register_module("head", torch::nn::Linear(2, 1));
  }
  torch::nn::Linear conv{nullptr}, head{nullptr};
};

std::string Write(const std::string& name,
                  const std::vector<std::pair<std::string, torch::Tensor>>& tensors) {
  c10::Dict<std::string, torch::Tensor> dict;
  for (const auto& [k, v] : tensors) dict.insert(k, v);
  const std::vector<char> bytes = torch::pickle_save(dict);
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string path = absl::StrCat(tmp ? tmp : "/tmp", "/", name);
  std::ofstream(path, std::ios::binary).write(bytes.data(), bytes.size());
  return path;
}

TEST(Weights, LoadsEveryTensorAndIgnoresBatchNormStepCounter) {
  const std::string path = Write("ok.pt", {{"fc.weight", torch::full({2, 3}, 2.0)},
                                           {"fc.bias", torch::tensor({1.0f, -1.0f})},
                                           {"stats", torch::arange(4).to(torch::kFloat)},
                                           {"bn.num_batches_tracked", torch::tensor(5)}});
  Net net;
  ASSERT_TRUE(LoadWeightsFile(net, path).ok());
  EXPECT_TRUE(torch::equal(net.fc->weight, torch::full({2, 3}, 2.0)));
  EXPECT_TRUE(torch::equal(net.fc->bias, torch::tensor({1.0f, -1.0f})));
  EXPECT_TRUE(torch::equal(net.stats, torch::arange(4).to(torch::kFloat)));
}

TEST(Weights, MissingTensorIsNamed) {
  const std::string path =
      Write("missing.pt", {{"fc.weight", torch::zeros({2, 3})}, {"stats", torch::zeros({4})}});
  Net net;
  const absl::Status status = LoadWeightsFile(net, path);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("missing tensor 'fc.bias' (model expects [2])"));
}

TEST(Weights, ExtraTensorIsNamedAndNothingIsCopied) {
  const std::string path = Write("extra.pt", {{"fc.weight", torch::ones({2, 3})},
                                              {"fc.bias", torch::zeros({2})},
                                              {"stats", torch::zeros({4})},
                                              {"fc2.weight", torch::zeros({5})}});
  Net net;
  const torch::Tensor before = net.fc->weight.clone();
  const absl::Status status = LoadWeightsFile(net, path);
  EXPECT_THAT(std::string(status.message()), HasSubstr("unexpected tensor 'fc2.weight' [5]"));
  EXPECT_TRUE(torch::equal(net.fc->weight, before));
}

TEST(Weights, WrongShapeNamesTensorAndBothShapes) {
  const std::string path = Write("shape.pt", {{"fc.weight", torch::zeros({3, 3})},
                                              {"fc.bias", torch::zeros({2})},
                                              {"stats", torch::zeros({4})}});
  Net net;
  EXPECT_THAT(std::string(LoadWeightsFile(net, path).message()),
              HasSubstr("tensor 'fc.weight': file has [3, 3], model expects [2, 3]"));
}

TEST(Weights, UnreadableFilesAreErrors) {
  Net net;
  EXPECT_EQ(LoadWeightsFile(net, "/nonexistent/w.pt").code(), absl::StatusCode::kNotFound);
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string path = absl::StrCat(tmp ? tmp : "/tmp", "/garbage.pt");
  std::ofstream(path) << "not a pickle";
  EXPECT_EQ(LoadWeightsFile(net, path).code(), absl::StatusCode::kDataLoss);
}

TEST(Weights, BackboneFileFillsOnlyTheBackbone) {
  BodyAndHead model;
  const std::string path = Write("backbone.pt", {{"backbone.body.conv1.weight", torch::ones({2, 2})},
                                                 {"backbone.body.conv1.bias", torch::ones({2})}});
  const torch::Tensor head_before = model.head->weight.clone();
  ASSERT_TRUE(LoadWeightsFile(model, path).ok());
  EXPECT_TRUE(torch::equal(model.conv->weight, torch::ones({2, 2})));
  EXPECT_TRUE(torch::equal(model.head->weight, head_before));
}

TEST(Weights, WrittenFileReadsBackAndFillsTheBodyUnderItsOwnNames) {
  BodyAndHead model;
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string path = absl::StrCat(tmp ? tmp : "/tmp", "/body.pt");
  ASSERT_TRUE(WriteWeightsFile(path, {{"conv1.weight", torch::full({2, 2}, 3.0)},
                                      {"conv1.bias", torch::ones({2})}})
                  .ok());
  absl::StatusOr<NamedTensors> read = ReadWeightsFile(path);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->size(), 2u);
  EXPECT_EQ((*read)[0].first, "conv1.weight");
  const torch::Tensor head_before = model.head->weight.clone();
  ASSERT_TRUE(LoadBackboneBodyFile(model, path).ok());
  EXPECT_TRUE(torch::equal(model.conv->weight, torch::full({2, 2}, 3.0)));
  EXPECT_TRUE(torch::equal(model.head->weight, head_before));
}

}  // namespace
}  // namespace huale
