// Image sizes from headers, against what OpenCV's encoders write and decoders
// read back.
#include "huale/data/image_header.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace huale {
namespace {

using ::testing::HasSubstr;
using ::testing::Pair;

std::string TempPath(const std::string& name) {
  return (std::filesystem::path(std::getenv("TEST_TMPDIR")) / name).string();
}

std::string WriteBytes(const std::string& name, const std::string& bytes) {
  const std::string path = TempPath(name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

std::string Encoded(const std::string& extension, int width, int height) {
  std::vector<uchar> buffer;
  cv::Mat image(height, width, CV_8UC3, cv::Scalar(10, 200, 30));
  EXPECT_TRUE(cv::imencode(extension, image, buffer));
  return std::string(buffer.begin(), buffer.end());
}

TEST(ImageHeader, JpegAndPngSizesAreTheDecodedSizes) {
  for (const std::string extension : {".jpg", ".png"}) {
    const std::string path = WriteBytes("a" + extension, Encoded(extension, 37, 21));
    absl::StatusOr<std::pair<int, int>> size = ReadImageSize(path);
    ASSERT_TRUE(size.ok()) << size.status();
    const cv::Mat decoded = cv::imread(path);
    EXPECT_THAT(*size, Pair(decoded.cols, decoded.rows));
    EXPECT_THAT(*size, Pair(37, 21));
  }
}

// Five 64 KiB APP segments put the JPEG's frame header past the first 256 KiB.
TEST(ImageHeader, AFrameHeaderPastTheFirstBytesIsFound) {
  const std::string jpeg = Encoded(".jpg", 640, 480);
  std::string segments;
  for (int k = 0; k < 5; ++k) {
    segments += std::string("\xFF\xE5\xFF\xFF", 4) + std::string(0xFFFF - 2, 'x');
  }
  const std::string path = WriteBytes("big_app.jpg", jpeg.substr(0, 2) + segments + jpeg.substr(2));
  ASSERT_GT(std::filesystem::file_size(path), 256u * 1024);
  absl::StatusOr<std::pair<int, int>> size = ReadImageSize(path);
  ASSERT_TRUE(size.ok()) << size.status();
  EXPECT_THAT(*size, Pair(640, 480));
  EXPECT_EQ(cv::imread(path).cols, 640);
}

TEST(ImageHeader, WhatIsNoImageIsNamed) {
  const std::string text = WriteBytes("text.jpg", "not an image at all");
  EXPECT_THAT(std::string(ReadImageSize(text).status().message()),
              HasSubstr(text + ": neither a JPEG nor a PNG"));
  const std::string empty = WriteBytes("empty.png", "");
  EXPECT_THAT(std::string(ReadImageSize(empty).status().message()),
              HasSubstr(empty + ": image file is empty"));
  EXPECT_THAT(std::string(ReadImageSize(TempPath("absent.jpg")).status().message()),
              HasSubstr("absent.jpg: image file cannot be opened"));
  const std::string headless = WriteBytes("headless.jpg", std::string("\xFF\xD8\xFF\xDA", 4));
  EXPECT_THAT(std::string(ReadImageSize(headless).status().message()),
              HasSubstr("JPEG has no frame header before its image data"));
  std::string png = Encoded(".png", 4, 4);
  png[16] = png[17] = png[18] = png[19] = 0;  // width 0
  const std::string zero = WriteBytes("zero.png", png);
  EXPECT_THAT(std::string(ReadImageSize(zero).status().message()),
              HasSubstr("image header says 0 x 4 pixels"));
}

}  // namespace
}  // namespace huale
