// What the views read about a nominal, already judged by the request's Visibility: the visible
// person records with their visible events, and the withheld ones as counts by reason. Internal
// to src/view.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "analytics/analytics.h"
#include "view/view.h"

namespace tessera::view::internal {

using govern::Field;
using govern::FieldMask;
using nlohmann::json;

inline bool Has(FieldMask mask, Field f) { return (mask & govern::Bit(f)) != 0; }

// Records withheld from the request, counted by reason only (never by dataset).
class WithheldCount {
 public:
  void Add(std::string_view reason) { ++by_reason_[std::string(reason)]; }
  void Merge(const WithheldCount& other);
  int64_t total() const;
  json ToJson() const;  // {"total", "by_reason": [{"reason", "count"}]}

 private:
  std::map<std::string, int64_t> by_reason_;
};

struct VisibleEvent {
  model::Event event;
  FieldMask fields = 0;            // what of the event may be shown
  std::vector<model::Role> roles;  // the nominal's roles in it
};

struct VisibleRecord {
  model::PersonRecord person;
  model::SourceRecord source;  // payload dropped
  FieldMask fields = 0;
  std::vector<VisibleEvent> events;  // filled when events were read
  // The latest visible event date of the record, if any.
  std::optional<CivilDate> LastSeen() const;
  std::optional<CivilDate> FirstSeen() const;
};

struct Dossier {
  model::NominalId id = 0;
  store::NominalStatus status = store::NominalStatus::kLive;
  std::vector<VisibleRecord> records;
  WithheldCount withheld;
  // The source ids of the records withheld or sealed, for derived-data checks only (a score
  // drawn from them may not be shown); never shown, as a dataset name could disclose.
  std::vector<std::string> hidden_sources;
};

// Per-request reads with small caches (locations, source records), and the request's rules.
class Reader {
 public:
  explicit Reader(const ViewContext& ctx) : ctx_(ctx) {}

  const ViewContext& ctx() const { return ctx_; }
  store::Store& store() const { return ctx_.store; }
  const govern::Visibility& visibility() const { return ctx_.visibility; }

  // The live id `id` means now. NotFound for an unknown id and for a sealed nominal (the one
  // asked for or the one it was merged into), with the same message.
  Result<model::NominalId> LiveNominal(model::NominalId id);

  // Reads the nominal's person records, judges each and, with `with_events`, reads the visible
  // ones' events. Adds nothing to Seen: callers add what they show.
  Result<Dossier> ReadDossier(model::NominalId live, bool with_events);

  // A source record version without its payload (cached).
  Result<const model::SourceRecord*> SourceRecord(model::SourceRecordId id);
  Result<const model::Location*> Location(model::LocationId id);

  // A member's visible evidence of living at `location`: the source record version that
  // shows it, and a name from a visible record (preferring that one). Empty when none of the
  // member's visible records with "person.address" is at `location`.
  struct MemberEvidence {
    model::SourceRecordId evidence_record = 0;
    std::optional<model::PersonName> name;
    model::SourceRecordId name_record = 0;
  };
  Result<std::optional<MemberEvidence>> EvidenceAt(model::NominalId member,
                                                   model::LocationId location,
                                                   const Dossier* known);

  std::string Dataset(std::string_view source_id) const;
  std::string AgencyOf(std::string_view source_id, const VisibleRecord* record) const;

 private:
  const ViewContext& ctx_;
  std::unordered_map<model::SourceRecordId, model::SourceRecord> sources_;
  std::unordered_map<model::LocationId, model::Location> locations_;
};

// JSON pieces shared by the views.
json NameJson(const model::PersonName& name);
std::string DisplayName(const model::PersonName& name);
json LocationJson(
    const model::Location& location);  // {"location_id", "address", "postcode", "uprn"}
json ProvenanceJson(const Reader& reader, const VisibleRecord& record);
// A visible record with its permitted fields (see view.h).
Result<json> RecordJson(Reader& reader, const VisibleRecord& record);
// A visible event with its permitted fields (see view.h).
Result<json> EventJson(Reader& reader, const VisibleEvent& event);
json WithheldFieldsJson(FieldMask shown);  // paths of every field not in `shown`
// A pair's match waterfall (view.h, RecordExplanation) for records showing fields `a` and `b`: a
// comparison either side may not show is withheld, and then the totals are left out.
json WaterfallJson(const resolve::Waterfall& w, FieldMask a, FieldMask b);
std::string Utc(int64_t micros);

// The timeline of one or more dossiers: visible events once each (roles merged), filtered,
// newest first. With `with_nominals`, each event lists the nominals of the dossiers in it.
struct TimelineEntry {
  const VisibleEvent* event = nullptr;
  std::vector<model::Role> roles;
  std::vector<model::NominalId> nominals;
};
std::vector<TimelineEntry> BuildTimeline(const std::vector<const Dossier*>& dossiers,
                                         const TimelineFilter& filter);

// Agencies with visible, dated events in the 12 months up to `today`.
json AgenciesInvolved(const std::vector<const Dossier*>& dossiers, const CivilDate& today);

// A household as the request may see it: {"household_id", "dissolved", "members":
// [{"nominal_id", "name"}], "members_withheld"}, plus "location" when at least one member is
// shown (a member is shown when one of their visible records with
// "person.address" is at the household's address). `known` holds dossiers already read (the
// evidence is then taken from them). Adds the shown members and their evidence to `seen`.
struct HouseholdPart {
  json body;
  bool location_shown = false;
  std::vector<model::NominalId> shown_members;
};
Result<HouseholdPart> HouseholdJson(Reader& reader, const model::Household& household,
                                    const std::vector<const Dossier*>& known, Seen& seen);

// A household with the dossiers of its shown members (in member order), read as HouseholdJson
// shows it (the shown members and their evidence go into `seen`). NotFound for an unknown id.
struct HouseholdRead {
  model::Household household;
  HouseholdPart part;
  std::vector<Dossier> dossiers;
};
Result<HouseholdRead> ReadHousehold(Reader& reader, model::HouseholdId id, Seen& seen);

// Adds "first_seen" and "last_seen" to a household's JSON: the span of the dossiers' visible
// event dates of visible records at `location` (the store's own period is derived from every
// record, withheld ones included, so it is not shown).
void AddPeriodSeen(json& body, const std::vector<const Dossier*>& dossiers,
                   model::LocationId location);

// Map points (view.h) of the dossiers' visible addresses and event locations.
Result<json> MapPoints(Reader& reader, const std::vector<const Dossier*>& dossiers);

// Adds to `seen` every record of the dossier and the events' source records.
void AddDossierToSeen(const Dossier& dossier, Seen& seen);

// An event as indicator and cohort rules see it: its type, category, date and reference only
// where `mask` lets the request see them. The one place that rule is written.
analytics::TimelineEvent EventForRules(model::EventId id, const std::string& source_id,
                                       model::Agency agency, const std::string& type,
                                       const std::string& category, const CivilDate& date,
                                       const std::string& reference, FieldMask mask);

}  // namespace tessera::view::internal
