#include "experiments/svg_backend.h"

#include <string>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

namespace huale {
namespace {

std::string Hex(Rgb c) { return absl::StrFormat("#%02x%02x%02x", c.r, c.g, c.b); }

std::string Points(const std::vector<Point>& points) {
  return absl::StrJoin(points, " ", [](std::string* out, const Point& p) {
    absl::StrAppendFormat(out, "%.1f,%.1f", p.x, p.y);
  });
}

std::string Escaped(const std::string& text) {
  return absl::StrReplaceAll(text, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}});
}

// One overload per primitive; std::visit picks it.
struct ElementWriter {
  std::string* svg;

  void operator()(const LinePrimitive& l) const {
    absl::StrAppendFormat(svg,
                          "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"%s\" "
                          "stroke-width=\"%g\"/>\n",
                          l.from.x, l.from.y, l.to.x, l.to.y, Hex(l.color), l.width);
  }
  void operator()(const PolylinePrimitive& p) const {
    absl::StrAppendFormat(svg,
                          "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" "
                          "stroke-width=\"%g\"/>\n",
                          Points(p.points), Hex(p.color), p.width);
  }
  void operator()(const PolygonPrimitive& p) const {
    absl::StrAppendFormat(svg, "<polygon points=\"%s\" fill=\"%s\" fill-opacity=\"%g\"/>\n",
                          Points(p.points), Hex(p.color), p.opacity);
  }
  void operator()(const DiscPrimitive& d) const {
    absl::StrAppendFormat(svg, "<circle cx=\"%g\" cy=\"%g\" r=\"%g\" fill=\"%s\"/>\n", d.center.x,
                          d.center.y, d.radius, Hex(d.color));
  }
  void operator()(const TextPrimitive& t) const {
    static constexpr const char* kAnchors[] = {"start", "middle", "end"};
    const std::string placement =
        t.vertical ? absl::StrFormat("transform=\"translate(%g %g) rotate(-90)\"", t.at.x, t.at.y)
                   : absl::StrFormat("x=\"%g\" y=\"%g\"", t.at.x, t.at.y);
    absl::StrAppendFormat(svg, "<text %s font-size=\"%g\" text-anchor=\"%s\" fill=\"%s\">%s</text>\n",
                          placement, t.size, kAnchors[static_cast<int>(t.anchor)], Hex(t.color),
                          Escaped(t.text));
  }
};

}  // namespace

std::string RenderSvg(const DisplayList& list) {
  std::string svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
      "font-family=\"sans-serif\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"%s\"/>\n",
      list.width, list.height, Hex(list.background));
  for (const Primitive& primitive : list.primitives) std::visit(ElementWriter{&svg}, primitive);
  svg += "</svg>\n";
  return svg;
}

}  // namespace huale
