// See gloo/algorithm.h: declarations only, for ProcessGroupGloo.hpp.
#include "gloo/algorithm.h"  // IWYU pragma: export
