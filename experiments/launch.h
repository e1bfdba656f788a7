// How the drivers (run, sweep) join a distributed run: torchrun's environment
// (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT) or the equal flags
// --rank, --world_size, --local_rank, --master_addr, --master_port; a flag
// wins over the variable. Without either: one process.
#ifndef EXPERIMENTS_LAUNCH_H_
#define EXPERIMENTS_LAUNCH_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "huale/engine/distributed.h"

namespace huale {

// The options from the flags and environment. `spec_device` is the spec's
// device: a distributed CUDA run puts each process on cuda:LOCAL_RANK.
absl::StatusOr<DistributedOptions> LaunchOptions(const std::string& spec_device);

// Joins the group (one process: SingleProcess()).
absl::StatusOr<std::unique_ptr<Collectives>> JoinLaunchGroup(const DistributedOptions& options);

// After a failed distributed run: flushes the output and exits with `code`
// without running destructors (c10d's would wait for peers that are gone).
[[noreturn]] void ExitDistributed(int code);

}  // namespace huale

#endif  // EXPERIMENTS_LAUNCH_H_
