// Cohorts for early-intervention teams (issue 7): a named rule set over indicators, the
// approved risk score, area, agency involvement and age, with a ranking. This module parses a
// definition and judges one nominal given what the caller may see of them; src/view/cohort.h
// gathers those inputs from the hub under a request's Visibility, ranks and stores runs.
// Format, ranking, scope and CSV safety: docs/formats/cohorts.md.
//
//   {"criteria": [condition, ...] (every one must hold; at least one),
//    "rank_by": "score" | "indicators" | "agencies" | "events" (default "indicators")}
//   condition (exactly one key):
//     {"indicator": "tf_qualifies"}              raised for the nominal, or for a household
//                                                they are currently a shown member of
//     {"score": {"at_least": 0.2}} | {"score": {"top": 100}}
//                                                the approved model's calibrated probability or
//                                                rank; a score that may not be shown never holds
//     {"area": ["M11", "M12"]}                   a postcode district of a visible address
//     {"agencies": {"at_least": 2, "within_months": 12, "of": ["police", ...]}}
//                                                distinct agencies with visible dated events
//     {"age": {"from": 0, "to": 17}}             whole years on the run's day, from the visible
//                                                date of birth (both bounds inclusive)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/analytics.h"
#include "core/dates.h"
#include "core/status.h"
#include "model/model.h"

namespace tessera::analytics {

enum class CohortRank { kScore, kIndicators, kAgencies, kEvents };
std::string_view CohortRankName(CohortRank rank);  // "score", "indicators", ...

struct CohortCondition {
  enum class Kind { kIndicator, kScore, kArea, kAgencies, kAge };
  Kind kind = Kind::kIndicator;
  std::string indicator;                 // kIndicator: a code of the hub's IndicatorSet
  std::optional<double> score_at_least;  // kScore: one of these two
  std::optional<int64_t> score_top;
  std::vector<std::string> areas;  // kArea: upper-case postcode districts
  int agencies_at_least = 1;       // kAgencies
  int within_months = 12;
  std::vector<model::Agency> agencies_of;  // empty: any agency
  int age_from = 0, age_to = 130;          // kAge
};

struct CohortDefinition {
  std::vector<CohortCondition> criteria;
  CohortRank rank_by = CohortRank::kIndicators;

  // Parses a definition (JSON text). Errors are InvalidArgument naming the JSON path
  // ("criteria[1].score.at_least: must be between 0 and 1"): unknown keys, a condition with
  // no or two kinds, an indicator code not in `rules`, bad numbers, unknown agencies.
  static Result<CohortDefinition> Parse(std::string_view json, const IndicatorSet& rules);
  // The definition as canonical JSON text (what is stored).
  std::string ToJson() const;

  bool NeedsScore() const;  // a score condition, or ranked by score
  // The months of events agencies conditions and the agencies/events ranking look back over:
  // the first agencies condition's window, else 12.
  int RankingWindowMonths() const;
  // The longest look-back any condition needs, in months (indicator windows from `rules`).
  int WindowMonths(const IndicatorSet& rules) const;
};

// What the caller may see of one nominal, as of the run's day. Everything here must come from
// visible records and permitted fields only.
struct CohortInputs {
  std::vector<std::string> raised;     // indicator codes raised (nominal and household)
  std::optional<double> probability;   // set only when the score may be shown
  std::optional<int64_t> rank;         // the score's rank, likewise
  std::vector<std::string> districts;  // postcode districts of visible addresses
  struct AgencyEvent {
    model::Agency agency = model::Agency::kPolice;
    CivilDate date;
  };
  std::vector<AgencyEvent> events;  // visible dated events (any window; the rules pick)
  std::optional<CivilDate> dob;     // the visible date of birth, if any
};

struct CohortVerdict {
  bool member = false;
  // Why, one line per condition, in the definition's order ("tf_qualifies raised",
  // "score 0.31 (rank 12)", "3 agencies in 12 months: police, housing, probation", "lives in
  // M11", "age 15"). Filled for members only.
  std::vector<std::string> reasons;
  // Larger first: the rank_by measure, then indicators raised, agencies and events in the
  // ranking window, then the probability (absent: -1). Ties go to the smaller nominal id.
  std::vector<double> key;
};

CohortVerdict EvaluateCohort(const CohortDefinition& definition, const CohortInputs& inputs,
                             const CivilDate& as_of);

// One CSV cell, safe to open in a spreadsheet (OWASP CSV injection): a value starting with
// '=', '+', '-', '@', tab or carriage return is prefixed with a single quote, and every cell is
// quoted as RFC 4180 says (inner quotes doubled).
std::string CsvCell(std::string_view value);

}  // namespace tessera::analytics
