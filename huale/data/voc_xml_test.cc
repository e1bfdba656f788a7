// The VOC XML parser on files written by the test: what it keeps as written and
// the file/field its errors name.
#include "huale/data/voc_xml.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace huale {
namespace {

using ::testing::HasSubstr;

std::string WriteXml(const std::string& name, const std::string& text) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(VocXml, KeepsFieldsAsWritten) {
  const std::string path = WriteXml(
      "a.xml",
      "<annotation><filename> a.png </filename><size><width>50</width><height>40</height>"
      "</size><object><name> kiwi </name><difficult>1</difficult><bndbox><xmin>-3</xmin>"
      "<ymin>5</ymin><xmax>60</xmax><ymax>45</ymax></bndbox></object>"
      "<object><name>llama</name><truncated>1</truncated><bndbox><xmin>7</xmin><ymin>8</ymin>"
      "<xmax>7</xmax><ymax>20</ymax></bndbox></object></annotation>");
  absl::StatusOr<VocXmlAnnotation> xml = ReadVocXml(path);
  ASSERT_TRUE(xml.ok()) << xml.status();
  EXPECT_EQ(xml->filename, "a.png");
  EXPECT_EQ(xml->width, 50);
  EXPECT_EQ(xml->height, 40);
  ASSERT_EQ(xml->objects.size(), 2u);
  EXPECT_EQ(xml->objects[0].name, "kiwi");
  EXPECT_EQ(xml->objects[0].box, (Box{-3, 5, 60, 45}));  // not clipped
  EXPECT_TRUE(xml->objects[0].difficult);
  EXPECT_FALSE(xml->objects[0].truncated);
  EXPECT_EQ(xml->objects[1].box, (Box{7, 8, 7, 20}));  // one pixel wide: kept
  EXPECT_TRUE(xml->objects[1].truncated);
}

TEST(VocXml, SizeAndFilenameAreOptional) {
  absl::StatusOr<VocXmlAnnotation> xml = ReadVocXml(WriteXml("b.xml", "<annotation/>"));
  ASSERT_TRUE(xml.ok()) << xml.status();
  EXPECT_FALSE(xml->width.has_value());
  EXPECT_TRUE(xml->filename.empty());
  EXPECT_TRUE(xml->objects.empty());
}

TEST(VocXml, ErrorsNameTheFileAndTheField) {
  const std::string bad_number = WriteXml(
      "c.xml", "<annotation><object><name>cat</name><bndbox><xmin>one</xmin></bndbox>"
               "</object></annotation>");
  EXPECT_THAT(ReadVocXml(bad_number).status().message(),
              HasSubstr("c.xml: annotation/object[0]/bndbox/xmin: expected a number, found 'one'"));
  const std::string no_ymax = WriteXml(
      "d.xml", "<annotation><object><name>cat</name><bndbox><xmin>1</xmin><ymin>1</ymin>"
               "<xmax>5</xmax></bndbox></object></annotation>");
  EXPECT_THAT(ReadVocXml(no_ymax).status().message(),
              HasSubstr("d.xml: annotation/object[0]/bndbox/ymax: required field is missing"));
  const std::string bad_size = WriteXml(
      "e.xml", "<annotation><size><width>x</width></size></annotation>");
  EXPECT_THAT(ReadVocXml(bad_size).status().message(),
              HasSubstr("annotation/size/width: expected a number, found 'x'"));
  EXPECT_THAT(ReadVocXml(WriteXml("f.xml", "<annotation><size>")).status().message(),
              HasSubstr("f.xml: XML does not parse"));
  EXPECT_THAT(ReadVocXml(WriteXml("g.xml", "<other/>")).status().message(),
              HasSubstr("g.xml: field 'annotation': root element is missing"));
  EXPECT_THAT(ReadVocXml("/nonexistent/h.xml").status().message(), HasSubstr("cannot read file"));
}

}  // namespace
}  // namespace huale
