#include "huale/acquisition/jensen_shannon.h"

#include <cmath>

#include "gtest/gtest.h"

namespace huale {
namespace {

TEST(JensenShannon2, IdenticalDistributionsAreZero) {
  EXPECT_DOUBLE_EQ(JensenShannon2({0.2, 0.3, 0.5}, {0.2, 0.3, 0.5}), 0.0);
}

TEST(JensenShannon2, DisjointSupportsAreOneBit) {
  EXPECT_NEAR(JensenShannon2({1, 0, 0}, {0, 0.5, 0.5}), 1.0, 1e-12);
}

TEST(JensenShannon2, HalfHalfAgainstOneHotMatchesHandDerivation) {
  // m = (0.75, 0.25); KL(p||m) = 0.5 log2(2/3) + 0.5 log2(2);
  // KL(q||m) = log2(4/3); JS = (KL(p||m) + KL(q||m)) / 2 = 0.311278...
  const double kl_p = 0.5 * std::log2(2.0 / 3.0) + 0.5 * 1.0;
  const double kl_q = std::log2(4.0 / 3.0);
  EXPECT_NEAR(JensenShannon2({0.5, 0.5}, {1, 0}), 0.5 * (kl_p + kl_q), 1e-12);
  EXPECT_NEAR(JensenShannon2({0.5, 0.5}, {1, 0}), 0.311278, 1e-6);
}

TEST(JensenShannon2, IsSymmetricAndTermsSumToIt) {
  const std::vector<double> p = {0.1, 0.6, 0.3}, q = {0.4, 0.4, 0.2};
  EXPECT_NEAR(JensenShannon2(p, q), JensenShannon2(q, p), 1e-15);
  double sum = 0;
  for (double t : JensenShannon2Terms(p, q)) sum += t;
  EXPECT_NEAR(sum, JensenShannon2(p, q), 1e-15);
}

TEST(JensenShannon2, NormalisesInputsAndTreatsAllZeroAsUniform) {
  EXPECT_NEAR(JensenShannon2({2, 2}, {0.5, 0.5}), 0.0, 1e-15);
  EXPECT_NEAR(JensenShannon2({0, 0, 0}, {1, 1, 1}), 0.0, 1e-15);
  // Shorter vector padded with zeros.
  EXPECT_NEAR(JensenShannon2({1}, {0, 1}), 1.0, 1e-12);
}

}  // namespace
}  // namespace huale
