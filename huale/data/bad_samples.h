// What a reader or the loader skipped, clipped or dropped, and the policy that
// decides whether a bad sample stops the run (DatasetSpec.bad_sample_policy).
//
// Image-level problems (unreadable annotation file, unknown class, missing or
// corrupt image, duplicate id, annotation of a missing image) are *skips*: under
// FAIL_FAST the first one is returned as an error; under SKIP_AND_COUNT it is
// counted and the sample left out. Box repairs likewise: under FAIL_FAST the
// first bad box is an error; under SKIP_AND_COUNT a box reaching outside the
// image is clipped and a box of zero or negative area (after clipping), or not
// finite, is dropped, each counted.
#ifndef HUALE_DATA_BAD_SAMPLES_H_
#define HUALE_DATA_BAD_SAMPLES_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace huale {

// Kinds of bad samples, as counted in the summary.
enum class BadSampleKind {
  kUnreadableAnnotation,  // XML/JSON that does not parse, or a required field is missing
  kUnknownClass,          // class name / category id not in the class list
  kMissingImage,          // image file does not exist
  kCorruptImage,          // image does not decode, is truncated, or has the wrong size
  kDuplicateImageId,      // second occurrence of an image id (the first is kept)
  kOrphanAnnotation,      // COCO annotation whose image_id is not among the images
  kClippedBox,            // box reached outside the image: clipped (always, any policy)
  kDroppedBox,            // zero or negative area box: dropped (always, any policy)
};

absl::string_view BadSampleKindName(BadSampleKind kind);

// Counts per kind plus the first `kMaxExamples` messages (each names the file
// and the field). Plain value; merge summaries with Merge().
struct BadSampleSummary {
  static constexpr int kMaxExamples = 50;

  std::map<std::string, int64_t> counts;  // BadSampleKindName -> count
  std::vector<std::string> examples;

  void Add(BadSampleKind kind, std::string message);
  void Merge(const BadSampleSummary& other);
  int64_t Count(BadSampleKind kind) const;
  int64_t Total() const;
  bool empty() const { return counts.empty(); }

  // {"counts": {...}, "total": N, "examples": [...]}
  std::string ToJson() const;
  // One line for the log: "skipped 3 (missing_image: 2, ...)".
  std::string ToLogLine() const;
  // Writes ToJson() atomically to `path`.
  absl::Status WriteTo(const std::string& path) const;
};

// The run stops rather than go on without its data: OK unless `skipped` of a
// stage's `total` images could not be read and that is more than `max_share`
// of them, or all of them (whatever `max_share`). The error names the stage,
// the counts, the first skipped images and the option
// (DatasetSpec.max_skipped_image_share).
absl::Status CheckSkippedShare(absl::string_view stage, int64_t skipped, int64_t total,
                               double max_share, const std::vector<std::string>& first_skipped);

// Applies the policy while a reader or the loader walks its samples.
// Thread-safe: the loader's workers share one.
class BadSampleLog {
 public:
  explicit BadSampleLog(bool fail_fast) : fail_fast_(fail_fast) {}

  // A skip: under FAIL_FAST returns `error_code`-style InvalidArgument/DataLoss
  // carrying `message`; otherwise counts it and returns OK (skip the sample).
  absl::Status Skip(BadSampleKind kind, const std::string& message);
  // A box repair (clip/drop): under FAIL_FAST an InvalidArgument error carrying
  // `message` (fail-fast is fail-fast for boxes too); otherwise counted, OK
  // (the caller clips or drops the box).
  absl::Status Repair(BadSampleKind kind, const std::string& message);

  bool fail_fast() const { return fail_fast_; }
  BadSampleSummary summary() const;

 private:
  const bool fail_fast_;
  mutable std::mutex mutex_;
  BadSampleSummary summary_;
};

}  // namespace huale

#endif  // HUALE_DATA_BAD_SAMPLES_H_
