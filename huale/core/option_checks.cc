#include "huale/core/option_checks.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace huale {

void OptionChecks::Fail(absl::string_view field, absl::string_view problem) {
  if (status_.ok()) {
    status_ = absl::InvalidArgumentError(absl::StrCat(message_, ".", field, ": ", problem));
  }
}

OptionChecks& OptionChecks::InRange(absl::string_view field, double value, double low,
                                    double high) {
  if (!(value >= low && value <= high)) {
    Fail(field, absl::StrCat("expected a value in [", low, ", ", high, "], found ", value));
  }
  return *this;
}

OptionChecks& OptionChecks::AtLeast(absl::string_view field, double value, double low) {
  if (!(value >= low) || !std::isfinite(value)) {
    Fail(field, absl::StrCat("expected a finite value >= ", low, ", found ", value));
  }
  return *this;
}

OptionChecks& OptionChecks::Positive(absl::string_view field, double value) {
  if (!(value > 0) || !std::isfinite(value)) {
    Fail(field, absl::StrCat("expected a finite value > 0, found ", value));
  }
  return *this;
}

OptionChecks& OptionChecks::Check(absl::string_view field, bool holds,
                                  absl::string_view expectation) {
  if (!holds) Fail(field, expectation);
  return *this;
}

OptionChecks& OptionChecks::Include(absl::string_view field, const absl::Status& nested) {
  if (nested.ok()) return *this;
  const absl::string_view text = nested.message();
  const size_t dot = text.find('.');
  const size_t colon = text.find(": ");
  if (dot == absl::string_view::npos || colon == absl::string_view::npos || dot > colon) {
    Fail(field, text);
  } else {
    Fail(absl::StrCat(field, text.substr(dot, colon - dot)), text.substr(colon + 2));
  }
  return *this;
}

}  // namespace huale
