// Where a JSON text stops being JSON, for error messages. simdjson (huale's
// JSON parser) says what went wrong but not where; this reads the text again,
// only after a parse failed, and names the line, column and byte.
#ifndef HUALE_CORE_JSON_SYNTAX_H_
#define HUALE_CORE_JSON_SYNTAX_H_

#include <string>

#include "absl/strings/string_view.h"

namespace huale {

// "line L, column C (byte B): <what>" for the first syntax error of `text`
// (unterminated, a stray character, trailing content, a number out of range),
// or "" when `text` is valid JSON (the parser failed for another reason, such
// as a field of the wrong type). Streams the text: no document is built.
std::string JsonSyntaxError(absl::string_view text);

}  // namespace huale

#endif  // HUALE_CORE_JSON_SYNTAX_H_
