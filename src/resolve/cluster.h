// Clustering: from scored pairs to groups of records that are one person.
//
// Links are taken strongest first (human must-links before any score), and two groups join
// only if the result would hold no contradiction:
//   - two different valid NHS numbers;
//   - two dates of birth that disagree beyond any typo (more than ten years apart, not a
//     day/month swap or a one-digit slip), unless two records giving them are strongly linked
//     directly:
//     the model has then weighed that disagreement against everything else the two share,
//     whereas a conflict that would only arise through a chain of other records is refused;
//   - two given names that are plainly different (not a variant, typo, initial or swap), unless
//     two records giving them are linked directly, or both to one record that has a given name
//     (two corrupted copies of one original): this stops a record that lacks a given name from
//     chaining brothers and sisters into one person;
//   - a pair of records a person has said are not the same (cannot-link).
// A refused link is reported, not silently dropped: it goes to clerical review. Because the
// result depends only on the records and the links among them (sorted by weight, then by
// record), clustering the same records gives the same groups however they arrived.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "resolve/comparisons.h"
#include "resolve/records.h"

namespace tessera::resolve {

struct ScoredEdge {
  uint32_t a = 0;  // table indexes, a < b
  uint32_t b = 0;
  double weight = 0.0;
};

struct RefusedLink {
  uint32_t a = 0;
  uint32_t b = 0;
  double weight = 0.0;
  std::string reason;  // "different NHS numbers 943 476 5919 and 401 023 2137", ...
};

struct Clustering {
  // Per record of the input (same order): the table index of its group's first record.
  std::vector<uint32_t> group;
  std::vector<RefusedLink> refused;
};

// How far above the link weight a direct link must be to vouch for a conflict (date of birth,
// given name) between the two records: 2 bits, odds 4 times those at the threshold.
inline constexpr double kStrongLinkMargin = 2.0;

// Groups `records` (indexes into the comparer's table) using `links` (among them, each at or
// above the link weight) and the human decisions. A conflict is vouched for only by links of
// at least `strong_weight` (and by must-links). Links or decisions naming records outside
// `records` are ignored.
Clustering ClusterRecords(const Comparer& comparer, std::span<const uint32_t> records,
                          std::vector<ScoredEdge> links,
                          std::span<const std::pair<uint32_t, uint32_t>> must_link,
                          std::span<const std::pair<uint32_t, uint32_t>> cannot_link,
                          double strong_weight);

}  // namespace tessera::resolve
