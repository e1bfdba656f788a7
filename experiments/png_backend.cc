#include "experiments/png_backend.h"

#include <algorithm>
#include <cmath>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "opencv2/imgcodecs.hpp"
#include "opencv2/imgproc.hpp"

namespace huale {
namespace {

constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;
// Hershey simplex at scale 1 has capitals ~22 px tall; a sans-serif font of
// size s has capitals ~0.7 s: scale = s * 0.7 / 22.
constexpr double kPixelsPerFontScale = 31;

cv::Scalar Bgr(Rgb c) { return cv::Scalar(c.b, c.g, c.r); }
cv::Point Pixel(Point p) { return cv::Point(cvRound(p.x), cvRound(p.y)); }
int Thickness(double width) { return std::max(1, static_cast<int>(std::lround(width))); }

std::vector<cv::Point> Pixels(const std::vector<Point>& points) {
  std::vector<cv::Point> pixels;
  for (const Point& p : points) pixels.push_back(Pixel(p));
  return pixels;
}

// Blends `color` into `canvas` through `mask` (coverage 0..255) placed with its
// top-left corner at `corner`; the parts outside the canvas are dropped.
void BlendMask(cv::Mat& canvas, const cv::Mat& mask, cv::Point corner, Rgb color) {
  const cv::Rect placed(corner, mask.size());
  const cv::Rect visible = placed & cv::Rect(0, 0, canvas.cols, canvas.rows);
  const cv::Vec3b bgr(color.b, color.g, color.r);
  for (int y = visible.y; y < visible.br().y; ++y) {
    for (int x = visible.x; x < visible.br().x; ++x) {
      const double a = mask.at<uchar>(y - corner.y, x - corner.x) / 255.0;
      cv::Vec3b& pixel = canvas.at<cv::Vec3b>(y, x);
      for (int c = 0; c < 3; ++c) pixel[c] = cv::saturate_cast<uchar>((1 - a) * pixel[c] + a * bgr[c]);
    }
  }
}

// Text is drawn into a coverage mask first so that vertical text is the same
// mask turned a quarter (OpenCV draws text horizontally only).
void DrawText(cv::Mat& canvas, const TextPrimitive& t) {
  const double scale = t.size / kPixelsPerFontScale;
  int descent = 0;
  const cv::Size size = cv::getTextSize(t.text, kFont, scale, 1, &descent);
  descent += 1;  // anti-aliasing spills a pixel
  cv::Mat mask = cv::Mat::zeros(size.height + 1 + descent, size.width + 2, CV_8UC1);
  const int ascent = size.height + 1;
  cv::putText(mask, t.text, cv::Point(1, ascent), kFont, scale, cv::Scalar(255), 1, cv::LINE_AA);
  static constexpr double kAnchorShare[] = {0, 0.5, 1};  // of the width before the anchor
  const int before = cvRound(kAnchorShare[static_cast<int>(t.anchor)] * mask.cols);
  if (!t.vertical) {
    BlendMask(canvas, mask, Pixel({t.at.x - before, t.at.y - ascent}), t.color);
    return;
  }
  // Turned counter-clockwise: the glyphs' tops face left, the text reads upwards.
  cv::Mat turned;
  cv::rotate(mask, turned, cv::ROTATE_90_COUNTERCLOCKWISE);
  BlendMask(canvas, turned, Pixel({t.at.x - ascent, t.at.y + before - mask.cols}), t.color);
}

struct PrimitiveDrawer {
  cv::Mat* canvas;

  void operator()(const LinePrimitive& l) const {
    cv::line(*canvas, Pixel(l.from), Pixel(l.to), Bgr(l.color), Thickness(l.width), cv::LINE_AA);
  }
  void operator()(const PolylinePrimitive& p) const {
    cv::polylines(*canvas, Pixels(p.points), false, Bgr(p.color), Thickness(p.width), cv::LINE_AA);
  }
  void operator()(const PolygonPrimitive& p) const {
    if (p.points.size() < 3) return;
    cv::Mat overlay = canvas->clone();
    cv::fillPoly(overlay, std::vector<std::vector<cv::Point>>{Pixels(p.points)}, Bgr(p.color),
                 cv::LINE_AA);
    cv::addWeighted(overlay, p.opacity, *canvas, 1 - p.opacity, 0, *canvas);
  }
  void operator()(const DiscPrimitive& d) const {
    cv::circle(*canvas, Pixel(d.center), cvRound(d.radius), Bgr(d.color), cv::FILLED, cv::LINE_AA);
  }
  void operator()(const TextPrimitive& t) const { DrawText(*canvas, t); }
};

}  // namespace

absl::StatusOr<std::string> RenderPng(const DisplayList& list) {
  if (list.width <= 0 || list.height <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("PNG canvas must be at least 1x1, found ", list.width, "x", list.height));
  }
  cv::Mat canvas(list.height, list.width, CV_8UC3, Bgr(list.background));
  for (const Primitive& primitive : list.primitives) std::visit(PrimitiveDrawer{&canvas}, primitive);
  std::vector<uchar> png;
  if (!cv::imencode(".png", canvas, png)) return absl::InternalError("PNG encoding failed");
  return std::string(png.begin(), png.end());
}

}  // namespace huale
