#include "experiments/spec_loader.h"

#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace huale {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

// A fresh folder per test under the test's temporary directory.
std::string TestFolder() {
  const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
  const fs::path folder =
      fs::path(::testing::TempDir()) / absl::StrCat(test->test_suite_name(), ".", test->name());
  fs::remove_all(folder);
  fs::create_directories(folder);
  return folder.string();
}

std::string Write(const std::string& folder, const std::string& name, const std::string& text) {
  const std::string path = absl::StrCat(folder, "/", name);
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << text;
  return path;
}

template <typename Message>
Message Text(const std::string& text) {
  Message message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &message)) << text;
  return message;
}

void ExpectSpecEquals(const ExperimentSpec& spec, const std::string& expected_text) {
  std::string text, expected;
  google::protobuf::TextFormat::PrintToString(spec, &text);
  google::protobuf::TextFormat::PrintToString(Text<ExperimentSpec>(expected_text), &expected);
  EXPECT_EQ(text, expected);
}

// Overlay `overlay_text` on `base_text` and compare with `expected_text`, all
// ExperimentSpec text.
void ExpectMerge(const std::string& base_text, const std::string& overlay_text,
                 const std::string& expected_text) {
  ExperimentSpec base = Text<ExperimentSpec>(base_text);
  MergeSpecOverlay(Text<ExperimentSpec>(overlay_text), base);
  ExpectSpecEquals(base, expected_text);
}

void ExpectLoadsAs(const std::string& path, const std::string& expected_text) {
  absl::StatusOr<ExperimentSpec> spec = LoadSpec(path);
  ASSERT_TRUE(spec.ok()) << spec.status();
  ExpectSpecEquals(*spec, expected_text);
}

TEST(ParseSpecText, ReadsFieldsAndKeepsDefaults) {
  auto spec = ParseSpecText(R"pb(
    name: "x"
    seed: 7
    schedule { budget_per_cycle: 100 }
  )pb", "x.pbtxt");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->seed(), 7u);
  EXPECT_EQ(spec->schedule().budget_per_cycle(), 100);
  EXPECT_EQ(spec->schedule().initial_size(), 500);
  EXPECT_FLOAT_EQ(spec->training().learning_rate(), 0.0025f);
}

TEST(ParseSpecText, UnknownFieldNamesFileLineColumnAndField) {
  auto spec = ParseSpecText("name: \"x\"\nschedule {\n  budjet: 5\n}\n", "specs/bad.pbtxt");
  ASSERT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(spec.status().message(), HasSubstr("specs/bad.pbtxt:3:"));
  EXPECT_THAT(spec.status().message(), HasSubstr("budjet"));
}

TEST(ParseSpecText, WrongValueTypeNamesTheField) {
  auto spec = ParseSpecText("seed: \"seven\"\n", "s.pbtxt");
  ASSERT_FALSE(spec.ok());
  EXPECT_THAT(spec.status().message(), HasSubstr("s.pbtxt:1:"));
  // Protobuf's message only says what it expected; the quoted line names the field.
  EXPECT_THAT(spec.status().message(), HasSubstr("seed: \"seven\""));
}

TEST(ResolveSpecPath, MissingSpecListsWhereItLooked) {
  auto path = ResolveSpecPath("no_such_spec");
  ASSERT_EQ(path.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(path.status().message(), HasSubstr("experiments/specs/no_such_spec.pbtxt"));
}

TEST(MergeSpecOverlay, SetScalarReplacesAndUnsetKeepsTheBase) {
  ExpectMerge(R"pb(name: "a" seed: 3 device: "cpu")pb", R"pb(name: "b" device: "cuda")pb",
              R"pb(name: "b" seed: 3 device: "cuda")pb");
}

TEST(MergeSpecOverlay, SetScalarToItsDefaultStillReplaces) {
  ExpectMerge(R"pb(model { faster_rcnn { iou_head: true } })pb",
              R"pb(model { faster_rcnn { iou_head: false } })pb",
              R"pb(model { faster_rcnn { iou_head: false } })pb");
}

TEST(MergeSpecOverlay, MessageMergesFieldByField) {
  ExpectMerge(R"pb(schedule { initial_size: 200 cycles: 4 } training { epochs: 8 })pb",
              R"pb(schedule { cycles: 9 })pb",
              R"pb(schedule { initial_size: 200 cycles: 9 } training { epochs: 8 })pb");
}

TEST(MergeSpecOverlay, RepeatedFieldReplacesTheWholeListInsteadOfAppending) {
  ExpectMerge(R"pb(losses { name: "cross_entropy" }
                   losses { name: "eiou" }
                   losses { name: "emphasis" }
                   training { lr_steps: [ 6, 7 ] })pb",
              R"pb(losses { name: "cross_entropy" }
                   losses { name: "smooth_l1" }
                   training { lr_steps: 5 })pb",
              R"pb(losses { name: "cross_entropy" }
                   losses { name: "smooth_l1" }
                   training { lr_steps: 5 })pb");
}

TEST(MergeSpecOverlay, RepeatedFieldNotGivenKeepsTheBaseList) {
  ExpectMerge(R"pb(losses { name: "cross_entropy" } losses { name: "eiou" })pb",
              R"pb(name: "x")pb",
              R"pb(name: "x" losses { name: "cross_entropy" } losses { name: "eiou" })pb");
}

TEST(MergeSpecOverlay, OneofMemberReplacesTheOtherMember) {
  ExpectMerge(R"pb(acquisition { name: "huale" flat { box_min_score: 0.5 } })pb",
              R"pb(acquisition { huale { zero_set_share: 0.2 } })pb",
              R"pb(acquisition { name: "huale" huale { zero_set_share: 0.2 } })pb");
}

TEST(MergeSpecOverlay, SameOneofMemberMergesFieldByField) {
  ExpectMerge(R"pb(acquisition { name: "huale" huale { retrieval_ratio: 3 ranking: CASCADE } })pb",
              R"pb(acquisition { huale { ranking: BORDA } })pb",
              R"pb(acquisition { name: "huale" huale { retrieval_ratio: 3 ranking: BORDA } })pb");
}

TEST(MergeSpecOverlay, ComponentOfAnotherNameReplacesTheOldOneWithItsOptions) {
  ExpectMerge(R"pb(acquisition { name: "huale" huale { retrieval_ratio: 3 } })pb",
              R"pb(acquisition { name: "random" })pb",
              R"pb(acquisition { name: "random" })pb");
  // The same name: the options merge.
  ExpectMerge(R"pb(acquisition { name: "huale" huale { retrieval_ratio: 3 } })pb",
              R"pb(acquisition { name: "huale" huale { zero_set_share: 0.2 } })pb",
              R"pb(acquisition {
                     name: "huale"
                     huale { retrieval_ratio: 3 zero_set_share: 0.2 }
                   })pb");
}

TEST(LoadSpec, BareBaseNameIsFoundBesideTheFileAndOverlaid) {
  const std::string folder = TestFolder();
  Write(folder, "parent.pbtxt", "name: \"parent\"\nseed: 4\nschedule { cycles: 3 }\n");
  const std::string child =
      Write(folder, "child.pbtxt", "base: \"parent\"\nname: \"child\"\nschedule { initial_size: 9 }\n");
  ExpectLoadsAs(child, R"pb(name: "child" seed: 4 schedule { initial_size: 9 cycles: 3 })pb");
}

TEST(LoadSpec, LocationsNameTheFileThatSetEachFieldOverlayFirst) {
  const std::string folder = TestFolder();
  const std::string parent = Write(
      folder, "parent.pbtxt",
      "name: \"parent\"\nschedule { cycles: 3 }\nlosses { name: \"a\" }\nlosses { name: \"b\" }\n");
  const std::string child = Write(folder, "child.pbtxt",
                                  "base: \"parent\"\nname: \"child\"\n"
                                  "losses { name: \"c\" smooth_l1 { beta: -1 } }\n");
  SpecLocations locations;
  ASSERT_TRUE(LoadSpec(child, &locations).ok());
  EXPECT_EQ(LocationOf(locations, "name"), child + ":2:1");
  EXPECT_EQ(LocationOf(locations, "schedule.cycles"), parent + ":2:12");
  // A default field: its closest enclosing field the text sets.
  EXPECT_EQ(LocationOf(locations, "schedule.initial_size"), parent + ":2:1");
  EXPECT_EQ(LocationOf(locations, "losses[0].smooth_l1.beta"), child + ":3:32");
  EXPECT_EQ(LocationOf(locations, "losses"), child + ":3:1");
  // The overlay's list replaced the base's: no place of the base's second loss.
  EXPECT_EQ(LocationOf(locations, "losses[1].name"), child + ":3:1");
  EXPECT_EQ(LocationOf(locations, "output_dir"), "");
}

TEST(LoadSpec, BasePathIsRelativeToTheIncludingFileAndChainsRecursively) {
  const std::string folder = TestFolder();
  Write(folder, "common/root.pbtxt", "name: \"root\"\nseed: 1\ndevice: \"cuda\"\n");
  Write(folder, "common/middle.pbtxt", "base: \"root.pbtxt\"\nseed: 2\n");
  const std::string leaf =
      Write(folder, "mine/leaf.pbtxt", "base: \"../common/middle.pbtxt\"\nname: \"leaf\"\n");
  ExpectLoadsAs(leaf, R"pb(name: "leaf" seed: 2 device: "cuda")pb");
}

TEST(LoadSpec, CycleOfBasesIsAnErrorNamingTheChain) {
  const std::string folder = TestFolder();
  Write(folder, "a.pbtxt", "name: \"a\"\nbase: \"b\"\n");
  Write(folder, "b.pbtxt", "base: \"c.pbtxt\"\n");
  Write(folder, "c.pbtxt", "base: \"a\"\n");
  absl::StatusOr<ExperimentSpec> spec = LoadSpec(absl::StrCat(folder, "/a.pbtxt"));
  ASSERT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(spec.status().message(),
              HasSubstr(absl::StrCat("c.pbtxt:1:1: base cycle: ", folder, "/a.pbtxt -> ", folder,
                                     "/b.pbtxt -> ", folder, "/c.pbtxt -> ", folder, "/a.pbtxt")));
}

TEST(LoadSpec, MissingBaseNamesTheFieldAndWhereItLooked) {
  const std::string folder = TestFolder();
  const std::string path = Write(folder, "x.pbtxt", "name: \"x\"\n  base: \"no_such_base\"\n");
  absl::StatusOr<ExperimentSpec> spec = LoadSpec(path);
  ASSERT_EQ(spec.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(spec.status().message(),
              HasSubstr(absl::StrCat(path, ":2:3: base 'no_such_base' not found; looked for: ",
                                     folder, "/no_such_base, ", folder, "/no_such_base.pbtxt, ")));
  EXPECT_THAT(spec.status().message(), HasSubstr("experiments/specs/no_such_base.pbtxt"));
}

TEST(LoadSpec, ErrorInTheBaseNamesTheBaseFileLineAndColumnAndTheIncluder) {
  const std::string folder = TestFolder();
  const std::string base = Write(folder, "base.pbtxt", "name: \"b\"\nschedule {\n  budjet: 5\n}\n");
  const std::string overlay = Write(folder, "overlay.pbtxt", "name: \"o\"\nbase: \"base\"\n");
  absl::StatusOr<ExperimentSpec> spec = LoadSpec(overlay);
  ASSERT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(spec.status().message(), HasSubstr(absl::StrCat(base, ":3:")));
  EXPECT_THAT(spec.status().message(), HasSubstr("  budjet: 5\n"));
  EXPECT_THAT(spec.status().message(), HasSubstr(absl::StrCat("in the base of ", overlay, ":2:1")));
}

TEST(LoadSpec, ErrorInTheOverlayNamesTheOverlayFile) {
  const std::string folder = TestFolder();
  Write(folder, "base.pbtxt", "name: \"b\"\n");
  const std::string overlay =
      Write(folder, "overlay.pbtxt", "base: \"base\"\nseed: \"seven\"\n");
  absl::StatusOr<ExperimentSpec> spec = LoadSpec(overlay);
  ASSERT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(spec.status().message(), HasSubstr(absl::StrCat(overlay, ":2:")));
  EXPECT_THAT(spec.status().message(), Not(HasSubstr("base.pbtxt")));
}

TEST(LoadSpec, KeepsPathsAsWrittenAndWithUserPathsResolvesThem) {
  const std::string folder = TestFolder();
  const std::string path = Write(folder, "p.pbtxt",
                                 "name: \"p\"\ndataset { root: \"data/x\" }\n"
                                 "model { weights: \"/abs/w.pt\" "
                                 "backbone_weights: \"data/b.pt\" }\n");
  absl::StatusOr<ExperimentSpec> spec = LoadSpec(path);
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->dataset().root(), "data/x");
  EXPECT_FALSE(spec->has_output_dir());
  const ExperimentSpec resolved = WithUserPaths(*spec);
  EXPECT_EQ(resolved.dataset().root(), ResolveUserPath("data/x"));
  EXPECT_TRUE(fs::path(resolved.dataset().root()).is_absolute());
  EXPECT_EQ(resolved.model().weights(), "/abs/w.pt");
  EXPECT_EQ(resolved.model().backbone_weights(), ResolveUserPath("data/b.pt"));
  EXPECT_EQ(resolved.output_dir(), ResolveUserPath("runs"));
}

// Every committed spec loads, and names its own run (an overlay that forgot
// `name` would share its base's run folder).
TEST(LoadSpec, EveryCommittedSpecLoadsAndIsNamedAfterItsFile) {
  int specs = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator("experiments/specs")) {
    if (entry.path().extension() != ".pbtxt") continue;
    ++specs;
    absl::StatusOr<ExperimentSpec> spec = LoadSpec(entry.path().string());
    ASSERT_TRUE(spec.ok()) << spec.status();
    EXPECT_EQ(spec->name(), entry.path().stem().string());
    EXPECT_FALSE(spec->has_base());
  }
  EXPECT_GT(specs, 0);
}

}  // namespace
}  // namespace huale
