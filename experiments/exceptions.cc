#include "experiments/exceptions.h"

#include <iostream>
#include <new>
#include <string>

#include <c10/util/Exception.h>

#include "absl/strings/str_cat.h"

namespace huale {

absl::Status StatusFromException(std::exception_ptr exception) {
  try {
    std::rethrow_exception(exception);
  } catch (const c10::OutOfMemoryError& e) {
    return absl::ResourceExhaustedError(
        absl::StrCat("out of device memory: ", e.what_without_backtrace(),
                     " (lower training.batch_size or the image size)"));
  } catch (const c10::Error& e) {
    return absl::InternalError(absl::StrCat("LibTorch: ", e.what_without_backtrace()));
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError(
        "out of memory (lower training.batch_size, loader_threads or the image size)");
  } catch (const std::exception& e) {
    return absl::UnknownError(e.what());
  } catch (...) {
    return absl::UnknownError("an exception of unknown type");
  }
}

absl::Status CallCatchingExceptions(const std::function<absl::Status()>& body) {
  try {
    return body();
  } catch (...) {
    return StatusFromException(std::current_exception());
  }
}

int RunMainCatchingExceptions(const std::function<int()>& main) {
  try {
    return main();
  } catch (...) {
    std::cerr << "error: " << StatusFromException(std::current_exception()).message() << "\n";
    return 1;
  }
}

}  // namespace huale
