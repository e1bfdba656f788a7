#include "huale/engine/event_writer.h"

#include <array>
#include <chrono>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "huale/engine/tensorboard_event.pb.h"

namespace huale {
namespace {

std::array<uint32_t, 256> MakeCrc32cTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t crc = i;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1) ? 0x82F63B78u : 0u);
    table[i] = crc;
  }
  return table;
}

double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void AppendLittleEndian(std::string& out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

}  // namespace

uint32_t Crc32c(absl::string_view data) {
  static const std::array<uint32_t, 256> table = MakeCrc32cTable();
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char byte : data) crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

uint32_t MaskedCrc32c(absl::string_view data) {
  const uint32_t crc = Crc32c(data);
  return ((crc >> 15) | (crc << 17)) + 0xA282EAD8u;
}

absl::StatusOr<EventWriter> EventWriter::Open(const std::string& directory) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  const std::string path = absl::StrCat(directory, "/events.out.tfevents.huale");
  const bool is_new = !std::filesystem::exists(path);
  std::ofstream out(path, std::ios::binary | std::ios::app);
  if (!out) return absl::PermissionDeniedError(absl::StrCat(path, ": cannot open for writing"));
  EventWriter writer(path, std::move(out));
  if (is_new) {
    tensorboard::Event event;
    event.set_wall_time(NowSeconds());
    event.set_file_version("brain.Event:2");
    if (absl::Status status = writer.WriteRecord(event.SerializeAsString()); !status.ok()) {
      return status;
    }
  }
  return writer;
}

absl::Status EventWriter::WriteRecord(absl::string_view data) {
  std::string header;
  AppendLittleEndian(header, data.size(), 8);
  std::string record = header;
  AppendLittleEndian(record, MaskedCrc32c(header), 4);
  record.append(data.data(), data.size());
  AppendLittleEndian(record, MaskedCrc32c(data), 4);
  out_.write(record.data(), static_cast<std::streamsize>(record.size()));
  if (!out_) return absl::InternalError(absl::StrCat(path_, ": write failed"));
  return absl::OkStatus();
}

absl::Status EventWriter::AddScalar(absl::string_view tag, double value, int64_t step) {
  tensorboard::Event event;
  event.set_wall_time(NowSeconds());
  event.set_step(step);
  tensorboard::SummaryValue* summary_value = event.mutable_summary()->add_value();
  summary_value->set_tag(std::string(tag));
  summary_value->set_simple_value(static_cast<float>(value));
  return WriteRecord(event.SerializeAsString());
}

absl::Status EventWriter::Flush() {
  out_.flush();
  return out_ ? absl::OkStatus() : absl::InternalError(absl::StrCat(path_, ": flush failed"));
}

}  // namespace huale
