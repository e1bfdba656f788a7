// Both backends draw the same display list: each primitive once as an SVG
// element, and at its place in the PNG.
#include <string>
#include <vector>

#include "experiments/display_list.h"
#include "experiments/png_backend.h"
#include "experiments/svg_backend.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "opencv2/imgcodecs.hpp"
#include "opencv2/imgproc.hpp"

namespace huale {
namespace {

using ::testing::HasSubstr;

constexpr Rgb kRed{255, 0, 0}, kGreen{0, 255, 0}, kBlue{0, 0, 255}, kBlack{0, 0, 0};

DisplayList OneOfEach() {
  DisplayList list;
  list.width = 400;
  list.height = 300;
  list.primitives.push_back(PolygonPrimitive{{{10, 10}, {110, 10}, {110, 60}, {10, 60}}, kRed, 0.5});
  list.primitives.push_back(LinePrimitive{{10, 100}, {110, 100}, kBlue, 3});
  list.primitives.push_back(PolylinePrimitive{{{10, 130}, {60, 130}, {110, 130}}, kGreen, 2});
  list.primitives.push_back(DiscPrimitive{{200, 40}, 5, kGreen});
  list.primitives.push_back(TextPrimitive{{150, 200}, "MMMM <&>", 20, TextAnchor::kStart, false, kBlack});
  list.primitives.push_back(TextPrimitive{{350, 150}, "MMMMMM", 20, TextAnchor::kMiddle, true, kBlack});
  return list;
}

TEST(RenderSvg, OneElementPerPrimitive) {
  const std::string svg = RenderSvg(OneOfEach());
  EXPECT_THAT(svg, HasSubstr("width=\"400\" height=\"300\""));
  EXPECT_THAT(svg, HasSubstr("<polygon points=\"10.0,10.0 110.0,10.0 110.0,60.0 10.0,60.0\" "
                             "fill=\"#ff0000\" fill-opacity=\"0.5\"/>"));
  EXPECT_THAT(svg, HasSubstr("<line x1=\"10\" y1=\"100\" x2=\"110\" y2=\"100\" stroke=\"#0000ff\" "
                             "stroke-width=\"3\"/>"));
  EXPECT_THAT(svg, HasSubstr("<polyline points=\"10.0,130.0 60.0,130.0 110.0,130.0\" fill=\"none\" "
                             "stroke=\"#00ff00\" stroke-width=\"2\"/>"));
  EXPECT_THAT(svg, HasSubstr("<circle cx=\"200\" cy=\"40\" r=\"5\" fill=\"#00ff00\"/>"));
  EXPECT_THAT(svg, HasSubstr("<text x=\"150\" y=\"200\" font-size=\"20\" text-anchor=\"start\" "
                             "fill=\"#000000\">MMMM &lt;&amp;&gt;</text>"));
  EXPECT_THAT(svg, HasSubstr("<text transform=\"translate(350 150) rotate(-90)\" font-size=\"20\" "
                             "text-anchor=\"middle\""));
}

cv::Mat DecodedPng(const DisplayList& list) {
  absl::StatusOr<std::string> png = RenderPng(list);
  EXPECT_TRUE(png.ok()) << png.status();
  if (!png.ok()) return cv::Mat();
  const std::vector<uchar> bytes(png->begin(), png->end());
  return cv::imdecode(bytes, cv::IMREAD_COLOR);
}

// The RGB of a pixel of a BGR image.
std::vector<int> RgbAt(const cv::Mat& image, int x, int y) {
  const cv::Vec3b bgr = image.at<cv::Vec3b>(y, x);
  return {bgr[2], bgr[1], bgr[0]};
}

// Bounding box of the dark pixels inside `region`.
cv::Rect DarkBox(const cv::Mat& image, cv::Rect region) {
  std::vector<cv::Point> dark;
  for (int y = region.y; y < region.br().y; ++y) {
    for (int x = region.x; x < region.br().x; ++x) {
      if (image.at<cv::Vec3b>(y, x)[0] < 128) dark.emplace_back(x, y);
    }
  }
  return dark.empty() ? cv::Rect() : cv::boundingRect(dark);
}

TEST(RenderPng, DrawsEachPrimitiveWhereTheListPutsIt) {
  const cv::Mat image = DecodedPng(OneOfEach());
  ASSERT_EQ(image.cols, 400);
  ASSERT_EQ(image.rows, 300);
  EXPECT_EQ(RgbAt(image, 0, 299), (std::vector<int>{255, 255, 255}));  // background
  const std::vector<int> band = RgbAt(image, 60, 35);                  // red at half opacity
  EXPECT_EQ(band[0], 255);
  EXPECT_NEAR(band[1], 128, 1);
  EXPECT_EQ(RgbAt(image, 60, 100), (std::vector<int>{0, 0, 255}));
  EXPECT_EQ(RgbAt(image, 60, 130), (std::vector<int>{0, 255, 0}));
  EXPECT_EQ(RgbAt(image, 200, 40), (std::vector<int>{0, 255, 0}));
  // Horizontal text starts at x = 150 and sits on y = 200.
  const cv::Rect text = DarkBox(image, cv::Rect(100, 150, 200, 80));
  EXPECT_NEAR(text.x, 150, 3);
  EXPECT_NEAR(text.br().y, 200, 3);
  EXPECT_GT(text.width, 2 * text.height);
  // Vertical text: its baseline is x = 350 (glyphs to the left), centred on y = 150.
  const cv::Rect turned = DarkBox(image, cv::Rect(300, 0, 100, 300));
  EXPECT_NEAR(turned.br().x, 350, 3);
  EXPECT_NEAR(turned.y + turned.height / 2, 150, 3);
  EXPECT_GT(turned.height, 2 * turned.width);
}

TEST(RenderPng, EmptyCanvasIsAnError) {
  EXPECT_FALSE(RenderPng(DisplayList{}).ok());
}

}  // namespace
}  // namespace huale
