#include "huale/engine/run_folder.h"

#include <cmath>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "huale/core/atomic_file.h"

namespace huale {
namespace {

using ::testing::HasSubstr;

CycleMetrics Example(int cycle, double map) {
  CycleMetrics m;
  m.cycle = cycle;
  m.labelled = 100 * (cycle + 1);
  m.labelled_boxes = 250 * (cycle + 1);
  m.primary_metric = "mAP";
  m.primary = map;
  m.metrics = {{"mAP", map}};
  m.per_class_ap = {{"T-shirt \"top\"", 0.5}};
  m.timings_seconds = {{"train", 12.5}};
  return m;
}

TEST(CycleMetrics, JsonRoundTripKeepsEveryField) {
  const CycleMetrics m = Example(2, 0.4125);
  auto back = CycleMetricsFromJson(CycleMetricsToJson(m), "x.json");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->cycle, 2);
  EXPECT_EQ(back->labelled, 300);
  EXPECT_EQ(back->labelled_boxes, 750);
  EXPECT_EQ(back->primary_metric, "mAP");
  EXPECT_DOUBLE_EQ(back->primary, 0.4125);
  EXPECT_DOUBLE_EQ(back->per_class_ap.at("T-shirt \"top\""), 0.5);
  EXPECT_DOUBLE_EQ(back->timings_seconds.at("train"), 12.5);
}

TEST(CycleMetrics, NamesNeedingEscapesAndNonFiniteValuesRoundTrip) {
  CycleMetrics m = Example(0, std::nan(""));
  m.per_class_ap = {{"a \"quoted\", back\\slashed\nname", 0.5}};
  const std::string json = CycleMetricsToJson(m);
  EXPECT_THAT(json, HasSubstr("\"primary\": null"));
  auto back = CycleMetricsFromJson(json, "x.json");
  ASSERT_TRUE(back.ok()) << back.status() << "\n" << json;
  EXPECT_TRUE(std::isnan(back->primary));
  EXPECT_DOUBLE_EQ(back->per_class_ap.at("a \"quoted\", back\\slashed\nname"), 0.5);
}

// Runs from before labelled_boxes still read; the count is then unknown (-1).
TEST(CycleMetrics, JsonWithoutLabelledBoxesReadsAsNotRecorded) {
  auto back = CycleMetricsFromJson(
      R"({"cycle": 1, "labelled": 200, "primary_metric": "mAP", "primary": 0.5})", "old.json");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->labelled, 200);
  EXPECT_EQ(back->labelled_boxes, -1);
  EXPECT_THAT(CycleMetricsToJson(*back), ::testing::Not(HasSubstr("labelled_boxes")));
}

TEST(CycleMetrics, BrokenJsonNamesTheFile) {
  auto back = CycleMetricsFromJson("{\"cycle\": 1", "runs/x/cycle_01/metrics.json");
  ASSERT_FALSE(back.ok());
  EXPECT_THAT(back.status().message(), HasSubstr("runs/x/cycle_01/metrics.json"));
  back = CycleMetricsFromJson("{\"cycle\": \"one\"}", "m.json");
  EXPECT_THAT(back.status().message(), HasSubstr("needs integer 'cycle'"));
}

TEST(RunFolder, MetricsCsvAndReadAllCoverFinishedCyclesInOrder) {
  RunFolder folder(testing::TempDir() + "/run_folder_test");
  ASSERT_TRUE(folder.WriteCycleMetrics(Example(1, 0.5)).ok());
  ASSERT_TRUE(folder.WriteCycleMetrics(Example(0, 0.25)).ok());
  ASSERT_TRUE(folder.WriteMetricsCsv().ok());
  EXPECT_EQ(*ReadFile(folder.MetricsCsvPath()),
            "cycle,labelled,labelled_boxes,primary_metric,primary,mAP\n"
            "0,100,250,mAP,0.25,0.25\n1,200,500,mAP,0.5,0.5\n");
  auto all = folder.ReadAllCycleMetrics();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].labelled, 200);
  EXPECT_DOUBLE_EQ((*all)[1].primary, 0.5);
}

TEST(RunFolder, OneProcessAtATimeHoldsTheFolder) {
  RunFolder folder(testing::TempDir() + "/run_folder_lock/run");  // made by Lock
  absl::StatusOr<FileLock> held = folder.Lock();
  ASSERT_TRUE(held.ok()) << held.status();
  absl::StatusOr<FileLock> second = folder.Lock();
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kAlreadyExists);  // exit 2: nothing done
  EXPECT_THAT(second.status().message(), HasSubstr(folder.root() + " is in use by pid "));
}

TEST(RunFolder, StartRecordsTheSpecAndRefusesAnotherOrAFreshStart) {
  RunFolder folder(testing::TempDir() + "/run_folder_start");
  ASSERT_TRUE(folder.Start("name: \"a\"\n", /*resume=*/false).ok());
  EXPECT_EQ(*ReadFile(folder.SpecPath()), "name: \"a\"\n");
  absl::Status again = folder.Start("name: \"a\"\n", /*resume=*/false);
  EXPECT_EQ(again.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(again.message(), HasSubstr("--resume"));
  EXPECT_TRUE(folder.Start("name: \"a\"\n", /*resume=*/true).ok());
  absl::Status other = folder.Start("name: \"b\"\n", /*resume=*/true);
  EXPECT_EQ(other.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(other.message(), HasSubstr("spec.pbtxt differs from the spec given"));
  // A run started when spec.pbtxt held the resolved spec resumes too.
  EXPECT_TRUE(folder.Start("name: \"b\"\n", /*resume=*/true, "name: \"a\"\n").ok());
}

TEST(RunFolder, SelectionIsWrittenInEveryFormatWithTheMarkerLast) {
  RunFolder folder(testing::TempDir() + "/run_folder_selection");
  Selection selection;
  selection.metric_names = {"entropy"};
  selection.stage_names = {"hua"};
  selection.stage_sizes = {10};
  selection.images = {{"img_7", 0.75, false, {1}, {0.5}}, {"img_2", 0.25, true, {0}, {0.125}}};
  EXPECT_FALSE(folder.HasSelection(3));
  EXPECT_EQ(folder.LastTrainedCycle(), std::nullopt);
  ASSERT_TRUE(folder.WriteSelection(3, selection).ok());
  EXPECT_TRUE(folder.HasSelection(3));
  EXPECT_THAT(*folder.ReadSelectedIds(3), ::testing::ElementsAre("img_7", "img_2"));
  EXPECT_EQ(*ReadFile(folder.CycleDirectory(3) + "/selection.csv"),
            "image_id,score,from_zero_set,rank_hua,entropy\nimg_7,0.75,0,1,0.5\n"
            "img_2,0.25,1,0,0.125\n");
  EXPECT_THAT(*ReadFile(folder.CycleDirectory(3) + "/selection.json"),
              HasSubstr(R"("image_id": "img_2",
      "score": 0.25,
      "from_zero_set": true,)"));
  EXPECT_EQ(folder.ReadSelectedIds(4).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace huale
