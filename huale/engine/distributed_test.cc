// Real two-process groups on 127.0.0.1 (Gloo over TCP, a TCPStore rendezvous):
// the test binary starts copies of itself as the ranks (HUALE_TEST_ROLE), each
// writing what it saw to a file the test reads back.
#include "huale/engine/distributed.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "huale/engine/multi_process_testing.h"

namespace huale {
namespace {

using ::testing::HasSubstr;

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return absl::StrCat(dir != nullptr ? dir : "/tmp", "/", name, ".", getpid());
}

// ---- what the ranks do ----

DistributedOptions RankOptions() {
  absl::StatusOr<DistributedOptions> options = DistributedOptionsFromEnvironment(std::getenv);
  if (!options.ok()) {
    std::cerr << options.status() << "\n";
    std::_Exit(3);
  }
  options->timeout = absl::Seconds(20);
  return *options;
}

int RunRole(const std::string& role) {
  std::ofstream out(std::getenv("HUALE_TEST_OUT"));
  DistributedOptions options = RankOptions();
  absl::StatusOr<std::unique_ptr<Collectives>> group = JoinProcessGroup(options);
  if (!group.ok()) {
    out << "join: " << group.status().message() << "\n";
    return 1;
  }
  Collectives& c = **group;
  if (role == "collectives") {
    // Sum: ranks hold (r+1) * [1, 2, 3] and an int64 r; 1+2 = 3.
    std::vector<torch::Tensor> sum{torch::tensor({1.0f, 2.0f, 3.0f}) * (c.rank() + 1),
                                   torch::tensor({int64_t{c.rank()}})};
    if (!c.AllReduceSum(sum, "sum").ok()) return 1;
    out << "sum " << sum[0][0].item<float>() << " " << sum[0][2].item<float>() << " "
        << sum[1][0].item<int64_t>() << "\n";
    std::vector<torch::Tensor> cast{torch::full({2, 2}, 7.0f * (c.rank() + 1))};
    if (!c.Broadcast(cast, "broadcast").ok()) return 1;
    out << "broadcast " << cast[0].sum().item<float>() << "\n";
    absl::StatusOr<std::vector<std::string>> gathered =
        c.AllGather(std::string(c.rank() == 0 ? "a" : "bcd\0e", c.rank() == 0 ? 1 : 5), "gather");
    if (!gathered.ok()) return 1;
    out << "gather";
    for (const std::string& g : *gathered) out << " " << g.size() << ":" << g.substr(0, 3);
    out << "\n";
    absl::StatusOr<std::string> bytes =
        c.BroadcastBytes(c.rank() == 0 ? "from rank 0" : "ignored", "bytes");
    if (!bytes.ok()) return 1;
    out << "bytes " << *bytes << "\n";
    if (!c.Barrier("end").ok()) return 1;
    out << "ok\n";
    return 0;
  }
  if (role == "dies") {
    // Rank 1 is killed (SIGKILL) after one collective; rank 0 goes on.
    std::vector<torch::Tensor> t{torch::ones({4})};
    if (!c.AllReduceSum(t, "first step").ok()) return 1;
    if (c.rank() == 1) raise(SIGKILL);
    const auto start = std::chrono::steady_clock::now();
    absl::Status status;
    for (int step = 0; status.ok() && step < 1000; ++step) {
      status = c.AllReduceSum(t, absl::StrCat("train step ", step));
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    out << "seconds " << seconds << "\n" << status.message() << "\n";
    out.flush();
    std::_Exit(status.ok() ? 0 : 1);  // c10d's destructors would wait for the dead peer
  }
  if (role == "hangs") {
    // Rank 1 stops (SIGSTOP) after one collective; rank 0 must give up at the timeout.
    std::vector<torch::Tensor> t{torch::ones({4})};
    if (!c.AllReduceSum(t, "first step").ok()) return 1;
    if (c.rank() == 1) raise(SIGSTOP);
    const auto start = std::chrono::steady_clock::now();
    absl::Status status = c.AllReduceSum(t, "train step 1");
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    out << "seconds " << seconds << "\n" << status.message() << "\n";
    out.flush();
    std::_Exit(status.ok() ? 0 : 1);
  }
  return 2;
}

// ---- the tests ----

TEST(DistributedOptionsTest, ReadsTorchrunEnvironment) {
  std::map<std::string, std::string> env = {{"WORLD_SIZE", "4"}, {"RANK", "3"},
                                            {"LOCAL_RANK", "1"}, {"MASTER_ADDR", "10.0.0.5"},
                                            {"MASTER_PORT", "29400"}};
  const auto get = [&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  absl::StatusOr<DistributedOptions> options = DistributedOptionsFromEnvironment(get);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->world_size, 4);
  EXPECT_EQ(options->rank, 3);
  EXPECT_EQ(options->local_rank, 1);
  EXPECT_EQ(options->master_addr, "10.0.0.5");
  EXPECT_EQ(options->master_port, 29400);

  env["RANK"] = "4";
  EXPECT_THAT(DistributedOptionsFromEnvironment(get).status().message(),
              HasSubstr("RANK='4': expected an integer in [0, 3]"));
  env["RANK"] = "1";
  env["MASTER_PORT"] = "http";
  EXPECT_THAT(DistributedOptionsFromEnvironment(get).status().message(), HasSubstr("MASTER_PORT"));
  env.erase("RANK");
  env["MASTER_PORT"] = "29400";
  EXPECT_THAT(DistributedOptionsFromEnvironment(get).status().message(),
              HasSubstr("RANK is not"));
  env.clear();
  options = DistributedOptionsFromEnvironment(get);
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->world_size, 1);
}

TEST(ShardRangeTest, ContiguousBlocksCoverEverythingOnce) {
  for (int64_t granule : {1, 4}) {
    for (int world : {1, 2, 3, 7}) {
      for (int64_t n : {0, 1, 5, 100, 101}) {
        int64_t next = 0;
        for (int r = 0; r < world; ++r) {
          auto [begin, end] = ShardRange(n, r, world, granule);
          EXPECT_EQ(begin, next);
          EXPECT_TRUE(begin % granule == 0 || begin == n) << begin;
          const int64_t granules = (n + granule - 1) / granule;
          EXPECT_LE(end - begin, (granules / world + 1) * granule);
          next = end;
        }
        EXPECT_EQ(next, n);
      }
    }
  }
  EXPECT_EQ(ShardRange(10, 0, 2, 4), std::make_pair(int64_t{0}, int64_t{4}));
  EXPECT_EQ(ShardRange(10, 1, 2, 4), std::make_pair(int64_t{4}, int64_t{10}));
}

TEST(SingleProcessTest, CollectivesAreIdentities) {
  std::unique_ptr<Collectives> c = SingleProcess();
  std::vector<torch::Tensor> t{torch::ones({3})};
  ASSERT_TRUE(c->AllReduceSum(t, "x").ok());
  EXPECT_EQ(t[0].sum().item<float>(), 3);
  EXPECT_EQ(*c->BroadcastBytes("abc", "x"), "abc");
  EXPECT_EQ(c->AllGather("abc", "x")->size(), 1u);
  EXPECT_TRUE(c->is_main());
}

TEST(DistributedTest, TwoProcessesExchangeTensorsAndBytes) {
  const int port = FreePort();
  const std::string out0 = TempPath("c0"), out1 = TempPath("c1");
  pid_t r0 = StartRank("collectives", 0, 2, port, out0);
  pid_t r1 = StartRank("collectives", 1, 2, port, out1);
  EXPECT_EQ(WaitExit(r0), 0) << ReadWholeFile(out0);
  EXPECT_EQ(WaitExit(r1), 0) << ReadWholeFile(out1);
  const std::string expected =
      "sum 3 9 1\nbroadcast 28\ngather 1:a 5:bcd\nbytes from rank 0\nok\n";
  EXPECT_EQ(ReadWholeFile(out0), expected);
  EXPECT_EQ(ReadWholeFile(out1), expected);
}

TEST(DistributedTest, KilledRankIsNamedAndTheOtherExitsNonZero) {
  const int port = FreePort();
  const std::string out0 = TempPath("d0"), out1 = TempPath("d1");
  pid_t r0 = StartRank("dies", 0, 2, port, out0);
  pid_t r1 = StartRank("dies", 1, 2, port, out1);
  EXPECT_EQ(WaitExit(r1), 128 + SIGKILL);
  EXPECT_EQ(WaitExit(r0), 1);
  const std::string report = ReadWholeFile(out0);
  std::cout << "rank 0 reported:\n" << report;
  EXPECT_THAT(report, HasSubstr("rank 0 of 2: train step"));
  EXPECT_THAT(report, HasSubstr("rank 1 stopped"));
  double seconds = 1e9;
  ASSERT_TRUE(absl::SimpleAtod(report.substr(8, report.find('\n') - 8), &seconds)) << report;
  EXPECT_LT(seconds, 60) << report;
}

TEST(DistributedTest, HungRankTimesOutAndIsNamed) {
  const int port = FreePort();
  const std::string out0 = TempPath("h0"), out1 = TempPath("h1");
  pid_t r0 = StartRank("hangs", 0, 2, port, out0);
  pid_t r1 = StartRank("hangs", 1, 2, port, out1);
  EXPECT_EQ(WaitExit(r0), 1);
  kill(r1, SIGKILL);
  WaitExit(r1);
  const std::string report = ReadWholeFile(out0);
  std::cout << "rank 0 reported:\n" << report;
  EXPECT_THAT(report, HasSubstr("rank 1 stopped (no heartbeat"));
  double seconds = 1e9;
  ASSERT_TRUE(absl::SimpleAtod(report.substr(8, report.find('\n') - 8), &seconds)) << report;
  EXPECT_GE(seconds, 19) << report;  // the 20 s timeout
  EXPECT_LT(seconds, 60) << report;
}

TEST(DistributedTest, PortInUseIsAClearError) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_ANY);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  DistributedOptions options;
  options.world_size = 2;
  options.rank = 0;
  options.master_port = ntohs(address.sin_port);
  options.timeout = absl::Seconds(5);
  absl::StatusOr<std::unique_ptr<Collectives>> group = JoinProcessGroup(options);
  close(fd);
  ASSERT_FALSE(group.ok());
  EXPECT_THAT(group.status().message(), HasSubstr("is in use"));
  EXPECT_THAT(group.status().message(), HasSubstr("MASTER_PORT"));
}

TEST(DistributedTest, UnreachableMasterIsAClearErrorWithinTheTimeout) {
  DistributedOptions options;
  options.world_size = 2;
  options.rank = 1;
  options.master_port = FreePort();  // nothing listens there
  options.timeout = absl::Seconds(4);
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<std::unique_ptr<Collectives>> group = JoinProcessGroup(options);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_FALSE(group.ok());
  EXPECT_THAT(group.status().message(), HasSubstr("no rendezvous"));
  EXPECT_THAT(group.status().message(), HasSubstr("MASTER_ADDR"));
  EXPECT_LT(seconds, 30);
}

}  // namespace
}  // namespace huale

int main(int argc, char** argv) {
  if (const std::string role = huale::TestRole(); !role.empty()) return huale::RunRole(role);
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
