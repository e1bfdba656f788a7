// The annotator family: who labels the images the active-learning loop takes
// from the pool (ScheduleSpec.annotator). GROUND_TRUTH is the simulation (the
// dataset's own annotations); the others reach people:
//
//   cycle k starts -> Send(the images new in cycle k, the previous model's
//   detections as pre-annotations) -> the run folder keeps the returned record
//   (cycle_NN/labelling.json) -> Collect(record) until nothing is pending ->
//   cycle_NN/labels.json -> train on them.
//
// A person takes hours, so Collect is asked again later (--wait polls; without
// it the run stops, and --resume asks again). Both calls must survive being
// repeated after a kill: Send is given the record of an earlier Send of the same
// batch (empty when none) and sends only what that record lacks.
#ifndef HUALE_ENGINE_ANNOTATOR_H_
#define HUALE_ENGINE_ANNOTATOR_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "huale/core/detections.h"
#include "huale/core/registry.h"
#include "huale/data/dataset.h"
#include "huale/engine/experiment_spec.pb.h"

namespace huale {

// One image to label.
struct LabelTask {
  std::string image_id;
  std::string path;  // the image file, as the dataset names it
  int width = 0;
  int height = 0;
  // The current model's detections (pre-annotations a person corrects); empty
  // for the initial set, which no model has seen.
  std::vector<Detection> predictions;
};

struct LabelBatch {
  int cycle = 0;
  std::vector<LabelTask> images;
  // The cycle's folder in the run folder (cycle_NN/): FILES writes there.
  std::string cycle_directory;
};

// What the annotators returned so far for a batch. Boxes are in pixels of the
// image, as the tool gave them (the loop clips and checks them); labels are
// class names, checked by the loop against the dataset's classes.
struct ReturnedBox {
  Box box;
  std::string class_name;
  std::string where;  // names the task / file and the result, for messages
};
struct ReturnedImage {
  std::string image_id;
  std::vector<ReturnedBox> boxes;
};
struct ReturnedLabels {
  std::vector<ReturnedImage> labelled;  // finished, in the batch's order
  // Images the annotators skipped (or cancelled): "image 'ID': reason".
  std::vector<std::pair<std::string, std::string>> skipped;  // id, reason
  int64_t pending = 0;  // images of the batch not yet finished
  // Things a person should know that lose nothing: a label for an image not in
  // the batch (ignored), a task deleted in the tool (sent again), ...
  std::vector<std::string> warnings;
  // Where a person labels what is pending (a project's URL, a folder).
  std::string where_to_label;
};

// What an annotator's factory gets.
struct AnnotatorContext {
  ExperimentSpec spec;  // validated and resolved (paths absolute)
  std::vector<std::string> class_names;
};

class Annotator {
 public:
  static constexpr char kFamily[] = "annotator";
  virtual ~Annotator() = default;

  // True for the simulation: the pool's own annotations are the labels, and
  // the loop has nothing to send or collect.
  virtual bool labels_from_dataset() const { return false; }

  // Sends `batch` to the annotators. `previous_record` is what an earlier Send
  // of this batch returned (empty: none; after a kill or a failure some images
  // may have gone already). Returns the record to keep: JSON text that lets
  // Collect find the batch again (no secrets: it is written to the run folder).
  virtual absl::StatusOr<std::string> Send(const LabelBatch& batch,
                                           const std::string& previous_record) = 0;

  // What is finished. May update `record` (e.g. a task deleted in the tool and
  // sent again); the loop then keeps the new one.
  virtual absl::StatusOr<ReturnedLabels> Collect(const LabelBatch& batch, std::string& record) = 0;
};

using AnnotatorRegistry = Registry<Annotator, const AnnotatorContext&>;

// The registered name of a ScheduleSpec.annotator value: "ground_truth",
// "label_studio", "files".
std::string AnnotatorName(ScheduleSpec::Annotator annotator);

// The loop stopped because people have not finished labelling: not a failure;
// the driver exits with kExitWaitingForLabels and --resume continues.
absl::Status WaitingForLabelsError(absl::string_view message);
bool IsWaitingForLabels(const absl::Status& status);
inline constexpr int kExitWaitingForLabels = 3;

}  // namespace huale

#endif  // HUALE_ENGINE_ANNOTATOR_H_
