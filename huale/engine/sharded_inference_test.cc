// The wire form of gathered results round-trips every field exactly (the
// two-process behaviour is tested end to end by //experiments:distributed_run_test).
#include "huale/engine/sharded_inference.h"

#include "gtest/gtest.h"

namespace huale {
namespace {

TEST(ShardedInferenceTest, DetectionsRoundTripExactly) {
  ImageDetections image;
  image.image_id = "a/b 1";
  image.width = 640;
  image.height = 480;
  image.embedding = {0.25f, -1e-7f};
  Detection d;
  d.box = Box{1.0 / 3, 2.5, 100.125, 479.99999};
  d.score = 0.123456789f;
  d.label = 19;
  d.class_probs = {0.5f, 0.25f, 0.25f};
  d.predicted_iou = -1;
  d.feature = {0.5f, -3e-9f, 7};
  image.detections = {d, d};
  image.detections[1].label = 0;
  ImageDetections empty;
  empty.image_id = "empty";
  absl::StatusOr<std::vector<ImageDetections>> back = DecodeDetections(EncodeDetections({image, empty}));
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->size(), 2u);
  const ImageDetections& got = (*back)[0];
  EXPECT_EQ(got.image_id, image.image_id);
  EXPECT_EQ(got.width, 640);
  EXPECT_EQ(got.height, 480);
  EXPECT_EQ(got.embedding, image.embedding);
  ASSERT_EQ(got.detections.size(), 2u);
  EXPECT_EQ(got.detections[0].box.x1, d.box.x1);
  EXPECT_EQ(got.detections[0].box.y2, d.box.y2);
  EXPECT_EQ(got.detections[0].score, d.score);
  EXPECT_EQ(got.detections[0].label, 19);
  EXPECT_EQ(got.detections[1].label, 0);
  EXPECT_EQ(got.detections[0].class_probs, d.class_probs);
  EXPECT_EQ(got.detections[0].predicted_iou, -1);
  EXPECT_EQ(got.detections[0].feature, d.feature);
  EXPECT_EQ((*back)[1].image_id, "empty");
  EXPECT_TRUE((*back)[1].detections.empty());
}

TEST(ShardedInferenceTest, ScoresRoundTripExactly) {
  ImageScore score;
  score.image_id = "x";
  score.in_zero_set = true;
  score.metrics = {0.1, -2, 1e300};
  score.max_score = 0.75;
  score.embedding = {1, 2, 3};
  score.instances = {{4, 0.625f, 0.1234567890123, {0.6f, -0.8f}}, {0, 1, 0, {}}};
  absl::StatusOr<std::vector<ImageScore>> back = DecodeScores(EncodeScores({score, ImageScore{}}));
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[0].image_id, "x");
  EXPECT_TRUE((*back)[0].in_zero_set);
  EXPECT_EQ((*back)[0].metrics, score.metrics);
  EXPECT_EQ((*back)[0].max_score, 0.75);
  EXPECT_EQ((*back)[0].embedding, score.embedding);
  ASSERT_EQ((*back)[0].instances.size(), 2u);
  EXPECT_EQ((*back)[0].instances[0].label, 4);
  EXPECT_EQ((*back)[0].instances[0].score, 0.625f);
  EXPECT_EQ((*back)[0].instances[0].uncertainty, 0.1234567890123);
  EXPECT_EQ((*back)[0].instances[0].feature, score.instances[0].feature);
  EXPECT_TRUE((*back)[0].instances[1].feature.empty());
  EXPECT_FALSE((*back)[1].in_zero_set);
}

TEST(ShardedInferenceTest, GarbageIsAnError) {
  EXPECT_FALSE(DecodeScores("\xff\xff\xff").ok());
  EXPECT_FALSE(DecodeDetections("\x0a\xff").ok());
}

}  // namespace
}  // namespace huale
