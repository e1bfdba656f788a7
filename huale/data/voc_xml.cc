// The VOC XML parser; see voc_xml.h.
#include "huale/data/voc_xml.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include <sstream>

#include "absl/strings/str_format.h"
#include "pugixml.hpp"

namespace huale {
namespace {

// Text of the child element `name` of `node`, or an error naming file and field.
absl::StatusOr<std::string> ChildText(const pugi::xml_node& node, const char* name,
                                      const std::string& where) {
  const pugi::xml_node child = node.child(name);
  if (!child) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, "/", name, ": required field is missing"));
  }
  return std::string(absl::StripAsciiWhitespace(child.child_value()));
}

absl::StatusOr<double> ChildNumber(const pugi::xml_node& node, const char* name,
                                   const std::string& where) {
  absl::StatusOr<std::string> text = ChildText(node, name, where);
  if (!text.ok()) return text.status();
  double value = 0;
  if (!absl::SimpleAtod(*text, &value)) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, "/", name, ": expected a number, found '", *text, "'"));
  }
  return value;
}

// A number when the child is present, nullopt when it is absent.
absl::StatusOr<std::optional<double>> OptionalNumber(const pugi::xml_node& node,
                                                     const char* name,
                                                     const std::string& where) {
  if (!node.child(name)) return std::optional<double>();
  absl::StatusOr<double> value = ChildNumber(node, name, where);
  if (!value.ok()) return value.status();
  return std::optional<double>(*value);
}

// 0/1 flag, absent = 0.
absl::StatusOr<bool> OptionalFlag(const pugi::xml_node& node, const char* name,
                                  const std::string& where) {
  absl::StatusOr<std::optional<double>> value = OptionalNumber(node, name, where);
  if (!value.ok()) return value.status();
  return value->value_or(0) != 0;
}

absl::StatusOr<VocXmlObject> ParseObject(const pugi::xml_node& object, const std::string& where) {
  VocXmlObject out;
  absl::StatusOr<std::string> name = ChildText(object, "name", where);
  if (!name.ok()) return name.status();
  out.name = std::move(*name);
  const pugi::xml_node bndbox = object.child("bndbox");
  if (!bndbox) {
    return absl::InvalidArgumentError(absl::StrCat(where, "/bndbox: required field is missing"));
  }
  const std::string box_where = where + "/bndbox";
  double coords[4];
  const char* const kCoordNames[4] = {"xmin", "ymin", "xmax", "ymax"};
  for (int i = 0; i < 4; ++i) {
    absl::StatusOr<double> value = ChildNumber(bndbox, kCoordNames[i], box_where);
    if (!value.ok()) return value.status();
    coords[i] = *value;
  }
  out.box = Box{coords[0], coords[1], coords[2], coords[3]};
  absl::StatusOr<bool> difficult = OptionalFlag(object, "difficult", where);
  if (!difficult.ok()) return difficult.status();
  absl::StatusOr<bool> truncated = OptionalFlag(object, "truncated", where);
  if (!truncated.ok()) return truncated.status();
  out.difficult = *difficult;
  out.truncated = *truncated;
  return out;
}

absl::Status ParseSize(const pugi::xml_node& root, const std::string& where,
                       VocXmlAnnotation& out) {
  const pugi::xml_node size = root.child("size");
  if (!size) return absl::OkStatus();
  absl::StatusOr<std::optional<double>> width = OptionalNumber(size, "width", where + "/size");
  if (!width.ok()) return width.status();
  absl::StatusOr<std::optional<double>> height = OptionalNumber(size, "height", where + "/size");
  if (!height.ok()) return height.status();
  out.width = *width;
  out.height = *height;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<VocXmlAnnotation> ReadVocXml(const std::string& path) {
  pugi::xml_document doc;
  const pugi::xml_parse_result result = doc.load_file(path.c_str());
  if (!result) {
    if (result.status == pugi::status_file_not_found || result.status == pugi::status_io_error) {
      return absl::NotFoundError(absl::StrCat(path, ": cannot read file"));
    }
    return absl::InvalidArgumentError(absl::StrCat(path, ": XML does not parse (",
                                                   result.description(), " at byte ",
                                                   result.offset, ")"));
  }
  const pugi::xml_node root = doc.child("annotation");
  if (!root) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": field 'annotation': root element is missing"));
  }
  const std::string where = absl::StrCat(path, ": annotation");
  VocXmlAnnotation out;
  if (absl::Status size = ParseSize(root, where, out); !size.ok()) return size;
  out.filename = std::string(absl::StripAsciiWhitespace(root.child_value("filename")));
  int index = 0;
  for (const pugi::xml_node object : root.children("object")) {
    absl::StatusOr<VocXmlObject> parsed =
        ParseObject(object, absl::StrCat(where, "/object[", index++, "]"));
    if (!parsed.ok()) return parsed.status();
    out.objects.push_back(std::move(*parsed));
  }
  return out;
}

std::string VocXmlText(const VocXmlAnnotation& annotation, const std::string& folder) {
  pugi::xml_document doc;
  pugi::xml_node root = doc.append_child("annotation");
  root.append_child("folder").text().set(folder.c_str());
  root.append_child("filename").text().set(annotation.filename.c_str());
  pugi::xml_node size = root.append_child("size");
  auto number = [](double value) { return absl::StrFormat("%.9g", value); };
  size.append_child("width").text().set(number(annotation.width.value_or(0)).c_str());
  size.append_child("height").text().set(number(annotation.height.value_or(0)).c_str());
  size.append_child("depth").text().set("3");
  root.append_child("segmented").text().set("0");
  for (const VocXmlObject& object : annotation.objects) {
    pugi::xml_node node = root.append_child("object");
    node.append_child("name").text().set(object.name.c_str());
    node.append_child("pose").text().set("Unspecified");
    node.append_child("truncated").text().set(object.truncated ? "1" : "0");
    node.append_child("difficult").text().set(object.difficult ? "1" : "0");
    pugi::xml_node box = node.append_child("bndbox");
    box.append_child("xmin").text().set(number(object.box.x1).c_str());
    box.append_child("ymin").text().set(number(object.box.y1).c_str());
    box.append_child("xmax").text().set(number(object.box.x2).c_str());
    box.append_child("ymax").text().set(number(object.box.y2).c_str());
  }
  std::ostringstream out;
  doc.save(out, "  ");
  return out.str();
}

}  // namespace huale
