// Label Studio's JSON, one owner for both ways through it: the project's
// labelling config, tasks with pre-annotations (what huale sends), and the
// finished tasks of an export or of GET /api/tasks (what comes back), for the
// Label Studio annotator and for a Label Studio export given to the FILES one.
//
// Label Studio's rectangles (RectangleLabels results) are percentages of the
// image's size: value {x, y, width, height} in [0, 100] and `rotation` in
// degrees, clockwise about the top-left corner (x, y); huale's boxes are xyxy
// pixels.
#ifndef HUALE_ENGINE_LABEL_STUDIO_JSON_H_
#define HUALE_ENGINE_LABEL_STUDIO_JSON_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "huale/engine/annotator.h"
#include "nlohmann/json.hpp"

namespace huale {

// The labelling config: one image, one RectangleLabels control listing
// `class_names` in order (names XML-escaped).
std::string LabelStudioConfig(const std::vector<std::string>& class_names);
// The class names of a config LabelStudioConfig wrote (empty when it is not one).
std::vector<std::string> LabelStudioConfigClasses(const std::string& config);

// A task for `image`, shown from `image_url`, its data naming the image and the
// cycle (huale_id, huale_cycle) so that an export finds it again; the
// predictions scoring at least `min_score` as one prediction (pre-annotations).
nlohmann::json LabelStudioTask(const LabelTask& image, const std::string& image_url, int cycle,
                               const std::vector<std::string>& class_names, double min_score);

// The rectangle results of one annotation (or prediction) as pixel boxes of a
// width x height image; `where` names the task for messages. Results of other
// types are ignored; a malformed rectangle is an error naming its index.
absl::StatusOr<std::vector<ReturnedBox>> LabelStudioBoxes(const nlohmann::json& result, int width,
                                                          int height, const std::string& where);

// One task of an export, as huale reads it.
struct LabelStudioTaskState {
  int64_t task_id = -1;
  std::string huale_id;  // data.huale_id; empty for a task huale did not send
  int cycle = -1;        // data.huale_cycle; -1 when absent
  std::string image;     // data.image
  enum State { kPending, kLabelled, kSkipped } state = kPending;
  // The newest annotation's result (kLabelled), unparsed.
  nlohmann::json result;
  int64_t annotation_id = -1;
};
// `task` is one element of an export's array. Its newest annotation decides:
// none = pending, was_cancelled = skipped, else labelled.
absl::StatusOr<LabelStudioTaskState> ReadLabelStudioTask(const nlohmann::json& task);

// Percent-encodes `text` for a URL query value ('/' kept).
std::string UrlEncode(const std::string& text);

}  // namespace huale

#endif  // HUALE_ENGINE_LABEL_STUDIO_JSON_H_
