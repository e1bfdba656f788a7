// Several processes working as one run (data-parallel training, sharded pool
// scoring and evaluation), on LibTorch's own c10d: a TCPStore for the
// rendezvous, ProcessGroupGloo for CPU tensors (ProcessGroupNCCL in the CUDA
// build). The launch follows torchrun's contract (RANK, WORLD_SIZE, LOCAL_RANK,
// MASTER_ADDR, MASTER_PORT), so torchrun, Slurm and Kubernetes PyTorchJobs start
// huale as they start any PyTorch program.
//
// Rank 0 is the main process: it alone reads and writes the run folder; the
// others receive what they need (weights, the labelled set, decisions) from it.
//
// Faults: every collective waits at most `timeout`. When one fails (a peer died,
// hangs, or the network broke) the error names the rank at fault, using
// heartbeats each rank keeps in the store, so a job never hangs for ever and the
// operator knows which process to look at.
#ifndef HUALE_ENGINE_DISTRIBUTED_H_
#define HUALE_ENGINE_DISTRIBUTED_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <torch/types.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace torch {
namespace nn {
class Module;
}  // namespace nn
}  // namespace torch

namespace huale {

struct DistributedOptions {
  int rank = 0;
  int world_size = 1;
  // The process's index on its machine: its GPU is cuda:local_rank.
  int local_rank = 0;
  // Rank 0's address and a free port there (the TCPStore rendezvous).
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  // The longest a collective or the rendezvous may wait for a peer.
  absl::Duration timeout = absl::Minutes(5);
  // "gloo" or "nccl"; empty: nccl when `device` is a GPU, else gloo.
  std::string backend;
  // The device this rank computes on ("cpu", "cuda:1"): NCCL needs it.
  std::string device = "cpu";
};

// From torchrun's environment variables, read through `getenv`: world size 1
// when WORLD_SIZE is unset. InvalidArgument naming the variable for a value
// that is not a number or out of range (RANK >= WORLD_SIZE, a port outside
// 1..65535).
absl::StatusOr<DistributedOptions> DistributedOptionsFromEnvironment(
    const std::function<const char*(const char*)>& getenv);

// The collectives huale's engine uses. All are blocking and must be called by
// every rank in the same order. Errors are Unavailable (a peer failed or timed
// out: the message names it) or DeadlineExceeded; after one, the group is
// broken and the process should exit.
class Collectives {
 public:
  virtual ~Collectives() = default;

  virtual int rank() const = 0;
  virtual int world_size() const = 0;
  bool is_main() const { return rank() == 0; }

  // `what` names the step in error messages ("train step 40", "gather scores").
  // Rank 0's `tensors` overwrite everyone's (same shapes on every rank).
  virtual absl::Status Broadcast(std::vector<torch::Tensor>& tensors, absl::string_view what) = 0;
  // Element-wise sum over ranks, in place.
  virtual absl::Status AllReduceSum(std::vector<torch::Tensor>& tensors,
                                    absl::string_view what) = 0;
  // Every rank's `bytes`, in rank order, on every rank.
  virtual absl::StatusOr<std::vector<std::string>> AllGather(const std::string& bytes,
                                                             absl::string_view what) = 0;
  virtual absl::Status Barrier(absl::string_view what) = 0;

  // Rank 0's `value` / `bytes` on every rank.
  absl::StatusOr<int64_t> BroadcastValue(int64_t value, absl::string_view what);
  absl::StatusOr<std::string> BroadcastBytes(const std::string& bytes, absl::string_view what);
};

// Rank 0's parameters and buffers in `module` on every rank (the same start
// for data-parallel training, or a model only rank 0 read from the run folder).
absl::Status BroadcastModuleState(torch::nn::Module& module, Collectives& group,
                                  absl::string_view what);

// World size 1: every collective returns at once (nothing to exchange).
std::unique_ptr<Collectives> SingleProcess();

// Joins the group described by `options` (world size 1: SingleProcess()).
// Errors say what to check: a port in use on the master, a MASTER_ADDR that
// cannot be reached within the timeout, a rank that never joined.
absl::StatusOr<std::unique_ptr<Collectives>> JoinProcessGroup(const DistributedOptions& options);

// The [begin, end) slice of `n` items that `rank` of `world_size` handles:
// contiguous blocks in rank order, so the ranks' results concatenated in rank
// order are in the original order. Blocks are made of whole granules of
// `granule` items (the last may be short), their counts differing by at most
// one: with granule = the batch size every rank's batches are batches of the
// one-process order, so padding and batch statistics are the same.
std::pair<int64_t, int64_t> ShardRange(int64_t n, int rank, int world_size, int64_t granule = 1);

}  // namespace huale

#endif  // HUALE_ENGINE_DISTRIBUTED_H_
