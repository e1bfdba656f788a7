// Weights files: what tools/export_torchvision.py writes (torch.save of a dict
// str -> Tensor, torchvision's state_dict names, BatchNorm's num_batches_tracked
// left out), read with torch::pickle_load and copied into a module with every
// name checked.
#ifndef HUALE_MODELS_WEIGHTS_H_
#define HUALE_MODELS_WEIGHTS_H_

#include <string>
#include <utility>
#include <vector>

#include <torch/nn/module.h>
#include <torch/types.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace huale {

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// The tensors of `path` in file order. Error: unreadable file, not a torch.save
// dict of tensors. Entries named "*num_batches_tracked" (BatchNorm's step
// counter, not a weight) are dropped.
absl::StatusOr<NamedTensors> ReadWeightsFile(const std::string& path);

// Copies `weights` into the parameters and buffers of `module` whose names start
// with `prefix` ("" = all). Every such tensor must be in `weights` with the same
// shape and every entry of `weights` must be one of them; the first mismatch in
// the module's order is the error, e.g. "<source>: tensor 'rpn.head.cls_logits.weight':
// file has [3, 256, 1, 1], model expects [6, 64, 1, 1]". Nothing is copied on error.
absl::Status LoadNamedTensors(torch::nn::Module& module, const NamedTensors& weights,
                              absl::string_view source, absl::string_view prefix = "");

// ReadWeightsFile + LoadNamedTensors. A file whose names all start with
// "backbone.body." is a backbone (ImageNet) file and fills only that part.
absl::Status LoadWeightsFile(torch::nn::Module& module, const std::string& path);

// The detector's body prefix; a ResNet body's weights are stored under it.
inline constexpr absl::string_view kBackboneBodyPrefix = "backbone.body.";

// Fills only the tensors of `module` under "backbone.body." from `path`, whose
// names are either all "backbone.body.*" or all the body's own ("conv1.weight",
// "layer1.0.bn1.weight", ...); errors as LoadNamedTensors, naming the file.
absl::Status LoadBackboneBodyFile(torch::nn::Module& module, const std::string& path);

// Writes `tensors` as torch.save writes a dict str -> Tensor (what
// ReadWeightsFile and Python's torch.load read), atomically (temp + rename).
absl::Status WriteWeightsFile(const std::string& path, const NamedTensors& tensors);

}  // namespace huale

#endif  // HUALE_MODELS_WEIGHTS_H_
