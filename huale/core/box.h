// Axis-aligned boxes as a value type (detectron2's structures/boxes.py): the one
// place for box arithmetic outside tensors. Coordinates are (x1, y1, x2, y2) in
// pixels, continuous convention (area = width * height, no +1), as torchvision
// and COCO use; the VOC evaluator applies the devkit's +1 itself.
#ifndef HUALE_CORE_BOX_H_
#define HUALE_CORE_BOX_H_

#include <algorithm>
#include <cmath>

namespace huale {

struct Box {
  double x1 = 0, y1 = 0, x2 = 0, y2 = 0;

  static Box FromXywh(double x, double y, double w, double h) {
    return Box{x, y, x + w, y + h};
  }

  double width() const { return x2 - x1; }
  double height() const { return y2 - y1; }
  // Zero for inverted boxes.
  double area() const { return std::max(0.0, width()) * std::max(0.0, height()); }
  bool IsFinite() const {
    return std::isfinite(x1) && std::isfinite(y1) && std::isfinite(x2) && std::isfinite(y2);
  }
  // Positive width and height.
  bool IsNonEmpty() const { return width() > 0 && height() > 0; }

  Box ClippedTo(double image_width, double image_height) const {
    return Box{std::clamp(x1, 0.0, image_width), std::clamp(y1, 0.0, image_height),
               std::clamp(x2, 0.0, image_width), std::clamp(y2, 0.0, image_height)};
  }
  // The box seen in the horizontally mirrored image.
  Box FlippedHorizontally(double image_width) const {
    return Box{image_width - x2, y1, image_width - x1, y2};
  }

  friend bool operator==(const Box& a, const Box& b) {
    return a.x1 == b.x1 && a.y1 == b.y1 && a.x2 == b.x2 && a.y2 == b.y2;
  }
};

inline double IntersectionArea(const Box& a, const Box& b) {
  const double w = std::min(a.x2, b.x2) - std::max(a.x1, b.x1);
  const double h = std::min(a.y2, b.y2) - std::max(a.y1, b.y1);
  return (w > 0 && h > 0) ? w * h : 0.0;
}

// Intersection over union; 0 when the union is empty.
inline double Iou(const Box& a, const Box& b) {
  const double inter = IntersectionArea(a, b);
  const double uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0.0;
}

}  // namespace huale

#endif  // HUALE_CORE_BOX_H_
