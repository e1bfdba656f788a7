// The active-learning pools (method doc §1): which images of the pool split are
// labelled and which are not. Seeded initial sampling and seeded pool subsets;
// persisted in the run folder as readable text (image ids, one a line), so a run
// can be resumed or audited.
#ifndef HUALE_DATA_POOLS_H_
#define HUALE_DATA_POOLS_H_

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "huale/data/dataset.h"

namespace huale {

class Pools {
 public:
  static constexpr char kLabelledFile[] = "labelled.txt";
  static constexpr char kUnlabelledFile[] = "unlabelled.txt";

  // Every image of `dataset` unlabelled.
  explicit Pools(const Dataset& dataset);

  // `initial_size` images drawn uniformly without replacement by `seed`
  // (ScheduleSpec.initial_size); error if the pool is smaller.
  static absl::StatusOr<Pools> WithInitialSample(const Dataset& dataset, int64_t initial_size,
                                                 uint64_t seed);

  // Labelled dataset indices, in the order they were labelled.
  const std::vector<int64_t>& labelled() const { return labelled_; }
  // Unlabelled dataset indices, ascending.
  std::vector<int64_t> unlabelled() const;
  int64_t num_labelled() const { return static_cast<int64_t>(labelled_.size()); }
  int64_t num_unlabelled() const { return size() - num_labelled(); }
  int64_t size() const { return static_cast<int64_t>(ids_.size()); }
  bool IsLabelled(int64_t index) const { return is_labelled_[index]; }

  // Moves `indices` from unlabelled to labelled, in the given order. Error (and
  // no change) if one is out of range, already labelled, or repeated.
  absl::Status Label(const std::vector<int64_t>& indices);

  // A seeded random subset of the unlabelled images, ascending (ScheduleSpec.
  // pool_subset); `size` <= 0 or >= the unlabelled count gives all of them.
  std::vector<int64_t> UnlabelledSubset(int64_t size, uint64_t seed) const;

  // Writes <dir>/labelled.txt and <dir>/unlabelled.txt atomically.
  absl::Status Save(const std::string& dir) const;

  // Reloads what Save wrote, against `dataset`: every id known, none repeated,
  // the two files disjoint and together covering the dataset. Errors name the
  // file and line.
  static absl::StatusOr<Pools> Load(const Dataset& dataset, const std::string& dir);

 private:
  std::vector<std::string> ids_;
  std::unordered_map<std::string, int64_t> index_of_id_;
  std::vector<int64_t> labelled_;
  std::vector<bool> is_labelled_;
};

}  // namespace huale

#endif  // HUALE_DATA_POOLS_H_
