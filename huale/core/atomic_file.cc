#include "huale/core/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace huale {
namespace {

namespace fs = std::filesystem;

std::string TemporaryPathFor(const std::string& path) {
  return absl::StrCat(path, ".tmp.", getpid());
}

absl::Status EnsureParentDirectory(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  if (parent.empty()) return absl::OkStatus();
  std::error_code error;
  fs::create_directories(parent, error);
  if (error) {
    return absl::PermissionDeniedError(
        absl::StrCat(parent.string(), ": cannot create directory: ", error.message()));
  }
  return absl::OkStatus();
}

// fsync so the rename never exposes a file whose data is not on disk yet.
absl::Status SyncFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) return absl::InternalError(absl::StrCat(path, ": ", std::strerror(errno)));
  const int result = fsync(fd);
  close(fd);
  if (result != 0) return absl::InternalError(absl::StrCat(path, ": fsync: ", std::strerror(errno)));
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteFileAtomicallyWith(
    const std::string& path, const std::function<absl::Status(const std::string&)>& write) {
  if (absl::Status status = EnsureParentDirectory(path); !status.ok()) return status;
  const std::string temporary = TemporaryPathFor(path);
  absl::Status status = write(temporary);
  if (status.ok()) status = SyncFile(temporary);
  if (status.ok() && std::rename(temporary.c_str(), path.c_str()) != 0) {
    status = absl::InternalError(
        absl::StrCat(path, ": cannot rename from ", temporary, ": ", std::strerror(errno)));
  }
  if (!status.ok()) std::remove(temporary.c_str());
  return status;
}

absl::Status WriteFileAtomically(const std::string& path, absl::string_view contents) {
  return WriteFileAtomicallyWith(path, [&](const std::string& temporary) -> absl::Status {
    // POSIX calls, so a failure says why (a full disk, a read-only folder, a
    // file-size limit) and names the file the caller asked for.
    const int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
      return absl::ErrnoToStatus(errno, absl::StrCat(path, ": cannot write"));
    }
    const char* data = contents.data();
    size_t left = contents.size();
    while (left > 0) {
      const ssize_t written = write(fd, data, left);
      if (written < 0 && errno == EINTR) continue;
      if (written <= 0) {
        const int code = written < 0 ? errno : ENOSPC;
        close(fd);
        return absl::ErrnoToStatus(code, absl::StrCat(path, ": cannot write"));
      }
      data += written;
      left -= static_cast<size_t>(written);
    }
    if (close(fd) != 0) return absl::ErrnoToStatus(errno, absl::StrCat(path, ": cannot write"));
    return absl::OkStatus();
  });
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

}  // namespace huale
