// Transforms against torchvision 0.26.0's GeneralizedRCNNTransform resize
// (_resize_image_and_masks, resize_boxes) and hand derivations. The reference
// numbers were produced with /opt/huale/py/bin/python (torch 2.11.0, torchvision
// 0.26.0, which computes the scale in double where 0.14.1 used float32):
//   from torchvision.models.detection.transform import _resize_image_and_masks
//   im, _ = _resize_image_and_masks(torch.zeros(3, h, w), float(mn), float(mx), None)
#include "huale/data/transforms.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <tuple>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace huale {
namespace {

using ::testing::HasSubstr;

std::string TmpPath(const std::string& name) {
  return std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
}

TEST(Transforms, ResizedSizeMatchesTorchvisionIncludingFloorQuirks) {
  // (w, h, min_size, max_size) -> torchvision's (h, w).
  const std::vector<std::tuple<int, int, int, int, int, int>> cases = {
      {500, 375, 600, 1000, 600, 800},  {333, 500, 600, 1000, 900, 600},
      {1000, 200, 600, 1000, 200, 1000}, {160, 160, 600, 1000, 600, 600},
      {640, 427, 800, 1333, 800, 1199},  {37, 23, 50, 80, 49, 80}};
  for (const auto& [w, h, min_size, max_size, out_h, out_w] : cases) {
    const double scale = ResizeScale(w, h, min_size, max_size);
    EXPECT_EQ(ResizedSide(h, scale), out_h) << w << "x" << h;
    EXPECT_EQ(ResizedSide(w, scale), out_w) << w << "x" << h;
  }
}

// A 37x23 PNG whose RGB values follow a formula the Python reference used too.
ImageRecord WritePatternImage(const std::string& name) {
  const int width = 37, height = 23;
  cv::Mat bgr(height, width, CV_8UC3);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      bgr.at<cv::Vec3b>(y, x) = cv::Vec3b((x * 5 + y) % 256, (x * 2 + y * 11) % 256,
                                          (x * 7 + y * 3) % 256);
    }
  }
  ImageRecord record;
  record.id = name;
  record.path = TmpPath(name + ".png");
  record.width = width;
  record.height = height;
  Annotation annotation;
  annotation.box = Box{1, 2, 30, 20};
  annotation.label = 4;
  record.annotations.push_back(annotation);
  cv::imwrite(record.path, bgr);
  return record;
}

TEST(Transforms, ResizedPixelsAndBoxesMatchTorchvision) {
  const ImageRecord record = WritePatternImage("pattern");
  TransformOptions options;
  options.min_size = 50;
  options.max_size = 80;
  absl::StatusOr<TransformedImage> out = TransformImage(record, options, /*flip=*/false);
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->image.rows, 49);
  ASSERT_EQ(out->image.cols, 80);
  // torchvision: image[c, y, x] (RGB) after resize.
  const std::vector<std::tuple<int, int, int, double>> pixels = {
      {1, 10, 17, 0.25059524178504944}, {2, 48, 78, 0.7883578538894653},
      {0, 25, 40, 0.6353996992111206},  {1, 3, 60, 0.26483893394470215}};
  for (const auto& [c, y, x, expected] : pixels) {
    EXPECT_NEAR(out->image.at<cv::Vec3f>(y, x)[c], expected, 2e-6) << c << "," << y << "," << x;
  }
  EXPECT_NEAR(cv::sum(out->image)[0] + cv::sum(out->image)[1] + cv::sum(out->image)[2],
              5467.43359375, 5e-3);
  // resize_boxes([[1, 2, 30, 20]]) from (23, 37) to (49, 80).
  ASSERT_EQ(out->boxes.size(), 1u);
  EXPECT_NEAR(out->boxes[0].x1, 2.1621620655059814, 1e-5);
  EXPECT_NEAR(out->boxes[0].y1, 4.26086950302124, 1e-5);
  EXPECT_NEAR(out->boxes[0].x2, 64.86486053466797, 1e-5);
  EXPECT_NEAR(out->boxes[0].y2, 42.60869598388672, 1e-5);
  EXPECT_EQ(out->labels[0], 4);
  EXPECT_FALSE(out->flipped);
  EXPECT_EQ(out->original_width, 37);
}

TEST(Transforms, FlipMirrorsImageAndBoxes) {
  const ImageRecord record = WritePatternImage("pattern_flip");
  TransformOptions options;
  options.min_size = 0;  // no resize: compare with the decoded pixels directly
  absl::StatusOr<TransformedImage> plain = TransformImage(record, options, false);
  absl::StatusOr<TransformedImage> flipped = TransformImage(record, options, true);
  ASSERT_TRUE(plain.ok() && flipped.ok());
  EXPECT_TRUE(flipped->flipped);
  for (int y = 0; y < 23; y += 5) {
    for (int x = 0; x < 37; x += 3) {
      EXPECT_EQ(flipped->image.at<cv::Vec3f>(y, x), plain->image.at<cv::Vec3f>(y, 36 - x));
    }
  }
  // Red channel is (x*7 + y*3) % 256 / 255 (hand derivation at x = 2, y = 1).
  EXPECT_FLOAT_EQ(plain->image.at<cv::Vec3f>(1, 2)[0], 17.0f / 255.0f);
  // Box (1, 2, 30, 20) in a 37-wide image -> (37-30, 2, 37-1, 20).
  EXPECT_EQ(flipped->boxes[0], (Box{7, 2, 36, 20}));
}

TEST(Transforms, FlipBoxesHorizontallyIsAnInvolution) {
  std::vector<Box> boxes = {{0, 0, 10, 5}, {3.5, 1, 4.5, 2}};
  FlipBoxesHorizontally(boxes, 10);
  EXPECT_EQ(boxes[0], (Box{0, 0, 10, 5}));
  EXPECT_EQ(boxes[1], (Box{5.5, 1, 6.5, 2}));
  FlipBoxesHorizontally(boxes, 10);
  EXPECT_EQ(boxes[1], (Box{3.5, 1, 4.5, 2}));
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(Transforms, TruncatedJpegIsDetected) {
  const std::string path = TmpPath("truncated.jpg");
  cv::Mat noise(64, 64, CV_8UC3);
  cv::randu(noise, 0, 255);
  cv::imwrite(path, noise);
  const std::string bytes = ReadAll(path);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() / 2);
  absl::StatusOr<cv::Mat> image = DecodeImageFile(path);
  ASSERT_FALSE(image.ok());
  EXPECT_THAT(std::string(image.status().message()), HasSubstr("truncated.jpg: JPEG is truncated"));
}

TEST(Transforms, TruncatedPngIsDetected) {
  const std::string path = TmpPath("truncated.png");
  cv::Mat noise(64, 64, CV_8UC3);
  cv::randu(noise, 0, 255);
  cv::imwrite(path, noise);
  const std::string bytes = ReadAll(path);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() - 20);
  EXPECT_FALSE(DecodeImageFile(path).ok());
}

// image_decode_fuzzer's finding (2026-12-04): a broken PNG signature with
// "DICM" at offset 128 sent OpenCV to GDCM, which crashed. Refused, named.
TEST(Transforms, DicomMagicIsRefusedBeforeDecoding) {
  const std::string path = TmpPath("dicm.png");
  std::string bytes = "\x89PND\xffG\r\n\x1a\n";
  bytes += std::string(118, '\xff');
  bytes += std::string("DICM") + std::string("1\0\0\3\0\0\0IENDBDICM\xae`#", 19);
  std::ofstream(path, std::ios::binary) << bytes;
  absl::StatusOr<cv::Mat> image = DecodeImageFile(path);
  ASSERT_FALSE(image.ok());
  EXPECT_THAT(std::string(image.status().message()), ::testing::HasSubstr("DICOM"));
}

// Only JPEG and PNG reach OpenCV's decoders: a BMP or a TIFF (and bytes with
// no known signature) is refused, naming the file, before any decoder sees it.
TEST(Transforms, FormatsOtherThanJpegAndPngAreRefusedBeforeDecoding) {
  cv::Mat noise(16, 24, CV_8UC3);
  cv::randu(noise, 0, 255);
  for (const std::string name : {"image.bmp", "image.tiff"}) {
    const std::string path = TmpPath(name);
    ASSERT_TRUE(cv::imwrite(path, noise)) << name;
    absl::StatusOr<cv::Mat> image = DecodeImageFile(path);
    ASSERT_FALSE(image.ok()) << name;
    EXPECT_EQ(image.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(std::string(image.status().message()),
                HasSubstr(name + ": image does not decode (neither JPEG nor PNG"));
  }
}

// A header that claims more pixels than allowed is refused before decoding:
// the limit is read from the JPEG frame header and the PNG IHDR chunk, and an
// image within it (the JPEG after stray bytes between segments) decodes.
TEST(Transforms, ImagesLargerThanTheLimitAreRefusedBeforeDecoding) {
  cv::Mat noise(48, 80, CV_8UC3);
  cv::randu(noise, 0, 255);
  for (const std::string name : {"big.jpg", "big.png"}) {
    const std::string path = TmpPath(name);
    cv::imwrite(path, noise);
    absl::StatusOr<cv::Mat> refused = DecodeImageFile(path, 80 * 48 - 1);
    ASSERT_FALSE(refused.ok()) << name;
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(std::string(refused.status().message()),
                HasSubstr(name + ": image header says 80 x 48 pixels, more than 3839"));
    absl::StatusOr<cv::Mat> decoded = DecodeImageFile(path, 80 * 48);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(decoded->cols, 80);
  }
  // Two stray bytes after the JFIF segment: libjpeg skips them, and so does the check.
  std::string jpeg = ReadAll(TmpPath("big.jpg"));
  const size_t after_app0 = 4 + ((static_cast<unsigned char>(jpeg[4]) << 8) | static_cast<unsigned char>(jpeg[5]));
  jpeg.insert(after_app0, "\x12\x34", 2);
  std::ofstream(TmpPath("stray.jpg"), std::ios::binary | std::ios::trunc) << jpeg;
  EXPECT_FALSE(DecodeImageFile(TmpPath("stray.jpg"), 80 * 48 - 1).ok());
  EXPECT_TRUE(DecodeImageFile(TmpPath("stray.jpg")).ok());
  // No frame header before the image data: not a JPEG anyone can decode.
  std::ofstream(TmpPath("noframe.jpg"), std::ios::binary | std::ios::trunc)
      << std::string("\xFF\xD8\xFF\xDA\x00\x02\xFF\xD9", 8);
  EXPECT_THAT(std::string(DecodeImageFile(TmpPath("noframe.jpg")).status().message()),
              HasSubstr("noframe.jpg: JPEG has no frame header before its image data"));
}

TEST(Transforms, CorruptMissingAndMisSizedImagesAreErrors) {
  const std::string corrupt = TmpPath("corrupt.jpg");
  std::ofstream(corrupt, std::ios::binary) << "this is not an image at all";
  absl::StatusOr<cv::Mat> image = DecodeImageFile(corrupt);
  ASSERT_FALSE(image.ok());
  EXPECT_THAT(std::string(image.status().message()), HasSubstr("corrupt.jpg: image does not decode"));
  EXPECT_FALSE(DecodeImageFile(TmpPath("no_such_file.jpg")).ok());
  ImageRecord record = WritePatternImage("missized");
  record.width = 40;
  absl::StatusOr<TransformedImage> out = TransformImage(record, TransformOptions(), false);
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(std::string(out.status().message()), HasSubstr("image is 37x23 but its annotation says 40x23"));
}

}  // namespace
}  // namespace huale
