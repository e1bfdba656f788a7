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
};

struct ImageDetections {
  std::string image_id;  // matches ImageRecord::id
  std::vector<Detection> detections;
};

}  // namespace huale

#endif  // HUALE_CORE_DETECTIONS_H_
