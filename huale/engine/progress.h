// Progress bars with rate and ETA for epochs and pool passes. On a terminal the
// bar redraws in place; in a log (CI, nohup) it prints a line every 10%.
#ifndef HUALE_ENGINE_PROGRESS_H_
#define HUALE_ENGINE_PROGRESS_H_

#include <chrono>
#include <cstdio>
#include <string>

#include "absl/strings/string_view.h"

namespace huale {

// "1:05:09" / "4:07" style, for ETAs and timings.
std::string FormatDuration(double seconds);

class ProgressBar {
 public:
  // `label` e.g. "cycle 2/7 epoch 3/20"; `unit` e.g. "img".
  ProgressBar(std::string label, int64_t total, std::string unit, FILE* out = stderr);
  ~ProgressBar();

  // Advances by `count` items; `status` is shown after the rate (e.g. "loss 0.731").
  void Advance(int64_t count, absl::string_view status = "");
  // Prints the final line (also done by the destructor).
  void Finish();

  double elapsed_seconds() const;
  double rate() const;  // items per second so far

  // The text of the bar at the current state, without control characters.
  std::string Render() const;

 private:
  std::string label_;
  int64_t total_;
  std::string unit_;
  FILE* out_;
  bool interactive_;
  int64_t done_ = 0;
  int last_logged_decile_ = -1;
  bool finished_ = false;
  std::string status_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace huale

#endif  // HUALE_ENGINE_PROGRESS_H_
