// A small JSON-over-HTTP client (libcurl) for the services huale talks to (a
// labelling tool's REST API), with the retry rules such a client needs:
// failures that may pass (no connection, a timeout, HTTP 5xx, 429) are tried
// again with exponential back-off; the rest are answered at once.
#ifndef HUALE_CORE_HTTP_CLIENT_H_
#define HUALE_CORE_HTTP_CLIENT_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace huale {

struct HttpResponse {
  long status = 0;  // HTTP status code
  std::string body;
};

struct RetryPolicy {
  int max_attempts = 5;        // tries in all, >= 1
  double first_wait_seconds = 1;  // then doubled after each failed try
  double timeout_seconds = 120;   // one request, connection included
};

class HttpClient {
 public:
  // `base_url` ("http://host:port", a trailing '/' dropped) is prefixed to every
  // path; `headers` ("Name: value") go with every request. `service` names the
  // server in messages ("Label Studio").
  HttpClient(std::string service, std::string base_url, std::vector<std::string> headers,
             RetryPolicy retry);

  // Sends `method` ("GET", "POST", "PATCH", "DELETE") to base_url + `path` with
  // `json_body` (none when empty). Returns the response when it arrived with a
  // status below 500 other than 401, 403 and 429 (the caller judges 4xx).
  // Errors name the service, the method and the path:
  //   kUnavailable    no answer, or 5xx / 429, after max_attempts tries
  //   kPermissionDenied 401 / 403 (never retried: a wrong token stays wrong)
  absl::StatusOr<HttpResponse> Request(absl::string_view method, absl::string_view path,
                                       absl::string_view json_body = "") const;

  // Like Request, and also an error (kFailedPrecondition, with the body's
  // first 300 bytes) for any status outside 2xx.
  absl::StatusOr<std::string> RequestOk(absl::string_view method, absl::string_view path,
                                        absl::string_view json_body = "") const;

  const std::string& base_url() const { return base_url_; }

  // For tests: replaces the wait between tries.
  void set_sleep_for_testing(std::function<void(double seconds)> sleep) { sleep_ = std::move(sleep); }

 private:
  std::string service_;
  std::string base_url_;
  std::vector<std::string> headers_;
  RetryPolicy retry_;
  std::function<void(double)> sleep_;
};

}  // namespace huale

#endif  // HUALE_CORE_HTTP_CLIENT_H_
