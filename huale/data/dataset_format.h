// The dataset-format family: readers that turn files on disk into a Dataset.
#ifndef HUALE_DATA_DATASET_FORMAT_H_
#define HUALE_DATA_DATASET_FORMAT_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "huale/core/registry.h"
#include "huale/data/dataset.h"
#include "huale/data/dataset_spec.pb.h"

namespace huale {

class DatasetFormat {
 public:
  static constexpr char kFamily[] = "dataset format";
  virtual ~DatasetFormat() = default;

  // Cheap check that `split` can be read (root, index and annotation files exist);
  // the error names the missing path and says how the data is obtained.
  virtual absl::Status CheckAvailable(const DatasetSpec& spec,
                                      absl::string_view split) const = 0;

  virtual absl::StatusOr<Dataset> Read(const DatasetSpec& spec,
                                       absl::string_view split) const = 0;

  // Whether Read takes images without annotations in the pool split when the
  // spec says DatasetSpec.unannotated_pool_images.
  virtual bool reads_unannotated_images() const { return false; }

  // Writes `images`' annotations (labels people gave) into the dataset's files
  // of `split`, atomically; an existing file that differs is kept, never
  // overwritten. Returns where kept files went. kUnimplemented for a format
  // that cannot (the labels then live in the run folder only).
  virtual absl::StatusOr<std::vector<std::string>> WriteLabels(
      const DatasetSpec& spec, absl::string_view split,
      const std::vector<std::string>& class_names, const std::vector<ImageRecord>& images) const {
    return absl::UnimplementedError("this dataset format cannot write labels into its files");
  }
};

using DatasetFormatRegistry = Registry<DatasetFormat>;

}  // namespace huale

#endif  // HUALE_DATA_DATASET_FORMAT_H_
