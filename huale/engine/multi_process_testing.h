// For tests that run a process group for real: the test binary starts copies
// of itself as the ranks (torchrun's environment variables plus a role), and
// its main() runs the role when HUALE_TEST_ROLE is set.
#ifndef HUALE_ENGINE_MULTI_PROCESS_TESTING_H_
#define HUALE_ENGINE_MULTI_PROCESS_TESTING_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace huale {

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort();

// Starts this binary as `rank` of `world` with HUALE_TEST_ROLE=`role`, the
// rendezvous at 127.0.0.1:`port` and HUALE_TEST_OUT=`out`, plus `extra_env`.
pid_t StartRank(const std::string& role, int rank, int world, int port, const std::string& out,
                const std::vector<std::string>& extra_env = {});

// The exit code; 128 + signal when killed.
int WaitExit(pid_t pid);

// The role this process must play; empty in the test's own process.
std::string TestRole();

std::string ReadWholeFile(const std::string& path);

}  // namespace huale

#endif  // HUALE_ENGINE_MULTI_PROCESS_TESTING_H_
