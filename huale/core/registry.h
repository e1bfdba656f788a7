// Typed, self-registering component registries (MediaPipe's registration.h,
// Caffe's layer_factory.hpp): one template for every family (model, loss,
// acquisition function, dataset format, evaluator).
//
// A component registers itself at the bottom of its .cc:
//
//   HUALE_REGISTER(LossRegistry, "eiou", "Extended-IoU box loss (Peng & Yu 2021)",
//                  [](const LossSpec& spec) { return MakeEiouLoss(spec); });
//
// and its library is built with `alwayslink = True`, or the linker drops the
// registration from binaries that never name the symbol. Duplicate names abort at
// start-up; an unknown name is an absl::Status that lists the known names and
// suggests the closest.
#ifndef HUALE_CORE_REGISTRY_H_
#define HUALE_CORE_REGISTRY_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace huale {

// One registered component, type-erased, for listings (`run --list`).
struct ComponentInfo {
  std::string family;
  std::string name;
  std::string description;
};

// Every component of every family, sorted by family then name.
std::vector<ComponentInfo> AllRegisteredComponents();

// The known name nearest to `name` by edit distance (case-insensitive), or "" if
// `known` is empty.
std::string ClosestName(absl::string_view name, const std::vector<std::string>& known);

// OK if a component `name` of `family` is registered in this binary; otherwise
// the same NotFound error as Registry::Find. Lets a driver validate names
// without including every family's interface.
absl::Status CheckRegistered(absl::string_view family, absl::string_view name);

// NotFound: "unknown <family> 'x' (did you mean 'y'?); known: a, b, c".
absl::Status UnknownComponentError(absl::string_view family, absl::string_view name,
                                   const std::vector<std::string>& known);

namespace registry_internal {
// Records a registration in the cross-family catalog; aborts on a duplicate.
void AddToCatalog(absl::string_view family, absl::string_view name,
                  absl::string_view description);
}  // namespace registry_internal

// `Component` must declare `static constexpr char kFamily[]` (e.g. "loss").
// `Args` are what a factory needs to build one (usually its spec message).
template <typename Component, typename... Args>
class Registry {
 public:
  using Factory = std::function<absl::StatusOr<std::unique_ptr<Component>>(Args...)>;

  struct Entry {
    std::string name;
    std::string description;
    Factory factory;
  };

  // Function-local static: safe to use from other translation units' static
  // initialisers, whatever their order.
  static Registry& Get() {
    static Registry* const registry = new Registry();
    return *registry;
  }

  // Used by HUALE_REGISTER; returns true so it can initialise a static.
  bool Add(std::string name, std::string description, Factory factory) {
    registry_internal::AddToCatalog(Component::kFamily, name, description);
    std::string key = name;
    entries_.emplace(std::move(key),
                     Entry{std::move(name), std::move(description), std::move(factory)});
    return true;
  }

  absl::StatusOr<const Entry*> Find(absl::string_view name) const {
    auto it = entries_.find(std::string(name));
    if (it == entries_.end()) {
      return UnknownComponentError(Component::kFamily, name, Names());
    }
    return &it->second;
  }

  absl::StatusOr<std::unique_ptr<Component>> Create(absl::string_view name,
                                                    Args... args) const {
    absl::StatusOr<const Entry*> entry = Find(name);
    if (!entry.ok()) return entry.status();
    return (*entry)->factory(std::forward<Args>(args)...);
  }

  bool Contains(absl::string_view name) const {
    return entries_.count(std::string(name)) > 0;
  }

  // Sorted.
  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    for (const auto& [name, entry] : entries_) names.push_back(name);
    return names;
  }

 private:
  Registry() = default;
  std::map<std::string, Entry> entries_;
};

}  // namespace huale

#define HUALE_REGISTRY_CONCAT_INNER(a, b) a##b
#define HUALE_REGISTRY_CONCAT(a, b) HUALE_REGISTRY_CONCAT_INNER(a, b)

// Registers `factory` under `name` in `RegistryType` at static-initialisation time.
#define HUALE_REGISTER(RegistryType, name, description, factory)             \
  [[maybe_unused]] static const bool HUALE_REGISTRY_CONCAT(                  \
      huale_registered_, __COUNTER__) = (RegistryType::Get().Add(name, description, factory))

#endif  // HUALE_CORE_REGISTRY_H_
