// The run folder a person reads and a resumed run continues from. RunFolder is
// the only code that knows its paths and file formats:
//
//   <output_dir>/<name>/seed<seed>/
//     run.lock                  held (flock) by the process running the folder;
//                               records its pid and host
//     spec.pbtxt                the spec as written (relative paths stay relative),
//                               base specs merged in; a resume must give the same
//     metrics.csv               one row per evaluated cycle (rewritten atomically):
//                               cycle, labelled (images), labelled_boxes, metrics
//     bad_samples.json          what the readers skipped or clipped, and the
//                               images stages could not read
//     skipped_images.txt        those images, one a line, read back on --resume
//                               (finished stages do not run again to find them)
//     events.out.tfevents.huale TensorBoard scalars (EventWriter)
//     cycle_00/
//       labelled.txt unlabelled.txt   the pools this cycle trained with (Pools::Save)
//       train_state.pt              model + optimiser + step after the last full
//                                   epoch (deleted once model.pt exists)
//       model.pt                    the trained model
//       metrics.json                evaluation on the test split, and the cycle's
//                                   timings in seconds (train, evaluate, score, select)
//       selected_ids.txt            the selected image ids, one a line, in order
//       selection.csv               the same with scores, per-stage ranks and metrics
//       selection.json              the same as JSON; written last: it marks the
//                                   selection stage as done
//     (annotators other than GROUND_TRUTH, for the images new in this cycle:)
//       labelling.json              what was sent to be labelled: the annotator,
//                                   the image ids and its record (e.g. Label
//                                   Studio's project and task ids)
//       labels.json                 the labels that came back, checked: boxes
//                                   and class names per image, the skipped
//                                   images; written last: the labelling is done
//       to_label/                   FILES: the batch for people, and their labels.json
//     cycle_01/ ...                 (the last cycle selects nothing)
//
// Each stage's output file is its completion marker; every file is written
// atomically, so a killed run resumes at the first missing one.
#ifndef HUALE_ENGINE_RUN_FOLDER_H_
#define HUALE_ENGINE_RUN_FOLDER_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "huale/acquisition/acquisition_function.h"
#include "huale/core/file_lock.h"
#include "huale/engine/annotator.h"

namespace huale {

// What evaluation of one cycle produced (cycle_NN/metrics.json).
struct CycleMetrics {
  int cycle = 0;
  int labelled = 0;
  // Annotated boxes of the labelled images: density-seeking methods pick more
  // per image, so curves are also compared against boxes. -1: not recorded
  // (metrics.json written before it was).
  int labelled_boxes = -1;
  std::string primary_metric;  // e.g. "mAP"
  double primary = 0;
  std::map<std::string, double> metrics;
  std::map<std::string, double> per_class_ap;
  std::map<std::string, double> timings_seconds;  // train, evaluate, score, select
};

// What cycle_NN/labelling.json records.
struct LabellingRecord {
  std::string annotator;
  std::vector<std::string> image_ids;
  std::string record;  // the annotator's JSON text
};

// What cycle_NN/labels.json records: the labels the cycle's new images got.
struct CycleLabels {
  int cycle = 0;
  std::string annotator;
  std::vector<ReturnedImage> images;  // boxes in pixels, class names ("where" not kept)
  std::vector<std::pair<std::string, std::string>> skipped;  // image id, reason
};

class RunFolder {
 public:
  explicit RunFolder(std::string root) : root_(std::move(root)) {}

  const std::string& root() const { return root_; }

  // Takes run.lock for this process (the folder is made if missing): one
  // process per run folder. Held by another: kAlreadyExists naming its pid;
  // a killed holder's lock is released by the kernel and never blocks.
  absl::StatusOr<FileLock> Lock() const;

  // Records `spec_text` in spec.pbtxt. A folder that already holds a run is
  // refused unless `resume`, and then only with the same spec text.
  // `legacy_spec_text`, when not empty, is also accepted on resume (what runs
  // started before spec.pbtxt kept paths as written recorded). `extend` (with
  // `resume`) also accepts a spec that differs from the recorded one only in
  // more schedule.cycles, and records it: the cycles already run stay as they
  // are, the old last cycle selects, and the run goes on to the new last cycle
  // (each cycle's draws are seeded by seed and cycle, so it ends as a run
  // started with the longer schedule would). Fewer cycles, or any other
  // difference, are refused and nothing is written.
  absl::Status Start(const std::string& spec_text, bool resume,
                     const std::string& legacy_spec_text = "", bool extend = false) const;
  std::string SpecPath() const { return File("spec.pbtxt"); }
  std::string BadSamplesPath() const { return File("bad_samples.json"); }
  // skipped_images.txt: one message a line ("image 'ID' (PATH): reason").
  absl::Status WriteSkippedImages(const std::vector<std::string>& messages) const;
  // Its messages; none when the file does not exist.
  absl::StatusOr<std::vector<std::string>> ReadSkippedImages() const;
  std::string MetricsCsvPath() const { return File("metrics.csv"); }

  // cycle_NN/, where Pools::Save/Load keep the cycle's pools.
  std::string CycleDirectory(int cycle) const;
  std::string TrainStatePath(int cycle) const { return CycleFile(cycle, "train_state.pt"); }
  std::string ModelPath(int cycle) const { return CycleFile(cycle, "model.pt"); }
  bool HasModel(int cycle) const;
  // The last cycle whose model.pt exists; nullopt when none has finished training.
  std::optional<int> LastTrainedCycle() const;
  bool HasCycleMetrics(int cycle) const;
  bool HasSelection(int cycle) const;

  absl::Status WriteCycleMetrics(const CycleMetrics& metrics) const;
  absl::StatusOr<CycleMetrics> ReadCycleMetrics(int cycle) const;
  // Every cycle_NN/metrics.json present, in cycle order.
  absl::StatusOr<std::vector<CycleMetrics>> ReadAllCycleMetrics() const;
  // Rewrites metrics.csv from every cycle's metrics.json.
  absl::Status WriteMetricsCsv() const;

  // selected_ids.txt, selection.csv, then selection.json (the stage's marker).
  absl::Status WriteSelection(int cycle, const Selection& selection) const;
  // The ids of selected_ids.txt, in order.
  absl::StatusOr<std::vector<std::string>> ReadSelectedIds(int cycle) const;

  // cycle_NN/labelling.json and labels.json (the latter marks the labelling
  // stage as done).
  absl::Status WriteLabelling(int cycle, const LabellingRecord& record) const;
  // nullopt when the file does not exist.
  absl::StatusOr<std::optional<LabellingRecord>> ReadLabelling(int cycle) const;
  absl::Status WriteLabels(const CycleLabels& labels) const;
  bool HasLabels(int cycle) const;
  // The file's text (what rank 0 shares with the others) and its parse.
  absl::StatusOr<std::string> ReadLabelsText(int cycle) const;
  std::string LabelsPath(int cycle) const { return CycleFile(cycle, "labels.json"); }
  std::string LabellingPath(int cycle) const { return CycleFile(cycle, "labelling.json"); }

  // Checks on resume of a finished stage's outputs. kDataLoss naming the file
  // when they do not verify (the caller sets them aside and runs the stage
  // again); a file that cannot be read at all gives its own error.
  // metrics.json parses and is this cycle's.
  absl::Status VerifyCycleMetrics(int cycle) const;
  // selection.json parses; selected_ids.txt and selection.csv list its image
  // ids, in its order.
  absl::Status VerifySelection(int cycle) const;
  // A stage's outputs, for SetAside.
  std::vector<std::string> CycleMetricsFiles(int cycle) const;
  std::vector<std::string> SelectionFiles(int cycle) const;
  // Moves each present file aside to FILE.corrupt (FILE.corrupt.2, ... when
  // that exists): nothing is deleted. Returns where they went.
  absl::StatusOr<std::vector<std::string>> SetAside(const std::vector<std::string>& files) const;

 private:
  std::string File(const std::string& name) const { return root_ + "/" + name; }
  std::string CycleFile(int cycle, const std::string& name) const {
    return CycleDirectory(cycle) + "/" + name;
  }

  std::string root_;
};

std::string CycleLabelsToJson(const CycleLabels& labels);
absl::StatusOr<CycleLabels> CycleLabelsFromJson(const std::string& json, const std::string& source);

std::string CycleMetricsToJson(const CycleMetrics& metrics);
// `source` names the file in errors.
absl::StatusOr<CycleMetrics> CycleMetricsFromJson(const std::string& json,
                                                  const std::string& source);

}  // namespace huale

#endif  // HUALE_ENGINE_RUN_FOLDER_H_
