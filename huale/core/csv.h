// CSV as RFC 4180 (section 2) writes it: fields separated by commas; a field
// holding a comma, a double quote, a CR or a LF is enclosed in double quotes, and
// a double quote inside it is doubled. Records end with "\n", not the RFC's CRLF
// (what spreadsheets, pandas and the existing run folders read). The one CSV
// writer of huale: selection.csv, metrics.csv, sweep tables.
#ifndef HUALE_CORE_CSV_H_
#define HUALE_CORE_CSV_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace huale {

// One field, quoted only when it needs to be.
std::string CsvField(absl::string_view text);

// One record: the fields quoted as needed, joined by commas, ended by "\n".
std::string CsvRow(const std::vector<std::string>& fields);

// Rows into one text (a header is just the first row).
class CsvWriter {
 public:
  void AddRow(const std::vector<std::string>& fields) { text_ += CsvRow(fields); }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

}  // namespace huale

#endif  // HUALE_CORE_CSV_H_
