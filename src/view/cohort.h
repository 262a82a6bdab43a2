// Cohorts for early-intervention teams (issue 7; docs/design/0013-scores-decisions-cohorts.md,
// docs/formats/cohorts.md): a definition (src/analytics/cohort.h) evaluated over every nominal
// the request may see, ranked, and stored as a run; membership over time is the sequence of
// runs of one scope.
//
// A run reads the whole hub in a few bulk passes and judges record by record through the
// request's Visibility, as demand.h does: the visible events of the window (ListEventFacts), the
// visible person records (date of birth, address), the live households (a member counts for a
// household's indicators only when one of their visible records with "person.address" places
// them there, as HouseholdIndicators shows them), and the approved model's scores (shown only
// as risk.h allows: DatasetCoverageGap for the request, RecordsBehindScoreVisible per nominal).
// A field the request may not see is absent from what the rules get, so a rule needing it does
// not match. A sealed nominal is never a member; a nominal the request sees nothing of is
// never a member. Which purpose may ask is the caller's business (the API allows only risk
// assessment, never break-glass).
//
// Scope: a run records the hex SHA-256 of the purpose, the user's agency, roles and the
// agreements ("CODE vN") the access decision rested on (CohortScope). Runs are shown only to
// requests of the same scope. Members of a stored run are judged again when shown: a nominal
// now sealed is left out (and not counted), one none of whose records is now visible is shown
// as withheld, without details.
//
//   run summary: {"id", "run_at", "as_of", "actor", "members": n | null, "suppressed",
//      "previous_run": id | null, "joined": n | null, "left": n | null}
//      counts from 1 to 4 are null (suppressed); joined and left are null without a previous
//      run of the scope.
//   members page: {"run": summary, "total", "members": [{"rank", "nominal_id", "name", "age",
//      "district", "score", "reasons": [...], "first_seen", "status": "new" | "continuing",
//      "withheld": bool}], "left": [nominal ids], "left_total"}
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/cohort.h"
#include "core/dates.h"
#include "core/status.h"
#include "store/store.h"
#include "view/view.h"

namespace tessera::view {

// The scope of a run: hex SHA-256 over the purpose, the agency, the roles and the agreements
// (each list sorted first, so order does not matter).
Result<std::string> CohortScope(std::string_view purpose, std::string_view agency,
                                std::vector<std::string> roles,
                                std::vector<std::string> agreements);

struct CohortMember {
  model::NominalId nominal_id = 0;
  int64_t rank = 0;  // 1 first
  std::optional<double> score;
  std::vector<std::string> reasons;
};

// Evaluates `definition` over every nominal the request may see, as of `as_of`, and ranks the
// members (analytics::CohortVerdict::key, then nominal id).
Result<std::vector<CohortMember>> RunCohort(const ViewContext& ctx,
                                            const analytics::IndicatorSet& rules,
                                            const analytics::CohortDefinition& definition,
                                            const CivilDate& as_of);

// The members as the store keeps them (reasons as a JSON array).
std::vector<store::StoredCohortMember> ToStoredMembers(const std::vector<CohortMember>& members);

// A cohort as JSON: {"id", "name", "description", "definition", "owner", "created_at",
// "updated_at", "last_run": summary | null}.
nlohmann::json CohortJson(const store::StoredCohort& cohort, nlohmann::json last_run);

// Summaries of the cohort's runs in `scope`, newest first, at most `limit`.
Result<nlohmann::json> CohortRunSummaries(const ViewContext& ctx, int64_t cohort_id,
                                          std::string_view scope, int limit);
// One run's summary. NotFound when the run is not the cohort's or not of `scope`.
Result<nlohmann::json> CohortRunSummary(const ViewContext& ctx, int64_t cohort_id, int64_t run_id,
                                        std::string_view scope);

// A page of a run's members (offset, at most limit), and the nominals who left since the
// previous run (the same page window). Seen gets every listed nominal and the records their
// details came from. NotFound as CohortRunSummary.
Result<nlohmann::json> CohortRunMembers(const ViewContext& ctx, int64_t cohort_id, int64_t run_id,
                                        std::string_view scope, int limit, int offset, Seen& seen);

// The run as CSV: a header row and a row per member (rank, nominal_id, name, age, district,
// score, reasons joined by "; ", first_seen, status), every cell through analytics::CsvCell.
// FailedPrecondition when the run has fewer than analytics::kSuppressBelow members (a small
// number would be disclosed). Seen as CohortRunMembers.
Result<std::string> CohortRunCsv(const ViewContext& ctx, int64_t cohort_id, int64_t run_id,
                                 std::string_view scope, Seen& seen);

}  // namespace tessera::view
