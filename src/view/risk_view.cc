// Risk scores as the request may see them (risk.h).
#include <algorithm>
#include <map>
#include <set>

#include "analytics/analytics.h"
#include "core/clock.h"
#include "risk/risk.h"
#include "view/dossier.h"
#include "view/risk.h"

namespace tessera::view {

namespace {

using namespace internal;  // NOLINT(google-build-using-namespace): this module's own helpers

constexpr FieldMask kScoreFields = Bit(Field::kEventDate) | Bit(Field::kEventCategory);
constexpr size_t kFactorEvents = 5;

// What a feature counts, parsed from its name (src/risk/features.cc names them).
struct FeatureEvents {
  bool links = false;  // false: the feature is not a count of the nominal's own events
  std::optional<model::Agency> agency;
  std::string category;
  int months = 0;          // window; 0 with `last_only`
  bool last_only = false;  // days_since_last_event: the latest event
  bool household = false;  // the co-members' events, not the nominal's own
};

FeatureEvents ParseFeature(std::string_view name) {
  FeatureEvents out;
  const std::string f(name);
  const size_t first = f.find('.');
  const size_t last = f.rfind('.');
  auto months = [&](std::string_view w) {
    if (w.size() < 2 || w.back() != 'm') return 0;
    int n = 0;
    for (char c : w.substr(0, w.size() - 1)) {
      if (c < '0' || c > '9') return 0;
      n = n * 10 + (c - '0');
    }
    return n;
  };
  if ((f.starts_with("agency.") || f.starts_with("category.")) && last != first) {
    const std::string middle = f.substr(first + 1, last - first - 1);
    out.months = months(std::string_view(f).substr(last + 1));
    if (out.months == 0) return out;
    if (f.starts_with("agency.")) {
      out.agency = model::AgencyFromName(middle);
      if (!out.agency) return out;
    } else {
      out.category = middle;
    }
    out.links = true;
  } else if (f == "events.12m") {
    out.months = 12;
    out.links = true;
  } else if (f == "trend.12m_minus_previous_12m") {
    out.months = 24;
    out.links = true;
  } else if (f == "days_since_last_event") {
    out.last_only = true;
    out.links = true;
  } else if (f.starts_with("household.member_") && f.ends_with(".12m")) {
    // household.member_events / _childrens_social_care / _police / _domestic_abuse .12m
    const std::string what = f.substr(17, f.size() - 17 - 4);
    out.months = 12;
    out.household = true;
    out.links = true;
    if (what == "childrens_social_care") {
      out.agency = model::Agency::kChildrensSocialCare;
    } else if (what == "police") {
      out.agency = model::Agency::kPolice;
    } else if (what == "domestic_abuse") {
      out.category = "domestic_abuse_incident";
    } else if (what != "events") {
      out.links = false;
    }
  }
  return out;
}

// The nominal's visible occurrences in the model's input datasets before `as_of`, newest
// first, deduplicated by source and reference as the features are.
// One occurrence, and whose timeline it is on.
struct InputEvent {
  const VisibleEvent* event = nullptr;
  model::NominalId nominal = 0;
};

std::vector<InputEvent> InputEvents(const std::vector<Dossier>& dossiers, const ApprovedModel& m,
                                    const CivilDate& as_of) {
  const std::set<std::string, std::less<>> inputs(m.input_datasets.begin(), m.input_datasets.end());
  std::vector<InputEvent> out;
  for (const Dossier& d : dossiers) {
    // Per person, as the features count (a co-member's incident counts for each member in it).
    std::set<std::pair<std::string, std::string>> seen;
    for (const VisibleRecord& r : d.records) {
      for (const VisibleEvent& ve : r.events) {
        const model::Event& e = ve.event;
        if (!inputs.contains(e.source_id) || !e.date.IsValid() || !(e.date < as_of)) continue;
        if ((ve.fields & kScoreFields) != kScoreFields) continue;
        std::pair<std::string, std::string> key{
            e.source_id, e.event_ref.empty() ? "#" + std::to_string(e.id) : e.event_ref};
        if (!seen.insert(std::move(key)).second) continue;
        out.push_back({&ve, d.id});
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const InputEvent& a, const InputEvent& b) {
    const model::Event& x = a.event->event;
    const model::Event& y = b.event->event;
    if (x.date != y.date) return x.date > y.date;
    return x.id != y.id ? x.id > y.id : a.nominal < b.nominal;
  });
  return out;
}

json FactorEventJson(const VisibleEvent& ve) {
  const model::Event& e = ve.event;
  json out = {{"event_id", e.id},
              {"date", e.date.ToIso()},
              {"source_id", e.source_id},
              {"agency", model::AgencyName(e.agency)},
              {"category", e.category}};
  out["type"] = Has(ve.fields, Field::kEventType) ? json(e.type) : json(nullptr);
  return out;
}

std::string Percent(double p) {
  const int tenths = static_cast<int>(p * 1000 + 0.5);
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + "%";
}

// The household co-members the features counted as of `as_of` (src/risk ComputeFeatures): in a
// household that is not dissolved, the tie (the later start, the earlier end of the two
// memberships) begun before `as_of` and not ended before the 12-month window. Sealed members
// are left out.
// Each co-member with the addresses of the households shared with them.
Result<std::map<model::NominalId, std::set<model::LocationId>>> CoMembers(Reader& reader,
                                                                          model::NominalId live,
                                                                          const CivilDate& as_of) {
  const CivilDate start12 = analytics::WindowStart(CivilDate::FromDays(as_of.ToDays() - 1), 12);
  TRY_ASSIGN(std::vector<model::Household> households,
             reader.store().ListHouseholdsForNominal(live));
  std::map<model::NominalId, std::set<model::LocationId>> out;
  for (const model::Household& h : households) {
    if (h.dissolved) continue;
    const model::HouseholdMembership* self = nullptr;
    for (const model::HouseholdMembership& m : h.members) {
      if (m.nominal_id == live) self = &m;
    }
    if (self == nullptr) continue;
    for (const model::HouseholdMembership& m : h.members) {
      if (m.nominal_id == live || reader.visibility().NominalSealed(m.nominal_id)) continue;
      std::optional<CivilDate> from = self->from, to = self->to;
      if (m.from && (!from || *from < *m.from)) from = m.from;
      if (m.to && (!to || *m.to < *to)) to = m.to;
      if (from && !(*from < as_of)) continue;
      if (to && *to < start12) continue;
      out[m.nominal_id].insert(h.location_id);
    }
  }
  return out;
}

// Whether the request may be told that `member` lives with the person: as the household page
// shows a member, a visible record of theirs with "person.address" places them at the address.
bool MemberShown(const Dossier& member, const std::set<model::LocationId>& addresses) {
  for (const VisibleRecord& r : member.records) {
    if (Has(r.fields, Field::kPersonAddress) && r.person.location_id &&
        addresses.contains(*r.person.location_id)) {
      return true;
    }
  }
  return false;
}

bool DrawsOnHidden(const Dossier& d, const ApprovedModel& model) {
  for (const std::string& hidden : d.hidden_sources) {
    if (std::find(model.input_datasets.begin(), model.input_datasets.end(), hidden) !=
        model.input_datasets.end()) {
      return true;
    }
  }
  return false;
}

}  // namespace

Result<std::optional<ApprovedModel>> FindApprovedModel(store::Store& store) {
  TRY_ASSIGN(std::vector<store::StoredRiskModel> registry, store.ListRiskModels());
  for (auto it = registry.rbegin(); it != registry.rend(); ++it) {
    if (it->state != "approved") continue;
    ApprovedModel m;
    m.registry = *it;
    m.outcome_title = risk::OutcomeTitle(it->outcome);
    // Metadata of the wrong shape leaves the model without datasets, and so withheld from
    // everyone (DatasetCoverageGap), rather than failing the page.
    auto meta = risk::ParseModelMetadata(it->metadata, "risk model " + it->version);
    if (meta.ok()) {
      m.input_datasets = std::move(meta->input_datasets);
      if (!meta->outcome_title.empty()) m.outcome_title = std::move(meta->outcome_title);
      m.base_rate = meta->base_rate;
      m.feature_names = std::move(meta->feature_names);
      m.feature_labels = std::move(meta->feature_labels);
    }
    return std::optional<ApprovedModel>(std::move(m));
  }
  return std::optional<ApprovedModel>();
}

std::string DatasetCoverageGap(const govern::Visibility& visibility, const ApprovedModel& model) {
  if (model.input_datasets.empty()) {
    return "model " + model.registry.version +
           " does not record the datasets it was trained on, so no one may be shown its scores; "
           "train a new version";
  }
  int missing = 0;
  for (const std::string& d : model.input_datasets) {
    if ((visibility.DatasetFields(d) & kScoreFields) != kScoreFields) ++missing;
  }
  if (missing == 0) return "";
  return "the score draws on " + std::to_string(missing) +
         (missing == 1 ? " dataset" : " datasets") +
         " whose event dates and categories your agreement for this purpose does not share";
}

bool RecordsBehindScoreVisible(const govern::Visibility& visibility, const ApprovedModel& model,
                               model::NominalId nominal, std::span<const store::EventFact> facts,
                               const CivilDate& as_of) {
  const int64_t from = as_of.ToDays() - model.horizon_days;
  for (const store::EventFact& f : facts) {
    if (std::find(model.input_datasets.begin(), model.input_datasets.end(), f.source_id) ==
        model.input_datasets.end()) {
      continue;
    }
    if (!(f.date < as_of) || f.date.ToDays() < from) continue;
    const govern::RecordVisibility v =
        visibility.ForRecord(f.source_id, f.source_record_id, nominal);
    if (!v.visible() || (v.fields & kScoreFields) != kScoreFields) return false;
  }
  return true;
}

json DecisionJson(const store::StoredRiskDecision& d) {
  return {{"id", d.id},           {"decision", d.decision},
          {"reason", d.reason},   {"by", d.actor},
          {"agency", d.agency},   {"at", FormatUtc(d.decided_at_micros)},
          {"version", d.version}, {"probability", d.probability}};
}

Result<Page> NominalRisk(const ViewContext& ctx, model::NominalId id, Seen& seen) {
  Reader reader(ctx);
  TRY_ASSIGN(model::NominalId live, reader.LiveNominal(id));
  Page page;
  if (live != id) {
    page.redirect_to = live;
    return page;
  }
  seen.AddNominal(live);
  json body = {{"nominal_id", live}, {"factors", json::array()}, {"decisions", json::array()}};
  TRY_ASSIGN(std::optional<ApprovedModel> model, FindApprovedModel(ctx.store));
  if (!model) {
    body["state"] = "no_approved_model";
    body["message"] =
        "No risk model is approved for use: scores are shown only once an "
        "information-governance officer approves a model.";
    page.body = std::move(body);
    return page;
  }
  const store::StoredRiskModel& reg = model->registry;
  body["model"] = {{"version", reg.version},
                   {"outcome", reg.outcome},
                   {"outcome_title", model->outcome_title},
                   {"approved_by", reg.decided_by},
                   {"approved_at", FormatUtc(reg.decided_at_micros)},
                   {"input_datasets", model->input_datasets}};
  const auto withheld = [&](std::string message) {
    body["state"] = "withheld";
    body["message"] = std::move(message);
    page.body = std::move(body);
    return page;
  };
  if (std::string gap = DatasetCoverageGap(ctx.visibility, *model); !gap.empty()) {
    return withheld("The score is not shown: " + gap + ".");
  }
  TRY_ASSIGN(Dossier d, reader.ReadDossier(live, /*with_events=*/true));
  if (DrawsOnHidden(d, *model)) {
    return withheld(
        "The score is not shown: it draws on records of this person that you may not see.");
  }
  TRY_ASSIGN(std::optional<store::StoredRiskScore> score,
             ctx.store.GetRiskScore(reg.version, live));
  if (!score) {
    body["state"] = "not_scored";
    body["message"] = "This person has no score from model " + reg.version +
                      ": they were not in the hub, or not linked, when it last scored.";
    page.body = std::move(body);
    return page;
  }
  // The household co-members' events count too: every one of their records in the input
  // datasets must be visible as well.
  using CoMemberMap = std::map<model::NominalId, std::set<model::LocationId>>;
  TRY_ASSIGN(CoMemberMap co_members, CoMembers(reader, live, score->as_of));
  std::vector<Dossier> own, household;
  std::set<model::NominalId> members_shown;
  for (const auto& [m, addresses] : co_members) {
    TRY_ASSIGN(Dossier md, reader.ReadDossier(m, /*with_events=*/true));
    if (DrawsOnHidden(md, *model)) {
      return withheld(
          "The score is not shown: it draws on records of this person's household that you may "
          "not see.");
    }
    if (MemberShown(md, addresses)) members_shown.insert(m);
    household.push_back(std::move(md));
  }
  TRY_ASSIGN(store::Store::RiskScoreBatch batch, ctx.store.GetRiskScoreBatch(reg.version));
  const json explanation = json::parse(score->explanation, nullptr, /*allow_exceptions=*/false);
  if (!explanation.is_object() || !explanation.contains("factors") ||
      !explanation["factors"].is_array()) {
    return Status::Corruption("the stored explanation of nominal " + std::to_string(live) +
                              "'s score is not valid");
  }
  body["state"] = "scored";
  body["message"] = "Advisory only: an estimated " + Percent(score->probability) +
                    " chance, against " + Percent(model->base_rate) +
                    " for everyone scored. A practitioner decides what it means.";
  body["score"] = {{"probability", score->probability},
                   {"margin", score->margin},
                   {"bias", explanation.value("bias", 0.0)},
                   {"rank", score->rank},
                   {"of", batch.count},
                   {"as_of", score->as_of.ToIso()},
                   {"scored_at", FormatUtc(score->scored_at_micros)},
                   {"base_rate", model->base_rate}};
  body["other_contribution"] = explanation.value("other", 0.0);
  own.push_back(std::move(d));
  const std::vector<InputEvent> own_events = InputEvents(own, *model, score->as_of);
  const std::vector<InputEvent> household_events = InputEvents(household, *model, score->as_of);
  for (const json& f : explanation["factors"]) {
    // [feature index, value, contribution] (src/risk ScoreAll)
    if (!f.is_array() || f.size() != 3 || !f[0].is_number_unsigned() || !f[1].is_number() ||
        !f[2].is_number() || f[0].get<size_t>() >= model->feature_names.size()) {
      return Status::Corruption("the stored explanation of nominal " + std::to_string(live) +
                                "'s score does not match model " + reg.version + "'s features");
    }
    const size_t index = f[0].get<size_t>();
    const std::string& feature = model->feature_names[index];
    const std::string label =
        index < model->feature_labels.size() && !model->feature_labels[index].empty()
            ? model->feature_labels[index]
            : feature;
    json factor = {{"feature", feature},
                   {"label", label},
                   {"value", f[1].get<double>()},
                   {"contribution", f[2].get<double>()}};
    const FeatureEvents what = ParseFeature(feature);
    json linked = json::array();
    int64_t total = 0;
    if (what.links) {
      const CivilDate start =
          what.last_only
              ? CivilDate::FromDays(0)
              : analytics::WindowStart(CivilDate::FromDays(score->as_of.ToDays() - 1), what.months);
      for (const InputEvent& in : what.household ? household_events : own_events) {
        const model::Event& e = in.event->event;
        if (e.date < start) continue;
        if (what.agency && e.agency != *what.agency) continue;
        if (!what.category.empty() && e.category != what.category) continue;
        ++total;
        if (linked.size() < (what.last_only ? 1 : kFactorEvents)) {
          json event = FactorEventJson(*in.event);
          // A co-member's event says whose it is when the household page would show the
          // member; otherwise only that it is a household member's.
          if (what.household && members_shown.contains(in.nominal)) {
            event["nominal_id"] = in.nominal;
            seen.AddNominal(in.nominal);
          }
          linked.push_back(std::move(event));
          seen.AddRecord(e.source_record_id);
        }
        if (what.last_only) break;
      }
    }
    factor["events"] = std::move(linked);
    factor["events_total"] = total;
    body["factors"].push_back(std::move(factor));
  }
  TRY_ASSIGN(std::vector<store::StoredRiskDecision> decisions,
             ctx.store.ListRiskDecisions(live, 50));
  for (const store::StoredRiskDecision& dec : decisions) {
    body["decisions"].push_back(DecisionJson(dec));
  }
  page.body = std::move(body);
  seen.Normalise();
  return page;
}

Result<Page> HouseholdRisk(const ViewContext& ctx, model::HouseholdId id, Seen& seen) {
  Reader reader(ctx);
  TRY_ASSIGN(HouseholdRead h, ReadHousehold(reader, id, seen));
  json members = json::array();
  json model_json;
  for (model::NominalId member : h.part.shown_members) {
    Seen member_seen;  // the factors' events are not shown here
    TRY_ASSIGN(Page risk, NominalRisk(ctx, member, member_seen));
    if (risk.redirect_to) continue;  // cannot happen: shown members are live
    const json& r = risk.body;
    if (r.contains("model")) model_json = r["model"];
    json m = {{"nominal_id", member}, {"state", r["state"]}, {"message", r["message"]}};
    for (const json& shown : h.part.body["members"]) {
      if (shown.value("nominal_id", int64_t{0}) == member) m["name"] = shown.value("name", json());
    }
    if (r.contains("score")) {
      m["probability"] = r["score"]["probability"];
      m["rank"] = r["score"]["rank"];
      m["of"] = r["score"]["of"];
      m["as_of"] = r["score"]["as_of"];
      json top = json::array();
      for (const json& f : r["factors"]) {
        if (top.size() == 3) break;
        top.push_back({{"label", f["label"]}, {"contribution", f["contribution"]}});
      }
      m["top_factors"] = std::move(top);
    }
    members.push_back(std::move(m));
  }
  Page page;
  page.body = {{"household_id", id}, {"members", std::move(members)}};
  if (!model_json.is_null()) page.body["model"] = std::move(model_json);
  seen.Normalise();
  return page;
}

}  // namespace tessera::view
