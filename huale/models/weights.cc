#include "huale/models/weights.h"

#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include <torch/serialize.h>
#include <torch/torch.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "huale/core/atomic_file.h"

namespace huale {
namespace {

std::string Shape(const torch::Tensor& t) {
  return absl::StrCat("[", absl::StrJoin(t.sizes(), ", "), "]");
}

}  // namespace

absl::StatusOr<NamedTensors> ReadWeightsFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open weights file"));
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
  torch::IValue value;
  try {
    value = torch::pickle_load(bytes);
  } catch (const c10::Error& e) {
    return absl::DataLossError(absl::StrCat(
        path, ": not a torch.save file (write it with tools/export_torchvision.py): ",
        e.what_without_backtrace()));
  }
  if (!value.isGenericDict()) {
    return absl::DataLossError(
        absl::StrCat(path, ": expected a dict of tensors, found ", value.tagKind()));
  }
  NamedTensors out;
  for (const auto& item : value.toGenericDict()) {
    if (!item.key().isString() || !item.value().isTensor()) {
      return absl::DataLossError(absl::StrCat(path, ": entry of kind ", item.key().tagKind(),
                                              " -> ", item.value().tagKind(),
                                              "; expected str -> Tensor"));
    }
    const std::string& name = item.key().toStringRef();
    if (absl::EndsWith(name, "num_batches_tracked")) continue;
    out.emplace_back(name, item.value().toTensor());
  }
  return out;
}

absl::Status LoadNamedTensors(torch::nn::Module& module, const NamedTensors& weights,
                              absl::string_view source, absl::string_view prefix) {
  std::map<std::string, torch::Tensor> given(weights.begin(), weights.end());
  std::vector<std::pair<std::string, torch::Tensor>> targets;
  for (const auto& p : module.named_parameters(/*recurse=*/true)) {
    if (absl::StartsWith(p.key(), prefix)) targets.emplace_back(p.key(), p.value());
  }
  for (const auto& b : module.named_buffers(/*recurse=*/true)) {
    if (absl::StartsWith(b.key(), prefix)) targets.emplace_back(b.key(), b.value());
  }
  std::set<std::string> expected;
  for (const auto& [name, tensor] : targets) {
    expected.insert(name);
    auto it = given.find(name);
    if (it == given.end()) {
      return absl::InvalidArgumentError(absl::StrCat(source, ": missing tensor '", name,
                                                     "' (model expects ", Shape(tensor), ")"));
    }
    if (!it->second.sizes().equals(tensor.sizes())) {
      return absl::InvalidArgumentError(absl::StrCat(source, ": tensor '", name, "': file has ",
                                                     Shape(it->second), ", model expects ",
                                                     Shape(tensor)));
    }
  }
  for (const auto& [name, tensor] : weights) {
    if (!expected.count(name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          source, ": unexpected tensor '", name, "' ", Shape(tensor),
          prefix.empty() ? " (not in the model)" : absl::StrCat(" (not under '", prefix, "')")));
    }
  }
  torch::NoGradGuard no_grad;
  for (auto& [name, tensor] : targets) {
    tensor.copy_(given.at(name).to(tensor.dtype()));
  }
  return absl::OkStatus();
}

absl::Status LoadWeightsFile(torch::nn::Module& module, const std::string& path) {
  absl::StatusOr<NamedTensors> weights = ReadWeightsFile(path);
  if (!weights.ok()) return weights.status();
  bool backbone_only = !weights->empty();
  for (const auto& [name, tensor] : *weights) {
    if (!absl::StartsWith(name, "backbone.body.")) backbone_only = false;
  }
  return LoadNamedTensors(module, *weights, path, backbone_only ? kBackboneBodyPrefix : "");
}

absl::Status LoadBackboneBodyFile(torch::nn::Module& module, const std::string& path) {
  absl::StatusOr<NamedTensors> weights = ReadWeightsFile(path);
  if (!weights.ok()) return weights.status();
  const bool prefixed = !weights->empty() && absl::StartsWith(weights->front().first,
                                                             kBackboneBodyPrefix);
  if (!prefixed) {
    for (auto& [name, tensor] : *weights) name = absl::StrCat(kBackboneBodyPrefix, name);
  }
  return LoadNamedTensors(module, *weights, path, kBackboneBodyPrefix);
}

absl::Status WriteWeightsFile(const std::string& path, const NamedTensors& tensors) {
  c10::Dict<std::string, torch::Tensor> dict;
  for (const auto& [name, tensor] : tensors) dict.insert(name, tensor.detach().cpu().contiguous());
  const std::vector<char> bytes = torch::pickle_save(dict);
  return WriteFileAtomically(path, absl::string_view(bytes.data(), bytes.size()));
}

}  // namespace huale
