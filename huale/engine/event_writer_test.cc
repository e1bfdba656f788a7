#include "huale/engine/event_writer.h"

#include <cstring>
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"
#include "huale/engine/tensorboard_event.pb.h"

namespace huale {
namespace {

// Check values from RFC 3720 (iSCSI), appendix B.4.
TEST(Crc32c, MatchesRfc3720CheckValues) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(std::string(32, '\xff')), 0x62A8AB43u);
}

uint64_t ReadLittleEndian(const std::string& bytes, size_t offset, int width) {
  uint64_t value = 0;
  for (int i = 0; i < width; ++i) {
    value |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[offset + i])) << (8 * i);
  }
  return value;
}

TEST(EventWriter, WritesFramedRecordsThatParseBackAsEvents) {
  const std::string directory = testing::TempDir() + "/event_writer_test";
  {
    auto writer = EventWriter::Open(directory);
    ASSERT_TRUE(writer.ok()) << writer.status();
    ASSERT_TRUE(writer->AddScalar("cycle/mAP", 0.5, 3).ok());
    ASSERT_TRUE(writer->Flush().ok());
  }
  std::ifstream in(directory + "/events.out.tfevents.huale", std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string bytes = buffer.str();

  std::vector<tensorboard::Event> events;
  size_t offset = 0;
  while (offset < bytes.size()) {
    const uint64_t length = ReadLittleEndian(bytes, offset, 8);
    EXPECT_EQ(ReadLittleEndian(bytes, offset + 8, 4), MaskedCrc32c(bytes.substr(offset, 8)));
    const std::string data = bytes.substr(offset + 12, length);
    EXPECT_EQ(ReadLittleEndian(bytes, offset + 12 + length, 4), MaskedCrc32c(data));
    tensorboard::Event event;
    ASSERT_TRUE(event.ParseFromString(data));
    events.push_back(event);
    offset += 12 + length + 4;
  }
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].file_version(), "brain.Event:2");
  EXPECT_EQ(events[1].step(), 3);
  EXPECT_EQ(events[1].summary().value(0).tag(), "cycle/mAP");
  EXPECT_FLOAT_EQ(events[1].summary().value(0).simple_value(), 0.5f);
}

}  // namespace
}  // namespace huale
