// Which FPN level a detector's RoI pooler reads a box from (FPN paper, Lin et
// al. 2017, eq. 1; torchvision's LevelMapper):
//   k = floor(canonical_level + log2(sqrt(area) / canonical_scale)), clamped to
//       [min_level, max_level].
// The detector reports its mapping (Detector::fpn_levels()) and acquisition
// functions that aggregate per scale (HUA) follow it, so a model whose canonical
// box is 64 px does not see every small box on one level.
#ifndef HUALE_CORE_FPN_LEVELS_H_
#define HUALE_CORE_FPN_LEVELS_H_

#include <algorithm>
#include <cmath>

#include "huale/core/box.h"

namespace huale {

struct FpnLevels {
  // Defaults: torchvision's ResNet-FPN pooler (P2..P5, 224 px on P4).
  double canonical_scale = 224;
  int canonical_level = 4;
  int min_level = 2;
  int max_level = 5;

  // canonical_scale > 0 and min_level <= max_level.
  bool IsValid() const {
    return canonical_scale > 0 && std::isfinite(canonical_scale) && min_level <= max_level;
  }

  // The level of `box`; an empty box gets min_level.
  int LevelOf(const Box& box) const {
    const double area = box.area();
    if (!(area > 0)) return min_level;
    // 1e-6: torchvision's eps, so that a box of exactly canonical_scale·2^j
    // lands on canonical_level + j despite rounding in log2.
    const double k =
        std::floor(canonical_level + std::log2(std::sqrt(area) / canonical_scale) + 1e-6);
    return static_cast<int>(std::clamp<double>(k, min_level, max_level));
  }
};

}  // namespace huale

#endif  // HUALE_CORE_FPN_LEVELS_H_
