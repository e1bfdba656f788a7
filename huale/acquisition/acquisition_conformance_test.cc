// One conformance suite run on every registered acquisition function with its
// default options, and on option sets that change what is scored or how it is
// ranked (OR-tools' habit): deterministic by seed, exactly the budget, only pool images, no
// duplicates, order-independent, empty views, one-box images, budgets of 0 and
// beyond the pool, bad input answered with a status.
#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "huale/acquisition/acquisition_function.h"
#include "huale/acquisition/test_detections.h"
#include "huale/core/declared_components.h"

namespace huale {
namespace {

using ::testing::UnorderedElementsAreArray;
using testing_internal::Det;
using testing_internal::View;

constexpr int kC = 5;

// The suite below runs over the registry's names; this keeps those honest: a
// binary linking :acquisition_functions holds exactly what huale/acquisition/BUILD
// declares (acquisition_functions_names.txt, from its huale_component lines), so
// a registration the linker dropped is a failure, not a silently skipped suite.
TEST(AcquisitionRegistry, HoldsExactlyTheFunctionsTheBuildFileDeclares) {
  const absl::StatusOr<std::vector<std::string>> declared = ReadDeclaredComponents(
      "huale/acquisition/acquisition_functions_names.txt", "acquisition_function");
  ASSERT_TRUE(declared.ok()) << declared.status();
  ASSERT_FALSE(declared->empty());
  EXPECT_EQ(AcquisitionRegistry::Get().Names(), *declared);
  EXPECT_TRUE(CheckRegistered("acquisition function", "huale").ok());
}

TEST(AcquisitionRegistry, UnknownNameListsTheKnownOnes) {
  AcquisitionSpec spec;
  spec.set_name("hual");
  auto fn = AcquisitionRegistry::Get().Create("hual", spec);
  ASSERT_FALSE(fn.ok());
  EXPECT_THAT(std::string(fn.status().message()), ::testing::HasSubstr("huale"));
}

TEST(MapFlippedBack, MirrorsTheXEdges) {
  const ImageDetections back = MapFlippedBack(View("x", {Det({10, 20, 110, 220}, 0, 0.9f)}, 640));
  EXPECT_EQ(back.detections[0].box, (Box{530, 20, 630, 220}));
  EXPECT_EQ(back.image_id, "x");
}

// A random softmax over kC + 1 classes peaked on `label`.
std::vector<float> RandomProbs(std::mt19937_64& rng, int label, double peak) {
  std::uniform_real_distribution<double> u(0.01, 1);
  std::vector<double> w(kC + 1);
  double sum = 0;
  for (double& x : w) sum += x = u(rng);
  std::vector<float> p(kC + 1);
  for (int c = 0; c <= kC; ++c) p[c] = static_cast<float>((1 - peak) * w[c] / sum);
  p[label + 1] += static_cast<float>(peak);
  return p;
}

// Pool image i: kinds cycle through empty views, one box, a box seen on x only,
// a degenerate (zero-area) box, and crowds of 2-12 boxes.
std::pair<ImageDetections, ImageDetections> MakeImage(int i) {
  std::mt19937_64 rng(1000 + i);
  std::uniform_real_distribution<double> u(0, 1);
  const std::string id = "img" + std::to_string(1000 + i);
  const int kind = i % 5;
  std::vector<Detection> x, flip;
  if (kind == 1 || kind == 2) {
    const int label = i % kC;
    x.push_back(Det({100, 100, 200, 260}, label, 0.6f + 0.3f * u(rng),
                    RandomProbs(rng, label, 0.6)));
    if (kind == 1) {
      // In the flipped image (W = 640): mapped back, (98, 96, 200, 258).
      flip.push_back(Det({440, 96, 542, 258}, label, 0.6f, RandomProbs(rng, label, 0.5)));
    }
  } else if (kind == 3) {
    x.push_back(Det({50, 50, 50, 80}, 0, 0.7f, RandomProbs(rng, 0, 0.7)));
    flip.push_back(Det({590, 50, 590, 80}, 0, 0.7f, RandomProbs(rng, 0, 0.7)));
  } else if (kind == 4) {
    const int n = 2 + i % 11;
    for (int k = 0; k < n; ++k) {
      const double x1 = 600 * u(rng), y1 = 440 * u(rng);
      const Box box{x1, y1, x1 + 10 + 200 * u(rng), y1 + 10 + 200 * u(rng)};
      const int label = static_cast<int>(u(rng) * kC) % kC;
      const float score = static_cast<float>(0.05 + 0.95 * u(rng));
      x.push_back(Det(box, label, score, RandomProbs(rng, label, score)));
      if (u(rng) < 0.8) {
        Box f = box.FlippedHorizontally(640);
        f.x1 += 10 * (u(rng) - 0.5);
        f.x2 += 10 * (u(rng) - 0.5);
        flip.push_back(Det(f, label, score, RandomProbs(rng, label, score * 0.9)));
      }
    }
  }
  // kind 0: nothing on either view.
  // Box-head features (instance-level functions): a few random dimensions.
  for (std::vector<Detection>* view : {&x, &flip}) {
    for (Detection& d : *view) {
      for (int k = 0; k < 4; ++k) d.feature.push_back(static_cast<float>(u(rng) - 0.5));
    }
  }
  return {View(id, x, 640, 480), View(id, flip, 640, 480)};
}

// A suite case: a test-name label and an AcquisitionSpec in text form.
struct SpecCase {
  std::string label;
  std::string spec;
};

std::vector<SpecCase> SpecCases() {
  std::vector<SpecCase> cases;
  for (const std::string& name : AcquisitionRegistry::Get().Names()) {
    cases.push_back({name, "name: '" + name + "'"});
  }
  cases.push_back({"huale_hua_retrieval", "name: 'huale' huale { retrieval: HUA_AGGREGATION }"});
  cases.push_back({"huale_borda", "name: 'huale' huale { ranking: BORDA }"});
  return cases;
}

class Conformance : public ::testing::TestWithParam<SpecCase> {
 protected:
  void SetUp() override {
    AcquisitionSpec spec;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(GetParam().spec, &spec))
        << GetParam().spec;
    auto fn = AcquisitionRegistry::Get().Create(spec.name(), spec);
    ASSERT_TRUE(fn.ok()) << fn.status();
    fn_ = std::move(*fn);
    context_.num_classes = kC;
    context_.labelled_class_share = {0.4, 0.3, 0.2, 0.1, 0.0};
    if (fn_->needs_ground_truth()) {
      // As the engine does for oracles: the pool images' boxes on x stand in for
      // their ground truth.
      context_.labelled_class_counts = {4, 3, 2, 1, 0};
      for (int i = 0; i < 100; ++i) {
        const ImageDetections x = MakeImage(i).first;
        std::vector<int>& counts = context_.ground_truth_class_counts[x.image_id];
        counts.assign(kC, 0);
        for (const Detection& d : x.detections) ++counts[d.label];
      }
    }
    if (fn_->needs_labelled_detections()) {
      // As the engine does: the labelled images' detections with their labels
      // (here images 100..119's boxes on x, each labelled as detected, one of
      // every three shifted so the qualities differ).
      for (int i = 100; i < 120; ++i) {
        LabelledImageDetections labelled;
        labelled.detections = MakeImage(i).first;
        for (size_t k = 0; k < labelled.detections.detections.size(); ++k) {
          Box truth = labelled.detections.detections[k].box;
          if (k % 3 == 0) truth = Box{truth.x1 + 20, truth.y1, truth.x2 + 20, truth.y2};
          labelled.truth_boxes.push_back(truth);
          labelled.truth_labels.push_back(labelled.detections.detections[k].label);
        }
        context_.labelled_detections.push_back(std::move(labelled));
      }
    }
    ASSERT_TRUE(context_.Validate().ok());
  }

  std::vector<ImageScore> ScorePool(int n, int first = 0) const {
    std::vector<ImageScore> pool;
    for (int i = first; i < first + n; ++i) {
      auto [x, flip] = MakeImage(i);
      pool.push_back(fn_->Score(x, MapFlippedBack(flip), context_));
    }
    return pool;
  }

  static std::vector<std::string> Ids(const Selection& s) {
    std::vector<std::string> ids;
    for (const auto& image : s.images) ids.push_back(image.image_id);
    return ids;
  }

  std::unique_ptr<AcquisitionFunction> fn_;
  ScoringContext context_;
};

TEST_P(Conformance, ScoresCarryTheIdAndOneFiniteValuePerMetric) {
  for (const ImageScore& s : ScorePool(40)) {
    EXPECT_EQ(s.metrics.size(), fn_->metric_names().size());
    EXPECT_EQ(s.image_id.rfind("img", 0), 0u);
    for (double v : s.metrics) EXPECT_TRUE(std::isfinite(v)) << s.image_id;
  }
}

TEST_P(Conformance, SelectsExactlyTheBudgetFromThePoolWithoutDuplicates) {
  const std::vector<ImageScore> pool = ScorePool(60);
  std::set<std::string> pool_ids;
  for (const auto& s : pool) pool_ids.insert(s.image_id);
  for (int budget : {0, 1, 7, 20, 59, 60}) {
    auto selection = fn_->Select(pool, budget, context_, 11);
    ASSERT_TRUE(selection.ok()) << selection.status();
    const std::vector<std::string> ids = Ids(*selection);
    EXPECT_EQ(ids.size(), static_cast<size_t>(budget));
    EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
    for (const auto& id : ids) EXPECT_TRUE(pool_ids.count(id)) << id;
    for (const auto& image : selection->images) {
      EXPECT_EQ(image.stage_ranks.size(), selection->stage_names.size());
      EXPECT_EQ(image.metrics.size(), selection->metric_names.size());
    }
  }
}

TEST_P(Conformance, BudgetBeyondThePoolSelectsThePool) {
  const std::vector<ImageScore> pool = ScorePool(13);
  auto selection = fn_->Select(pool, 500, context_, 3);
  ASSERT_TRUE(selection.ok()) << selection.status();
  std::vector<std::string> pool_ids;
  for (const auto& s : pool) pool_ids.push_back(s.image_id);
  EXPECT_THAT(Ids(*selection), UnorderedElementsAreArray(pool_ids));
  auto empty = fn_->Select({}, 5, context_, 3);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->images.empty());
}

TEST_P(Conformance, IsDeterministicBySeedAndIndependentOfPoolOrder) {
  std::vector<ImageScore> pool = ScorePool(80);
  auto first = fn_->Select(pool, 15, context_, 42);
  auto again = fn_->Select(pool, 15, context_, 42);
  std::reverse(pool.begin(), pool.end());
  std::swap(pool[3], pool[50]);
  auto shuffled = fn_->Select(pool, 15, context_, 42);
  ASSERT_TRUE(first.ok() && again.ok() && shuffled.ok());
  EXPECT_EQ(Ids(*first), Ids(*again));
  EXPECT_EQ(Ids(*first), Ids(*shuffled));
}

TEST_P(Conformance, AllEmptyViewsStillFillTheBudget) {
  std::vector<ImageScore> pool;
  for (int i = 0; i < 30; ++i) {
    const ImageDetections empty = View("e" + std::to_string(i), {});
    pool.push_back(fn_->Score(empty, empty, context_));
  }
  auto selection = fn_->Select(pool, 10, context_, 9);
  ASSERT_TRUE(selection.ok()) << selection.status();
  EXPECT_EQ(selection->images.size(), 10u);
  // Different seeds draw different images from an uninformative pool.
  auto other = fn_->Select(pool, 10, context_, 10);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(Ids(*selection), Ids(*other));
}

TEST_P(Conformance, WorksWithoutClassProbsOrLabelledShares) {
  // Detections without class_probs (stand-in distributions), no q_L, C unknown.
  ScoringContext bare;
  std::vector<ImageScore> pool;
  for (int i = 0; i < 20; ++i) {
    auto [x, flip] = MakeImage(i);
    for (auto* view : {&x, &flip}) {
      for (auto& d : view->detections) d.class_probs.clear();
    }
    pool.push_back(fn_->Score(x, MapFlippedBack(flip), bare));
    for (double v : pool.back().metrics) EXPECT_TRUE(std::isfinite(v));
  }
  auto selection = fn_->Select(pool, 5, bare, 1);
  ASSERT_TRUE(selection.ok()) << selection.status();
  EXPECT_EQ(selection->images.size(), 5u);
}

TEST_P(Conformance, BadInputIsAStatusNotACrash) {
  std::vector<ImageScore> pool = ScorePool(10);
  EXPECT_EQ(fn_->Select(pool, -1, context_, 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  pool.push_back(pool.front());
  EXPECT_EQ(fn_->Select(pool, 3, context_, 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  pool.pop_back();
  pool[2].metrics.push_back(1.0);
  EXPECT_EQ(fn_->Select(pool, 3, context_, 1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// Every registered function. gtest keeps this argument in a generator function
// and calls it when InitGoogleTest registers the parameterised tests, in main(),
// after every static initialiser (HUALE_REGISTER's included) has run; the
// registry itself is a function-local static, so no order of initialisation can
// see it half-built. An empty registry instantiates nothing, which gtest reports
// as a failing uninstantiated suite.
INSTANTIATE_TEST_SUITE_P(EveryRegisteredFunction, Conformance,
                         ::testing::ValuesIn(SpecCases()),
                         [](const auto& info) { return info.param.label; });

TEST(ScoringContext, ValidateChecksTheShare) {
  ScoringContext context;
  context.num_classes = 3;
  EXPECT_TRUE(context.Validate().ok());
  context.labelled_class_share = {0.5, 0.5};
  EXPECT_THAT(std::string(context.Validate().message()),
              ::testing::HasSubstr("expected 3 entries"));
  context.labelled_class_share = {0.5, -0.5, 1};
  EXPECT_FALSE(context.Validate().ok());
}

TEST(Random, NeedsNoDetectionsAndDrawsDifferentlyPerSeed) {
  AcquisitionSpec spec;
  spec.set_name("random");
  auto fn = AcquisitionRegistry::Get().Create("random", spec);
  ASSERT_TRUE(fn.ok());
  EXPECT_FALSE((*fn)->needs_detections());
  std::vector<ImageScore> pool;
  for (int i = 0; i < 100; ++i) pool.push_back({"r" + std::to_string(i), false, {}});
  auto a = (*fn)->Select(pool, 10, ScoringContext(), 1);
  auto b = (*fn)->Select(pool, 10, ScoringContext(), 2);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->images[0].image_id + a->images[1].image_id,
            b->images[0].image_id + b->images[1].image_id);
}

}  // namespace
}  // namespace huale
