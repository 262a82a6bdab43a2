// Indicators over the timeline a request may see (view.h, NominalIndicators).
#include <algorithm>
#include <map>

#include "analytics/analytics.h"
#include "view/dossier.h"

namespace tessera::view {
namespace {

using namespace internal;  // NOLINT(google-build-using-namespace): this module's own helpers

// One event as the dossiers show it: the narrowest of its masks, and every shown person's
// roles in it.
struct SeenEvent {
  VisibleEvent shown;  // fields: the intersection of the views' masks; roles: all of them
  std::vector<model::NominalId> nominals;
  std::vector<analytics::TimelineEvent::Involvement> involvements;
};

std::vector<SeenEvent> VisibleEvents(const std::vector<const Dossier*>& dossiers) {
  std::map<model::EventId, SeenEvent> by_id;
  for (const Dossier* d : dossiers) {
    for (const VisibleRecord& r : d->records) {
      for (const VisibleEvent& ve : r.events) {
        auto [it, added] = by_id.try_emplace(ve.event.id);
        SeenEvent& se = it->second;
        if (added) {
          se.shown = ve;
          se.shown.roles.clear();
        } else {
          se.shown.fields &= ve.fields;
        }
        if (std::find(se.nominals.begin(), se.nominals.end(), d->id) == se.nominals.end()) {
          se.nominals.push_back(d->id);
        }
        for (model::Role role : ve.roles) {
          if (std::find(se.shown.roles.begin(), se.shown.roles.end(), role) ==
              se.shown.roles.end()) {
            se.shown.roles.push_back(role);
          }
          se.involvements.push_back({d->id, role});
        }
      }
    }
  }
  std::vector<SeenEvent> out;
  for (auto& [id, se] : by_id) out.push_back(std::move(se));
  return out;
}

analytics::TimelineEvent ForRules(const SeenEvent& se) {
  const model::Event& e = se.shown.event;
  analytics::TimelineEvent out = EventForRules(e.id, e.source_id, e.agency, e.type, e.category,
                                               e.date, e.event_ref, se.shown.fields);
  out.nominals = se.nominals;
  out.involvements = se.involvements;
  return out;
}

json IndicatorJson(const analytics::Flag& f, const CivilDate& as_of) {
  const analytics::IndicatorRule& rule = *f.rule;
  json out = {{"code", rule.code},
              {"title", rule.title},
              {"description", rule.description},
              {"scope", analytics::ScopeName(rule.scope)},
              {"raised", f.raised},
              {"count", f.count},
              {"window", {{"from", f.window_from.ToIso()}, {"to", as_of.ToIso()}}},
              {"events", f.events},
              {"members", f.members}};
  json components = json::array();
  for (const analytics::Flag::Component& c : f.components) {
    components.push_back({{"code", c.code}, {"raised", c.raised}});
  }
  out["components"] = std::move(components);
  if (rule.composite) {
    out["window_months"] = nullptr;
    out["threshold"] = {{"at_least", rule.at_least}, {"of", rule.of}};
  } else {
    out["window_months"] = rule.window_months;
    out["distinct_days"] = f.distinct_days;
    out["threshold"] = {{"min_events", rule.min_events},
                        {"min_distinct_days", rule.min_distinct_days}};
    if (rule.scope == analytics::Scope::kHousehold) {
      out["threshold"]["any_member"] = rule.any_member;
    }
  }
  return out;
}

// The indicators of `scope` over the dossiers, and the events they list, newest first.
struct Evaluated {
  json indicators = json::array();
  json events = json::array();
};

Result<Evaluated> EvaluateDossiers(Reader& reader, const analytics::IndicatorSet& rules,
                                   analytics::Scope scope,
                                   const std::vector<const Dossier*>& dossiers,
                                   const CivilDate& as_of, bool with_nominals, Seen& seen) {
  std::vector<SeenEvent> visible = VisibleEvents(dossiers);
  std::vector<analytics::TimelineEvent> timeline;
  timeline.reserve(visible.size());
  for (const SeenEvent& se : visible) timeline.push_back(ForRules(se));
  std::vector<analytics::Flag> flags = analytics::Evaluate(rules, scope, timeline, as_of);

  Evaluated out;
  std::vector<const SeenEvent*> listed;
  for (const analytics::Flag& f : flags) {
    out.indicators.push_back(IndicatorJson(f, as_of));
    for (model::EventId id : f.events) {
      auto it = std::lower_bound(
          visible.begin(), visible.end(), id,
          [](const SeenEvent& se, model::EventId want) { return se.shown.event.id < want; });
      if (it == visible.end() || it->shown.event.id != id) continue;  // cannot happen
      if (std::find(listed.begin(), listed.end(), &*it) == listed.end()) listed.push_back(&*it);
    }
  }
  // Listed events are all dated (a rule counts only dated events): newest first.
  std::sort(listed.begin(), listed.end(), [](const SeenEvent* a, const SeenEvent* b) {
    const model::Event& ea = a->shown.event;
    const model::Event& eb = b->shown.event;
    return ea.date != eb.date ? ea.date > eb.date : ea.id > eb.id;
  });
  for (const SeenEvent* se : listed) {
    TRY_ASSIGN(json e, EventJson(reader, se->shown));
    if (with_nominals) e["nominal_ids"] = se->nominals;
    out.events.push_back(std::move(e));
    seen.AddRecord(se->shown.event.source_record_id);
  }
  return out;
}

}  // namespace

Result<Page> NominalIndicators(const ViewContext& ctx, const analytics::IndicatorSet& rules,
                               model::NominalId id, const CivilDate& as_of, Seen& seen) {
  Reader reader(ctx);
  TRY_ASSIGN(model::NominalId live, reader.LiveNominal(id));
  Page page;
  if (live != id) {
    page.redirect_to = live;
    return page;
  }
  TRY_ASSIGN(Dossier d, reader.ReadDossier(live, /*with_events=*/true));
  seen.AddNominal(d.id);
  TRY_ASSIGN(Evaluated e, EvaluateDossiers(reader, rules, analytics::Scope::kNominal, {&d}, as_of,
                                           /*with_nominals=*/false, seen));
  page.body = {{"nominal_id", d.id},
               {"as_of", as_of.ToIso()},
               {"rule_set", rules.built_in() ? "default" : "hub"},
               {"indicators", std::move(e.indicators)},
               {"events", std::move(e.events)},
               {"withheld", d.withheld.ToJson()}};
  seen.Normalise();
  return page;
}

Result<Page> HouseholdIndicators(const ViewContext& ctx, const analytics::IndicatorSet& rules,
                                 model::HouseholdId id, const CivilDate& as_of, Seen& seen) {
  Reader reader(ctx);
  TRY_ASSIGN(HouseholdRead h, ReadHousehold(reader, id, seen));
  std::vector<const Dossier*> dossiers;
  WithheldCount withheld;
  for (const Dossier& d : h.dossiers) {
    dossiers.push_back(&d);
    withheld.Merge(d.withheld);
  }
  TRY_ASSIGN(Evaluated e, EvaluateDossiers(reader, rules, analytics::Scope::kHousehold, dossiers,
                                           as_of, /*with_nominals=*/true, seen));
  Page page;
  page.body = {{"household_id", id},
               {"as_of", as_of.ToIso()},
               {"rule_set", rules.built_in() ? "default" : "hub"},
               {"members", h.part.shown_members},
               {"members_withheld", h.part.body["members_withheld"]},
               {"indicators", std::move(e.indicators)},
               {"events", std::move(e.events)},
               {"withheld", withheld.ToJson()}};
  seen.Normalise();
  return page;
}

namespace internal {

analytics::TimelineEvent EventForRules(model::EventId id, const std::string& source_id,
                                       model::Agency agency, const std::string& type,
                                       const std::string& category, const CivilDate& date,
                                       const std::string& reference, FieldMask mask) {
  analytics::TimelineEvent out;
  out.id = id;
  out.source_id = source_id;
  out.agency = agency;
  if (Has(mask, Field::kEventType)) out.type = type;
  if (Has(mask, Field::kEventCategory)) out.category = category;
  if (Has(mask, Field::kEventDate)) out.date = date;
  if (Has(mask, Field::kEventReference) && !reference.empty()) out.reference = reference;
  return out;
}

}  // namespace internal
}  // namespace tessera::view
