// The run folder a person reads and a resumed run continues from:
//
//   <output_dir>/<name>/seed<seed>/
//     spec.pbtxt                the resolved spec the run was started with
//     metrics.csv               one row per finished cycle (rewritten atomically)
//     bad_samples.json          what the readers skipped or clipped
//     events.out.tfevents.huale TensorBoard scalars
//     cycle_00/
//       labeled.txt unlabeled.txt   the pools this cycle trained with
//       train_state.pt              model + optimiser + step after the last full epoch
//       model.pt                    the trained model (training finished)
//       metrics.json                evaluation on the test split (evaluation finished)
//       selection.json / .csv       selected ids, scores, per-stage ranks (selection finished)
//       timings.json
//
// Each stage's output file is its completion marker; every file is written
// atomically, so a killed run resumes at the first missing one.
#ifndef HUALE_ENGINE_RUN_FOLDER_H_
#define HUALE_ENGINE_RUN_FOLDER_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace huale {

// What evaluation of one cycle produced (cycle_NN/metrics.json).
struct CycleMetrics {
  int cycle = 0;
  int labelled = 0;
  std::string primary_metric;  // e.g. "mAP"
  double primary = 0;
  std::map<std::string, double> metrics;
  std::map<std::string, double> per_class_ap;
  std::map<std::string, double> timings_seconds;  // train, evaluate, score, select
};

class RunFolder {
 public:
  explicit RunFolder(std::string root) : root_(std::move(root)) {}

  const std::string& root() const { return root_; }
  std::string Path(const std::string& name) const { return root_ + "/" + name; }
  std::string CycleDirectory(int cycle) const;
  std::string CyclePath(int cycle, const std::string& name) const {
    return CycleDirectory(cycle) + "/" + name;
  }
  bool Exists(const std::string& path) const;

  absl::Status WriteCycleMetrics(const CycleMetrics& metrics) const;
  absl::StatusOr<CycleMetrics> ReadCycleMetrics(int cycle) const;
  // Every cycle_NN/metrics.json present, in cycle order.
  absl::StatusOr<std::vector<CycleMetrics>> ReadAllCycleMetrics() const;
  // Rewrites metrics.csv from every cycle's metrics.json.
  absl::Status WriteMetricsCsv() const;

 private:
  std::string root_;
};

std::string CycleMetricsToJson(const CycleMetrics& metrics);
// `source` names the file in errors.
absl::StatusOr<CycleMetrics> CycleMetricsFromJson(const std::string& json,
                                                  const std::string& source);

}  // namespace huale

#endif  // HUALE_ENGINE_RUN_FOLDER_H_
