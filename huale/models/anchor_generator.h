// Anchors of torchvision's AnchorGenerator (anchor_utils.py): per pyramid level,
// cell anchors of the level's sizes x aspect ratios centred on 0 (rounded), shifted
// over the level's grid with stride = padded image size // feature size.
#ifndef HUALE_MODELS_ANCHOR_GENERATOR_H_
#define HUALE_MODELS_ANCHOR_GENERATOR_H_

#include <cstdint>
#include <vector>

#include <torch/types.h>

namespace huale {

class AnchorGenerator {
 public:
  // sizes[l]: the anchor sizes of level l; aspect_ratios: h/w, the same every level.
  AnchorGenerator(std::vector<std::vector<double>> sizes, std::vector<double> aspect_ratios);

  // Anchors per location (the same on every level; the RPN head needs it).
  int64_t num_anchors_per_location() const;

  // padded_size: (H, W) of the batch tensor; features: one [B, C, Hl, Wl] per level.
  // Returns [sum_l Hl * Wl * A, 4] xyxy, level-major then row-major then anchor,
  // shared by all images of the batch.
  torch::Tensor operator()(int64_t padded_height, int64_t padded_width,
                           const std::vector<torch::Tensor>& features) const;

 private:
  std::vector<torch::Tensor> cell_anchors_;  // [A, 4] per level
};

}  // namespace huale

#endif  // HUALE_MODELS_ANCHOR_GENERATOR_H_
