#include "huale/data/pools.h"

#include <algorithm>
#include <numeric>
#include <unordered_set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "huale/core/atomic_file.h"
#include "huale/data/reader_util.h"
#include "huale/data/seeded_random.h"

namespace huale {
namespace {

absl::StatusOr<std::vector<std::string>> ReadIdLines(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    lines.emplace_back(absl::StripAsciiWhitespace(line));
  }
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

}  // namespace

Pools::Pools(const Dataset& dataset) : is_labelled_(dataset.images.size(), false) {
  ids_.reserve(dataset.images.size());
  for (const ImageRecord& record : dataset.images) {
    index_of_id_.emplace(record.id, static_cast<int64_t>(ids_.size()));
    ids_.push_back(record.id);
  }
}

absl::StatusOr<Pools> Pools::WithInitialSample(const Dataset& dataset, int64_t initial_size,
                                               uint64_t seed) {
  Pools pools(dataset);
  if (initial_size < 0 || initial_size > pools.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("schedule.initial_size: expected 0..", pools.size(),
                     " (the pool's size), found ", initial_size));
  }
  std::vector<int64_t> order(pools.size());
  std::iota(order.begin(), order.end(), 0);
  SeededShuffle(order, MixSeed(seed, /*salt=*/1));
  order.resize(initial_size);
  std::sort(order.begin(), order.end());
  if (absl::Status s = pools.Label(order); !s.ok()) return s;
  return pools;
}

std::vector<int64_t> Pools::unlabelled() const {
  std::vector<int64_t> out;
  out.reserve(num_unlabelled());
  for (int64_t i = 0; i < size(); ++i) {
    if (!is_labelled_[i]) out.push_back(i);
  }
  return out;
}

absl::Status Pools::Label(const std::vector<int64_t>& indices) {
  std::unordered_set<int64_t> seen;
  for (const int64_t index : indices) {
    if (index < 0 || index >= size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot label image index ", index, ": the pool has ", size()));
    }
    if (is_labelled_[index]) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot label image '", ids_[index], "': already labelled"));
    }
    if (!seen.insert(index).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot label image '", ids_[index], "' twice in one selection"));
    }
  }
  for (const int64_t index : indices) {
    is_labelled_[index] = true;
    labelled_.push_back(index);
  }
  return absl::OkStatus();
}

std::vector<int64_t> Pools::UnlabelledSubset(int64_t size, uint64_t seed) const {
  std::vector<int64_t> pool = unlabelled();
  if (size <= 0 || size >= static_cast<int64_t>(pool.size())) return pool;
  SeededShuffle(pool, MixSeed(seed, /*salt=*/2));
  pool.resize(size);
  std::sort(pool.begin(), pool.end());
  return pool;
}

absl::Status Pools::Save(const std::string& dir) const {
  std::string labelled;
  for (const int64_t index : labelled_) absl::StrAppend(&labelled, ids_[index], "\n");
  std::string unlabelled_text;
  for (const int64_t index : unlabelled()) absl::StrAppend(&unlabelled_text, ids_[index], "\n");
  if (absl::Status s = WriteFileAtomically(JoinPath(dir, kLabelledFile), labelled); !s.ok()) {
    return s;
  }
  return WriteFileAtomically(JoinPath(dir, kUnlabelledFile), unlabelled_text);
}

absl::StatusOr<Pools> Pools::Load(const Dataset& dataset, const std::string& dir) {
  Pools pools(dataset);
  std::vector<int> seen_in(pools.size(), 0);  // 0 none, 1 labelled file, 2 unlabelled file
  std::vector<int64_t> labelled;
  for (const int which : {1, 2}) {
    const std::string path = JoinPath(dir, which == 1 ? kLabelledFile : kUnlabelledFile);
    absl::StatusOr<std::vector<std::string>> lines = ReadIdLines(path);
    if (!lines.ok()) return lines.status();
    for (size_t line = 0; line < lines->size(); ++line) {
      const std::string& id = (*lines)[line];
      const std::string where = absl::StrCat(path, ":", line + 1);
      auto it = pools.index_of_id_.find(id);
      if (it == pools.index_of_id_.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": image id '", id, "' is not in the dataset"));
      }
      if (seen_in[it->second] != 0) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": image id '", id, "' is already listed in ",
                         seen_in[it->second] == 1 ? kLabelledFile : kUnlabelledFile));
      }
      seen_in[it->second] = which;
      if (which == 1) labelled.push_back(it->second);
    }
  }
  for (int64_t i = 0; i < pools.size(); ++i) {
    if (seen_in[i] == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          dir, ": image id '", pools.ids_[i], "' of the dataset is in neither ", kLabelledFile,
          " nor ", kUnlabelledFile));
    }
  }
  if (absl::Status s = pools.Label(labelled); !s.ok()) return s;
  return pools;
}

}  // namespace huale
