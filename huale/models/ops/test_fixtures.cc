#include "huale/models/ops/test_fixtures.h"

#include <torch/serialize.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <vector>

#include "absl/strings/str_cat.h"

namespace huale {
namespace ops {
namespace testing {

absl::StatusOr<std::map<std::string, torch::Tensor>> LoadOpsFixtures() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  const std::string path =
      absl::StrCat(srcdir ? srcdir : ".", "/", workspace ? workspace : "huale",
                   "/huale/models/ops/testdata/ops_fixtures.pt");
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat(
        path, ": cannot open; regenerate with /opt/huale/py/bin/python tools/make_ops_fixtures.py"));
  }
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
  torch::IValue value;
  try {
    value = torch::pickle_load(bytes);
  } catch (const c10::Error& e) {
    return absl::DataLossError(absl::StrCat(path, ": not a torch.save file: ", e.what()));
  }
  if (!value.isGenericDict()) {
    return absl::DataLossError(absl::StrCat(path, ": expected a dict of tensors, found ",
                                            value.tagKind()));
  }
  std::map<std::string, torch::Tensor> out;
  for (const auto& item : value.toGenericDict()) {
    out[item.key().toStringRef()] = item.value().toTensor();
  }
  return out;
}

}  // namespace testing
}  // namespace ops
}  // namespace huale
