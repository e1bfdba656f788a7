#include "huale/engine/run_folder.h"

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
  EXPECT_EQ(back->primary_metric, "mAP");
  EXPECT_DOUBLE_EQ(back->primary, 0.4125);
  EXPECT_DOUBLE_EQ(back->per_class_ap.at("T-shirt \"top\""), 0.5);
  EXPECT_DOUBLE_EQ(back->timings_seconds.at("train"), 12.5);
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
  EXPECT_EQ(*ReadFile(folder.Path("metrics.csv")),
            "cycle,labelled,primary_metric,primary,mAP\n0,100,mAP,0.25,0.25\n1,200,mAP,0.5,0.5\n");
  auto all = folder.ReadAllCycleMetrics();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].labelled, 200);
  EXPECT_DOUBLE_EQ((*all)[1].primary, 0.5);
}

}  // namespace
}  // namespace huale
