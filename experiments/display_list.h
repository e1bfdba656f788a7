// A drawing as a list of primitives in canvas pixels (origin top left, y down),
// so that a plot is described once and each output format only draws the list:
// svg_backend.h (text) and png_backend.h (OpenCV). Coordinates and sizes mean
// the same in both; a text's position is its baseline, as in SVG.
#ifndef EXPERIMENTS_DISPLAY_LIST_H_
#define EXPERIMENTS_DISPLAY_LIST_H_

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace huale {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
};

struct Point {
  double x = 0, y = 0;
};

struct LinePrimitive {
  Point from, to;
  Rgb color;
  double width = 1;
};

// An open path through the points.
struct PolylinePrimitive {
  std::vector<Point> points;
  Rgb color;
  double width = 1;
};

// A closed area filled with `color` blended over what is below at `opacity`.
struct PolygonPrimitive {
  std::vector<Point> points;
  Rgb color;
  double opacity = 1;
};

struct DiscPrimitive {
  Point center;
  double radius = 1;
  Rgb color;
};

enum class TextAnchor { kStart, kMiddle, kEnd };

struct TextPrimitive {
  Point at;  // baseline point the anchor refers to
  std::string text;
  double size = 13;  // font size in pixels
  TextAnchor anchor = TextAnchor::kStart;
  bool vertical = false;  // reads bottom to top (a y-axis label)
  Rgb color;
};

using Primitive = std::variant<LinePrimitive, PolylinePrimitive, PolygonPrimitive,
                               DiscPrimitive, TextPrimitive>;

struct DisplayList {
  int width = 0, height = 0;
  Rgb background{255, 255, 255};
  std::vector<Primitive> primitives;  // drawn in order, later ones on top
};

}  // namespace huale

#endif  // EXPERIMENTS_DISPLAY_LIST_H_
