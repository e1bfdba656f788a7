#include "huale/core/http_client.h"

#include <curl/curl.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"

namespace huale {
namespace {

void InitializeCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t AppendBody(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

struct Attempt {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string body;
  std::string error;  // curl's message when code != CURLE_OK
};

Attempt Perform(const std::string& url, absl::string_view method, absl::string_view body,
                const std::vector<std::string>& headers, double timeout_seconds) {
  Attempt attempt;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    attempt.code = CURLE_FAILED_INIT;
    attempt.error = "curl_easy_init failed";
    return attempt;
  }
  char error[CURL_ERROR_SIZE] = {0};
  curl_slist* list = nullptr;
  for (const std::string& header : headers) list = curl_slist_append(list, header.c_str());
  if (!body.empty()) list = curl_slist_append(list, "Content-Type: application/json");
  list = curl_slist_append(list, "Accept: application/json");
  const std::string method_text(method);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method_text.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_seconds * 1000));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min(timeout_seconds, 30.0) * 1000));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &attempt.body);
  if (!body.empty()) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  attempt.code = curl_easy_perform(curl);
  if (attempt.code == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &attempt.status);
  } else {
    attempt.error = error[0] != 0 ? error : curl_easy_strerror(attempt.code);
  }
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return attempt;
}

std::string Snippet(const std::string& body) {
  std::string text = body.substr(0, 300);
  if (body.size() > 300) text += "...";
  return text;
}

}  // namespace

HttpClient::HttpClient(std::string service, std::string base_url,
                       std::vector<std::string> headers, RetryPolicy retry)
    : service_(std::move(service)),
      base_url_(absl::StripSuffix(base_url, "/")),
      headers_(std::move(headers)),
      retry_(retry),
      sleep_([](double seconds) {
        std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
      }) {
  InitializeCurlOnce();
}

absl::StatusOr<HttpResponse> HttpClient::Request(absl::string_view method, absl::string_view path,
                                                 absl::string_view json_body) const {
  const std::string url = absl::StrCat(base_url_, path);
  const std::string what = absl::StrCat(service_, " at ", base_url_, ": ", method, " ", path);
  double wait = retry_.first_wait_seconds, waited = 0;
  std::string last;
  const int attempts = std::max(1, retry_.max_attempts);
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    Attempt answer = Perform(url, method, json_body, headers_, retry_.timeout_seconds);
    if (answer.code != CURLE_OK) {
      last = answer.error;
    } else if (answer.status == 401 || answer.status == 403) {
      return absl::PermissionDeniedError(absl::StrCat(
          what, ": answered ", answer.status, answer.status == 401 ? " Unauthorized" : " Forbidden",
          " (is the token right?): ", Snippet(answer.body)));
    } else if (answer.status >= 500 || answer.status == 429) {
      last = absl::StrCat("answered ", answer.status, ": ", Snippet(answer.body));
    } else {
      return HttpResponse{answer.status, std::move(answer.body)};
    }
    if (attempt < attempts) {
      sleep_(wait);
      waited += wait;
      wait *= 2;
    }
  }
  return absl::UnavailableError(absl::StrFormat("%s: %s (tried %d times over %.0f s)", what, last,
                                                attempts, waited));
}

absl::StatusOr<std::string> HttpClient::RequestOk(absl::string_view method, absl::string_view path,
                                                  absl::string_view json_body) const {
  absl::StatusOr<HttpResponse> response = Request(method, path, json_body);
  if (!response.ok()) return response.status();
  if (response->status < 200 || response->status >= 300) {
    return absl::FailedPreconditionError(absl::StrCat(service_, " at ", base_url_, ": ", method,
                                                      " ", path, ": answered ", response->status,
                                                      ": ", Snippet(response->body)));
  }
  return std::move(response->body);
}

}  // namespace huale
