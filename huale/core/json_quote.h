// JSON string literals for the hand-written JSON files huale writes (run
// folders, bad-sample summaries, generator outputs).
#ifndef HUALE_CORE_JSON_QUOTE_H_
#define HUALE_CORE_JSON_QUOTE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace huale {

// Escapes `text` as a JSON string literal, quotes included.
std::string JsonQuote(absl::string_view text);

}  // namespace huale

#endif  // HUALE_CORE_JSON_QUOTE_H_
