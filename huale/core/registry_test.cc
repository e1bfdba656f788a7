#include "huale/core/registry.h"

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace huale {
namespace {

using ::testing::HasSubstr;

struct Greeter {
  static constexpr char kFamily[] = "greeter";
  virtual ~Greeter() = default;
  virtual std::string Greet() const = 0;
};
using GreeterRegistry = Registry<Greeter, const std::string&>;

struct Hello : Greeter {
  explicit Hello(std::string who) : who(std::move(who)) {}
  std::string Greet() const override { return "hello " + who; }
  std::string who;
};

HUALE_REGISTER(GreeterRegistry, "hello", "says hello",
               [](const std::string& who) -> absl::StatusOr<std::unique_ptr<Greeter>> {
                 return std::make_unique<Hello>(who);
               });
HUALE_REGISTER(GreeterRegistry, "help", "says help",
               [](const std::string&) -> absl::StatusOr<std::unique_ptr<Greeter>> {
                 return absl::InvalidArgumentError("help refuses to be built");
               });

TEST(Registry, CreatesARegisteredComponentWithItsArguments) {
  auto greeter = GreeterRegistry::Get().Create("hello", "world");
  ASSERT_TRUE(greeter.ok()) << greeter.status();
  EXPECT_EQ((*greeter)->Greet(), "hello world");
}

TEST(Registry, FactoryErrorsReachTheCaller) {
  auto greeter = GreeterRegistry::Get().Create("help", "x");
  EXPECT_EQ(greeter.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Registry, UnknownNameListsKnownNamesAndSuggestsTheClosest) {
  auto greeter = GreeterRegistry::Get().Create("helo", "x");
  ASSERT_EQ(greeter.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(greeter.status().message(), HasSubstr("unknown greeter 'helo'"));
  EXPECT_THAT(greeter.status().message(), HasSubstr("did you mean 'hello'?"));
  EXPECT_THAT(greeter.status().message(), HasSubstr("known: hello, help"));
}

TEST(Registry, CatalogListsEveryFamilyWithDescriptions) {
  bool found = false;
  for (const ComponentInfo& info : AllRegisteredComponents()) {
    if (info.family == "greeter" && info.name == "hello") {
      EXPECT_EQ(info.description, "says hello");
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

TEST(Registry, ClosestNameIsCaseInsensitive) {
  EXPECT_EQ(ClosestName("EIOU", {"smooth_l1", "eiou", "focal_eiou"}), "eiou");
  EXPECT_EQ(ClosestName("x", {}), "");
}

TEST(RegistryDeathTest, DuplicateNameAbortsAtRegistration) {
  EXPECT_DEATH(
      GreeterRegistry::Get().Add(
          "hello", "a second hello",
          [](const std::string&) -> absl::StatusOr<std::unique_ptr<Greeter>> {
            return nullptr;
          }),
      "greeter 'hello' is registered twice");
}

}  // namespace
}  // namespace huale
