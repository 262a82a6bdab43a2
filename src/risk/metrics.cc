// Evaluation metrics, written out so that each is tested against hand-worked values.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "risk/risk.h"

namespace tessera::risk {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Positions by score, highest first; ties keep their order.
std::vector<size_t> ByScoreDescending(std::span<const double> scores) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  return order;
}

// SplitMix64: a small generator whose sequence is fixed by its seed on every platform.
struct SplitMix64 {
  uint64_t state;
  uint64_t Next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
};

int BinOf(double p, int bins) { return std::clamp(static_cast<int>(p * bins), 0, bins - 1); }

}  // namespace

double RocAuc(std::span<const double> scores, std::span<const int> labels) {
  // Mann-Whitney U with mid-ranks: a tied positive and negative count half.
  const size_t n = scores.size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  double positive_rank_sum = 0;
  int64_t positives = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && scores[order[j]] == scores[order[i]]) ++j;
    const double mid_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
    for (size_t t = i; t < j; ++t) {
      if (labels[order[t]] != 0) {
        positive_rank_sum += mid_rank;
        ++positives;
      }
    }
    i = j;
  }
  const int64_t negatives = static_cast<int64_t>(n) - positives;
  if (positives == 0 || negatives == 0) return kNaN;
  const double p = static_cast<double>(positives);
  return (positive_rank_sum - p * (p + 1) / 2.0) / (p * static_cast<double>(negatives));
}

double AveragePrecision(std::span<const double> scores, std::span<const int> labels) {
  // Sum over distinct thresholds of (recall gained) x (precision there); tied scores are one
  // threshold.
  const std::vector<size_t> order = ByScoreDescending(scores);
  const int64_t positives = std::count_if(labels.begin(), labels.end(), [](int l) { return l; });
  if (positives == 0) return kNaN;
  double ap = 0;
  int64_t tp = 0, seen = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    int64_t gained = 0;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) {
      gained += labels[order[j]] != 0;
      ++j;
    }
    tp += gained;
    seen += static_cast<int64_t>(j - i);
    ap += (static_cast<double>(gained) / positives) * (static_cast<double>(tp) / seen);
    i = j;
  }
  return ap;
}

std::vector<ReliabilityBin> ReliabilityTable(std::span<const double> probabilities,
                                             std::span<const int> labels, int bins) {
  std::vector<ReliabilityBin> out(bins);
  std::vector<double> sum_p(bins, 0), sum_y(bins, 0);
  for (size_t i = 0; i < probabilities.size(); ++i) {
    const int b = BinOf(probabilities[i], bins);
    ++out[b].n;
    sum_p[b] += probabilities[i];
    sum_y[b] += labels[i] != 0;
  }
  for (int b = 0; b < bins; ++b) {
    out[b].lo = static_cast<double>(b) / bins;
    out[b].hi = static_cast<double>(b + 1) / bins;
    if (out[b].n > 0) {
      out[b].mean_predicted = sum_p[b] / out[b].n;
      out[b].observed_rate = sum_y[b] / out[b].n;
    }
  }
  return out;
}

double ExpectedCalibrationError(std::span<const double> probabilities, std::span<const int> labels,
                                int bins) {
  if (probabilities.empty()) return kNaN;
  double ece = 0;
  for (const ReliabilityBin& b : ReliabilityTable(probabilities, labels, bins)) {
    ece += static_cast<double>(b.n) / probabilities.size() *
           std::abs(b.mean_predicted - b.observed_rate);
  }
  return ece;
}

Interval BootstrapEceInterval(std::span<const double> probabilities, std::span<const int> labels,
                              int replicates, uint64_t seed, int bins) {
  const size_t n = probabilities.size();
  if (n == 0 || replicates <= 0) return {kNaN, kNaN};
  SplitMix64 rng{seed};
  std::vector<double> p(n), values;
  std::vector<int> y(n);
  values.reserve(replicates);
  for (int r = 0; r < replicates; ++r) {
    for (size_t i = 0; i < n; ++i) {
      const size_t pick = rng.Next() % n;
      p[i] = probabilities[pick];
      y[i] = labels[pick];
    }
    values.push_back(ExpectedCalibrationError(p, y, bins));
  }
  std::sort(values.begin(), values.end());
  auto at = [&](double q) {
    const size_t index = static_cast<size_t>(std::floor(q * (replicates - 1) + 0.5));
    return values[std::min(index, values.size() - 1)];
  };
  return {at(0.025), at(0.975)};
}

std::vector<bool> TopK(std::span<const double> scores, int64_t k) {
  std::vector<bool> flagged(scores.size(), false);
  const std::vector<size_t> order = ByScoreDescending(scores);
  for (size_t i = 0; i < order.size() && static_cast<int64_t>(i) < k; ++i) flagged[order[i]] = true;
  return flagged;
}

TopKMetrics PrecisionRecallAtK(std::span<const double> scores, std::span<const int> labels,
                               int64_t k) {
  TopKMetrics m;
  m.k = std::min<int64_t>(k, static_cast<int64_t>(scores.size()));
  const std::vector<bool> flagged = TopK(scores, k);
  for (size_t i = 0; i < scores.size(); ++i) {
    m.positives += labels[i] != 0;
    m.true_positives += flagged[i] && labels[i] != 0;
  }
  m.precision = m.k > 0 ? static_cast<double>(m.true_positives) / m.k : kNaN;
  m.recall = m.positives > 0 ? static_cast<double>(m.true_positives) / m.positives : kNaN;
  return m;
}

double PlattCalibration::Apply(double margin) const {
  return 1.0 / (1.0 + std::exp(-(a * margin + b)));
}

PlattCalibration FitPlatt(std::span<const double> margins, std::span<const int> labels) {
  // Newton's method on the log loss of sigmoid(a * m + b), with a small ridge so that a
  // separable slice cannot send the step to infinity.
  PlattCalibration c;
  for (int iteration = 0; iteration < 100; ++iteration) {
    double ga = 0, gb = 0, haa = 1e-6, hab = 0, hbb = 1e-6;
    for (size_t i = 0; i < margins.size(); ++i) {
      const double p = c.Apply(margins[i]);
      const double r = p - (labels[i] != 0);
      const double w = std::max(p * (1 - p), 1e-12);
      ga += r * margins[i];
      gb += r;
      haa += w * margins[i] * margins[i];
      hab += w * margins[i];
      hbb += w;
    }
    const double det = haa * hbb - hab * hab;
    if (std::abs(det) < 1e-18) break;
    const double da = (hbb * ga - hab * gb) / det;
    const double db = (haa * gb - hab * ga) / det;
    c.a -= da;
    c.b -= db;
    if (std::abs(da) < 1e-10 && std::abs(db) < 1e-10) break;
  }
  return c;
}

}  // namespace tessera::risk
