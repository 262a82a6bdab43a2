// The synthetic multi-agency world: people, households, addresses and their life courses,
// written out as partner extracts in each partner's own dialect, with full ground truth.
//
// Real partner data can never sit in a repository, so Tessera's demo, tests and benchmarks run
// on worlds this module generates. It knows nothing of ingest or resolve on purpose: the
// resolver must never be tuned to the habits of its own generator.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace tessera::synth {

struct WorldConfig {
  int64_t people = 50000;
  uint64_t seed = 1;
  // County names from the place reference file, e.g. "Greater Manchester"; empty means all GB.
  std::vector<std::string> areas = {"Greater Manchester"};
  // Fraction of rows deliberately malformed (broken quoting, impossible dates, ...).
  double malformed_fraction = 0.005;
  int first_year = 2019;  // the observed period is [first_year, first_year + years)
  int years = 6;          // followed by one unobserved outcome year, in truth/ only
  // "YYYY-MM-DD" within the observed period: nothing after it is observed (a demo's "today",
  // so that its data run up to now). Empty: the whole period. The outcome year is unchanged.
  std::string observed_until;
  int threads = 0;  // 0: hardware concurrency. Output does not depend on it.
};

// One person mention as written into a landing file: what a naive matcher would see.
struct MentionView {
  std::string_view source;
  std::string_view record_id;
  int64_t person_id;
  std::string_view given;  // as written (may hold noise, a nickname, a placeholder)
  std::string_view family;
  std::string_view dob_iso;  // "YYYY-MM-DD" as written (may be impossible or a placeholder), or ""
  std::string_view expected_outcome;  // "load", "load_flagged" or "quarantine"
};

struct SourceSummary {
  std::string source_id;
  std::string agency;
  std::string format;  // "csv", "jsonl", "fhir"
  int64_t rows = 0;    // records written (rows, lines or Patient resources)
  int64_t quarantine = 0;
  int64_t load_flagged = 0;
};

struct WorldSummary {
  int64_t people = 0;
  int64_t households = 0;
  int64_t addresses = 0;
  int64_t events = 0;
  int64_t mentions = 0;
  std::vector<SourceSummary> sources;
  // Rates the generator produced, by name (see docs/formats/synthetic-world.md).
  std::map<std::string, double> rates;
};

// Writes the world into `out_dir` (landing/<source>/..., truth/..., manifest.json).
// `on_mention`, if set, is called once per person mention in a deterministic order.
Result<WorldSummary> GenerateWorld(const WorldConfig& config, const std::string& out_dir,
                                   const std::function<void(const MentionView&)>& on_mention = {});

// The source ids the generator writes, in a fixed order.
std::vector<std::string> SourceIds();

}  // namespace tessera::synth
