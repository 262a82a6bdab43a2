// Risk scores in the single view (issue 7; docs/design/0013-scores-decisions-cohorts.md).
//
// Scores are computed in batch by `tessera risk score` (src/risk) and stored per model version.
// Whether one may be shown is decided here, when it is read:
//   - only the newest version in state "approved" is shown ("disabled" is the kill switch);
//   - the request must share "event.date" and "event.category" of every one of the model's
//     input datasets (DatasetCoverageGap), or the score would disclose what it may not see;
//   - and no restriction may withhold or seal a record of the nominal's in those datasets within
//     the model's horizon (RecordsBehindScoreVisible).
// Which purpose may ask is the caller's business (the API allows only risk assessment).
//
//   NominalRisk: {"nominal_id", "state": "scored" | "not_scored" | "no_approved_model" |
//      "withheld", "message", "model": {"version", "outcome", "outcome_title", "approved_by",
//      "approved_at", "input_datasets"}, "score": {"probability", "margin", "bias", "rank",
//      "of", "as_of", "scored_at", "base_rate"}, "factors": [{"feature", "label", "value",
//      "contribution", "events": [{"event_id", "date", "source_id", "agency", "category",
//      "type", "nominal_id" (household factors: the co-member's)}], "events_total"}],
//      "other_contribution", "decisions": [decision...]}
//      (model absent with no_approved_model; score and factors only when scored; factors are
//      the 8 largest by magnitude, the rest summed in other_contribution, so that bias +
//      contributions + other_contribution = margin)
//   decision: {"id", "decision", "reason", "by", "agency", "at", "version", "probability"}
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "govern/visibility.h"
#include "store/store.h"
#include "view/view.h"

namespace tessera::view {

// The version whose scores may be shown, with what its metadata says it was trained on.
struct ApprovedModel {
  store::StoredRiskModel registry;
  std::vector<std::string> input_datasets;
  std::string outcome_title;  // "Child-protection plan within 12 months"
  double base_rate = 0;       // positives / rows in the training year
  int horizon_days = 1825;    // how far back features look
  // The features its stored explanations index, and their plain-words labels.
  std::vector<std::string> feature_names, feature_labels;
};

// The newest approved version, or nullopt when none is approved.
Result<std::optional<ApprovedModel>> FindApprovedModel(store::Store& store);

// "" when `visibility` shares event.date and event.category of every input dataset of `model`,
// else a sentence naming what it lacks ("the score draws on 2 datasets your agreement does not
// share"). Break-glass never shows scores: the caller refuses it first.
std::string DatasetCoverageGap(const govern::Visibility& visibility, const ApprovedModel& model);

// True when every one of `facts` (events of nominal `nominal`) of an input dataset dated
// within the model's horizon before `as_of` is visible to the request for that nominal.
bool RecordsBehindScoreVisible(const govern::Visibility& visibility, const ApprovedModel& model,
                               model::NominalId nominal, std::span<const store::EventFact> facts,
                               const CivilDate& as_of);

// A decision as JSON (the shape above).
nlohmann::json DecisionJson(const store::StoredRiskDecision& decision);

// The person page's risk panel. Seen gets the nominal and the records of the events linked to
// factors.
Result<Page> NominalRisk(const ViewContext& ctx, model::NominalId id, Seen& seen);

// The household page's risk panel: each shown member's risk as NominalRisk judges it, without
// the factors' events and the decisions (the person page has them).
//   {"household_id", "model": {...} | absent, "members": [{"nominal_id", "name", "state",
//    "message", "probability", "rank", "of", "as_of", "top_factors": [{"label",
//    "contribution"}] (the three largest)}]}
// NotFound for an unknown household. Seen: as the household page.
Result<Page> HouseholdRisk(const ViewContext& ctx, model::HouseholdId id, Seen& seen);

}  // namespace tessera::view
