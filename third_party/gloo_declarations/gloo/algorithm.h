// Declarations of the few Gloo types that LibTorch's ProcessGroupGloo.hpp names.
//
// Why this exists: the PyPI torch wheel ships c10d's headers (ProcessGroupGloo.hpp)
// and Gloo's compiled code inside libtorch_cpu.so, but not Gloo's own headers,
// and Debian's libgloo-dev is three years older than the wheel's Gloo (its
// rendezvous::Store lacks the virtuals ProcessGroupGloo.hpp overrides). huale
// only creates a ProcessGroupGloo and calls its out-of-line collectives; every
// Gloo type reaches our code behind a pointer, so declarations suffice and no
// Gloo object is laid out or called from here. This file is not Gloo: it holds
// exactly what ProcessGroupGloo.hpp needs to parse, and nothing is defined.
// //huale/engine:distributed_test runs real two-process collectives through it.
#ifndef THIRD_PARTY_GLOO_DECLARATIONS_GLOO_ALGORITHM_H_
#define THIRD_PARTY_GLOO_DECLARATIONS_GLOO_ALGORITHM_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace gloo {

class Context {
 public:
  void setTimeout(std::chrono::milliseconds timeout);  // defined in libtorch_cpu.so
};

namespace transport {
class Device;
class UnboundBuffer;
}  // namespace transport

namespace rendezvous {
// The interface ProcessGroupGloo::GlooStore implements (declared, never
// instantiated here).
class Store {
 public:
  static constexpr std::chrono::milliseconds kDefaultTimeout = std::chrono::seconds(30);
  virtual ~Store() = default;
  virtual void set(const std::string& key, const std::vector<char>& data) = 0;
  virtual std::vector<char> get(const std::string& key) = 0;
  virtual void wait(const std::vector<std::string>& keys) = 0;
  virtual void wait(const std::vector<std::string>& keys,
                    const std::chrono::milliseconds& timeout) = 0;
  virtual bool has_v2_support() = 0;
  virtual std::vector<std::vector<char>> multi_get(const std::vector<std::string>& keys) = 0;
  virtual void multi_set(const std::vector<std::string>& keys,
                         const std::vector<std::vector<char>>& values) = 0;
  virtual void append(const std::string& key, const std::vector<char>& data) = 0;
  virtual int64_t add(const std::string& key, int64_t value) = 0;
};
}  // namespace rendezvous

}  // namespace gloo

#endif  // THIRD_PARTY_GLOO_DECLARATIONS_GLOO_ALGORITHM_H_
