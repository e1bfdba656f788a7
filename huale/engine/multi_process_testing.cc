#include "huale/engine/multi_process_testing.h"

#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

extern char** environ;

namespace huale {

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

pid_t StartRank(const std::string& role, int rank, int world, int port, const std::string& out,
                const std::vector<std::string>& extra_env) {
  std::vector<std::string> env = {
      absl::StrCat("HUALE_TEST_ROLE=", role), absl::StrCat("RANK=", rank),
      absl::StrCat("WORLD_SIZE=", world),     "MASTER_ADDR=127.0.0.1",
      absl::StrCat("MASTER_PORT=", port),     absl::StrCat("HUALE_TEST_OUT=", out)};
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  for (char** e = environ; *e != nullptr; ++e) env.push_back(*e);  // ours first: getenv's pick
  std::vector<char*> envp;
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  char self[4096] = {};
  const ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0) return -1;
  char* argv[] = {self, nullptr};
  pid_t pid = -1;
  if (posix_spawn(&pid, self, nullptr, nullptr, argv, envp.data()) != 0) return -1;
  return pid;
}

int WaitExit(pid_t pid) {
  int status = 0;
  if (pid <= 0 || waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string TestRole() {
  const char* role = std::getenv("HUALE_TEST_ROLE");
  return role != nullptr ? role : "";
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace huale
