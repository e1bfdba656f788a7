#include "huale/data/reader_util.h"

#include <sys/stat.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "huale/core/status_macros.h"

namespace huale {

absl::StatusOr<std::optional<Box>> RepairBox(const Box& box, int image_width, int image_height,
                                             const std::string& where, BadSampleLog& log) {
  if (!box.IsFinite()) {
    HUALE_RETURN_IF_ERROR(
        log.Repair(BadSampleKind::kDroppedBox, absl::StrCat(where, ": non-finite box, dropped")));
    return std::optional<Box>();
  }
  Box clipped = box.ClippedTo(image_width, image_height);
  if (!(clipped == box) && box.IsNonEmpty()) {
    HUALE_RETURN_IF_ERROR(log.Repair(
        BadSampleKind::kClippedBox,
        absl::StrFormat("%s: box (%g, %g, %g, %g) reaches outside the %dx%d image, "
                        "clipped to (%g, %g, %g, %g)",
                        where, box.x1, box.y1, box.x2, box.y2, image_width, image_height,
                        clipped.x1, clipped.y1, clipped.x2, clipped.y2)));
  }
  if (!clipped.IsNonEmpty()) {
    HUALE_RETURN_IF_ERROR(log.Repair(
        BadSampleKind::kDroppedBox,
        absl::StrFormat("%s: box (%g, %g, %g, %g) has zero or negative area inside "
                        "the %dx%d image, dropped",
                        where, box.x1, box.y1, box.x2, box.y2, image_width, image_height)));
    return std::optional<Box>();
  }
  return std::optional<Box>(clipped);
}

bool FileExists(const std::string& path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

bool DirectoryExists(const std::string& path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

std::string JoinPath(absl::string_view a, absl::string_view b) {
  if (a.empty() || (!b.empty() && b.front() == '/')) return std::string(b);
  if (a.back() == '/') return absl::StrCat(a, b);
  return absl::StrCat(a, "/", b);
}

absl::Status EmptySplitError(const std::string& where, int skipped) {
  if (skipped > 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        where, ": no usable image left (all ", skipped, " were skipped as bad samples)"));
  }
  return absl::FailedPreconditionError(absl::StrCat(where, ": the split lists no images"));
}

absl::StatusOr<std::string> KeepAside(const std::string& path) {
  std::error_code error;
  std::string aside = path + ".before-huale";
  for (int n = 2; std::filesystem::exists(aside, error); ++n) {
    aside = absl::StrCat(path, ".before-huale.", n);
  }
  std::filesystem::create_hard_link(path, aside, error);
  if (error) {
    std::filesystem::copy_file(path, aside, error);
    if (error) {
      return absl::InternalError(
          absl::StrCat("cannot keep ", path, " as ", aside, ": ", error.message()));
    }
  }
  return aside;
}

}  // namespace huale
