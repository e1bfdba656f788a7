// The drivers' last line of defence: an exception that escapes huale's
// Status-returning code (LibTorch throws c10::Error; the allocator throws
// std::bad_alloc) becomes an error message and a Status, never
// `terminate called after throwing` with a stack trace.
#ifndef EXPERIMENTS_EXCEPTIONS_H_
#define EXPERIMENTS_EXCEPTIONS_H_

#include <exception>
#include <functional>

#include "absl/status/status.h"

namespace huale {

// The exception as a Status: kInternal with "LibTorch: <message>" (without
// LibTorch's C++ backtrace), kResourceExhausted for out-of-memory, kUnknown
// for anything else.
absl::Status StatusFromException(std::exception_ptr exception);

// Calls `body`; an exception escaping it becomes StatusFromException's.
absl::Status CallCatchingExceptions(const std::function<absl::Status()>& body);

// A driver's main: `main`'s exit code, or "error: ..." on stderr and 1 for
// what the Status-returning code did not turn into a message.
int RunMainCatchingExceptions(const std::function<int()>& main);

}  // namespace huale

#endif  // EXPERIMENTS_EXCEPTIONS_H_
