#include "huale/engine/distributed.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>

#include <torch/csrc/distributed/c10d/Backend.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/torch.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "huale/engine/nccl_backend.h"

namespace huale {
namespace {

// Buckets of at most this many bytes per collective: big enough to amortise a
// round trip, small enough that a ResNet-50 detector's gradients travel in
// several messages the backend can pipeline.
constexpr int64_t kBucketBytes = 25 << 20;

absl::StatusOr<int> ParseInt(const char* name, const char* text, int lo, int hi) {
  int value = 0;
  if (!absl::SimpleAtoi(text, &value) || value < lo || value > hi) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "environment variable %s='%s': expected an integer in [%d, %d]", name, text, lo, hi));
  }
  return value;
}

std::string FirstLine(absl::string_view text) {
  return std::string(text.substr(0, text.find('\n')));
}

std::string ErrorText(const std::exception& e) {
  if (const auto* c10 = dynamic_cast<const c10::Error*>(&e)) {
    return FirstLine(c10->what_without_backtrace());
  }
  return FirstLine(e.what());
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::chrono::milliseconds ToChrono(absl::Duration d) {
  return std::chrono::milliseconds(absl::ToInt64Milliseconds(d));
}

// The address of this machine that routes to `host` (a connected UDP socket's
// own end; nothing is sent). Gloo must listen there for peers on other
// machines to reach it; its default (the hostname's address, else loopback)
// is wrong in containers and network namespaces.
absl::StatusOr<std::string> LocalAddressTowards(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("MASTER_ADDR '", host, "' does not resolve: ", gai_strerror(rc)));
  }
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in local{};
  socklen_t length = sizeof(local);
  const bool ok = fd >= 0 && connect(fd, found->ai_addr, found->ai_addrlen) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) == 0;
  if (fd >= 0) close(fd);
  freeaddrinfo(found);
  if (!ok) {
    return absl::UnavailableError(
        absl::StrCat("no network route from this machine to MASTER_ADDR '", host, "'"));
  }
  char text[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &local.sin_addr, text, sizeof(text));
  return std::string(text);
}

class SingleProcessCollectives : public Collectives {
 public:
  int rank() const override { return 0; }
  int world_size() const override { return 1; }
  absl::Status Broadcast(std::vector<torch::Tensor>&, absl::string_view) override {
    return absl::OkStatus();
  }
  absl::Status AllReduceSum(std::vector<torch::Tensor>&, absl::string_view) override {
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<std::string>> AllGather(const std::string& bytes,
                                                     absl::string_view) override {
    return std::vector<std::string>{bytes};
  }
  absl::Status Barrier(absl::string_view) override { return absl::OkStatus(); }
};

// Groups `tensors` into flat buckets of one dtype each, in order, at most
// kBucketBytes (a bigger tensor is a bucket of its own).
std::vector<std::vector<int>> Buckets(const std::vector<torch::Tensor>& tensors) {
  std::vector<std::vector<int>> buckets;
  std::map<c10::ScalarType, int> open;  // dtype -> bucket index being filled
  std::map<c10::ScalarType, int64_t> filled;
  for (int i = 0; i < static_cast<int>(tensors.size()); ++i) {
    const c10::ScalarType type = tensors[i].scalar_type();
    const int64_t bytes = tensors[i].numel() * static_cast<int64_t>(tensors[i].element_size());
    auto it = open.find(type);
    if (it == open.end() || filled[type] + bytes > kBucketBytes) {
      open[type] = static_cast<int>(buckets.size());
      filled[type] = 0;
      buckets.emplace_back();
    }
    buckets[open[type]].push_back(i);
    filled[type] += bytes;
  }
  return buckets;
}

// A c10d backend (Gloo, or NCCL in the CUDA build) with a TCPStore rendezvous
// and a heartbeat per rank in the store.
class C10dCollectives : public Collectives {
 public:
  static absl::StatusOr<std::unique_ptr<Collectives>> Join(const DistributedOptions& options) {
    auto group = std::unique_ptr<C10dCollectives>(new C10dCollectives(options));
    if (absl::Status status = group->Connect(); !status.ok()) {
      group->Abandon();
      return status;
    }
    return std::unique_ptr<Collectives>(std::move(group));
  }

  ~C10dCollectives() override {
    StopHeartbeat();
    if (broken_) Abandon();
  }

  int rank() const override { return options_.rank; }
  int world_size() const override { return options_.world_size; }

  absl::Status Broadcast(std::vector<torch::Tensor>& tensors, absl::string_view what) override {
    return Bucketed(tensors, what, [](c10d::Backend& backend, std::vector<at::Tensor>& flat) {
      c10d::BroadcastOptions options;
      options.rootRank = 0;
      return backend.broadcast(flat, options);
    });
  }

  absl::Status AllReduceSum(std::vector<torch::Tensor>& tensors, absl::string_view what) override {
    return Bucketed(tensors, what, [](c10d::Backend& backend, std::vector<at::Tensor>& flat) {
      c10d::AllreduceOptions options;
      options.reduceOp = c10d::ReduceOp::SUM;
      return backend.allreduce(flat, options);
    });
  }

  absl::StatusOr<std::vector<std::string>> AllGather(const std::string& bytes,
                                                     absl::string_view what) override {
    const int world = world_size();
    std::vector<at::Tensor> size{OnDevice(torch::tensor({static_cast<int64_t>(bytes.size())}))};
    std::vector<std::vector<at::Tensor>> sizes(1);
    for (int r = 0; r < world; ++r) sizes[0].push_back(torch::empty_like(size[0]));
    if (absl::Status s = Run(what, [&] { return backend_->allgather(sizes, size); }); !s.ok()) {
      return s;
    }
    int64_t longest = 0;
    std::vector<int64_t> lengths;
    for (const at::Tensor& t : sizes[0]) {
      lengths.push_back(t.cpu().item<int64_t>());
      longest = std::max(longest, lengths.back());
    }
    at::Tensor mine = torch::zeros({std::max<int64_t>(longest, 1)}, torch::kUInt8);
    std::copy(bytes.begin(), bytes.end(), mine.data_ptr<uint8_t>());
    std::vector<at::Tensor> input{OnDevice(mine)};
    std::vector<std::vector<at::Tensor>> outputs(1);
    for (int r = 0; r < world; ++r) outputs[0].push_back(torch::empty_like(input[0]));
    if (absl::Status s = Run(what, [&] { return backend_->allgather(outputs, input); }); !s.ok()) {
      return s;
    }
    std::vector<std::string> gathered;
    for (int r = 0; r < world; ++r) {
      const at::Tensor host = outputs[0][r].cpu();
      const auto* data = reinterpret_cast<const char*>(host.data_ptr<uint8_t>());
      gathered.emplace_back(data, data + lengths[r]);
    }
    return gathered;
  }

  absl::Status Barrier(absl::string_view what) override {
    // An all-reduce of one number: unlike c10d's barrier it needs no device
    // guess and fails the same way as every other collective.
    std::vector<torch::Tensor> one{torch::ones({1})};
    return AllReduceSum(one, what);
  }

 private:
  explicit C10dCollectives(DistributedOptions options) : options_(std::move(options)) {}

  std::string StoreAddress() const {
    return absl::StrCat(options_.master_addr, ":", options_.master_port);
  }

  bool UsesNccl() const {
    if (!options_.backend.empty()) return options_.backend == "nccl";
    return absl::StartsWith(options_.device, "cuda");
  }

  at::Tensor OnDevice(const at::Tensor& t) const {
    return UsesNccl() ? t.to(torch::Device(options_.device)) : t;
  }

  absl::Status Connect() {
    const auto timeout = ToChrono(options_.timeout);
    c10d::TCPStoreOptions store_options;
    store_options.port = static_cast<uint16_t>(options_.master_port);
    store_options.isServer = options_.rank == 0;
    store_options.numWorkers = options_.world_size;
    store_options.waitWorkers = true;
    store_options.timeout = timeout;
    try {
      store_ = c10::make_intrusive<c10d::TCPStore>(options_.master_addr, store_options);
    } catch (const std::exception& e) {
      const std::string error = ErrorText(e);
      if (options_.rank == 0 && (absl::StrContains(error, "EADDRINUSE") ||
                                 absl::StrContains(error, "ddress already in use"))) {
        return absl::UnavailableError(absl::StrFormat(
            "rank 0 cannot serve the rendezvous on %s: port %d is in use on this machine "
            "(another job?); choose another MASTER_PORT (%s)",
            StoreAddress(), options_.master_port, error));
      }
      return absl::UnavailableError(absl::StrFormat(
          "rank %d: no rendezvous with the other %d process(es) at %s within %s: check "
          "MASTER_ADDR and MASTER_PORT (rank 0's address and a free port there) and that every "
          "rank was started (%s)",
          options_.rank, options_.world_size - 1, StoreAddress(),
          absl::FormatDuration(options_.timeout), error));
    }
    StartHeartbeat();
    try {
      if (UsesNccl()) {
        absl::StatusOr<c10::intrusive_ptr<c10d::Backend>> nccl =
            MakeNcclBackend(store_, options_.rank, options_.world_size, timeout);
        if (!nccl.ok()) return nccl.status();
        backend_ = *nccl;
      } else {
        auto gloo = c10d::ProcessGroupGloo::Options::create(timeout);
        if (const char* name = std::getenv("GLOO_SOCKET_IFNAME"); name != nullptr && *name) {
          gloo->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(name));
        } else {
          absl::StatusOr<std::string> address =
              LocalAddressTowards(options_.master_addr, options_.master_port);
          if (!address.ok()) return address.status();
          gloo->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(*address));
        }
        backend_ = c10::make_intrusive<c10d::ProcessGroupGloo>(store_, options_.rank,
                                                               options_.world_size, gloo);
      }
    } catch (const std::exception& e) {
      broken_ = true;
      return absl::UnavailableError(
          absl::StrCat(DescribeFailure("connecting the process group"), " (", ErrorText(e), ")"));
    }
    return Barrier("joining the process group");
  }

  // Runs one collective; a thrown error or a timeout becomes a Status naming
  // the rank at fault.
  absl::Status Run(absl::string_view what,
                   const std::function<c10::intrusive_ptr<c10d::Work>()>& collective) {
    if (broken_) {
      return absl::FailedPreconditionError(
          absl::StrCat("the process group is broken; not attempting ", what));
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++sequence_;
      step_ = std::string(what);
      beat_pending_ = true;
    }
    heartbeat_wake_.notify_all();
    try {
      c10::intrusive_ptr<c10d::Work> work = collective();
      if (!work->wait(ToChrono(options_.timeout))) {
        throw std::runtime_error(absl::StrCat("timed out after ",
                                              absl::FormatDuration(options_.timeout)));
      }
    } catch (const std::exception& e) {
      broken_ = true;
      return absl::UnavailableError(absl::StrCat(DescribeFailure(what), " (", ErrorText(e), ")"));
    }
    return absl::OkStatus();
  }

  absl::Status Bucketed(
      std::vector<torch::Tensor>& tensors, absl::string_view what,
      const std::function<c10::intrusive_ptr<c10d::Work>(c10d::Backend&,
                                                         std::vector<at::Tensor>&)>& collective) {
    torch::NoGradGuard no_grad;
    for (const std::vector<int>& bucket : Buckets(tensors)) {
      std::vector<at::Tensor> parts;
      for (int i : bucket) parts.push_back(tensors[i].reshape({-1}));
      std::vector<at::Tensor> flat{OnDevice(torch::cat(parts))};
      if (absl::Status s = Run(what, [&] { return collective(*backend_, flat); }); !s.ok()) {
        return s;
      }
      int64_t offset = 0;
      for (int i : bucket) {
        const int64_t n = tensors[i].numel();
        tensors[i].copy_(flat[0].slice(0, offset, offset + n).view_as(tensors[i]));
        offset += n;
      }
    }
    return absl::OkStatus();
  }

  static std::string HeartbeatKey(int rank) { return absl::StrCat("huale/heartbeat/", rank); }

  // Every second and at each new collective (as fast as the store answers):
  // "<wall ms> <collective #> <step>" under this rank's key, from a store
  // connection of its own, off the collective's path.
  void StartHeartbeat() {
    c10::intrusive_ptr<c10d::Store> store;
    try {
      store = store_->clone();
    } catch (const std::exception&) {
      return;  // no heartbeat: failures are still reported, less precisely
    }
    heartbeat_ = std::thread([this, store] {
      std::unique_lock<std::mutex> lock(mutex_);
      while (!stop_heartbeat_) {
        const std::string beat = absl::StrCat(NowMs(), " ", sequence_, " ", step_);
        lock.unlock();
        try {
          store->set(HeartbeatKey(options_.rank), std::vector<uint8_t>(beat.begin(), beat.end()));
        } catch (const std::exception&) {
          return;  // the store is gone (rank 0 exited): nothing left to report to
        }
        lock.lock();
        heartbeat_wake_.wait_for(lock, std::chrono::seconds(1),
                                 [this] { return stop_heartbeat_ || beat_pending_; });
        beat_pending_ = false;
      }
    });
  }

  void StopHeartbeat() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_heartbeat_ = true;
    }
    heartbeat_wake_.notify_all();
    if (heartbeat_.joinable()) heartbeat_.join();
  }

  struct Beat {
    int64_t wall_ms = -1;
    int64_t sequence = -1;
    std::string step;
  };

  // Every other rank's last heartbeat; nullopt when the store is unreachable.
  std::optional<std::map<int, Beat>> ReadBeats(c10d::Store& store) {
    std::map<int, Beat> beats;
    for (int r = 0; r < world_size(); ++r) {
      if (r == rank()) continue;
      try {
        if (!store.check({HeartbeatKey(r)})) {
          beats[r] = Beat{};
          continue;
        }
        const std::vector<uint8_t> raw = store.get(HeartbeatKey(r));
        const std::vector<std::string> parts =
            absl::StrSplit(std::string(raw.begin(), raw.end()), absl::MaxSplits(' ', 2));
        Beat beat;
        if (parts.size() == 3 && absl::SimpleAtoi(parts[0], &beat.wall_ms) &&
            absl::SimpleAtoi(parts[1], &beat.sequence)) {
          beat.step = parts[2];
        }
        beats[r] = beat;
      } catch (const std::exception&) {
        return std::nullopt;
      }
    }
    return beats;
  }

  // "rank 1 stopped (no heartbeat for 4 s: it died or hangs) during train step
  // 40": compares two readings of the other ranks' heartbeats 3.5 s apart, so a
  // rank that just died is told from one that is alive but elsewhere.
  std::string DescribeFailure(absl::string_view what) {
    const std::string prefix =
        absl::StrFormat("rank %d of %d: %s failed", rank(), world_size(), what);
    c10::intrusive_ptr<c10d::Store> store;
    try {
      store = store_->clone();
      store->setTimeout(std::chrono::seconds(3));
    } catch (const std::exception&) {
      store.reset();
    }
    const auto unreachable = [&] {
      return absl::StrFormat(
          "%s: rank 0 is gone (its rendezvous store at %s does not answer: it died or "
          "its machine is unreachable)",
          prefix, StoreAddress());
    };
    if (!store) return unreachable();
    std::optional<std::map<int, Beat>> first = ReadBeats(*store);
    if (!first) return unreachable();
    std::this_thread::sleep_for(std::chrono::milliseconds(3500));
    std::optional<std::map<int, Beat>> second = ReadBeats(*store);
    if (!second) return unreachable();
    int64_t my_sequence = 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      my_sequence = sequence_;
    }
    std::vector<std::string> faults;
    for (const auto& [r, beat] : *second) {
      const Beat& before = (*first)[r];
      if (beat.wall_ms < 0) {
        faults.push_back(absl::StrFormat("rank %d never reported (it did not start or died at "
                                         "once)", r));
      } else if (beat.wall_ms == before.wall_ms) {
        faults.push_back(absl::StrFormat(
            "rank %d stopped (no heartbeat for %.0f s: it died or hangs) at \"%s\"", r,
            (NowMs() - beat.wall_ms) / 1000.0, beat.step));
      } else if (beat.sequence != my_sequence) {
        faults.push_back(absl::StrFormat("rank %d is alive but at collective #%d (\"%s\"), this "
                                         "rank at #%d",
                                         r, beat.sequence, beat.step, my_sequence));
      }
    }
    if (faults.empty()) faults.push_back("every other rank is alive and at the same step");
    return absl::StrCat(prefix, ": ", absl::StrJoin(faults, "; "));
  }

  // After a failure, c10d's destructors may wait for peers that will never
  // answer: the objects are left behind (the process is about to exit).
  void Abandon() {
    StopHeartbeat();
    if (backend_) backend_.release();
    if (store_) store_.release();
  }

  const DistributedOptions options_;
  c10::intrusive_ptr<c10d::Store> store_;
  c10::intrusive_ptr<c10d::Backend> backend_;
  std::atomic<bool> broken_{false};

  std::mutex mutex_;  // guards the fields below
  int64_t sequence_ = 0;
  std::string step_ = "starting";
  bool stop_heartbeat_ = false;
  bool beat_pending_ = false;
  std::condition_variable heartbeat_wake_;
  std::thread heartbeat_;
};

}  // namespace

absl::StatusOr<DistributedOptions> DistributedOptionsFromEnvironment(
    const std::function<const char*(const char*)>& getenv) {
  DistributedOptions options;
  const char* world = getenv("WORLD_SIZE");
  if (world == nullptr || *world == '\0') return options;
  absl::StatusOr<int> world_size = ParseInt("WORLD_SIZE", world, 1, 1 << 20);
  if (!world_size.ok()) return world_size.status();
  options.world_size = *world_size;
  const auto read = [&](const char* name, int lo, int hi, int fallback) -> absl::StatusOr<int> {
    const char* text = getenv(name);
    if (text == nullptr || *text == '\0') {
      if (fallback >= 0) return fallback;
      return absl::InvalidArgumentError(
          absl::StrFormat("WORLD_SIZE=%d is set but %s is not (torchrun sets both)",
                          options.world_size, name));
    }
    return ParseInt(name, text, lo, hi);
  };
  absl::StatusOr<int> rank = read("RANK", 0, options.world_size - 1, options.world_size == 1 ? 0 : -1);
  if (!rank.ok()) return rank.status();
  options.rank = *rank;
  absl::StatusOr<int> local_rank = read("LOCAL_RANK", 0, 1 << 20, 0);
  if (!local_rank.ok()) return local_rank.status();
  options.local_rank = *local_rank;
  absl::StatusOr<int> port = read("MASTER_PORT", 1, 65535, options.master_port);
  if (!port.ok()) return port.status();
  options.master_port = *port;
  if (const char* addr = getenv("MASTER_ADDR"); addr != nullptr && *addr != '\0') {
    options.master_addr = addr;
  }
  return options;
}

absl::StatusOr<int64_t> Collectives::BroadcastValue(int64_t value, absl::string_view what) {
  std::vector<torch::Tensor> t{torch::tensor({value}, torch::kInt64)};
  if (absl::Status s = Broadcast(t, what); !s.ok()) return s;
  return t[0].item<int64_t>();
}

absl::StatusOr<std::string> Collectives::BroadcastBytes(const std::string& bytes,
                                                        absl::string_view what) {
  if (world_size() == 1) return bytes;
  absl::StatusOr<int64_t> length = BroadcastValue(static_cast<int64_t>(bytes.size()), what);
  if (!length.ok()) return length.status();
  torch::Tensor data = torch::zeros({std::max<int64_t>(*length, 1)}, torch::kUInt8);
  if (is_main()) std::copy(bytes.begin(), bytes.end(), data.data_ptr<uint8_t>());
  std::vector<torch::Tensor> t{data};
  if (absl::Status s = Broadcast(t, what); !s.ok()) return s;
  const auto* begin = reinterpret_cast<const char*>(t[0].data_ptr<uint8_t>());
  return std::string(begin, begin + *length);
}

absl::Status BroadcastModuleState(torch::nn::Module& module, Collectives& group,
                                  absl::string_view what) {
  if (group.world_size() == 1) return absl::OkStatus();
  std::vector<torch::Tensor> state;
  for (const torch::Tensor& p : module.parameters()) state.push_back(p);
  for (const torch::Tensor& b : module.buffers()) state.push_back(b);
  return group.Broadcast(state, what);
}

std::unique_ptr<Collectives> SingleProcess() { return std::make_unique<SingleProcessCollectives>(); }

absl::StatusOr<std::unique_ptr<Collectives>> JoinProcessGroup(const DistributedOptions& options) {
  if (options.world_size <= 1) return SingleProcess();
  if (options.rank < 0 || options.rank >= options.world_size) {
    return absl::InvalidArgumentError(
        absl::StrFormat("rank %d outside [0, %d)", options.rank, options.world_size));
  }
  return C10dCollectives::Join(options);
}

std::pair<int64_t, int64_t> ShardRange(int64_t n, int rank, int world_size, int64_t granule) {
  granule = std::max<int64_t>(granule, 1);
  const int64_t granules = (n + granule - 1) / granule;
  const auto edge = [&](int r) { return std::min(n, granules * r / world_size * granule); };
  return {edge(rank), edge(rank + 1)};
}

}  // namespace huale
