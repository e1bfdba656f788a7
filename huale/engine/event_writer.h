// TensorBoard-style scalar logs: an events.out.tfevents.* file of TFRecords
// (length, masked CRC-32C, Event proto, masked CRC-32C), readable by TensorBoard.
#ifndef HUALE_ENGINE_EVENT_WRITER_H_
#define HUALE_ENGINE_EVENT_WRITER_H_

#include <cstdint>
#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace huale {

// CRC-32C (Castagnoli), as TFRecord framing uses.
uint32_t Crc32c(absl::string_view data);
// TFRecord's masked CRC: rotate right by 15 and add a constant.
uint32_t MaskedCrc32c(absl::string_view data);

class EventWriter {
 public:
  // Opens (appends to) `directory`/events.out.tfevents.huale.
  static absl::StatusOr<EventWriter> Open(const std::string& directory);

  absl::Status AddScalar(absl::string_view tag, double value, int64_t step);
  absl::Status Flush();
  const std::string& path() const { return path_; }

 private:
  EventWriter(std::string path, std::ofstream out) : path_(std::move(path)), out_(std::move(out)) {}
  absl::Status WriteRecord(absl::string_view data);

  std::string path_;
  std::ofstream out_;
};

}  // namespace huale

#endif  // HUALE_ENGINE_EVENT_WRITER_H_
