// Detector output in plain C++ (no tensors), as evaluators, exporters and
// acquisition functions consume it.
#ifndef HUALE_CORE_DETECTIONS_H_
#define HUALE_CORE_DETECTIONS_H_

#include <string>
#include <vector>

#include "huale/core/box.h"

namespace huale {

struct Detection {
  Box box;           // pixels of the original image
  float score = 0;   // max foreground probability
  int label = 0;     // contiguous class index, 0-based, background excluded
  // Full softmax of the box's classifier, background first: [C + 1]. Filled
  // when the caller asks for it (pool scoring); empty otherwise.
  std::vector<float> class_probs;
  // IoU-head prediction in (0, 1); -1 when the model has no IoU head.
  float predicted_iou = -1;
  // The box head's representation of the box's proposal (the input of its
  // classifier and regressor: fc7 of the two-MLP head), [representation size].
  // Filled when the caller asks for it (instance-level diversity: PPAL's
  // category-conditioned matching); empty otherwise.
  std::vector<float> feature;
};

struct ImageDetections {
  std::string image_id;  // matches ImageRecord::id
  int width = 0;   // original image size, pixels
  int height = 0;
  std::vector<Detection> detections;
  // The image's feature vector, when the caller asks for it
  // (DetectOptions::embedding): the mean over positions of the detector's
  // coarsest pooled FPN level, [fpn channels]. Empty otherwise.
  std::vector<float> embedding;
};

}  // namespace huale

#endif  // HUALE_CORE_DETECTIONS_H_
