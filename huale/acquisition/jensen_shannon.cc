#include "huale/acquisition/jensen_shannon.h"

#include <algorithm>
#include <cmath>

namespace huale {
namespace {

// x log2(x / m), with 0 log 0 = 0.
double KlTerm(double x, double m) { return x > 0 ? x * std::log2(x / m) : 0.0; }

}  // namespace

std::vector<double> Normalized(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += std::max(0.0, x);
  std::vector<double> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    out[i] = sum > 0 ? std::max(0.0, v[i]) / sum : 1.0 / v.size();
  }
  return out;
}

std::vector<double> JensenShannon2Terms(const std::vector<double>& p,
                                        const std::vector<double>& q) {
  const size_t n = std::max(p.size(), q.size());
  std::vector<double> pp = p, qq = q;
  pp.resize(n, 0.0);
  qq.resize(n, 0.0);
  pp = Normalized(pp);
  qq = Normalized(qq);
  std::vector<double> terms(n, 0.0);
  for (size_t c = 0; c < n; ++c) {
    const double m = 0.5 * (pp[c] + qq[c]);
    terms[c] = 0.5 * (KlTerm(pp[c], m) + KlTerm(qq[c], m));
  }
  return terms;
}

double JensenShannon2(const std::vector<double>& p, const std::vector<double>& q) {
  double js = 0;
  for (double t : JensenShannon2Terms(p, q)) js += t;
  return std::clamp(js, 0.0, 1.0);
}

}  // namespace huale
