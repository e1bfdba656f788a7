#include "huale/core/file_lock.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace huale {
namespace {

using ::testing::HasSubstr;

std::string TempPath(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return absl::StrCat(tmp ? tmp : "/tmp", "/file_lock_test/", name);
}

TEST(FileLock, ASecondHolderIsRefusedNamingTheFirstUntilItIsReleased) {
  const std::string path = TempPath("a/run.lock");  // parent folders are made
  {
    absl::StatusOr<FileLock> first = FileLock::Acquire(path, "run folder a");
    ASSERT_TRUE(first.ok()) << first.status();
    // flock locks belong to open file descriptions: a second open conflicts
    // even within one process, as a second process's would.
    absl::StatusOr<FileLock> second = FileLock::Acquire(path, "run folder a");
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
    EXPECT_THAT(second.status().message(), HasSubstr("run folder a is in use by pid "));
    EXPECT_THAT(second.status().message(), HasSubstr(absl::StrCat("pid ", getpid(), " on ")));
    FileLock moved = std::move(*first);  // moving keeps it held
    EXPECT_FALSE(FileLock::Acquire(path, "run folder a").ok());
  }
  EXPECT_TRUE(FileLock::Acquire(path, "run folder a").ok());
}

TEST(FileLock, AKilledHoldersLockDoesNotBlockTheNext) {
  const std::string path = TempPath("b/run.lock");
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    absl::StatusOr<FileLock> held = FileLock::Acquire(path, "b");
    const char byte = held.ok() ? 'y' : 'n';
    if (write(ready[1], &byte, 1) != 1) _exit(3);
    pause();  // holds the lock until killed
    _exit(0);
  }
  char byte = 0;
  ASSERT_EQ(read(ready[0], &byte, 1), 1);
  ASSERT_EQ(byte, 'y');
  absl::StatusOr<FileLock> refused = FileLock::Acquire(path, "b");
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr(absl::StrCat("pid ", child, " on ")));

  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  // The record still names the dead holder; the kernel has released its lock.
  absl::StatusOr<FileLock> taken = FileLock::Acquire(path, "b");
  EXPECT_TRUE(taken.ok()) << taken.status();
}

TEST(FileLock, AFolderThatCannotBeMadeIsAnErrorNotALock) {
  // A path under a regular file (permissions would not stop root).
  const std::string file = TempPath("plain_file");
  std::filesystem::create_directories(std::filesystem::path(file).parent_path());
  FILE* f = fopen(file.c_str(), "w");
  ASSERT_NE(f, nullptr);
  fclose(f);
  absl::StatusOr<FileLock> lock = FileLock::Acquire(file + "/run/run.lock", "c");
  ASSERT_FALSE(lock.ok());
  EXPECT_THAT(lock.status().message(), HasSubstr(file));
}

TEST(FileLock, KnowsWhenItsFolderIsRemovedOrReplaced) {
  namespace fs = std::filesystem;
  const std::string folder = TempPath("d");
  absl::StatusOr<FileLock> lock = FileLock::Acquire(folder + "/run.lock", "d");
  ASSERT_TRUE(lock.ok()) << lock.status();
  EXPECT_TRUE(lock->CheckInPlace().ok());
  fs::remove_all(folder);
  absl::Status removed = lock->CheckInPlace();
  EXPECT_EQ(removed.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(removed.message(), HasSubstr(folder + "/run.lock was removed"));
  // Made again by someone else (e.g. a writer that creates parent folders).
  fs::create_directories(folder);
  FILE* f = fopen((folder + "/run.lock").c_str(), "w");
  ASSERT_NE(f, nullptr);
  fclose(f);
  absl::Status replaced = lock->CheckInPlace();
  EXPECT_EQ(replaced.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(replaced.message(), HasSubstr("was replaced"));
  FileLock moved = std::move(*lock);
  EXPECT_EQ(moved.CheckInPlace().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace huale
