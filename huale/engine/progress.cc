#include "huale/engine/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace huale {

std::string FormatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const int64_t total = static_cast<int64_t>(std::llround(seconds));
  const int64_t hours = total / 3600, minutes = (total / 60) % 60, secs = total % 60;
  if (hours > 0) return absl::StrFormat("%d:%02d:%02d", hours, minutes, secs);
  return absl::StrFormat("%d:%02d", minutes, secs);
}

ProgressBar::ProgressBar(std::string label, int64_t total, std::string unit, FILE* out)
    : label_(std::move(label)),
      total_(std::max<int64_t>(total, 0)),
      unit_(std::move(unit)),
      out_(out),
      interactive_(out != nullptr && isatty(fileno(out))),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

ProgressBar::~ProgressBar() { Finish(); }

double ProgressBar::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

double ProgressBar::rate() const {
  const double elapsed = elapsed_seconds();
  return elapsed > 0 ? static_cast<double>(done_) / elapsed : 0.0;
}

std::string ProgressBar::Render() const {
  constexpr int kWidth = 24;
  const double fraction = total_ > 0 ? std::min(1.0, static_cast<double>(done_) / total_) : 1.0;
  const int filled = static_cast<int>(fraction * kWidth);
  const double current_rate = rate();
  const double eta = current_rate > 0 ? (total_ - done_) / current_rate : -1;
  std::string text = absl::StrFormat(
      "%s [%s%s] %d/%d %s %.1f %s/s %s %s", label_, std::string(filled, '#'),
      std::string(kWidth - filled, '.'), done_, total_, unit_, current_rate, unit_,
      done_ >= total_ ? "took" : "ETA",
      FormatDuration(done_ >= total_ ? elapsed_seconds() : eta));
  if (!status_.empty()) absl::StrAppend(&text, " ", status_);
  return text;
}

void ProgressBar::Advance(int64_t count, absl::string_view status) {
  done_ += count;
  if (!status.empty()) status_ = std::string(status);
  if (out_ == nullptr) return;
  if (interactive_) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_draw_ < std::chrono::milliseconds(200) && done_ < total_) return;
    last_draw_ = now;
    std::fprintf(out_, "\r%s\033[K", Render().c_str());
    std::fflush(out_);
    return;
  }
  const int decile = total_ > 0 ? static_cast<int>(10 * done_ / total_) : 10;
  if (decile > last_logged_decile_ && decile < 10) {
    last_logged_decile_ = decile;
    std::fprintf(out_, "%s\n", Render().c_str());
    std::fflush(out_);
  }
}

void ProgressBar::Finish() {
  if (finished_) return;
  finished_ = true;
  if (out_ == nullptr) return;
  std::fprintf(out_, interactive_ ? "\r%s\033[K\n" : "%s\n", Render().c_str());
  std::fflush(out_);
}

}  // namespace huale
