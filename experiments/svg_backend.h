// Draws a display list as SVG text: one element per primitive, in order.
#ifndef EXPERIMENTS_SVG_BACKEND_H_
#define EXPERIMENTS_SVG_BACKEND_H_

#include <string>

#include "experiments/display_list.h"

namespace huale {

std::string RenderSvg(const DisplayList& list);

}  // namespace huale

#endif  // EXPERIMENTS_SVG_BACKEND_H_
