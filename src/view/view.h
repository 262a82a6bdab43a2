// The single view: the read models behind a practitioner's profile pages (a person, a
// household, an address), as JSON documents for the HTTP routes, each with what it showed
// (Seen) for the audit log.
//
// Governance is applied here, record by record. Every source record a view touches is judged by
// the request's govern::Visibility (ForRecord with the record's source, version id and nominal):
//   - sealed records are as if they did not exist: not shown, not counted, not used;
//   - withheld records are shown only as counts grouped by reason ("withheld": {"total": 3,
//     "by_reason": [{"reason": "not shared under agreement terms", "count": 3}]}), never by
//     dataset, so that e.g. health involvement does not leak through a dataset name;
//   - visible records are shown and used only through the fields in their mask. A field left
//     out is listed in the "withheld_fields" array of the object it belongs to.
// Everything derived (best-known values, conflicts, timeline, associates, households, address
// history, graph, map points, match explanations) is computed from visible records and their
// permitted fields only: derived data is no more visible than the records it came from. In
// particular a household or an address-history entry is shown only when a visible record with
// "person.address" places the person there, and a household member only when one of the
// member's visible records does; a household's period is the span of its shown members'
// visible evidence there ("first_seen", "last_seen"), not the store's from/to, which withheld
// records may have shaped.
//
// A sealed nominal is NotFound, exactly as an unknown id. A merged id gives a Page with
// `redirect_to` (the live id) and no body, unless the live nominal is sealed (NotFound).
//
// Associates are the other nominals in the person's visible events: named in the same event,
// or in another row of the same source carrying the same event reference (a police crime is
// one row per person, the rows sharing the crime reference). A reference links rows only when
// "event.reference" is permitted on both, and an associate needs a visible record of their own
// in the row; sealed records and nominals are never associates.
//
// Cost: indexed store reads only, no scans. A profile reads its nominal's records, their source
// record versions (without payloads) and events in three statements
// (Store::ListPersonRecordDetails), the people met in them in one more, one read per event
// reference, and a few per household member and per source (freshness).
//
// JSON shapes (times are ISO 8601 UTC "2026-11-23T02:00:00Z", dates "2026-11-23"):
//
//   provenance (one record behind a value):
//     {"source_id", "dataset", "agency", "source_record_id" (version id), "person_record_id",
//      "record_key", "version", "received_at"}
//   attribute (every visible value of one attribute, conflicts shown, not hidden):
//     {"best": <entry> | null, "values": [<entry>...], "conflict": bool, "rule": "..."}
//     ("best" is values[0] without its provenance; "conflict" only on single-valued attributes)
//     entry: {"value": ..., "records": n, "sources": [source ids], "provenance": [...],
//             "last_received_at", "last_seen" (latest visible event date, if any)}
//     The best-known value is chosen by the attribute's rule (ValueRule below): "most_supported"
//     (most distinct sources, then most records, then most recently received, then the
//     smallest value: deterministic) for name, date of birth, sex, NHS number and identifiers;
//     "most_recent" (latest visible event date at it, then most recently received, then most
//     supported) for the address, phones and emails. Identifier values are {"kind", "value"};
//     address values {"location_id", "address", "postcode", "uprn"}; names {"given",
//     "middle", "family", "title", "suffix", "display"}.
//   record (a visible linked source record):
//     {"person_record_id", "source_record_id", "source_id", "agency", "dataset", "record_key",
//      "version", "role", "received_at", "deleted", "fields": {"name", "aliases", "dob", "sex",
//      "nhs_number", "identifiers", "address", "phones", "emails", "raw"}, "events": n,
//      "withheld_fields": [...]}  (fields holds only permitted, non-empty attributes)
//   event (timeline):
//     {"event_id", "source_record_id", "source_id", "agency", "dataset", "type", "category",
//      "date", "severity", "location": {"location_id", "postcode"}, "reference",
//      "roles": ["victim"], "withheld_fields": [...]}  (+ "nominal_ids" on household timelines)
//
//   NominalProfile:
//     {"nominal_id", "status": "live"|"retired", "attributes": {"name", "other_names", "dob",
//      "sex", "nhs_number", "identifiers", "address", "phones", "emails"}, "conflicts":
//      [attribute names with more than one value], "withheld_fields": [paths withheld from at
//      least one visible record], "records": [record...], "withheld": {"total", "by_reason"},
//      "households": [{"household_id", "location": {...}, "first_seen", "last_seen",
//      "dissolved", "members": [{"nominal_id", "name"}], "members_withheld": n}],
//      "address_history":
//      [{"location": {"location_id", "address", "postcode", "uprn"}, "first_seen", "last_seen",
//      "records", "sources"}], "associates": [{"nominal_id", "name", "shared_events",
//      "last_shared", "relationships": [{"own_role", "their_role", "count"}]}],
//      "agencies_involved": [{"agency", "latest", "events"}], "freshness": [{"source_id",
//      "dataset", "agency", "data_current_to", "expected_every_hours", "late"}], "alerts":
//      [{"kind": "late_feed", "source_id", "message"}]}
//   NominalTimeline: {"nominal_id", "events": [event...] newest first (undated last),
//      "total": n before the limit, "withheld": {"total", "by_reason"}}
//   NominalGraph / HouseholdGraph: {"nodes": [{"id": "n:12"|"h:3"|"l:7", "kind": "nominal"|
//      "household"|"address", "label", "focus"}], "edges": [{"from", "to", "kind": "member_of"|
//      "lived_at"|"associate"|"located_at", "events" (associate), "first_seen", "last_seen"}]}
//   NominalMapPoints / HouseholdMapPoints: {"points": [{"lat", "lon", "precision",
//      "location_id", "postcode", "kind": "address"|"event", "first_seen", "last_seen"
//      (address), "date", "event_id", "type" (event)}]}. Only locations with coordinates are
//      points. Ingest gives them from the postcode with the hub's gazetteer (geocode.h), and
//      "precision" says how closely: "postcode" (the postcode's own centroid), "sector",
//      "district" or "area" (the centroid of the postcode's sector "M11 1", district "M11" or
//      area "M": draw these as approximate); absent when the coordinates came another way.
//   HouseholdView: {"household_id", "dissolved", "location": {...} | absent, "first_seen",
//      "last_seen",
//      "members": [...], "members_withheld", "agencies_involved": [...], "timeline": [event...],
//      "withheld": {...}, "withheld_fields": ["household.address"] when the address is withheld}
//   AddressView: {"location": {"location_id", "address", "postcode", "uprn", "lat", "lon",
//      "precision" (as map points'), "no_fixed_abode"}, "households": [{"household_id",
//      "first_seen", "last_seen", "dissolved", "members", "members_withheld"}], "people":
//      [{"nominal_id", "name", "first_seen", "last_seen"}], "events": [event... with
//      "nominal_ids"]}. People are the households' shown members, then anyone else a visible record
//      with "person.address" places here (newest record first); events are those whose visible
//      record permits "event.location" here, newest first, each naming the nominals in it through
//      their visible records. An event is judged as its source record is for the nominals that
//      record names (sealed or withheld for all of them: not shown). Only the 500 newest person
//      records and events at the address are read (place_view.cc, kAddressReadLimit): a police
//      station or a hospital has thousands.
//   RecordExplanation: {"nominal_id", "person_record_id", "record": <record>, "comparisons":
//      [{"person_record_id", "source_id", "prior_weight", "match_weight", "probability",
//      "decision", "steps": [{"comparison", "level", "description", "value_a", "value_b", "m",
//      "u", "bayes_factor", "weight", "cumulative"} | {"comparison", "withheld": true}],
//      "withheld_steps": n}], "comparisons_withheld": n}
//      When any step of a pair is withheld, its match_weight, probability, decision and every
//      cumulative weight are left out too (they would give the withheld weight away).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/dates.h"
#include "core/status.h"
#include "govern/visibility.h"
#include "model/model.h"
#include "store/store.h"

namespace tessera::resolve {
struct LinkageModel;
struct Waterfall;
}  // namespace tessera::resolve

namespace tessera::analytics {
class IndicatorSet;
}  // namespace tessera::analytics

namespace tessera::view {

// What a response showed: the nominal ids and source record version ids whose content appears
// in it, for the audit log. Functions append; each list is sorted and without duplicates after
// every call.
struct Seen {
  std::vector<model::NominalId> nominals;
  std::vector<model::SourceRecordId> records;

  void AddNominal(model::NominalId id) { nominals.push_back(id); }
  void AddRecord(model::SourceRecordId id) { records.push_back(id); }
  void Normalise();  // sorts and removes duplicates
};

// What the hub knows about each source from its mapping specs (HUB/mappings/*.yaml).
struct SourceInfo {
  std::string source_id;
  model::Agency agency = model::Agency::kPolice;
  std::string dataset;  // the spec's `dataset`, or the source id when it has none
  std::optional<int> expected_every_hours;  // the spec's `expected_every`
};

class SourceCatalog {
 public:
  SourceCatalog();

  // Reads every *.yaml in `mappings_dir` through the ingest spec parser. A spec that does not
  // parse is left out with a warning (the view must not fail for one bad spec); a missing
  // directory is NotFound.
  static Result<SourceCatalog> Load(const std::string& mappings_dir);

  // Adds or replaces a source (tests; sources pushed through the API without a spec).
  void Add(SourceInfo info);
  const SourceInfo* Find(std::string_view source_id) const;
  const std::vector<SourceInfo>& sources() const { return sources_; }  // by source id
  const std::vector<std::string>& warnings() const { return warnings_; }

  // When each source's latest completed load finished (nullopt: none yet), read from `store`
  // once per change of the hub's newest load (its id, status and finish time, one indexed
  // read) and shared by every request meanwhile: a profile does not re-read the loads of every
  // source. Thread-safe.
  Result<std::map<std::string, std::optional<int64_t>>> CurrentTo(store::Store& store) const;

 private:
  struct FreshnessCache;
  std::vector<SourceInfo> sources_;
  std::vector<std::string> warnings_;
  std::shared_ptr<FreshnessCache> cache_;  // made by the constructor
};

// One request's view of the hub. `today` bounds "currently involved" (the last 12 months);
// `now_micros` is compared with load times for freshness. Both are injected for tests.
struct ViewContext {
  store::Store& store;
  const govern::Visibility& visibility;
  const SourceCatalog& sources;
  CivilDate today;
  int64_t now_micros = 0;
};

// A page, or where the id now lives: for a merged nominal `redirect_to` holds the live id and
// `body` is null.
struct Page {
  nlohmann::json body;
  std::optional<model::NominalId> redirect_to;
};

struct TimelineFilter {
  std::vector<model::Agency> agencies;  // empty: every agency
  std::vector<std::string> categories;  // empty: every category; else only events whose
                                        // category is visible and one of these
  std::optional<CivilDate> from, to;    // inclusive; an event with a withheld date is left out
  int limit = 0;                        // 0: no limit
};

Result<Page> NominalProfile(const ViewContext& ctx, model::NominalId id, Seen& seen);
Result<Page> NominalTimeline(const ViewContext& ctx, model::NominalId id,
                             const TimelineFilter& filter, Seen& seen);
Result<Page> NominalGraph(const ViewContext& ctx, model::NominalId id, Seen& seen);
Result<Page> NominalMapPoints(const ViewContext& ctx, model::NominalId id, Seen& seen);

// NotFound if the household never existed.
Result<Page> HouseholdView(const ViewContext& ctx, model::HouseholdId id, Seen& seen);
Result<Page> HouseholdGraph(const ViewContext& ctx, model::HouseholdId id, Seen& seen);
Result<Page> HouseholdMapPoints(const ViewContext& ctx, model::HouseholdId id, Seen& seen);

// NotFound if the location does not exist.
Result<Page> AddressView(const ViewContext& ctx, model::LocationId id, Seen& seen);

// Why `record` is in `nominal`: the resolver's waterfall against each of the nominal's other
// records, as permitted. NotFound when the record is not in the nominal, or is not visible
// (withheld or sealed: its id must not be confirmed). Pairs with a withheld record are counted
// in "comparisons_withheld"; pairs with a sealed one are left out.
Result<Page> RecordExplanation(const ViewContext& ctx, const resolve::LinkageModel& model,
                               model::NominalId nominal, model::PersonRecordId record, Seen& seen);

// Clerical review (review_view.cc): the borderline pairs of person records the resolver queued
// for a person to decide (store::ReviewPair), side by side. A pair is shown only when both of
// its records are visible to the request (each judged with its source record and the nominal it
// is in now); a pair with a withheld record is counted in "withheld", one with a sealed record
// (or a record of a sealed nominal) is left out and not counted. Each record is shown through
// its mask as in a profile, and the pair's waterfall under `model` as in RecordExplanation: a
// comparison either record may not show is withheld, and while any is, the pair's probability,
// weight and cumulative weights (its own and the store's) are left out too.
//
//   pair: {"review_pair_id", "status": "open"|"accepted"|"rejected"|"stale", "created_at",
//          "probability", "match_weight", "decided_by", "decided_at", "reason" (once decided),
//          "records": [{"nominal_id" (0: in none yet), "record": <record without "events">},
//          {...}], "waterfall": {"prior_weight", "match_weight", "probability", "decision",
//          "withheld_steps", "steps": [...]}}
//   ReviewQueuePage: {"pairs": [pair...], "withheld": n, "next_after": id (present when the
//          page is full: more may follow)}. In the queue a step holds only "comparison",
//          "level", "description" and "weight" (or "withheld"): the values are in the records.
//
// A page reads up to query.limit pairs (1 to 100) from the store and shows those the request
// may see, so a page can hold fewer; page on with next_after. Seen gets both records' source
// record ids and nominals of every pair shown.
Result<Page> ReviewQueuePage(const ViewContext& ctx, const resolve::LinkageModel& model,
                             const store::ReviewQuery& query, Seen& seen);
// NotFound when there is no such pair or either record is not visible (withheld or sealed: the
// pair must not be confirmed).
Result<Page> ReviewPairPage(const ViewContext& ctx, const resolve::LinkageModel& model,
                            int64_t review_pair_id, Seen& seen);

// What a request may act on when it records a clerical decision (merge, split, a review pair):
// only records it can see. Acting on anything else is NotFound, as for an unknown id.
//
// The review pair, when both its records are visible; adds them (source record versions and
// nominals) to `seen`.
Result<store::ReviewPair> VisibleReviewPair(const ViewContext& ctx, int64_t review_pair_id,
                                            Seen& seen);
// A nominal's records by what the request may see: NotFound for an unknown or sealed nominal (as
// NominalProfile), and for one none of whose records is visible; a merged id gives the live
// nominal. Sealed records are in neither list.
struct NominalRecords {
  model::NominalId live = 0;
  std::map<model::PersonRecordId, model::SourceRecordId> visible;  // person -> source version
  std::vector<model::PersonRecordId> withheld;                     // never to be shown
};
Result<NominalRecords> NominalRecordAccess(const ViewContext& ctx, model::NominalId id);

// Indicators (indicators_view.cc; src/analytics, docs/formats/indicators.md): the rules of
// `rules` for the page's scope, evaluated as of `as_of` over the visible events the timeline
// pages show, and only those: a date, type, category or reference the request may not see is
// not used, so a rule needing it does not match. Derived data is no more visible than the
// records it came from. Which purpose may ask is the caller's business (the API and CLI allow
// only risk assessment).
//
//   NominalIndicators: {"nominal_id", "as_of", "rule_set": "default"|"hub", "indicators":
//      [indicator...], "events": [event... (timeline shape) of every event an indicator lists,
//      newest first], "withheld": {"total", "by_reason"}}
//   HouseholdIndicators: {"household_id", "as_of", "rule_set", "members": [shown member ids],
//      "members_withheld", "indicators", "events" (each with "nominal_ids"), "withheld"}
//   indicator: {"code", "title", "description", "scope", "raised", "count", "events": [event
//      ids, newest first], "components": [{"code", "raised"}], "members": [nominal ids],
//      "window": {"from", "to"} (both inclusive), and for an event rule "window_months",
//      "distinct_days", "threshold": {"min_events", "min_distinct_days"} (+ "any_member" for a
//      household), for a composite "window_months": null, "threshold": {"at_least", "of"}}
//      "count" is distinct occurrences for an event rule (rows of one source sharing a visible
//      reference count once), components raised for a composite; "events" lists a rule's
//      matching events in the window whether or not it is raised; "members" (household rules
//      with any_member false) the members who met the threshold alone.
// Seen gets the nominal (household: the shown members and their evidence) and the source
// records of every listed event. A merged nominal id gives a redirect, a sealed or unknown one
// NotFound, an unknown household NotFound.
Result<Page> NominalIndicators(const ViewContext& ctx, const analytics::IndicatorSet& rules,
                               model::NominalId id, const CivilDate& as_of, Seen& seen);
Result<Page> HouseholdIndicators(const ViewContext& ctx, const analytics::IndicatorSet& rules,
                                 model::HouseholdId id, const CivilDate& as_of, Seen& seen);

// The freshness section on its own: for each catalogued source the request is shared, the
// time its latest completed load finished and whether it is late.
Result<nlohmann::json> SourceFreshness(const ViewContext& ctx);

}  // namespace tessera::view
