#include "huale/core/atomic_file.h"

#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace huale {
namespace {

namespace fs = std::filesystem;

std::string TestPath(const std::string& name) {
  return (fs::path(testing::TempDir()) / "atomic_file_test" / name).string();
}

TEST(WriteFileAtomically, CreatesDirectoriesAndReplacesContents) {
  const std::string path = TestPath("a/b/result.json");
  ASSERT_TRUE(WriteFileAtomically(path, "first").ok());
  ASSERT_TRUE(WriteFileAtomically(path, "second").ok());
  EXPECT_EQ(*ReadFile(path), "second");
}

TEST(WriteFileAtomicallyWith, FailedWriterKeepsTheLastGoodFileAndNoTemporary) {
  const std::string path = TestPath("checkpoint.pt");
  ASSERT_TRUE(WriteFileAtomically(path, "good").ok());
  absl::Status status = WriteFileAtomicallyWith(path, [](const std::string& temporary) {
    WriteFileAtomically(temporary, "half written").IgnoreError();
    return absl::InternalError("killed mid-write");
  });
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(*ReadFile(path), "good");
  for (const auto& entry : fs::directory_iterator(fs::path(path).parent_path())) {
    EXPECT_THAT(entry.path().filename().string(), ::testing::Not(::testing::HasSubstr(".tmp.")));
  }
}

TEST(ReadFile, MissingFileIsNotFoundNamingThePath) {
  auto contents = ReadFile(TestPath("missing"));
  EXPECT_EQ(contents.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(contents.status().message(), ::testing::HasSubstr("missing"));
}

}  // namespace
}  // namespace huale
