#include "huale/core/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace huale {
namespace {

// A one-thread HTTP/1.1 server on 127.0.0.1 that answers each connection with
// the next scripted (status, body) and records the requests it read.
class ScriptedServer {
 public:
  explicit ScriptedServer(std::vector<std::pair<int, std::string>> answers)
      : answers_(std::move(answers)) {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    socklen_t length = sizeof(address);
    getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    listen(listener_, 8);
    thread_ = std::thread([this] { Serve(); });
  }
  ~ScriptedServer() {
    thread_.join();
    close(listener_);
  }
  std::string url() const { return absl::StrCat("http://127.0.0.1:", port_); }
  const std::vector<std::string>& requests() const { return requests_; }

 private:
  void Serve() {
    for (const auto& [status, body] : answers_) {
      const int connection = accept(listener_, nullptr, nullptr);
      if (connection < 0) return;
      std::string request;
      char buffer[4096];
      size_t header_end = std::string::npos;
      size_t wanted = 0;
      while (true) {
        const ssize_t n = read(connection, buffer, sizeof(buffer));
        if (n <= 0) break;
        request.append(buffer, n);
        if (header_end == std::string::npos) {
          header_end = request.find("\r\n\r\n");
          if (header_end == std::string::npos) continue;
          const size_t at = request.find("Content-Length: ");
          size_t length = 0;
          if (at != std::string::npos && at < header_end) {
            const size_t line_end = request.find("\r\n", at);
            (void)absl::SimpleAtoi(request.substr(at + 16, line_end - at - 16), &length);
          }
          wanted = header_end + 4 + length;
        }
        if (request.size() >= wanted) break;
      }
      requests_.push_back(request);
      const std::string answer =
          absl::StrCat("HTTP/1.1 ", status, " X\r\nContent-Type: application/json\r\n",
                       "Content-Length: ", body.size(), "\r\nConnection: close\r\n\r\n", body);
      (void)!write(connection, answer.data(), answer.size());
      close(connection);
    }
  }

  std::vector<std::pair<int, std::string>> answers_;
  std::vector<std::string> requests_;
  int listener_ = -1;
  int port_ = 0;
  std::thread thread_;
};

HttpClient Client(const std::string& url, std::vector<double>* waits, int attempts = 4) {
  RetryPolicy retry;
  retry.max_attempts = attempts;
  retry.first_wait_seconds = 0.5;
  retry.timeout_seconds = 10;
  HttpClient client("Tool", url, {"Authorization: Token abc"}, retry);
  client.set_sleep_for_testing([waits](double seconds) { waits->push_back(seconds); });
  return client;
}

TEST(HttpClient, SendsHeadersAndBodyAndReturnsTheAnswer) {
  ScriptedServer server({{201, R"({"id": 7})"}});
  std::vector<double> waits;
  absl::StatusOr<HttpResponse> response =
      Client(server.url(), &waits).Request("POST", "/api/projects", R"({"title": "t"})");
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(response->body, R"({"id": 7})");
  ASSERT_EQ(server.requests().size(), 1u);
  const std::string& request = server.requests()[0];
  EXPECT_TRUE(absl::StartsWith(request, "POST /api/projects HTTP/1.1\r\n")) << request;
  EXPECT_TRUE(absl::StrContains(request, "Authorization: Token abc\r\n")) << request;
  EXPECT_TRUE(absl::StrContains(request, "Content-Type: application/json\r\n")) << request;
  EXPECT_TRUE(absl::EndsWith(request, R"({"title": "t"})")) << request;
  EXPECT_TRUE(waits.empty());
}

TEST(HttpClient, RetriesServerErrorsWithBackOff) {
  ScriptedServer server({{500, "oops"}, {503, "busy"}, {429, "slow down"}, {200, "[]"}});
  std::vector<double> waits;
  absl::StatusOr<HttpResponse> response = Client(server.url(), &waits).Request("GET", "/api/x");
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->body, "[]");
  EXPECT_EQ(waits, (std::vector<double>{0.5, 1, 2}));
}

TEST(HttpClient, GivesUpAfterMaxAttemptsNamingTheLastAnswer) {
  ScriptedServer server({{500, "first"}, {502, "bad gateway"}});
  std::vector<double> waits;
  absl::StatusOr<HttpResponse> response =
      Client(server.url(), &waits, /*attempts=*/2).Request("GET", "/api/tasks/3");
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(absl::StrContains(response.status().message(), "Tool at " + server.url() +
                                                                 ": GET /api/tasks/3: answered "
                                                                 "502: bad gateway (tried 2 times"))
      << response.status();
}

TEST(HttpClient, AWrongTokenStopsAtOnce) {
  ScriptedServer server({{401, R"({"detail": "Invalid token."})"}});
  std::vector<double> waits;
  absl::StatusOr<HttpResponse> response = Client(server.url(), &waits).Request("GET", "/api/x");
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(absl::StrContains(response.status().message(), "401 Unauthorized (is the token right?)"))
      << response.status();
  EXPECT_TRUE(waits.empty());
}

TEST(HttpClient, NoServerIsUnavailableAfterRetries) {
  int port = 0;
  {
    ScriptedServer closed({});  // binds a free port, then closes it
    port = std::stoi(closed.url().substr(closed.url().rfind(':') + 1));
  }
  std::vector<double> waits;
  absl::StatusOr<HttpResponse> response =
      Client(absl::StrCat("http://127.0.0.1:", port, "/"), &waits, 3).Request("GET", "/health");
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(absl::StrContains(response.status().message(), "GET /health: ")) << response.status();
  EXPECT_TRUE(absl::StrContains(response.status().message(), "(tried 3 times over 2 s)"))
      << response.status();
  EXPECT_EQ(waits, (std::vector<double>{0.5, 1}));
}

TEST(HttpClient, RequestOkRefusesA4xxWithItsBody) {
  ScriptedServer server({{404, R"({"detail": "Not found."})"}});
  std::vector<double> waits;
  absl::StatusOr<std::string> body = Client(server.url(), &waits).RequestOk("GET", "/api/tasks/9");
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(body.status().message(), "GET /api/tasks/9: answered 404: "))
      << body.status();
}

}  // namespace
}  // namespace huale
