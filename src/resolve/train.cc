#include "resolve/train.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <map>
#include <string>
#include <thread>
#include <unordered_map>

#include "core/clock.h"
#include "core/random.h"

namespace tessera::resolve {
namespace {

constexpr double kMinProbability = 1e-7;

std::vector<PatternCount> ToVector(const std::unordered_map<uint64_t, double>& counts) {
  std::vector<PatternCount> out;
  out.reserve(counts.size());
  for (const auto& [p, c] : counts) out.push_back({p, c, -1.0});
  // Sorted so that floating-point sums run in one order whatever the hash map did.
  std::sort(out.begin(), out.end(),
            [](const PatternCount& a, const PatternCount& b) { return a.pattern < b.pattern; });
  return out;
}

// The comparison vectors of random pairs of live records, counted by pattern.
std::unordered_map<uint64_t, double> RandomPairPatterns(const RecordTable& table,
                                                        const BlockingIndex& index,
                                                        const Comparer& comparer,
                                                        const TrainingOptions& options,
                                                        int64_t& pairs) {
  std::vector<uint32_t> live;
  for (uint32_t i = 0; i < table.size(); ++i) {
    if (!index.removed(i)) live.push_back(i);
  }
  std::unordered_map<uint64_t, double> patterns;
  pairs = 0;
  if (live.size() < 2) return patterns;
  Rng rng(options.seed);
  for (int64_t n = 0; n < options.random_pairs; ++n) {
    uint32_t a = live[rng.Below(live.size())];
    uint32_t b = live[rng.Below(live.size())];
    if (a == b) continue;
    patterns[comparer.Compare(table.at(a), table.at(b)).Pattern()] += 1;
    ++pairs;
  }
  return patterns;
}

// Address and contact details are shared by the people of a household, so their agreement goes
// with a shared family name among non-matches far more often than independence supposes. Their
// u stays as the plain random sample gives it (a little high, so a little cautious), while the
// person's own attributes get the corrected u. Measured in docs/design/0007-resolution.md:
// correcting these two as well cost the synthetic world 1,349 false pairs; leaving them alone,
// 290.
bool SharedByAHousehold(int comparison) {
  return comparison == static_cast<int>(ComparisonKind::kLocation) ||
         comparison == static_cast<int>(ComparisonKind::kContact);
}

// u: level frequencies among the random pairs that are not matches. Each pattern counts with
// the weight `non_match` gives it: 1 for the first estimate (random pairs are nearly all
// non-matches), then 1 - its posterior match probability under the trained model, so that the
// few true matches a random sample holds do not pass for chance agreement. In a small file
// they are a large share of the pairs that agree on an identifier (FEBRL4: about 200 of 2
// million random pairs are matches, and they were nearly all the identifier agreements).
// Only the comparisons `estimate` accepts are estimated. Returns the largest change of any u,
// as a log ratio.
template <typename Weight, typename Which>
double EstimateU(const std::vector<PatternCount>& random_patterns, Weight non_match, Which estimate,
                 LinkageModel& model) {
  std::array<std::vector<double>, kComparisonCount> counts;
  for (int c = 0; c < kComparisonCount; ++c)
    counts[c].assign(model.comparisons[c].levels.size(), 0);
  for (const PatternCount& p : random_patterns) {
    LevelVector v = LevelVector::FromPattern(p.pattern);
    double w = p.count * non_match(v);
    for (int c = 0; c < kComparisonCount; ++c) {
      if (v.level[c] != kNullLevel) counts[c][v.level[c]] += w;
    }
  }
  double change = 0;
  for (int c = 0; c < kComparisonCount; ++c) {
    if (!estimate(c)) continue;
    std::vector<LevelParameters>& levels = model.comparisons[c].levels;
    double total = 0;
    for (double x : counts[c]) total += x;
    if (total < 1000) continue;  // too few non-null pairs: keep the starting u
    // Half a pair of pseudo-count per level: a level never seen among random pairs (two
    // records sharing an NHS number) gets u of about 1 in twice the sample, not zero.
    double denominator = total + 0.5 * static_cast<double>(levels.size());
    for (size_t l = 0; l < levels.size(); ++l) {
      double u = (counts[c][l] + 0.5) / denominator;
      change = std::max(change, std::abs(std::log(u / levels[l].u)));
      levels[l].u = u;
    }
  }
  return change;
}

// The posterior match probability of a comparison vector under `model`, with `prior` the
// probability of a match before comparing.
double Posterior(const LinkageModel& model, const LevelVector& v, double prior) {
  double pm = prior;
  double pu = 1.0 - prior;
  for (int c = 0; c < kComparisonCount; ++c) {
    uint8_t l = v.level[c];
    if (l == kNullLevel) continue;
    pm *= model.comparisons[c].levels[l].m;
    pu *= model.comparisons[c].levels[l].u;
  }
  return pm / (pm + pu);
}

void TermFrequencies(const RecordTable& table, const BlockingIndex& index, LinkageModel& model) {
  std::unordered_map<uint32_t, int64_t> given;
  std::unordered_map<uint32_t, int64_t> family;
  int64_t n = 0;
  for (uint32_t i = 0; i < table.size(); ++i) {
    if (index.removed(i)) continue;
    const LinkageRecord& r = table.at(i);
    ++n;
    if (r.given != 0) ++given[r.given];
    if (r.family != 0) ++family[r.family];
  }
  model.given_frequencies.clear();
  model.family_frequencies.clear();
  if (n == 0) return;
  model.term_frequency_floor = 1.0 / static_cast<double>(n);
  for (const auto& [id, count] : given) {
    if (count >= 2) {
      model.given_frequencies[std::string(table.pool().View(id))] =
          static_cast<double>(count) / static_cast<double>(n);
    }
  }
  for (const auto& [id, count] : family) {
    if (count >= 2) {
      model.family_frequencies[std::string(table.pool().View(id))] =
          static_cast<double>(count) / static_cast<double>(n);
    }
  }
}

}  // namespace

EmResult RunEm(const std::vector<PatternCount>& patterns,
               const std::array<ComparisonParameters, kComparisonCount>& start, double lambda,
               const std::array<bool, kComparisonCount>& excluded, int max_iterations,
               double tolerance) {
  EmResult r;
  for (int c = 0; c < kComparisonCount; ++c) {
    for (const LevelParameters& l : start[c].levels) r.m[c].push_back(l.m);
  }
  r.lambda = lambda;
  std::vector<LevelVector> vectors;
  vectors.reserve(patterns.size());
  for (const PatternCount& p : patterns) vectors.push_back(LevelVector::FromPattern(p.pattern));

  for (int it = 1; it <= max_iterations; ++it) {
    std::array<std::vector<double>, kComparisonCount> num;
    std::array<double, kComparisonCount> den{};
    for (int c = 0; c < kComparisonCount; ++c) num[c].assign(r.m[c].size(), 0.0);
    double matched = 0;
    double total = 0;
    for (size_t i = 0; i < patterns.size(); ++i) {
      const LevelVector& v = vectors[i];
      double posterior = patterns[i].fixed_posterior;
      if (posterior < 0) {
        double pm = r.lambda;
        double pu = 1.0 - r.lambda;
        for (int c = 0; c < kComparisonCount; ++c) {
          uint8_t l = v.level[c];
          if (excluded[c] || l == kNullLevel) continue;
          pm *= r.m[c][l];
          pu *= start[c].levels[l].u;
        }
        posterior = pm / (pm + pu);
      }
      double w = patterns[i].count * posterior;
      matched += w;
      total += patterns[i].count;
      for (int c = 0; c < kComparisonCount; ++c) {
        uint8_t l = v.level[c];
        if (excluded[c] || l == kNullLevel) continue;
        num[c][l] += w;
        den[c] += w;
      }
    }
    double change = 0;
    for (int c = 0; c < kComparisonCount; ++c) {
      if (excluded[c] || den[c] <= 0) continue;
      double sum = 0;
      for (size_t l = 0; l < num[c].size(); ++l) {
        num[c][l] = std::max(num[c][l] / den[c], kMinProbability);
        sum += num[c][l];
      }
      for (size_t l = 0; l < num[c].size(); ++l) {
        double m = num[c][l] / sum;
        change = std::max(change, std::abs(m - r.m[c][l]));
        r.m[c][l] = m;
      }
    }
    double new_lambda = total > 0 ? std::clamp(matched / total, 1e-9, 1.0 - 1e-9) : r.lambda;
    change = std::max(change, std::abs(new_lambda - r.lambda));
    r.lambda = new_lambda;
    r.iterations = it;
    if (change < tolerance) {
      r.converged = true;
      break;
    }
  }
  return r;
}

Result<LinkageModel> TrainModel(const RecordTable& table, const BlockingIndex& index,
                                const LinkageModel& start, const TrainingOptions& options,
                                const std::vector<LabelledPair>& labels) {
  LinkageModel model = start;
  model.training = TrainingSummary{};
  model.training.trained_at = FormatUtc(SystemClock::Instance().NowMicros());
  int64_t live = 0;
  for (uint32_t i = 0; i < table.size(); ++i) live += index.removed(i) ? 0 : 1;
  model.training.records = live;
  if (live < 2) return Status::FailedPrecondition("training needs at least two person records");

  Comparer comparer(table, model.settings);
  std::vector<PatternCount> random_patterns =
      ToVector(RandomPairPatterns(table, index, comparer, options, model.training.random_pairs));
  EstimateU(
      random_patterns, [](const LevelVector&) { return 1.0; }, [](int) { return true; }, model);
  TermFrequencies(table, index, model);

  // Candidate pairs' comparison vectors, per rule (every rule that finds a pair, so that each
  // session sees all of its rule's pairs) and overall (once per pair).
  const size_t rules = index.rules().size();
  int threads = std::max(1, options.threads);
  std::vector<std::vector<std::unordered_map<uint64_t, double>>> per_thread(
      threads, std::vector<std::unordered_map<uint64_t, double>>(rules));
  std::vector<std::unordered_map<uint64_t, double>> union_counts(threads);
  index.ForEachPair(threads, [&](int t, size_t rule, uint32_t a, uint32_t b) {
    uint64_t p = comparer.Compare(table.at(a), table.at(b)).Pattern();
    union_counts[t][p] += 1;
    per_thread[t][rule][p] += 1;
    for (size_t r = rule + 1; r < rules; ++r) {
      if (index.SharesBlock(r, a, b)) per_thread[t][r][p] += 1;
    }
  });
  std::vector<std::unordered_map<uint64_t, double>> session_counts(rules);
  std::unordered_map<uint64_t, double> all;
  for (int t = 0; t < threads; ++t) {
    for (size_t r = 0; r < rules; ++r) {
      for (const auto& [p, c] : per_thread[t][r]) session_counts[r][p] += c;
    }
    for (const auto& [p, c] : union_counts[t]) all[p] += c;
  }
  std::vector<PatternCount> labelled;
  for (const LabelledPair& l : labels) {
    if (l.a >= table.size() || l.b >= table.size()) continue;
    labelled.push_back(
        {comparer.Compare(table.at(l.a), table.at(l.b)).Pattern(), 1.0, l.match ? 1.0 : 0.0});
  }
  model.training.labelled_pairs = static_cast<int64_t>(labelled.size());

  std::vector<PatternCount> union_patterns = ToVector(all);
  double blocked = 0;
  for (const PatternCount& p : union_patterns) blocked += p.count;
  model.training.blocked_pairs = static_cast<int64_t>(blocked);
  const double all_pairs = static_cast<double>(live) * static_cast<double>(live - 1) / 2;

  // m and lambda under the current u; then u again from the random pairs the model does not
  // take for matches, and m and lambda again, until u settles (two or three rounds).
  auto fit = [&] {
    model.training.sessions.clear();
    for (int c = 0; c < kComparisonCount; ++c) {
      for (size_t l = 0; l < model.comparisons[c].levels.size(); ++l)
        model.comparisons[c].levels[l].m = start.comparisons[c].levels[l].m;
    }
    // m: one EM session per blocking rule.
    std::array<std::vector<double>, kComparisonCount> m_sum;
    std::array<int, kComparisonCount> m_sessions{};
    for (int c = 0; c < kComparisonCount; ++c)
      m_sum[c].assign(model.comparisons[c].levels.size(), 0);
    for (size_t r = 0; r < rules; ++r) {
      std::vector<PatternCount> patterns = ToVector(session_counts[r]);
      double pairs = 0;
      for (const PatternCount& p : patterns) pairs += p.count;
      TrainingSummary::Session s;
      s.rule = index.rules()[r].name;
      s.pairs = static_cast<int64_t>(pairs);
      if (pairs < static_cast<double>(options.min_session_pairs)) {
        model.training.sessions.push_back(s);
        continue;
      }
      patterns.insert(patterns.end(), labelled.begin(), labelled.end());
      std::array<bool, kComparisonCount> excluded{};
      for (KeyPart part : index.rules()[r].parts) {
        excluded[static_cast<int>(KeyPartComparison(part))] = true;
      }
      EmResult em = RunEm(patterns, model.comparisons, 0.5, excluded, options.max_iterations,
                          options.tolerance);
      s.iterations = em.iterations;
      s.converged = em.converged;
      s.lambda = em.lambda;
      model.training.sessions.push_back(s);
      for (int c = 0; c < kComparisonCount; ++c) {
        if (excluded[c]) continue;
        for (size_t l = 0; l < m_sum[c].size(); ++l) m_sum[c][l] += em.m[c][l];
        ++m_sessions[c];
      }
    }
    for (int c = 0; c < kComparisonCount; ++c) {
      if (m_sessions[c] == 0) continue;
      for (size_t l = 0; l < m_sum[c].size(); ++l) {
        model.comparisons[c].levels[l].m = std::max(m_sum[c][l] / m_sessions[c], kMinProbability);
      }
      model.comparisons[c].m_estimated = true;
    }

    // lambda: expected matches among all candidate pairs, over all possible pairs.
    double lambda_blocked = 0.5;
    for (int it = 0; it < options.max_iterations; ++it) {
      double expected = 0;
      for (const PatternCount& p : union_patterns) {
        expected += p.count * Posterior(model, LevelVector::FromPattern(p.pattern), lambda_blocked);
      }
      double next = blocked > 0 ? expected / blocked : 0.5;
      bool done = std::abs(next - lambda_blocked) < options.tolerance;
      lambda_blocked = next;
      if (done) break;
    }
    model.training.expected_matches = lambda_blocked * blocked;
    model.lambda = std::clamp(model.training.expected_matches / all_pairs, 1e-12, 0.5);
  };
  constexpr int kURounds = 5;
  constexpr double kUSettled = 0.01;  // largest change of any u, as a log ratio
  fit();
  for (int round = 1; round < kURounds; ++round) {
    double change = EstimateU(
        random_patterns,
        [&](const LevelVector& v) { return 1.0 - Posterior(model, v, model.lambda); },
        [](int c) { return !SharedByAHousehold(c); }, model);
    fit();
    if (change < kUSettled) break;
  }
  return model;
}

}  // namespace tessera::resolve
