// Training the match model without labels (and with them when clerical review has supplied
// some).
//
//   - u: the level frequencies among random pairs of records (nearly all non-matches);
//   - m: expectation-maximisation over the candidate pairs of each blocking rule in turn, with
//     u fixed. A rule's own comparisons are left out of its session (every pair it finds agrees
//     on them, so its pairs say nothing about their m); each comparison's m is the average of
//     the sessions that could estimate it;
//   - lambda: the expected number of matches among all candidate pairs, under the trained m and
//     u, over the number of all possible pairs;
//   - then u again, each random pair counted by its posterior chance of not being a match, and
//     m and lambda again, until u settles: the true matches in a random sample would otherwise
//     pass for chance agreement (in a file of n records about 1 random pair in n is a match,
//     enough to dwarf the chance agreement on an identifier). Address and contact, which a
//     household shares, keep the first estimate (train.cc says why);
//   - term frequencies of given and family names, from the records.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "core/status.h"
#include "resolve/blocking.h"
#include "resolve/linkage_model.h"
#include "resolve/records.h"

namespace tessera::resolve {

struct TrainingOptions {
  int64_t random_pairs = 2'000'000;
  int max_iterations = 200;
  double tolerance = 1e-6;
  uint64_t seed = 20261124;
  int threads = 2;
  int64_t min_session_pairs = 100;  // smaller sessions do not estimate m
};

// A pair a person has decided (clerical review): its posterior is fixed in EM.
struct LabelledPair {
  uint32_t a = 0;
  uint32_t b = 0;
  bool match = false;
};

// Identical comparison vectors, counted.
struct PatternCount {
  uint64_t pattern = 0;
  double count = 0.0;
  double fixed_posterior = -1.0;  // >= 0: a labelled pattern, not re-estimated
};

struct EmResult {
  std::array<std::vector<double>, kComparisonCount> m;
  double lambda = 0.0;
  int iterations = 0;
  bool converged = false;
};

// Fellegi-Sunter EM with u fixed: estimates m (for comparisons not `excluded`) and lambda.
EmResult RunEm(const std::vector<PatternCount>& patterns,
               const std::array<ComparisonParameters, kComparisonCount>& start, double lambda,
               const std::array<bool, kComparisonCount>& excluded, int max_iterations,
               double tolerance);

// Trains from every record in `table` that `index` has not removed. `start` supplies the
// settings, blocking rules, thresholds and the m values to start from.
Result<LinkageModel> TrainModel(const RecordTable& table, const BlockingIndex& index,
                                const LinkageModel& start, const TrainingOptions& options,
                                const std::vector<LabelledPair>& labels = {});

}  // namespace tessera::resolve
