// schedule.annotator: GROUND_TRUTH, the simulation every benchmark runs: the
// dataset's own annotations of the pool images are the labels.
#include <memory>

#include "huale/engine/annotator.h"

namespace huale {
namespace {

class GroundTruthAnnotator : public Annotator {
 public:
  bool labels_from_dataset() const override { return true; }
  absl::StatusOr<std::string> Send(const LabelBatch&, const std::string&) override {
    return absl::InternalError("the ground-truth annotator sends nothing");
  }
  absl::StatusOr<ReturnedLabels> Collect(const LabelBatch&, std::string&) override {
    return absl::InternalError("the ground-truth annotator collects nothing");
  }
};

}  // namespace

HUALE_REGISTER(AnnotatorRegistry, "ground_truth",
               "the simulation: the pool's own annotations are the labels (schedule.annotator: "
               "GROUND_TRUTH)",
               [](const AnnotatorContext&) -> absl::StatusOr<std::unique_ptr<Annotator>> {
                 return std::make_unique<GroundTruthAnnotator>();
               });

}  // namespace huale
