// Draws a display list with OpenCV and encodes it as PNG: filled areas blended
// at their opacity, lines and text anti-aliased, vertical text rotated.
#ifndef EXPERIMENTS_PNG_BACKEND_H_
#define EXPERIMENTS_PNG_BACKEND_H_

#include <string>

#include "absl/status/statusor.h"
#include "experiments/display_list.h"

namespace huale {

// The PNG file's bytes.
absl::StatusOr<std::string> RenderPng(const DisplayList& list);

}  // namespace huale

#endif  // EXPERIMENTS_PNG_BACKEND_H_
