// "core_set" on hand-built embeddings: the k-center greedy of the file comment,
// derived by hand below.
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "glog/logging.h"
#include "gtest/gtest.h"
#include "huale/acquisition/acquisition_function.h"
#include "huale/core/registry.h"

namespace huale {
namespace {

using ::testing::ElementsAre;

std::unique_ptr<AcquisitionFunction> Make() {
  AcquisitionSpec spec;
  spec.set_name("core_set");
  auto fn = AcquisitionRegistry::Get().Create("core_set", spec);
  CHECK(fn.ok()) << fn.status();
  return std::move(*fn);
}

// Points on a line: id -> x (a 2-d embedding (x, 0)).
std::vector<ImageScore> Pool(const AcquisitionFunction& fn,
                             const std::vector<std::pair<std::string, float>>& points) {
  std::vector<ImageScore> pool;
  for (const auto& [id, x] : points) {
    ImageDetections image;
    image.image_id = id;
    image.embedding = {x, 0.f};
    pool.push_back(fn.Score(image, image, ScoringContext{}));
  }
  return pool;
}

std::vector<std::string> Ids(const Selection& selection) {
  std::vector<std::string> ids;
  for (const SelectedImage& image : selection.images) ids.push_back(image.image_id);
  return ids;
}

TEST(CoreSet, AsksForEmbeddingsAndKeepsThem) {
  auto fn = Make();
  EXPECT_TRUE(fn->needs_embeddings());
  EXPECT_TRUE(fn->needs_detections());
  auto pool = Pool(*fn, {{"a", 3.f}});
  EXPECT_THAT(pool[0].embedding, ElementsAre(3.f, 0.f));
}

// Labelled at x = 0. Candidates a=1, b=2, c=9, d=10, e=5.
// Pick 1: farthest from {0}: d (10). Distances now a 1, b 2, c 1, e 5.
// Pick 2: e (5). Now a 1, b 2 (to 0), c 1 -> pick 3: b (2).
TEST(CoreSet, PicksTheFarthestFromLabelledAndPickedFirst) {
  auto fn = Make();
  ScoringContext context;
  context.labelled_embeddings = {{0.f, 0.f}};
  auto pool = Pool(*fn, {{"a", 1}, {"b", 2}, {"c", 9}, {"d", 10}, {"e", 5}});
  absl::StatusOr<Selection> selection = fn->Select(pool, 3, context, /*seed=*/7);
  ASSERT_TRUE(selection.ok()) << selection.status();
  EXPECT_THAT(Ids(*selection), ElementsAre("d", "e", "b"));
  EXPECT_DOUBLE_EQ(selection->images[0].score, 10);
  EXPECT_DOUBLE_EQ(selection->images[1].score, 5);
  EXPECT_DOUBLE_EQ(selection->images[2].score, 2);
}

// Without labelled embeddings the first pick is the seeded order's first; the
// rest are the farthest from it.
TEST(CoreSet, WithoutLabelledCentersTheSeedPicksTheFirst) {
  auto fn = Make();
  auto pool = Pool(*fn, {{"a", 0}, {"b", 10}});
  for (uint64_t seed : {1u, 2u, 3u, 4u}) {
    absl::StatusOr<Selection> selection = fn->Select(pool, 2, ScoringContext{}, seed);
    ASSERT_TRUE(selection.ok());
    ASSERT_EQ(selection->images.size(), 2u);
    EXPECT_NE(selection->images[0].image_id, selection->images[1].image_id);
    EXPECT_DOUBLE_EQ(selection->images[1].score, 10);
  }
}

}  // namespace
}  // namespace huale
