#include "huale/core/json_syntax.h"

#include <cstddef>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"

namespace huale {
namespace {

using json = nlohmann::json;

// Accepts every event; keeps the first error.
class FirstError : public nlohmann::json_sax<json> {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& error) override {
    // nlohmann counts characters read from 1 (the end of input included);
    // bytes are named as offsets from 0, as a hex dump shows them.
    const std::size_t byte = position > 0 ? position - 1 : 0;
    // "[json.exception.parse_error.101] parse error at line 3, column 23: ..."
    absl::string_view what = error.what();
    if (const size_t end = what.find("] "); end != absl::string_view::npos) {
      what.remove_prefix(end + 2);
    }
    if (absl::ConsumePrefix(&what, "parse error at ")) {
      const size_t colon = what.find(": ");
      message_ = colon == absl::string_view::npos
                     ? std::string(what)
                     : absl::StrCat(what.substr(0, colon), " (byte ", byte, ")",
                                    what.substr(colon));
    } else {
      message_ = absl::StrCat("byte ", byte, ": ", what);
    }
    constexpr size_t kMaxLength = 300;  // "last read: '...'" can quote a long token
    if (message_.size() > kMaxLength) message_ = message_.substr(0, kMaxLength) + "...";
    return false;
  }

  const std::string& message() const { return message_; }

 private:
  std::string message_;
};

}  // namespace

std::string JsonSyntaxError(absl::string_view text) {
  FirstError sax;
  if (json::sax_parse(text.begin(), text.end(), &sax)) return "";
  return sax.message().empty() ? std::string("not valid JSON") : sax.message();
}

}  // namespace huale
