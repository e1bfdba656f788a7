// Cycle-0 models shared between runs that would train them bit for bit alike.
//
// The cycle-0 model depends on the data (the contents of the initial set's
// image and annotation files), the seeded initial set, the model, the
// losses, the training options and the thread count, never on the acquisition
// function. So the methods of a sweep that differ only in how they select (HUALE,
// flat aggregation, selection-only vs Random, ...) can start from one trained
// model instead of training it once per method: the first run stores its
// cycle-0 model under <output_dir>/shared/initial_models/<key>/, the others copy
// it. Sharing changes no result, only the time (ScheduleSpec.share_initial_model).
#ifndef HUALE_ENGINE_INITIAL_MODEL_CACHE_H_
#define HUALE_ENGINE_INITIAL_MODEL_CACHE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "huale/data/dataset.h"
#include "huale/engine/experiment_spec.pb.h"

namespace huale {

class InitialModelCache {
 public:
  static constexpr char kModelFile[] = "model.pt";
  // The run folder that trained the model, for the log and for people.
  static constexpr char kSourceFile[] = "source.txt";

  // The cache for `spec`'s runs: <output_dir>/shared/initial_models.
  explicit InitialModelCache(const ExperimentSpec& spec);
  explicit InitialModelCache(std::string directory) : directory_(std::move(directory)) {}

  // Names everything the cycle-0 model depends on: `spec` without the fields
  // that do not reach cycle-0 training (name, acquisition, evaluation, output
  // folder, the later cycles' schedule); the images it trains on, `pool`'s
  // `initial` images, by content: each one's id, the digest of its image file's
  // bytes and its annotations as read (boxes, labels, flags), and the class
  // list, so editing an annotation or an image under the same path misses the
  // cache; the thread count (float sums are ordered by thread) and the binary
  // (its size and time stamp: a rebuilt trainer may train differently). A
  // 16-hex-digit FNV-1a digest.
  static std::string Key(const ExperimentSpec& spec, const Dataset& pool,
                         const std::vector<int64_t>& initial, int threads,
                         const std::string& binary_path = "/proc/self/exe");

  // Copies the model stored under `key` to `destination` (atomically) and
  // returns the run folder that trained it; nullopt when there is none.
  absl::StatusOr<std::optional<std::string>> Fetch(const std::string& key,
                                                   const std::string& destination) const;

  // Stores `model_path`, trained by `source_run`, under `key` (atomically; a
  // concurrent writer of the same key writes the same bytes).
  absl::Status Store(const std::string& key, const std::string& model_path,
                     const std::string& source_run) const;

  const std::string& directory() const { return directory_; }

 private:
  std::string directory_;
};

}  // namespace huale

#endif  // HUALE_ENGINE_INITIAL_MODEL_CACHE_H_
