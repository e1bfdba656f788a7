// Range checks of a component's options inside its factory — the one place
// each option is validated. Errors read "<Message>.<field>: expected ...,
// found <value>"; the driver's validation maps the message to the field's spec
// path (e.g. HualeOptions.retrieval_ratio -> acquisition.huale.retrieval_ratio).
//
//   HUALE_RETURN_IF_ERROR(OptionChecks(options)
//                             .InRange("zero_set_share", options.zero_set_share(), 0, 1)
//                             .AtLeast("retrieval_ratio", options.retrieval_ratio(), 1)
//                             .status());
#ifndef HUALE_CORE_OPTION_CHECKS_H_
#define HUALE_CORE_OPTION_CHECKS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace huale {

class OptionChecks {
 public:
  // `options` is a protobuf message; its type name prefixes every error.
  template <typename Message>
  explicit OptionChecks(const Message& options) : message_(Message::descriptor()->name()) {}

  // Each keeps the first problem found; NaN and infinities always fail.
  OptionChecks& InRange(absl::string_view field, double value, double low, double high);
  OptionChecks& AtLeast(absl::string_view field, double value, double low);
  OptionChecks& Positive(absl::string_view field, double value);
  // An arbitrary relation, e.g. Check("box_bg_iou_thresh", bg <= fg, "must be <= ...").
  OptionChecks& Check(absl::string_view field, bool holds, absl::string_view expectation);
  // A nested message's checks: "Inner.x: problem" becomes "<Message>.<field>.x: problem".
  OptionChecks& Include(absl::string_view field, const absl::Status& nested);

  const absl::Status& status() const { return status_; }

 private:
  void Fail(absl::string_view field, absl::string_view problem);

  std::string message_;
  absl::Status status_;
};

}  // namespace huale

#endif  // HUALE_CORE_OPTION_CHECKS_H_
