// Test helper: reads the torchvision fixture written by tools/make_ops_fixtures.py.
#ifndef HUALE_MODELS_OPS_TEST_FIXTURES_H_
#define HUALE_MODELS_OPS_TEST_FIXTURES_H_

#include <map>
#include <string>

#include <torch/types.h>

#include "absl/status/statusor.h"

namespace huale {
namespace ops {
namespace testing {

// The fixture dict (name -> tensor) from testdata/ops_fixtures.pt in the test's
// runfiles.
absl::StatusOr<std::map<std::string, torch::Tensor>> LoadOpsFixtures();

}  // namespace testing
}  // namespace ops
}  // namespace huale

#endif  // HUALE_MODELS_OPS_TEST_FIXTURES_H_
