#include "experiments/launch.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

ABSL_FLAG(int, rank, -1, "This process's rank in a distributed run; -1 = $RANK (torchrun).");
ABSL_FLAG(int, world_size, -1,
          "Processes in the run; -1 = $WORLD_SIZE, else 1 (one process, no group).");
ABSL_FLAG(int, local_rank, -1,
          "The rank on this machine (its GPU is cuda:LOCAL_RANK); -1 = $LOCAL_RANK, else 0.");
ABSL_FLAG(std::string, master_addr, "",
          "Rank 0's address, where the rendezvous store listens; empty = $MASTER_ADDR, else "
          "127.0.0.1.");
ABSL_FLAG(int, master_port, -1, "The rendezvous port on rank 0; -1 = $MASTER_PORT, else 29500.");
ABSL_FLAG(int, dist_timeout, 300,
          "Seconds a process waits for its peers (rendezvous, each collective) before it stops "
          "with an error naming the rank at fault.");

namespace huale {

absl::StatusOr<DistributedOptions> LaunchOptions(const std::string& spec_device) {
  // The flags stand for the variables: they are overlaid on the environment.
  const std::string rank = absl::StrCat(absl::GetFlag(FLAGS_rank));
  const std::string world = absl::StrCat(absl::GetFlag(FLAGS_world_size));
  const std::string local = absl::StrCat(absl::GetFlag(FLAGS_local_rank));
  const std::string port = absl::StrCat(absl::GetFlag(FLAGS_master_port));
  const std::string addr = absl::GetFlag(FLAGS_master_addr);
  const auto get = [&](const char* name) -> const char* {
    const std::string n = name;
    if (n == "RANK" && absl::GetFlag(FLAGS_rank) >= 0) return rank.c_str();
    if (n == "WORLD_SIZE" && absl::GetFlag(FLAGS_world_size) >= 0) return world.c_str();
    if (n == "LOCAL_RANK" && absl::GetFlag(FLAGS_local_rank) >= 0) return local.c_str();
    if (n == "MASTER_PORT" && absl::GetFlag(FLAGS_master_port) >= 0) return port.c_str();
    if (n == "MASTER_ADDR" && !addr.empty()) return addr.c_str();
    return std::getenv(name);
  };
  absl::StatusOr<DistributedOptions> options = DistributedOptionsFromEnvironment(get);
  if (!options.ok()) return options.status();
  if (absl::GetFlag(FLAGS_dist_timeout) <= 0) {
    return absl::InvalidArgumentError("--dist_timeout: expected seconds > 0");
  }
  options->timeout = absl::Seconds(absl::GetFlag(FLAGS_dist_timeout));
  options->device = spec_device;
  if (options->world_size > 1 && (spec_device == "cuda" || spec_device == "gpu")) {
    options->device = absl::StrCat("cuda:", options->local_rank);
  }
  return options;
}

absl::StatusOr<std::unique_ptr<Collectives>> JoinLaunchGroup(const DistributedOptions& options) {
  return JoinProcessGroup(options);
}

void ExitDistributed(int code) {
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(code);
}

}  // namespace huale
