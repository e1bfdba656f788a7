#include "huale/engine/active_learning_loop.h"

#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <torch/torch.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "glog/logging.h"
#include "huale/acquisition/acquisition_function.h"
#include "huale/core/atomic_file.h"
#include "huale/core/status_macros.h"
#include "huale/data/pools.h"
#include "huale/data/seeded_random.h"
#include "huale/data/dataset_format.h"
#include "huale/data/reader_util.h"
#include "huale/engine/annotator.h"
#include "huale/engine/checkpoint.h"
#include "huale/engine/event_writer.h"
#include "huale/engine/inference.h"
#include "huale/engine/initial_model_cache.h"
#include "huale/engine/progress.h"
#include "huale/engine/run_folder.h"
#include "huale/engine/sharded_inference.h"
#include "huale/engine/trainer.h"
#include "huale/eval/evaluator.h"
#include "huale/models/detector.h"

namespace huale {
namespace {

namespace fs = std::filesystem;

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

absl::StatusOr<std::unique_ptr<Detector>> BuildDetector(const ExperimentSpec& spec,
                                                        int num_classes) {
  // The same initialisation every cycle (method doc §1), fixed by the seed.
  torch::manual_seed(spec.seed());
  absl::StatusOr<std::unique_ptr<Detector>> model =
      ModelRegistry::Get().Create(spec.model().name(), spec.model(), num_classes);
  if (!model.ok()) return model.status();
  std::vector<LossSpec> losses(spec.losses().begin(), spec.losses().end());
  // (The factory already loaded spec.model().weights.)
  if (absl::Status status = (*model)->SetRoiLosses(losses); !status.ok()) return status;
  return model;
}

// The labelled/unlabelled split a cycle trains with: cycle 0's is the seeded
// initial sample; cycle k's is cycle k-1's plus its selection. Pools already
// saved must be exactly that; saved ones that are not (damaged, cut short by a
// kill between the two files, edited) are set aside and written again.
absl::StatusOr<Pools> PoolsForCycle(const ExperimentSpec& spec, const Dataset& pool,
                                    const RunFolder& folder, int cycle) {
  const std::string directory = folder.CycleDirectory(cycle);
  absl::StatusOr<Pools> expected = [&]() -> absl::StatusOr<Pools> {
    if (cycle == 0) {
      return Pools::WithInitialSample(pool, spec.schedule().initial_size(), spec.seed());
    }
    absl::StatusOr<Pools> previous = Pools::Load(pool, folder.CycleDirectory(cycle - 1));
    if (!previous.ok()) return previous.status();
    HUALE_ASSIGN_OR_RETURN(const std::vector<std::string> ids,
                           folder.ReadSelectedIds(cycle - 1));
    std::map<std::string, int64_t> index_of;
    for (size_t i = 0; i < pool.images.size(); ++i) index_of[pool.images[i].id] = i;
    std::vector<int64_t> selected;
    for (const std::string& id : ids) {
      auto it = index_of.find(id);
      if (it == index_of.end()) {
        return absl::DataLossError(absl::StrCat(folder.CycleDirectory(cycle - 1),
                                                "/selected_ids.txt: unknown image id '", id, "'"));
      }
      selected.push_back(it->second);
    }
    if (absl::Status status = previous->Label(selected); !status.ok()) return status;
    return previous;
  }();
  if (!expected.ok()) return expected.status();
  const std::vector<std::string> files = {(fs::path(directory) / Pools::kLabelledFile).string(),
                                          (fs::path(directory) / Pools::kUnlabelledFile).string()};
  if (fs::exists(files[0]) || fs::exists(files[1])) {
    absl::StatusOr<Pools> saved = Pools::Load(pool, directory);
    if (saved.ok() && saved->labelled() == expected->labelled()) return saved;
    const std::string why =
        saved.ok() ? absl::StrCat(files[0], " is not ",
                                  cycle == 0 ? "the seeded initial sample"
                                             : "the previous cycle's labelled set and selection")
                   : std::string(saved.status().message());
    HUALE_ASSIGN_OR_RETURN(const std::vector<std::string> moved, folder.SetAside(files));
    LOG(WARNING) << why << "; moved to " << absl::StrJoin(moved, ", ") << ", writing the pools again";
  }
  if (absl::Status status = expected->Save(directory); !status.ok()) return status;
  return expected;
}

class Loop {
 public:
  Loop(const ExperimentSpec& spec, const Dataset& pool, const Dataset& test,
       const std::string& run_directory, Collectives& group)
      : spec_(spec),
        pool_(pool),
        pool_in_use_(&pool),
        test_(test),
        folder_(run_directory),
        initial_models_(spec),
        group_(group),
        main_(group.is_main()) {}

  absl::Status Run(const LoopOptions& options) {
    // Tiny warm-up gradients of a fresh model produce denormal floats, which run
    // tens of times slower on x86; flushing them to zero changes no result that
    // matters and keeps the first epoch as fast as the rest.
    at::globalContext().setFlushDenormal(true);
    // Rank 0 alone owns the run folder; the other ranks of a distributed run
    // get what they need from it through the collectives.
    std::optional<EventWriter> events;
    absl::Status started = [&]() -> absl::Status {
      if (!main_) return absl::OkStatus();
      HUALE_ASSIGN_OR_RETURN(FileLock taken, folder_.Lock());
      lock_.emplace(std::move(taken));
      HUALE_RETURN_IF_ERROR(
          folder_.Start(options.spec_as_written, options.resume, options.legacy_spec_text,
                        options.extend));
      bad_samples_ = pool_.bad_samples;
      bad_samples_.Merge(test_.bad_samples);
      // What finished stages found: they do not run again on --resume.
      HUALE_ASSIGN_OR_RETURN(const std::vector<std::string> found, folder_.ReadSkippedImages());
      for (const std::string& message : found) AddSkipped(message);
      HUALE_RETURN_IF_ERROR(bad_samples_.WriteTo(folder_.BadSamplesPath()));
      HUALE_ASSIGN_OR_RETURN(EventWriter writer, EventWriter::Open(folder_.root()));
      events.emplace(std::move(writer));
      return absl::OkStatus();
    }();
    HUALE_RETURN_IF_ERROR(Agree(started, "starting the run folder"));
    events_ = events ? &*events : nullptr;
    wait_for_labels_ = options.wait_for_labels;
    AnnotatorContext annotator_context;
    annotator_context.spec = spec_;
    annotator_context.class_names = pool_.class_names;
    absl::StatusOr<std::unique_ptr<Annotator>> annotator = AnnotatorRegistry::Get().Create(
        AnnotatorName(spec_.schedule().annotator()), annotator_context);
    if (!annotator.ok()) return annotator.status();
    annotator_ = std::move(*annotator);
    if (!annotator_->labels_from_dataset()) {
      // People label: the pool's own annotations (if any) are never trained on;
      // each cycle's labels.json fills this copy in.
      labelled_pool_ = pool_;
      for (ImageRecord& image : labelled_pool_.images) image.annotations.clear();
      pool_in_use_ = &labelled_pool_;
    }
    absl::StatusOr<std::unique_ptr<AcquisitionFunction>> acquisition =
        AcquisitionRegistry::Get().Create(spec_.acquisition().name(), spec_.acquisition());
    if (!acquisition.ok()) return acquisition.status();
    acquisition_ = std::move(*acquisition);
    absl::StatusOr<std::unique_ptr<Evaluator>> evaluator =
        EvaluatorRegistry::Get().Create(spec_.evaluation().metric(), spec_.evaluation());
    if (!evaluator.ok()) return evaluator.status();
    evaluator_ = std::move(*evaluator);

    const int cycles = spec_.schedule().cycles();
    for (int cycle = 0; cycle < cycles; ++cycle) {
      if (absl::Status s = RunCycle(cycle); !s.ok()) return s;
    }
    if (main_) std::cerr << "done: " << folder_.root() << "/metrics.csv\n";
    return absl::OkStatus();
  }

 private:
  std::string Label(int cycle) const {
    return absl::StrFormat("cycle %d/%d", cycle, spec_.schedule().cycles() - 1);
  }

  // Rank 0, before a stage writes: the run folder is still the one it locked.
  // Removed or replaced under the run, nothing more is written there (the
  // writers would make its folders again and leave half a run).
  absl::Status CheckFolder() const {
    if (!lock_) return absl::OkStatus();
    absl::Status in_place = lock_->CheckInPlace();
    if (in_place.ok()) return in_place;
    return absl::DataLossError(absl::StrCat(
        "the run folder ", folder_.root(), " was removed or replaced while this run was using it (",
        in_place.message(), "); stopping without writing there. Run again (with --resume) to "
        "start it over"));
  }

  // Whether `stage` of `cycle` must run, decided by rank 0 for every rank. It
  // must when it `applies` and its outputs are missing, or present but do not
  // `verify`: those are set aside (FILE.corrupt, nothing is deleted) and the
  // stage runs again.
  absl::StatusOr<bool> MustRun(int cycle, absl::string_view stage, bool applies, bool present,
                               const std::function<absl::Status()>& verify,
                               const std::vector<std::string>& outputs) {
    bool run = false;
    absl::Status checked;
    if (main_ && applies) {
      run = !present;
      absl::Status verified = present ? verify() : absl::OkStatus();
      checked = verified;
      if (absl::IsDataLoss(verified)) {
        absl::StatusOr<std::vector<std::string>> moved = folder_.SetAside(outputs);
        checked = moved.status();
        if (moved.ok()) {
          LOG(WARNING) << verified.message() << "; moved to " << absl::StrJoin(*moved, ", ")
                       << ", running " << Label(cycle) << " " << stage << " again";
          run = true;
        }
      }
    }
    const std::string what = absl::StrCat(Label(cycle), ": ", stage);
    HUALE_RETURN_IF_ERROR(Agree(checked, absl::StrCat(what, " outputs")));
    return Decide(run, absl::StrCat(what, "?"));
  }

  // Rank 0 did `on_main`; every rank learns whether it succeeded, so that no
  // rank waits for a peer that has stopped. One process: `on_main` itself.
  absl::Status Agree(const absl::Status& on_main, absl::string_view what) {
    if (group_.world_size() == 1) return on_main;
    HUALE_ASSIGN_OR_RETURN(const int64_t code,
                           group_.BroadcastValue(static_cast<int64_t>(on_main.code()), what));
    if (main_) return on_main;
    if (code != 0) {
      // The same code, so every rank exits as rank 0 does (2 = nothing started).
      return absl::Status(static_cast<absl::StatusCode>(code),
                          absl::StrCat("rank 0 stopped at ", what, " (its output says why)"));
    }
    return absl::OkStatus();
  }

  // Rank 0's `decision` on every rank.
  absl::StatusOr<bool> Decide(bool decision, absl::string_view what) {
    HUALE_ASSIGN_OR_RETURN(const int64_t value, group_.BroadcastValue(decision ? 1 : 0, what));
    return value != 0;
  }

  // Rank 0's `indices` on every rank.
  absl::Status ShareIndices(std::vector<int64_t>& indices, absl::string_view what) {
    if (group_.world_size() == 1) return absl::OkStatus();
    std::string bytes(indices.size() * sizeof(int64_t), '\0');
    if (!indices.empty()) std::memcpy(bytes.data(), indices.data(), bytes.size());
    HUALE_ASSIGN_OR_RETURN(bytes, group_.BroadcastBytes(bytes, what));
    indices.resize(bytes.size() / sizeof(int64_t));
    if (!indices.empty()) std::memcpy(indices.data(), bytes.data(), bytes.size());
    return absl::OkStatus();
  }

  InferenceOptions Inference(int cycle, absl::string_view stage) const {
    InferenceOptions options = InferenceOptionsFor(spec_, absl::StrCat(Label(cycle), " ", stage));
    if (!main_) options.progress = nullptr;
    return options;
  }

  absl::Status RunCycle(int cycle) {
    const auto cycle_start = std::chrono::steady_clock::now();
    // The labelled set: rank 0 reads (or makes) it in the run folder.
    std::optional<Pools> pools;
    std::vector<int64_t> labelled;
    absl::Status made;
    if (main_) {
      const absl::Status in_place = CheckFolder();
      absl::StatusOr<Pools> loaded = in_place.ok()
                                         ? PoolsForCycle(spec_, pool_, folder_, cycle)
                                         : absl::StatusOr<Pools>(in_place);
      if (loaded.ok()) {
        pools.emplace(std::move(*loaded));
        labelled = pools->labelled();
      }
      made = loaded.status();
    }
    HUALE_RETURN_IF_ERROR(Agree(made, absl::StrCat(Label(cycle), ": labelled set")));
    HUALE_RETURN_IF_ERROR(ShareIndices(labelled, absl::StrCat(Label(cycle), ": labelled set")));
    if (!annotator_->labels_from_dataset()) HUALE_RETURN_IF_ERROR(LabelNewImages(cycle, labelled));
    std::map<std::string, double> timings;

    absl::StatusOr<std::unique_ptr<Detector>> model =
        TrainedModel(cycle, pools ? &*pools : nullptr, labelled, timings);
    if (!model.ok()) return model.status();

    HUALE_ASSIGN_OR_RETURN(
        const bool evaluate,
        MustRun(cycle, "evaluate", /*applies=*/true, folder_.HasCycleMetrics(cycle),
                [&] { return folder_.VerifyCycleMetrics(cycle); }, folder_.CycleMetricsFiles(cycle)));
    if (evaluate) HUALE_RETURN_IF_ERROR(Evaluate(**model, cycle, labelled, timings));
    const bool last = cycle + 1 >= spec_.schedule().cycles();
    HUALE_ASSIGN_OR_RETURN(
        const bool select,
        MustRun(cycle, "select", /*applies=*/!last, folder_.HasSelection(cycle),
                [&] { return folder_.VerifySelection(cycle); }, folder_.SelectionFiles(cycle)));
    if (select) {
      HUALE_RETURN_IF_ERROR(
          Select(model->get(), cycle, pools ? &*pools : nullptr, labelled, timings));
    }
    if (!main_) return absl::OkStatus();
    absl::StatusOr<CycleMetrics> metrics = folder_.ReadCycleMetrics(cycle);
    if (!metrics.ok()) return metrics.status();
    std::cerr << absl::StrFormat("%s: %d labelled, %s %.2f%%, cycle took %s\n", Label(cycle),
                                 metrics->labelled, metrics->primary_metric,
                                 100 * metrics->primary,
                                 FormatDuration(SecondsSince(cycle_start)));
    return absl::OkStatus();
  }

  // Adds the images a stage could not read to bad_samples.json and
  // skipped_images.txt (rank 0). `messages` read "image 'ID' (PATH): reason";
  // the part before the reason names the image.
  absl::Status RecordSkipped(const std::vector<std::string>& messages) {
    bool added = false;
    for (const std::string& message : messages) added |= AddSkipped(message);
    if (!added) return absl::OkStatus();
    HUALE_RETURN_IF_ERROR(folder_.WriteSkippedImages(skipped_messages_));
    return bad_samples_.WriteTo(folder_.BadSamplesPath());
  }
  bool AddSkipped(const std::string& message) {
    const std::string image = message.substr(0, message.find("): "));
    if (!skipped_images_.insert(image).second) return false;
    bad_samples_.Add(BadSampleKind::kCorruptImage, message);
    skipped_messages_.push_back(message);
    return true;
  }

  // The images of `requested` (indices into `data`) missing from a stage's
  // results `done` (their ids): those every rank's loader skipped. Records them
  // and applies DatasetSpec.max_skipped_image_share.
  absl::Status CheckStageSkips(const std::string& stage, const Dataset& data,
                               const std::vector<int64_t>& requested,
                               const std::set<std::string>& done) {
    std::vector<std::string> skipped;
    for (int64_t index : requested) {
      const ImageRecord& image = data.images[index];
      if (done.count(image.id) == 0) {
        skipped.push_back(absl::StrCat("image '", image.id, "' (", image.path,
                                       "): could not be read (", stage, ")"));
      }
    }
    if (skipped.empty()) return absl::OkStatus();
    HUALE_RETURN_IF_ERROR(RecordSkipped(skipped));
    return CheckSkippedShare(stage, static_cast<int64_t>(skipped.size()),
                             static_cast<int64_t>(requested.size()),
                             spec_.dataset().max_skipped_image_share(), skipped);
  }

  // Trains (or loads the finished model of) one cycle. `pools` is rank 0's
  // (null on the others).
  absl::StatusOr<std::unique_ptr<Detector>> TrainedModel(int cycle, const Pools* pools,
                                                         const std::vector<int64_t>& labelled,
                                                         std::map<std::string, double>& timings) {
    absl::StatusOr<std::unique_ptr<Detector>> model =
        BuildDetector(spec_, static_cast<int>(pool().class_names.size()));
    if (!model.ok()) return model.status();
    const std::string model_path = folder_.ModelPath(cycle);
    const std::string state_path = folder_.TrainStatePath(cycle);
    std::string initial_model_key;
    bool finished = false;
    // Rank 0 finds the finished model (in the folder or the shared cache) or
    // the warm start; the others receive the weights.
    absl::Status prepared = [&]() -> absl::Status {
      if (!main_) return absl::OkStatus();
      if (cycle == 0 && spec_.schedule().share_initial_model() &&
          annotator_->labels_from_dataset() && !folder_.HasModel(cycle)) {
        initial_model_key = InitialModelKey(*pools);
        HUALE_ASSIGN_OR_RETURN(const std::optional<std::string> source,
                               initial_models_.Fetch(initial_model_key, model_path));
        if (source.has_value()) {
          std::cerr << absl::StrFormat(
              "%s: the initial model is shared with %s (same data, initial set, model, losses, "
              "training, threads and processes)\n",
              Label(cycle), *source);
        }
      }
      if (folder_.HasModel(cycle)) {
        absl::Status loaded = LoadCheckpoint(model_path, **model, nullptr).status();
        if (!absl::IsDataLoss(loaded)) {
          finished = loaded.ok();
          return loaded;
        }
        // Damaged after it was written: kept aside (nothing is deleted), the
        // cycle trains again (from its train state, if one is left).
        absl::StatusOr<std::vector<std::string>> aside = folder_.SetAside({model_path});
        if (!aside.ok()) return loaded;
        LOG(WARNING) << loaded.message() << "; moved to " << absl::StrJoin(*aside, ", ")
                     << ", training " << Label(cycle) << " again";
        HUALE_ASSIGN_OR_RETURN(model, BuildDetector(spec_, static_cast<int>(pool().class_names.size())));
      }
      if (cycle > 0 && !spec_.schedule().reinitialize_each_cycle() &&
          !std::filesystem::exists(state_path)) {
        // Warm start: continue from the previous cycle's weights.
        return LoadCheckpoint(folder_.ModelPath(cycle - 1), **model, nullptr).status();
      }
      return absl::OkStatus();
    }();
    HUALE_RETURN_IF_ERROR(Agree(prepared, absl::StrCat(Label(cycle), ": model")));
    HUALE_ASSIGN_OR_RETURN(finished, Decide(finished, absl::StrCat(Label(cycle), ": trained?")));
    if (finished) {
      HUALE_RETURN_IF_ERROR(
          BroadcastModuleState(**model, group_, absl::StrCat(Label(cycle), ": model weights")));
      return model;
    }
    TrainerOptions options;
    options.training = spec_.training();
    options.seed = spec_.seed();
    options.cycle = cycle;
    options.device = spec_.device();
    options.fail_fast_on_bad_images = spec_.dataset().bad_sample_policy() == DatasetSpec::FAIL_FAST;
    options.max_skipped_image_share = spec_.dataset().max_skipped_image_share();
    options.train_state_path = state_path;
    options.events = events_;
    options.label = Label(cycle);
    options.collectives = &group_;
    if (!main_) options.progress = nullptr;
    absl::StatusOr<TrainSummary> summary = TrainDetector(**model, pool(), labelled, options);
    if (!summary.ok()) return summary.status();
    timings["train"] = summary->seconds;
    timings["train_images_per_second"] = summary->images_per_second;
    absl::Status saved = [&]() -> absl::Status {
      if (!main_) return absl::OkStatus();
      HUALE_RETURN_IF_ERROR(CheckFolder());
      HUALE_RETURN_IF_ERROR(RecordSkipped(summary->skipped.examples));
      HUALE_RETURN_IF_ERROR(SaveCheckpoint(model_path, **model, nullptr,
                                           {summary->epochs_done, summary->iterations}));
      std::error_code ignored;
      fs::remove(state_path, ignored);  // the final model supersedes it
      fs::remove(PreviousCheckpointPath(state_path), ignored);
      if (!initial_model_key.empty()) {
        if (absl::Status s = initial_models_.Store(initial_model_key, model_path, folder_.root());
            !s.ok()) {
          // Sharing only saves time: a failure costs the next run a retraining.
          LOG(WARNING) << "could not share the initial model: " << s.message();
        }
      }
      return absl::OkStatus();
    }();
    HUALE_RETURN_IF_ERROR(Agree(saved, absl::StrCat(Label(cycle), ": saving the model")));
    return model;
  }

  std::string InitialModelKey(const Pools& pools) const {
    // Data-parallel training gives another model (the same recipe, other
    // rounding): the process count is part of what must match.
    const std::string key =
        InitialModelCache::Key(spec_, pool(), pools.labelled(), at::get_num_threads());
    if (group_.world_size() == 1) return key;
    return absl::StrCat(key, "-world", group_.world_size());
  }

  // Every rank detects its shard of the test split; rank 0 evaluates.
  absl::Status Evaluate(Detector& model, int cycle, const std::vector<int64_t>& labelled,
                        std::map<std::string, double>& timings) {
    const auto start = std::chrono::steady_clock::now();
    std::vector<int64_t> test_indices(test_.images.size());
    for (size_t i = 0; i < test_indices.size(); ++i) test_indices[i] = i;
    if (spec_.evaluation().max_images() > 0 &&
        spec_.evaluation().max_images() < static_cast<int>(test_indices.size())) {
      // A fixed subset (same for every cycle and method of this seed).
      Pools all(test_);
      test_indices = all.UnlabelledSubset(spec_.evaluation().max_images(), spec_.seed());
    }
    absl::StatusOr<std::vector<ImageDetections>> detections = DetectImagesSharded(
        group_, model, test_, test_indices, Inference(cycle, "evaluate"));
    if (!detections.ok()) return detections.status();
    return Agree(main_ ? WriteEvaluation(cycle, test_indices, *detections, labelled, start,
                                         timings)
                       : absl::OkStatus(),
                 absl::StrCat(Label(cycle), ": evaluation"));
  }

  absl::Status WriteEvaluation(int cycle, const std::vector<int64_t>& test_indices,
                               const std::vector<ImageDetections>& detections,
                               const std::vector<int64_t>& labelled,
                               std::chrono::steady_clock::time_point start,
                               std::map<std::string, double>& timings) {
    HUALE_RETURN_IF_ERROR(CheckFolder());
    // A skipped test image is left out of the evaluation, not counted as missed.
    std::set<std::string> read;
    for (const ImageDetections& image : detections) read.insert(image.image_id);
    HUALE_RETURN_IF_ERROR(
        CheckStageSkips(absl::StrCat(Label(cycle), " evaluate"), test_, test_indices, read));
    Dataset subset;
    subset.class_names = test_.class_names;
    subset.category_ids = test_.category_ids;
    for (int64_t index : test_indices) {
      if (read.count(test_.images[index].id) > 0) subset.images.push_back(test_.images[index]);
    }
    absl::StatusOr<EvaluationResult> result = evaluator_->Evaluate(subset, detections);
    if (!result.ok()) return result.status();
    timings["evaluate"] = SecondsSince(start);

    CycleMetrics metrics;
    metrics.cycle = cycle;
    metrics.labelled = static_cast<int>(labelled.size());
    metrics.labelled_boxes = 0;
    for (int64_t index : labelled) {
      metrics.labelled_boxes += static_cast<int>(pool().images[index].annotations.size());
    }
    metrics.primary_metric = result->primary_metric;
    metrics.primary = result->metrics.at(result->primary_metric);
    metrics.metrics = result->metrics;
    metrics.per_class_ap = result->per_class_ap;
    metrics.timings_seconds = timings;
    if (absl::Status s = folder_.WriteCycleMetrics(metrics); !s.ok()) return s;
    if (absl::Status s = folder_.WriteMetricsCsv(); !s.ok()) return s;
    events_->AddScalar(absl::StrCat("eval/", metrics.primary_metric), metrics.primary,
                       metrics.labelled).IgnoreError();
    return events_->Flush();
  }

  // Every rank scores its shard of the candidates; rank 0 selects and writes.
  absl::Status Select(Detector* model, int cycle, const Pools* pools,
                      const std::vector<int64_t>& labelled,
                      std::map<std::string, double>& timings) {
    std::vector<int64_t> candidates;
    if (main_) {
      candidates = pools->UnlabelledSubset(spec_.schedule().pool_subset(),
                                           StreamSeed(spec_.seed(), cycle, /*stream=*/0x5u));
    }
    HUALE_RETURN_IF_ERROR(ShareIndices(candidates, absl::StrCat(Label(cycle), ": candidates")));
    ScoringContext context;
    context.num_classes = static_cast<int>(pool().class_names.size());
    context.labelled_class_share = LabelledClassShare(pool(), labelled);
    context.fpn_levels = model->fpn_levels();
    if (acquisition_->needs_ground_truth()) {
      FillGroundTruthClassCounts(pool(), labelled, candidates, context);
    }
    if (acquisition_->needs_embeddings()) {
      DetectOptions embed;
      embed.embedding = true;
      HUALE_ASSIGN_OR_RETURN(const std::vector<ImageDetections> embedded,
                             DetectImagesSharded(group_, *model, pool(), labelled,
                                                 Inference(cycle, "embed labelled"), embed));
      for (const ImageDetections& image : embedded) {
        context.labelled_embeddings.push_back(image.embedding);
      }
    }
    if (acquisition_->needs_labelled_detections()) {
      // The labelled set as the model that scores the pool sees it, with its
      // labels (PPAL's class difficulty).
      const InferenceOptions inference = Inference(cycle, "detect labelled");
      DetectOptions detect;
      detect.class_probs = true;
      detect.one_per_proposal = inference.one_detection_per_proposal;
      HUALE_ASSIGN_OR_RETURN(
          std::vector<ImageDetections> detected,
          DetectImagesSharded(group_, *model, pool(), labelled, inference, detect));
      std::map<std::string, int64_t> index_of;
      for (int64_t index : labelled) index_of[pool().images[index].id] = index;
      for (ImageDetections& image : detected) {
        const auto found = index_of.find(image.image_id);
        if (found == index_of.end()) continue;  // cannot happen: ids come from `labelled`
        LabelledImageDetections item;
        for (const Annotation& truth : pool().images[found->second].annotations) {
          item.truth_boxes.push_back(truth.box);
          item.truth_labels.push_back(truth.label);
        }
        item.detections = std::move(image);
        context.labelled_detections.push_back(std::move(item));
      }
    }
    absl::StatusOr<PoolScoringResult> scored = ScorePoolSharded(
        group_, model, pool(), candidates, *acquisition_, context, Inference(cycle, "score pool"));
    if (!scored.ok()) return scored.status();
    if (!main_) return Agree(absl::OkStatus(), absl::StrCat(Label(cycle), ": selection"));
    absl::Status selected = [&]() -> absl::Status {
      HUALE_RETURN_IF_ERROR(CheckFolder());
      std::set<std::string> read;
      for (const ImageScore& score : scored->scores) read.insert(score.image_id);
      HUALE_RETURN_IF_ERROR(
          CheckStageSkips(absl::StrCat(Label(cycle), " score pool"), pool(), candidates, read));
      const auto start = std::chrono::steady_clock::now();
      HUALE_ASSIGN_OR_RETURN(
          const Selection selection,
          acquisition_->Select(std::move(scored->scores), spec_.schedule().budget_per_cycle(),
                               context, StreamSeed(spec_.seed(), cycle, /*stream=*/0x7u)));
      timings["score"] = scored->seconds;
      if (acquisition_->needs_detections()) {
        // Two detector passes (x and its flip) plus the metrics, per pool image.
        timings["score_images_per_second"] = scored->images_per_second;
      }
      timings["select"] = SecondsSince(start);

      // Timings of scoring go into the cycle's metrics too, before the
      // selection's marker file.
      HUALE_ASSIGN_OR_RETURN(CycleMetrics metrics, folder_.ReadCycleMetrics(cycle));
      for (const auto& [name, value] : timings) metrics.timings_seconds[name] = value;
      HUALE_RETURN_IF_ERROR(folder_.WriteCycleMetrics(metrics));
      return folder_.WriteSelection(cycle, selection);
    }();
    return Agree(selected, absl::StrCat(Label(cycle), ": selection"));
  }

  // The pool as the stages see it: the dataset's, or (people labelling) a copy
  // whose annotations are those labels.json files gave.
  const Dataset& pool() const { return *pool_in_use_; }

  // The images new in `cycle`'s labelled set (the initial sample, or the
  // previous cycle's selection) get their labels from the annotator: rank 0
  // sends them (cycle_NN/labelling.json) with the previous cycle's detections
  // as pre-annotations, collects what came back (waiting with --wait, else
  // stopping: WaitingForLabelsError), checks it and keeps it (labels.json, and
  // the dataset's annotation files). Every rank applies labels.json to its
  // pool(); `labelled` loses the images the annotators skipped.
  absl::Status LabelNewImages(int cycle, std::vector<int64_t>& labelled) {
    std::vector<int64_t> fresh;
    std::string labels_text;
    absl::Status prepared = [&]() -> absl::Status {
      if (!main_) return absl::OkStatus();
      HUALE_ASSIGN_OR_RETURN(fresh, NewImages(cycle, labelled));
      if (!folder_.HasLabels(cycle)) return absl::OkStatus();
      HUALE_ASSIGN_OR_RETURN(labels_text, folder_.ReadLabelsText(cycle));
      absl::Status verified = VerifyLabels(cycle, labels_text, fresh);
      if (!absl::IsDataLoss(verified)) return verified;
      HUALE_ASSIGN_OR_RETURN(const std::vector<std::string> moved,
                             folder_.SetAside({folder_.LabelsPath(cycle)}));
      LOG(WARNING) << verified.message() << "; moved to " << absl::StrJoin(moved, ", ")
                   << ", collecting " << Label(cycle) << "'s labels again";
      labels_text.clear();
      return absl::OkStatus();
    }();
    HUALE_RETURN_IF_ERROR(Agree(prepared, absl::StrCat(Label(cycle), ": labels")));
    HUALE_ASSIGN_OR_RETURN(const bool collect,
                           Decide(labels_text.empty(), absl::StrCat(Label(cycle), ": label?")));
    if (collect) {
      HUALE_RETURN_IF_ERROR(ShareIndices(fresh, absl::StrCat(Label(cycle), ": images to label")));
      std::vector<ImageDetections> predictions;
      if (cycle > 0) {
        // The previous cycle's model (the one that chose them) pre-annotates.
        HUALE_ASSIGN_OR_RETURN(std::unique_ptr<Detector> model,
                               BuildDetector(spec_, static_cast<int>(pool().class_names.size())));
        HUALE_RETURN_IF_ERROR(Agree(main_ ? LoadCheckpoint(folder_.ModelPath(cycle - 1), *model,
                                                           nullptr).status()
                                          : absl::OkStatus(),
                                    absl::StrCat(Label(cycle), ": the model that selected")));
        HUALE_RETURN_IF_ERROR(
            BroadcastModuleState(*model, group_, absl::StrCat(Label(cycle), ": model weights")));
        HUALE_ASSIGN_OR_RETURN(predictions,
                               DetectImagesSharded(group_, *model, pool(), fresh,
                                                   Inference(cycle, "pre-annotate")));
      }
      absl::Status collected = main_ ? CollectLabels(cycle, fresh, predictions, labels_text)
                                     : absl::OkStatus();
      HUALE_RETURN_IF_ERROR(Agree(collected, absl::StrCat(Label(cycle), ": labelling")));
    }
    if (group_.world_size() > 1) {
      HUALE_ASSIGN_OR_RETURN(labels_text,
                             group_.BroadcastBytes(labels_text, absl::StrCat(Label(cycle), ": labels")));
    }
    return ApplyLabels(cycle, labels_text, labelled);
  }

  // Rank 0: the pool indices of the images new in `cycle`.
  absl::StatusOr<std::vector<int64_t>> NewImages(int cycle, const std::vector<int64_t>& labelled) {
    if (cycle == 0) return labelled;
    HUALE_ASSIGN_OR_RETURN(const std::vector<std::string> ids, folder_.ReadSelectedIds(cycle - 1));
    std::map<std::string, int64_t> index_of;
    for (size_t i = 0; i < pool_.images.size(); ++i) index_of[pool_.images[i].id] = i;
    std::vector<int64_t> fresh;
    for (const std::string& id : ids) {
      auto it = index_of.find(id);
      if (it == index_of.end()) {
        return absl::DataLossError(absl::StrCat(folder_.CycleDirectory(cycle - 1),
                                                "/selected_ids.txt: unknown image id '", id, "'"));
      }
      fresh.push_back(it->second);
    }
    return fresh;
  }

  // labels.json must be this cycle's and account for exactly its new images.
  absl::Status VerifyLabels(int cycle, const std::string& text, const std::vector<int64_t>& fresh) {
    HUALE_ASSIGN_OR_RETURN(const CycleLabels labels,
                           CycleLabelsFromJson(text, folder_.LabelsPath(cycle)));
    std::set<std::string> expected, found;
    for (int64_t index : fresh) expected.insert(pool_.images[index].id);
    for (const ReturnedImage& image : labels.images) found.insert(image.image_id);
    for (const auto& [id, reason] : labels.skipped) found.insert(id);
    if (labels.cycle != cycle || found != expected) {
      return absl::DataLossError(absl::StrCat(folder_.LabelsPath(cycle),
                                              ": does not label this cycle's ", expected.size(),
                                              " new images"));
    }
    return absl::OkStatus();
  }

  // Rank 0: sends (unless labelling.json shows it was) and collects until
  // every image is labelled or skipped; then checks the labels and writes them.
  absl::Status CollectLabels(int cycle, const std::vector<int64_t>& fresh,
                             const std::vector<ImageDetections>& predictions,
                             std::string& labels_text) {
    LabelBatch batch;
    batch.cycle = cycle;
    batch.cycle_directory = folder_.CycleDirectory(cycle);
    std::map<std::string, const ImageDetections*> predicted;
    for (const ImageDetections& image : predictions) predicted[image.image_id] = &image;
    std::vector<std::string> ids;
    for (int64_t index : fresh) {
      const ImageRecord& image = pool_.images[index];
      LabelTask task;
      task.image_id = image.id;
      task.path = image.path;
      task.width = image.width;
      task.height = image.height;
      if (auto it = predicted.find(image.id); it != predicted.end()) {
        task.predictions = it->second->detections;
      }
      batch.images.push_back(std::move(task));
      ids.push_back(image.id);
    }
    const std::string name = AnnotatorName(spec_.schedule().annotator());
    HUALE_ASSIGN_OR_RETURN(std::optional<LabellingRecord> sent, folder_.ReadLabelling(cycle));
    if (!sent || sent->annotator != name || sent->image_ids != ids) {
      // Not sent yet (or a record of another batch: kept aside, sent again).
      std::string previous;
      if (sent) {
        HUALE_ASSIGN_OR_RETURN(const std::vector<std::string> moved,
                               folder_.SetAside({folder_.LabellingPath(cycle)}));
        LOG(WARNING) << folder_.LabellingPath(cycle) << " records another batch; moved to "
                     << absl::StrJoin(moved, ", ");
      }
      HUALE_RETURN_IF_ERROR(CheckFolder());
      HUALE_ASSIGN_OR_RETURN(const std::string record, annotator_->Send(batch, previous));
      sent = LabellingRecord{name, ids, record};
      HUALE_RETURN_IF_ERROR(folder_.WriteLabelling(cycle, *sent));
      std::cerr << absl::StrFormat("%s: sent %d images to be labelled (%s)\n", Label(cycle),
                                   ids.size(), name);
    }
    std::set<std::string> warned;
    while (true) {
      std::string record = sent->record;
      HUALE_ASSIGN_OR_RETURN(ReturnedLabels returned, annotator_->Collect(batch, record));
      if (record != sent->record) {
        sent->record = record;
        HUALE_RETURN_IF_ERROR(folder_.WriteLabelling(cycle, *sent));
      }
      for (const std::string& warning : returned.warnings) {
        if (warned.insert(warning).second) LOG(WARNING) << Label(cycle) << ": " << warning;
      }
      const int64_t done = static_cast<int64_t>(ids.size()) - returned.pending;
      const std::string progress = absl::StrFormat(
          "%s: %d of %d images labelled%s", Label(cycle), done, ids.size(),
          returned.skipped.empty() ? std::string()
                                   : absl::StrCat(" (", returned.skipped.size(), " skipped)"));
      if (returned.pending == 0) {
        std::cerr << progress << "\n";
        return KeepLabels(cycle, returned, labels_text);
      }
      if (!wait_for_labels_) {
        return WaitingForLabelsError(absl::StrCat(
            progress, "; label the rest in ", returned.where_to_label,
            ", then run again with --resume (or with --wait to wait for them)"));
      }
      std::cerr << progress << "; waiting for the rest (" << returned.where_to_label << ")\n";
      std::this_thread::sleep_for(
          std::chrono::duration<double>(spec_.labelling().poll_seconds()));
    }
  }

  // Rank 0: checks what came back (classes known, boxes clipped or dropped
  // under the bad-sample policy), writes it into the dataset and labels.json.
  absl::Status KeepLabels(int cycle, const ReturnedLabels& returned, std::string& labels_text) {
    std::map<std::string, int> label_of;
    for (size_t i = 0; i < pool_.class_names.size(); ++i) label_of[pool_.class_names[i]] = i;
    std::map<std::string, const ImageRecord*> image_of;
    for (const ImageRecord& image : pool_.images) image_of[image.id] = &image;
    BadSampleLog log(spec_.dataset().bad_sample_policy() == DatasetSpec::FAIL_FAST);
    CycleLabels labels;
    labels.cycle = cycle;
    labels.annotator = AnnotatorName(spec_.schedule().annotator());
    labels.skipped = returned.skipped;
    std::vector<ImageRecord> records;
    for (const ReturnedImage& image : returned.labelled) {
      const ImageRecord& source = *image_of.at(image.image_id);
      ReturnedImage kept{image.image_id, {}};
      ImageRecord record = source;
      record.annotations.clear();
      for (const ReturnedBox& box : image.boxes) {
        auto label = label_of.find(box.class_name);
        if (label == label_of.end()) {
          return absl::FailedPreconditionError(absl::StrCat(
              Label(cycle), ": ", box.where, ": unknown class '", box.class_name,
              "' (the dataset's classes: ", absl::StrJoin(pool_.class_names, ", "),
              "); correct it in the labelling tool, then run again with --resume"));
        }
        HUALE_ASSIGN_OR_RETURN(const std::optional<Box> repaired,
                               RepairBox(box.box, source.width, source.height, box.where, log));
        if (!repaired) continue;
        kept.boxes.push_back({*repaired, box.class_name, ""});
        Annotation annotation;
        annotation.box = *repaired;
        annotation.label = label->second;
        annotation.area = repaired->area();
        record.annotations.push_back(annotation);
      }
      labels.images.push_back(std::move(kept));
      records.push_back(std::move(record));
    }
    for (const auto& [id, reason] : returned.skipped) {
      LOG(WARNING) << Label(cycle) << ": image '" << id << "' " << reason
                   << ": not trained on, and not offered again";
    }
    const BadSampleSummary repairs = log.summary();
    if (!repairs.empty()) {
      bad_samples_.Merge(repairs);
      HUALE_RETURN_IF_ERROR(bad_samples_.WriteTo(folder_.BadSamplesPath()));
      std::cerr << absl::StrFormat("%s: %d returned boxes clipped or dropped (bad_samples.json)\n",
                                   Label(cycle), repairs.Total());
    }
    HUALE_RETURN_IF_ERROR(CheckFolder());
    if (spec_.labelling().write_to_dataset() && !records.empty()) {
      HUALE_ASSIGN_OR_RETURN(
          std::unique_ptr<DatasetFormat> format,
          DatasetFormatRegistry::Get().Create(spec_.dataset().format()));
      absl::StatusOr<std::vector<std::string>> kept_aside = format->WriteLabels(
          spec_.dataset(), spec_.dataset().pool_split(), pool_.class_names, records);
      if (absl::IsUnimplemented(kept_aside.status())) {
        LOG(WARNING) << Label(cycle) << ": " << kept_aside.status().message() << " ('"
                     << spec_.dataset().format() << "'): the labels are in "
                     << folder_.LabelsPath(cycle) << " only";
        kept_aside = std::vector<std::string>();
      }
      if (!kept_aside.ok()) return kept_aside.status();
      for (const std::string& path : *kept_aside) {
        LOG(WARNING) << Label(cycle) << ": an annotation file that differed was kept as " << path;
      }
    }
    HUALE_RETURN_IF_ERROR(folder_.WriteLabels(labels));
    labels_text = CycleLabelsToJson(labels);
    return absl::OkStatus();
  }

  // Every rank: labels.json's boxes become the pool's annotations.
  absl::Status ApplyLabels(int cycle, const std::string& text, std::vector<int64_t>& labelled) {
    HUALE_ASSIGN_OR_RETURN(const CycleLabels labels,
                           CycleLabelsFromJson(text, folder_.LabelsPath(cycle)));
    std::map<std::string, int64_t> index_of;
    for (size_t i = 0; i < pool_.images.size(); ++i) index_of[pool_.images[i].id] = i;
    std::map<std::string, int> label_of;
    for (size_t i = 0; i < pool_.class_names.size(); ++i) label_of[pool_.class_names[i]] = i;
    for (const ReturnedImage& image : labels.images) {
      auto index = index_of.find(image.image_id);
      if (index == index_of.end()) {
        return absl::DataLossError(absl::StrCat(folder_.LabelsPath(cycle), ": unknown image '",
                                                image.image_id, "'"));
      }
      std::vector<Annotation>& annotations = labelled_pool_.images[index->second].annotations;
      annotations.clear();
      for (const ReturnedBox& box : image.boxes) {
        auto label = label_of.find(box.class_name);
        if (label == label_of.end()) {
          return absl::DataLossError(absl::StrCat(folder_.LabelsPath(cycle), ": image '",
                                                  image.image_id, "': unknown class '",
                                                  box.class_name, "'"));
        }
        Annotation annotation;
        annotation.box = box.box;
        annotation.label = label->second;
        annotation.area = box.box.area();
        annotations.push_back(annotation);
      }
    }
    for (const auto& [id, reason] : labels.skipped) {
      if (auto index = index_of.find(id); index != index_of.end()) {
        skipped_by_annotators_.insert(index->second);
      }
    }
    labelled.erase(std::remove_if(labelled.begin(), labelled.end(),
                                  [&](int64_t index) {
                                    return skipped_by_annotators_.count(index) > 0;
                                  }),
                   labelled.end());
    return absl::OkStatus();
  }

  const ExperimentSpec& spec_;
  const Dataset& pool_;  // as read; pool() is what the stages use
  const Dataset* pool_in_use_;
  Dataset labelled_pool_;  // people labelling: the labels so far
  std::unique_ptr<Annotator> annotator_;
  bool wait_for_labels_ = false;
  // Pool indices the annotators skipped: out of every training set.
  std::set<int64_t> skipped_by_annotators_;
  const Dataset& test_;
  RunFolder folder_;
  const InitialModelCache initial_models_;
  EventWriter* events_ = nullptr;
  // What the readers and, so far, the stages skipped (bad_samples.json, rank 0);
  // each unreadable image file once, whichever stages met it.
  BadSampleSummary bad_samples_;
  std::set<std::string> skipped_images_;
  std::vector<std::string> skipped_messages_;  // skipped_images.txt, in the order found
  std::optional<FileLock> lock_;  // rank 0's, held until the run returns
  std::unique_ptr<AcquisitionFunction> acquisition_;
  std::unique_ptr<Evaluator> evaluator_;
  Collectives& group_;
  const bool main_;
};

}  // namespace

absl::Status RunActiveLearning(const ExperimentSpec& spec, const Dataset& pool,
                               const Dataset& test, const std::string& run_directory,
                               const LoopOptions& options) {
  std::unique_ptr<Collectives> single;
  Collectives& group =
      options.collectives != nullptr ? *options.collectives : *(single = SingleProcess());
  return Loop(spec, pool, test, run_directory, group).Run(options);
}

}  // namespace huale
