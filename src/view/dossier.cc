#include "view/dossier.h"

#include <algorithm>
#include <set>

#include "core/clock.h"

namespace tessera::view::internal {

void WithheldCount::Merge(const WithheldCount& other) {
  for (const auto& [reason, n] : other.by_reason_) by_reason_[reason] += n;
}

int64_t WithheldCount::total() const {
  int64_t n = 0;
  for (const auto& [reason, count] : by_reason_) n += count;
  return n;
}

json WithheldCount::ToJson() const {
  json reasons = json::array();
  for (const auto& [reason, n] : by_reason_) reasons.push_back({{"reason", reason}, {"count", n}});
  return {{"total", total()}, {"by_reason", std::move(reasons)}};
}

std::optional<CivilDate> VisibleRecord::LastSeen() const {
  std::optional<CivilDate> out;
  for (const VisibleEvent& e : events) {
    if (!Has(e.fields, Field::kEventDate)) continue;
    if (!out || e.event.date > *out) out = e.event.date;
  }
  return out;
}

std::optional<CivilDate> VisibleRecord::FirstSeen() const {
  std::optional<CivilDate> out;
  for (const VisibleEvent& e : events) {
    if (!Has(e.fields, Field::kEventDate)) continue;
    if (!out || e.event.date < *out) out = e.event.date;
  }
  return out;
}

Result<model::NominalId> Reader::LiveNominal(model::NominalId id) {
  const Status not_found = Status::NotFound("nominal " + std::to_string(id) + " not found");
  if (ctx_.visibility.NominalSealed(id)) return not_found;
  auto live = ctx_.store.ResolveNominalId(id);
  if (!live.ok()) return live.status().code() == StatusCode::kNotFound ? not_found : live.status();
  if (ctx_.visibility.NominalSealed(*live)) return not_found;
  return *live;
}

Result<const model::SourceRecord*> Reader::SourceRecord(model::SourceRecordId id) {
  auto it = sources_.find(id);
  if (it == sources_.end()) {
    TRY_ASSIGN(model::SourceRecord record, ctx_.store.GetSourceRecordMeta(id));
    it = sources_.emplace(id, std::move(record)).first;
  }
  return &it->second;
}

Result<const model::Location*> Reader::Location(model::LocationId id) {
  auto it = locations_.find(id);
  if (it == locations_.end()) {
    TRY_ASSIGN(model::Location location, ctx_.store.GetLocation(id));
    it = locations_.emplace(id, std::move(location)).first;
  }
  return &it->second;
}

Result<Dossier> Reader::ReadDossier(model::NominalId live, bool with_events) {
  Dossier d;
  d.id = live;
  TRY_ASSIGN(d.status, ctx_.store.GetNominalStatus(live));
  TRY_ASSIGN(model::Nominal nominal, ctx_.store.GetNominal(live));
  // Every record with its source record version and events in one read, rather than three
  // reads per record.
  TRY_ASSIGN(std::vector<store::PersonRecordDetail> details,
             ctx_.store.ListPersonRecordDetails(nominal.records, with_events));
  for (store::PersonRecordDetail& detail : details) {
    govern::RecordVisibility v =
        ctx_.visibility.ForRecord(detail.source.source_id, detail.source.id, live);
    if (!v.visible()) {
      d.hidden_sources.push_back(detail.source.source_id);
      if (v.access != govern::RecordAccess::kSealed) d.withheld.Add(v.reason);
      continue;
    }
    VisibleRecord r;
    r.person = std::move(detail.person);
    r.source = std::move(detail.source);
    r.fields = v.fields;
    for (model::Event& e : detail.events) {
      FieldMask mask = r.fields;
      if (e.source_record_id != r.source.id) {
        // An event of another source record: that record must be visible too.
        govern::RecordVisibility ev = ctx_.visibility.ForRecord(e.source_id, e.source_record_id, 0);
        if (!ev.visible()) continue;
        mask &= ev.fields;
      }
      VisibleEvent ve;
      for (const model::EventInvolvement& inv : e.involvements) {
        if (inv.person_record_id == r.person.id) ve.roles.push_back(inv.role);
      }
      ve.event = std::move(e);
      ve.fields = mask;
      r.events.push_back(std::move(ve));
    }
    d.records.push_back(std::move(r));
  }
  return d;
}

Result<std::optional<Reader::MemberEvidence>> Reader::EvidenceAt(model::NominalId member,
                                                                 model::LocationId location,
                                                                 const Dossier* known) {
  MemberEvidence out;
  if (known != nullptr) {
    for (const VisibleRecord& r : known->records) {
      if (!Has(r.fields, Field::kPersonAddress) || r.person.location_id != location) continue;
      if (out.evidence_record == 0) out.evidence_record = r.source.id;
      if (!out.name && Has(r.fields, Field::kPersonName)) {
        out.name = r.person.name;
        out.name_record = r.source.id;
      }
    }
    if (out.evidence_record == 0) return std::optional<MemberEvidence>();
    for (const VisibleRecord& r : known->records) {
      if (out.name) break;
      if (Has(r.fields, Field::kPersonName)) {
        out.name = r.person.name;
        out.name_record = r.source.id;
      }
    }
    return std::optional<MemberEvidence>(out);
  }
  if (ctx_.visibility.NominalSealed(member)) return std::optional<MemberEvidence>();
  TRY_ASSIGN(model::Nominal nominal, ctx_.store.GetNominal(member));
  TRY_ASSIGN(std::vector<store::PersonRecordDetail> details,
             ctx_.store.ListPersonRecordDetails(nominal.records, /*with_events=*/false));
  std::vector<const store::PersonRecordDetail*> elsewhere;
  for (const store::PersonRecordDetail& detail : details) {
    if (detail.person.location_id != location) {
      elsewhere.push_back(&detail);
      continue;
    }
    govern::RecordVisibility v =
        ctx_.visibility.ForRecord(detail.source.source_id, detail.source.id, member);
    if (!v.Has(Field::kPersonAddress)) continue;
    if (out.evidence_record == 0) out.evidence_record = detail.source.id;
    if (!out.name && v.Has(Field::kPersonName)) {
      out.name = detail.person.name;
      out.name_record = detail.source.id;
    }
  }
  if (out.evidence_record == 0) return std::optional<MemberEvidence>();
  for (const store::PersonRecordDetail* detail : elsewhere) {
    if (out.name) break;
    govern::RecordVisibility v =
        ctx_.visibility.ForRecord(detail->source.source_id, detail->source.id, member);
    if (v.Has(Field::kPersonName)) {
      out.name = detail->person.name;
      out.name_record = detail->source.id;
    }
  }
  return std::optional<MemberEvidence>(out);
}

std::string Reader::Dataset(std::string_view source_id) const {
  const SourceInfo* info = ctx_.sources.Find(source_id);
  return info != nullptr ? info->dataset : std::string(source_id);
}

std::string Reader::AgencyOf(std::string_view source_id, const VisibleRecord* record) const {
  if (const SourceInfo* info = ctx_.sources.Find(source_id)) {
    return std::string(model::AgencyName(info->agency));
  }
  if (record != nullptr && !record->events.empty()) {
    return std::string(model::AgencyName(record->events.front().event.agency));
  }
  return "unknown";
}

std::string Utc(int64_t micros) { return FormatUtc(micros); }

std::string DisplayName(const model::PersonName& name) {
  std::string out;
  for (const std::string* part :
       {&name.title, &name.given, &name.middle, &name.family, &name.suffix}) {
    if (part->empty()) continue;
    if (!out.empty()) out += ' ';
    out += *part;
  }
  return out;
}

json NameJson(const model::PersonName& name) {
  return {{"given", name.given}, {"middle", name.middle}, {"family", name.family},
          {"title", name.title}, {"suffix", name.suffix}, {"display", DisplayName(name)}};
}

json LocationJson(const model::Location& location) {
  json out = {{"location_id", location.id},
              {"address", location.address_text},
              {"postcode", location.postcode}};
  if (!location.uprn.empty()) out["uprn"] = location.uprn;
  if (location.no_fixed_abode) out["no_fixed_abode"] = true;
  return out;
}

json ProvenanceJson(const Reader& reader, const VisibleRecord& record) {
  return {{"source_id", record.source.source_id},
          {"dataset", reader.Dataset(record.source.source_id)},
          {"agency", reader.AgencyOf(record.source.source_id, &record)},
          {"source_record_id", record.source.id},
          {"person_record_id", record.person.id},
          {"record_key", record.source.record_key},
          {"version", record.source.version},
          {"received_at", Utc(record.source.provenance.received_at_micros)}};
}

json WithheldFieldsJson(FieldMask shown) {
  return json(govern::FieldPaths(govern::kAllFields & ~shown));
}

Result<json> RecordJson(Reader& reader, const VisibleRecord& r) {
  json out = ProvenanceJson(reader, r);
  out["role"] = model::RoleName(r.person.role);
  out["deleted"] = r.source.deleted;
  json fields = json::object();
  const model::PersonRecord& p = r.person;
  if (Has(r.fields, Field::kPersonName)) {
    if (!DisplayName(p.name).empty()) fields["name"] = NameJson(p.name);
    if (!p.aliases.empty()) {
      json aliases = json::array();
      for (const model::PersonName& a : p.aliases) aliases.push_back(NameJson(a));
      fields["aliases"] = std::move(aliases);
    }
  }
  if (Has(r.fields, Field::kPersonDob) && p.dob) fields["dob"] = p.dob->ToIso();
  if (Has(r.fields, Field::kPersonSex) && p.sex != model::Sex::kUnknown) {
    fields["sex"] = model::SexName(p.sex);
  }
  json identifiers = json::array();
  for (const model::Identifier& id : p.identifiers) {
    if (id.kind == model::IdentifierKind::kNhsNumber) {
      if (Has(r.fields, Field::kPersonNhsNumber)) {
        fields["nhs_number"] = {{"value", id.value}, {"valid", id.valid}};
      }
    } else if (Has(r.fields, Field::kPersonIdentifiers)) {
      identifiers.push_back(
          {{"kind", model::IdentifierKindName(id.kind)}, {"value", id.value}, {"valid", id.valid}});
    }
  }
  if (!identifiers.empty()) fields["identifiers"] = std::move(identifiers);
  if (Has(r.fields, Field::kPersonAddress) && p.location_id) {
    TRY_ASSIGN(const model::Location* location, reader.Location(*p.location_id));
    fields["address"] = LocationJson(*location);
  }
  if (Has(r.fields, Field::kPersonPhone) && !p.phones.empty()) fields["phones"] = p.phones;
  if (Has(r.fields, Field::kPersonEmail) && !p.emails.empty()) fields["emails"] = p.emails;
  if (Has(r.fields, Field::kRecordRaw) && !p.raw.empty()) {
    json raw = json::object();
    for (const model::RawValue& v : p.raw) raw[v.field] = v.value;
    fields["raw"] = std::move(raw);
  }
  out["fields"] = std::move(fields);
  out["events"] = r.events.size();
  out["withheld_fields"] = WithheldFieldsJson(r.fields);
  return out;
}

Result<json> EventJson(Reader& reader, const VisibleEvent& ve) {
  const model::Event& e = ve.event;
  json out = {{"event_id", e.id},
              {"source_record_id", e.source_record_id},
              {"source_id", e.source_id},
              {"agency", model::AgencyName(e.agency)},
              {"dataset", reader.Dataset(e.source_id)}};
  if (Has(ve.fields, Field::kEventType)) out["type"] = e.type;
  if (Has(ve.fields, Field::kEventCategory)) out["category"] = e.category;
  if (Has(ve.fields, Field::kEventDate)) out["date"] = e.date.ToIso();
  if (Has(ve.fields, Field::kEventSeverity)) out["severity"] = e.severity;
  if (Has(ve.fields, Field::kEventLocation) && e.location_id) {
    TRY_ASSIGN(const model::Location* location, reader.Location(*e.location_id));
    out["location"] = {{"location_id", location->id}, {"postcode", location->postcode}};
  }
  if (Has(ve.fields, Field::kEventReference) && !e.event_ref.empty()) {
    out["reference"] = e.event_ref;
  }
  json roles = json::array();
  for (model::Role role : ve.roles) roles.push_back(model::RoleName(role));
  out["roles"] = std::move(roles);
  constexpr FieldMask kEventFields =
      govern::Bit(Field::kEventType) | govern::Bit(Field::kEventCategory) |
      govern::Bit(Field::kEventDate) | govern::Bit(Field::kEventSeverity) |
      govern::Bit(Field::kEventLocation) | govern::Bit(Field::kEventReference);
  out["withheld_fields"] = json(govern::FieldPaths(kEventFields & ~ve.fields));
  return out;
}

namespace {

bool Matches(const VisibleEvent& ve, const TimelineFilter& f) {
  const model::Event& e = ve.event;
  if (!f.agencies.empty() &&
      std::find(f.agencies.begin(), f.agencies.end(), e.agency) == f.agencies.end()) {
    return false;
  }
  if (!f.categories.empty()) {
    if (!Has(ve.fields, Field::kEventCategory)) return false;
    if (std::find(f.categories.begin(), f.categories.end(), e.category) == f.categories.end()) {
      return false;
    }
  }
  if (f.from || f.to) {
    if (!Has(ve.fields, Field::kEventDate)) return false;
    if (f.from && e.date < *f.from) return false;
    if (f.to && e.date > *f.to) return false;
  }
  return true;
}

}  // namespace

std::vector<TimelineEntry> BuildTimeline(const std::vector<const Dossier*>& dossiers,
                                         const TimelineFilter& filter) {
  std::unordered_map<model::EventId, size_t> index;
  std::vector<TimelineEntry> out;
  for (const Dossier* d : dossiers) {
    for (const VisibleRecord& r : d->records) {
      for (const VisibleEvent& ve : r.events) {
        if (!Matches(ve, filter)) continue;
        auto [it, added] = index.emplace(ve.event.id, out.size());
        if (added) out.push_back({&ve, {}, {}});
        TimelineEntry& entry = out[it->second];
        // Two views of one event (two of the nominal's records in it) may carry different
        // masks; the narrower one is shown.
        if (!added && (ve.fields & ~entry.event->fields) == 0) entry.event = &ve;
        for (model::Role role : ve.roles) {
          if (std::find(entry.roles.begin(), entry.roles.end(), role) == entry.roles.end()) {
            entry.roles.push_back(role);
          }
        }
        if (std::find(entry.nominals.begin(), entry.nominals.end(), d->id) ==
            entry.nominals.end()) {
          entry.nominals.push_back(d->id);
        }
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const TimelineEntry& a, const TimelineEntry& b) {
    const bool da = Has(a.event->fields, Field::kEventDate);
    const bool db = Has(b.event->fields, Field::kEventDate);
    if (da != db) return da;  // dated first
    if (da && a.event->event.date != b.event->event.date) {
      return a.event->event.date > b.event->event.date;
    }
    return a.event->event.id > b.event->event.id;
  });
  return out;
}

json AgenciesInvolved(const std::vector<const Dossier*>& dossiers, const CivilDate& today) {
  CivilDate cutoff{today.year - 1, today.month,
                   std::min(today.day, DaysInMonth(today.year - 1, today.month))};
  struct Involvement {
    CivilDate latest;
    std::set<model::EventId> events;
  };
  std::map<std::string, Involvement> by_agency;
  for (const Dossier* d : dossiers) {
    for (const VisibleRecord& r : d->records) {
      for (const VisibleEvent& ve : r.events) {
        if (!Has(ve.fields, Field::kEventDate)) continue;
        if (ve.event.date < cutoff || ve.event.date > today) continue;
        Involvement& inv = by_agency[std::string(model::AgencyName(ve.event.agency))];
        if (inv.events.empty() || ve.event.date > inv.latest) inv.latest = ve.event.date;
        inv.events.insert(ve.event.id);
      }
    }
  }
  std::vector<std::pair<std::string, Involvement>> sorted(by_agency.begin(), by_agency.end());
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second.latest != b.second.latest ? a.second.latest > b.second.latest
                                              : a.first < b.first;
  });
  json out = json::array();
  for (const auto& [agency, inv] : sorted) {
    out.push_back({{"agency", agency},
                   {"latest", inv.latest.ToIso()},
                   {"events", static_cast<int64_t>(inv.events.size())}});
  }
  return out;
}

void AddDossierToSeen(const Dossier& dossier, Seen& seen) {
  seen.AddNominal(dossier.id);
  for (const VisibleRecord& r : dossier.records) {
    seen.AddRecord(r.source.id);
    for (const VisibleEvent& ve : r.events) seen.AddRecord(ve.event.source_record_id);
  }
}

}  // namespace tessera::view::internal
