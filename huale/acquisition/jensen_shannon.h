// Jensen-Shannon divergence in bits (base 2), so it lies in [0, 1]: the
// disagreement measure of Semantic Affinity, Category Diversity and CALD.
#ifndef HUALE_ACQUISITION_JENSEN_SHANNON_H_
#define HUALE_ACQUISITION_JENSEN_SHANNON_H_

#include <vector>

namespace huale {

// JS₂(p ‖ q) = ½ KL₂(p ‖ m) + ½ KL₂(q ‖ m), m = (p + q) / 2. Both are
// L1-normalised first (an all-zero vector becomes uniform); the shorter one is
// padded with zeros. 0 log 0 = 0.
double JensenShannon2(const std::vector<double>& p, const std::vector<double>& q);

// The per-class terms of JS₂ (they sum to JensenShannon2(p, q)); the unit
// uncertainties HUA aggregates over classes.
std::vector<double> JensenShannon2Terms(const std::vector<double>& p,
                                        const std::vector<double>& q);

// L1-normalised copy of non-negative `v`; uniform when the sum is not positive.
std::vector<double> Normalized(const std::vector<double>& v);

}  // namespace huale

#endif  // HUALE_ACQUISITION_JENSEN_SHANNON_H_
