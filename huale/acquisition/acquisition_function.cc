#include "huale/acquisition/acquisition_function.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace huale {

absl::Status ScoringContext::Validate() const {
  if (num_classes < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("ScoringContext.num_classes: expected >= 0, found ", num_classes));
  }
  if (!fpn_levels.IsValid()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ScoringContext.fpn_levels: expected canonical_scale > 0 and min_level <= max_level, "
        "found canonical_scale ", fpn_levels.canonical_scale, ", levels ", fpn_levels.min_level,
        "..", fpn_levels.max_level));
  }
  for (int n : labelled_class_counts) {
    if (n < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "ScoringContext.labelled_class_counts: expected counts >= 0, found ", n));
    }
  }
  for (const auto& [id, counts] : ground_truth_class_counts) {
    for (int n : counts) {
      if (n < 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "ScoringContext.ground_truth_class_counts of '", id, "': expected counts >= 0, found ",
            n));
      }
    }
  }
  for (size_t i = 0; i < labelled_detections.size(); ++i) {
    const LabelledImageDetections& image = labelled_detections[i];
    if (image.truth_boxes.size() != image.truth_labels.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "ScoringContext.labelled_detections[", i, "] ('", image.detections.image_id, "'): ",
          image.truth_boxes.size(), " truth boxes but ", image.truth_labels.size(), " labels"));
    }
    for (int label : image.truth_labels) {
      if (label < 0 || label >= num_classes) {
        return absl::InvalidArgumentError(absl::StrCat(
            "ScoringContext.labelled_detections[", i, "] ('", image.detections.image_id,
            "'): truth label ", label, " outside [0, ", num_classes, ")"));
      }
    }
  }
  if (labelled_class_share.empty()) return absl::OkStatus();
  if (static_cast<int>(labelled_class_share.size()) != num_classes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ScoringContext.labelled_class_share: expected ", num_classes,
        " entries (one per foreground class), found ", labelled_class_share.size()));
  }
  for (size_t c = 0; c < labelled_class_share.size(); ++c) {
    const double q = labelled_class_share[c];
    if (!std::isfinite(q) || q < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("ScoringContext.labelled_class_share[", c,
                       "]: expected a finite share >= 0, found ", q));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckOptionsCase(const AcquisitionSpec& spec,
                              AcquisitionSpec::OptionsCase expected) {
  if (spec.options_case() == AcquisitionSpec::OPTIONS_NOT_SET ||
      spec.options_case() == expected) {
    return absl::OkStatus();
  }
  const auto* descriptor = AcquisitionSpec::descriptor();
  const auto* given = descriptor->FindFieldByNumber(spec.options_case());
  const auto* wanted = expected == AcquisitionSpec::OPTIONS_NOT_SET
                           ? nullptr
                           : descriptor->FindFieldByNumber(expected);
  return absl::InvalidArgumentError(absl::StrCat(
      "AcquisitionSpec of '", spec.name(), "': options field '",
      given ? given->name() : "?", "' does not apply; expected ",
      wanted ? absl::StrCat("'", wanted->name(), "' or none") : "none"));
}

ImageDetections MapFlippedBack(const ImageDetections& flipped) {
  ImageDetections back = flipped;
  for (Detection& d : back.detections) {
    d.box = d.box.FlippedHorizontally(flipped.width);
  }
  return back;
}

}  // namespace huale
