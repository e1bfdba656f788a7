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

TEST(RunFolder, ExtendAddsCyclesAndRefusesAnyOtherChange) {
  RunFolder folder(testing::TempDir() + "/run_folder_extend");
  const std::string two = "name: \"a\"\nschedule { cycles: 2 }\n";
  const std::string three = "name: \"a\"\nschedule { cycles: 3 }\n";
  ASSERT_TRUE(folder.Start(two, /*resume=*/false).ok());
  // More cycles without --extend: refused, and told how.
  absl::Status longer = folder.Start(three, /*resume=*/true);
  EXPECT_EQ(longer.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(longer.message(),
              HasSubstr("only in schedule.cycles (2 recorded, 3 given): pass --extend"));
  EXPECT_EQ(*ReadFile(folder.SpecPath()), two);
  // Another change with the cycles: refused even with extend.
  absl::Status other =
      folder.Start("name: \"b\"\nschedule { cycles: 3 }\n", true, "", /*extend=*/true);
  EXPECT_THAT(other.message(), HasSubstr("differs from the spec given"));
  EXPECT_EQ(*ReadFile(folder.SpecPath()), two);
  ASSERT_TRUE(folder.Start(three, true, "", /*extend=*/true).ok());
  EXPECT_EQ(*ReadFile(folder.SpecPath()), three);
  // Fewer cycles: never.
  absl::Status shorter = folder.Start(two, true, "", /*extend=*/true);
  EXPECT_EQ(shorter.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(shorter.message(), HasSubstr("records 3 cycles and the spec given 2"));
  EXPECT_EQ(*ReadFile(folder.SpecPath()), three);
  // An unset schedule.cycles is its default (7).
  ASSERT_TRUE(folder.Start("name: \"a\"\nschedule { cycles: 7 }\n", true, "", true).ok());
  // The same cycles, the text otherwise written: as before extend, refused.
  EXPECT_THAT(folder.Start("name: \"a\"\n", true, "", true).message(),
              HasSubstr("differs from the spec given"));
  // A run whose spec.pbtxt is not a spec: only an exact match resumes it.
  ASSERT_TRUE(WriteFileAtomically(folder.SpecPath(), "not a spec {").ok());
  EXPECT_THAT(folder.Start(three, true, "", true).message(),
              HasSubstr("differs from the spec given"));
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

TEST(RunFolder, ResumeVerifiesASelectionAndSetsADamagedOneAside) {
  RunFolder folder(testing::TempDir() + "/run_folder_verify");
  Selection selection;
  selection.metric_names = {"entropy", "lc"};
  selection.stage_names = {"hua", "lc"};
  selection.stage_sizes = {10, 4};
  selection.images = {{"img_7", 0.1 + 0.2, false, {1, 2}, {0.5, std::nan("")}},
                      {"img_2", std::nan(""), true, {0, 0}, {1.0 / 3, 2}},
                      {"img_9", -1e-300, false, {3, 1}, {0, 0}}};
  ASSERT_TRUE(folder.WriteSelection(1, selection).ok());
  EXPECT_TRUE(folder.VerifySelection(1).ok()) << folder.VerifySelection(1);
  const std::string dir = folder.CycleDirectory(1);

  // A truncated id list: the file and the first line that differs are named.
  ASSERT_TRUE(WriteFileAtomically(dir + "/selected_ids.txt", "img_7\nimg_").ok());
  absl::Status truncated = folder.VerifySelection(1);
  EXPECT_EQ(truncated.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(truncated.message(), HasSubstr("selected_ids.txt:2: does not match"));
  EXPECT_THAT(truncated.message(), HasSubstr("'img_' where it says 'img_2'"));
  ASSERT_TRUE(WriteFileAtomically(dir + "/selected_ids.txt", "img_7\nimg_2\nimg_9\n").ok());
  EXPECT_TRUE(folder.VerifySelection(1).ok());

  // An edited score in the CSV.
  std::string csv = *ReadFile(dir + "/selection.csv");
  csv.replace(csv.find("0.3"), 3, "0.4");
  ASSERT_TRUE(WriteFileAtomically(dir + "/selection.csv", csv).ok());
  EXPECT_THAT(folder.VerifySelection(1).message(), HasSubstr("selection.csv:2: does not match"));

  // selection.json cut short.
  const std::string json = *ReadFile(dir + "/selection.json");
  ASSERT_TRUE(WriteFileAtomically(dir + "/selection.json", json.substr(0, json.size() / 2)).ok());
  absl::Status cut = folder.VerifySelection(1);
  EXPECT_EQ(cut.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(cut.message(), HasSubstr("selection.json: not valid JSON"));

  // Set aside: nothing deleted, earlier copies kept, the stage no longer done.
  ASSERT_TRUE(WriteFileAtomically(dir + "/selection.json.corrupt", "older").ok());
  absl::StatusOr<std::vector<std::string>> moved = folder.SetAside(folder.SelectionFiles(1));
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_THAT(*moved, ::testing::ElementsAre(dir + "/selection.json.corrupt.2",
                                             dir + "/selected_ids.txt.corrupt",
                                             dir + "/selection.csv.corrupt"));
  EXPECT_EQ(*ReadFile(dir + "/selection.json.corrupt"), "older");
  EXPECT_FALSE(folder.HasSelection(1));

  // An empty selection verifies too (its CSV is a header alone).
  ASSERT_TRUE(folder.WriteSelection(2, Selection{{"entropy"}, {"hua"}, {0}, {}}).ok());
  EXPECT_TRUE(folder.VerifySelection(2).ok()) << folder.VerifySelection(2);
}

TEST(RunFolder, SkippedImagesRoundTripOneALine) {
  RunFolder folder(testing::TempDir() + "/run_folder_skipped");
  EXPECT_TRUE(folder.ReadSkippedImages()->empty());
  const std::vector<std::string> messages = {
      "image '7' (a/7.jpg): could not be read (cycle 0/1 evaluate)",
      "image 'x' (odd\\dir/line\nbreak.jpg): could not be read (training)"};
  ASSERT_TRUE(folder.WriteSkippedImages(messages).ok());
  EXPECT_EQ(*folder.ReadSkippedImages(), messages);
}

TEST(RunFolder, ResumeVerifiesCycleMetrics) {
  RunFolder folder(testing::TempDir() + "/run_folder_verify_metrics");
  CycleMetrics metrics;
  metrics.cycle = 2;
  metrics.primary_metric = "mAP";
  metrics.primary = 0.25;
  ASSERT_TRUE(folder.WriteCycleMetrics(metrics).ok());
  EXPECT_TRUE(folder.VerifyCycleMetrics(2).ok());
  const std::string path = folder.CycleMetricsFiles(2)[0];
  const std::string json = *ReadFile(path);
  ASSERT_TRUE(WriteFileAtomically(path, json.substr(0, 20)).ok());
  absl::Status cut = folder.VerifyCycleMetrics(2);
  EXPECT_EQ(cut.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(cut.message(), HasSubstr(path + ": not valid JSON"));
  // Another cycle's file in this cycle's place.
  metrics.cycle = 1;
  ASSERT_TRUE(WriteFileAtomically(path, CycleMetricsToJson(metrics)).ok());
  EXPECT_THAT(folder.VerifyCycleMetrics(2).message(), HasSubstr("holds cycle 1, not cycle 2"));
  // Missing altogether: not found, not data loss.
  EXPECT_EQ(folder.VerifyCycleMetrics(5).code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace huale
