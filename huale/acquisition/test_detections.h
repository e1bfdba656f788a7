// Hand-built detections for the acquisition tests.
#ifndef HUALE_ACQUISITION_TEST_DETECTIONS_H_
#define HUALE_ACQUISITION_TEST_DETECTIONS_H_

#include <string>
#include <utility>
#include <vector>

#include "huale/core/detections.h"

namespace huale {
namespace testing_internal {

// A [C + 1] softmax with `p` on foreground class `label`, `background` on the
// background and the rest spread evenly over the other foreground classes.
inline std::vector<float> Softmax(int num_classes, int label, double p, double background) {
  std::vector<float> probs(num_classes + 1, 0.0f);
  probs[0] = static_cast<float>(background);
  const double rest = num_classes > 1 ? (1.0 - p - background) / (num_classes - 1) : 0.0;
  for (int c = 0; c < num_classes; ++c) {
    probs[c + 1] = static_cast<float>(c == label ? p : rest);
  }
  return probs;
}

inline Detection Det(Box box, int label, float score, std::vector<float> probs = {}) {
  Detection d;
  d.box = box;
  d.label = label;
  d.score = score;
  d.class_probs = std::move(probs);
  return d;
}

inline ImageDetections View(std::string id, std::vector<Detection> detections,
                            int width = 640, int height = 480) {
  ImageDetections view;
  view.image_id = std::move(id);
  view.width = width;
  view.height = height;
  view.detections = std::move(detections);
  return view;
}

}  // namespace testing_internal
}  // namespace huale

#endif  // HUALE_ACQUISITION_TEST_DETECTIONS_H_
