#include "huale/data/bad_samples.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "huale/core/atomic_file.h"
#include "nlohmann/json.hpp"

namespace huale {

absl::string_view BadSampleKindName(BadSampleKind kind) {
  switch (kind) {
    case BadSampleKind::kUnreadableAnnotation: return "unreadable_annotation";
    case BadSampleKind::kUnknownClass: return "unknown_class";
    case BadSampleKind::kMissingImage: return "missing_image";
    case BadSampleKind::kCorruptImage: return "corrupt_image";
    case BadSampleKind::kDuplicateImageId: return "duplicate_image_id";
    case BadSampleKind::kOrphanAnnotation: return "orphan_annotation";
    case BadSampleKind::kClippedBox: return "clipped_box";
    case BadSampleKind::kDroppedBox: return "dropped_box";
  }
  return "unknown";
}

void BadSampleSummary::Add(BadSampleKind kind, std::string message) {
  ++counts[std::string(BadSampleKindName(kind))];
  if (examples.size() < kMaxExamples) examples.push_back(std::move(message));
}

void BadSampleSummary::Merge(const BadSampleSummary& other) {
  for (const auto& [kind, count] : other.counts) counts[kind] += count;
  for (const std::string& example : other.examples) {
    if (examples.size() >= kMaxExamples) break;
    examples.push_back(example);
  }
}

int64_t BadSampleSummary::Count(BadSampleKind kind) const {
  auto it = counts.find(std::string(BadSampleKindName(kind)));
  return it == counts.end() ? 0 : it->second;
}

int64_t BadSampleSummary::Total() const {
  int64_t total = 0;
  for (const auto& [kind, count] : counts) total += count;
  return total;
}

std::string BadSampleSummary::ToJson() const {
  const nlohmann::ordered_json json = {
      {"counts", counts}, {"total", Total()}, {"examples", examples}};
  return json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string BadSampleSummary::ToLogLine() const {
  if (counts.empty()) return "no bad samples";
  std::vector<std::string> items;
  for (const auto& [kind, count] : counts) items.push_back(absl::StrCat(kind, ": ", count));
  return absl::StrCat(Total(), " bad samples (", absl::StrJoin(items, ", "), ")");
}

absl::Status BadSampleSummary::WriteTo(const std::string& path) const {
  return WriteFileAtomically(path, ToJson());
}

absl::Status CheckSkippedShare(absl::string_view stage, int64_t skipped, int64_t total,
                               double max_share, const std::vector<std::string>& first_skipped) {
  if (skipped == 0 || total == 0) return absl::OkStatus();
  const bool all = skipped >= total;
  if (!all && static_cast<double>(skipped) <= max_share * static_cast<double>(total)) {
    return absl::OkStatus();
  }
  std::vector<std::string> shown(first_skipped.begin(),
                                 first_skipped.begin() +
                                     std::min<size_t>(first_skipped.size(), 3));
  return absl::FailedPreconditionError(absl::StrFormat(
      "%s: %d of %d images could not be read (%.1f%%)%s%s; %s", stage, skipped, total,
      100.0 * static_cast<double>(skipped) / static_cast<double>(total),
      shown.empty() ? "" : ", e.g. ", absl::StrJoin(shown, "; "),
      all ? "nothing is left to work with"
          : absl::StrFormat("more than dataset.max_skipped_image_share (%g%%): repair or "
                            "remove them (bad_samples.json lists them), or raise the share",
                            100.0 * max_share)));
}

absl::Status BadSampleLog::Skip(BadSampleKind kind, const std::string& message) {
  if (fail_fast_) {
    return absl::InvalidArgumentError(
        absl::StrCat(message, " [", BadSampleKindName(kind),
                     "; set dataset.bad_sample_policy: SKIP_AND_COUNT to skip such samples]"));
  }
  std::lock_guard<std::mutex> lock(mutex_);
  summary_.Add(kind, message);
  return absl::OkStatus();
}

absl::Status BadSampleLog::Repair(BadSampleKind kind, const std::string& message) {
  if (fail_fast_) {
    return absl::InvalidArgumentError(
        absl::StrCat(message, " [", BadSampleKindName(kind),
                     "; set dataset.bad_sample_policy: SKIP_AND_COUNT to clip or drop such "
                     "boxes]"));
  }
  std::lock_guard<std::mutex> lock(mutex_);
  summary_.Add(kind, message);
  return absl::OkStatus();
}

BadSampleSummary BadSampleLog::summary() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return summary_;
}

}  // namespace huale
