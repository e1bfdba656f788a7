// One in-memory dataset type that every format reader fills (VOC, COCO, ...).
#ifndef HUALE_DATA_DATASET_H_
#define HUALE_DATA_DATASET_H_

#include <cstdint>
#include <string>
#include <vector>

#include "huale/core/box.h"
#include "huale/data/bad_samples.h"

namespace huale {

struct Annotation {
  Box box;                 // xyxy pixels, clipped to the image
  int label = 0;           // contiguous class index, 0-based
  bool difficult = false;  // VOC: neither true nor false positive when evaluating
  bool truncated = false;  // VOC
  bool crowd = false;      // COCO iscrowd
  double area = 0;         // COCO `area` (segment area); box area for VOC
};

struct ImageRecord {
  std::string id;    // VOC file stem or COCO image id, unique within a dataset
  std::string path;  // absolute or relative to the working directory
  int width = 0;
  int height = 0;
  std::vector<Annotation> annotations;
};

struct Dataset {
  std::vector<std::string> class_names;  // index = contiguous label
  // COCO category id of each contiguous label (empty for VOC), so detections can
  // be written back as COCO results.
  std::vector<int64_t> category_ids;
  std::vector<ImageRecord> images;
  // What the reader skipped, clipped or dropped (DatasetSpec.bad_sample_policy);
  // the engine writes it to the run folder with bad_samples.WriteTo().
  BadSampleSummary bad_samples;
};

}  // namespace huale

#endif  // HUALE_DATA_DATASET_H_
