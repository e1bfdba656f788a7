#include "experiments/process_setup.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <thread>

namespace huale {

void ReexecWithPassiveOpenMpWait(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;
  setenv("OMP_WAIT_POLICY", "PASSIVE", /*overwrite=*/0);
  execv("/proc/self/exe", argv);
  // Still here: exec failed; carry on with the default policy.
  std::perror("huale: re-exec with OMP_WAIT_POLICY=PASSIVE failed");
}

int ChooseThreadCount(int flag_threads, int spec_threads) {
  if (flag_threads > 0) return flag_threads;
  if (spec_threads > 0) return spec_threads;
  if (const char* env = std::getenv("HUALE_THREADS"); env != nullptr && std::atoi(env) > 0) {
    return std::atoi(env);
  }
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace huale
