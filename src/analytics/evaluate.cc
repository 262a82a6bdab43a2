// Evaluating indicator rules over a timeline (analytics.h).
#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "analytics/analytics.h"

namespace tessera::analytics {
namespace {

template <typename T>
bool Listed(const std::vector<T>& list, const T& value) {
  return list.empty() || std::find(list.begin(), list.end(), value) != list.end();
}

// Whether `e` matches `m`, for `member`'s part in it (0: anyone's).
bool Matches(const TimelineEvent& e, const EventMatch& m, model::NominalId member) {
  if (!Listed(m.agencies, e.agency)) return false;
  if (!Listed(m.sources, e.source_id)) return false;
  if (!m.categories.empty() && (!e.category || !Listed(m.categories, *e.category))) return false;
  if (!m.types.empty() && (!e.type || !Listed(m.types, *e.type))) return false;
  if (member != 0 && std::find(e.nominals.begin(), e.nominals.end(), member) == e.nominals.end()) {
    return false;
  }
  if (m.roles.empty()) return true;
  return std::any_of(e.involvements.begin(), e.involvements.end(),
                     [&](const TimelineEvent::Involvement& inv) {
                       return (member == 0 || inv.nominal == member) && Listed(m.roles, inv.role);
                     });
}

struct Tally {
  int64_t count = 0;
  int64_t days = 0;
  std::vector<const TimelineEvent*> events;  // newest first
};

// The events in the window matching the rule, for `member` (0: everyone's together).
Tally Count(const IndicatorRule& rule, std::span<const TimelineEvent> events, const CivilDate& from,
            const CivilDate& to, model::NominalId member) {
  Tally t;
  std::set<std::pair<std::string, std::string>> occurrences;
  std::set<CivilDate> days;
  for (const TimelineEvent& e : events) {
    if (!e.date || *e.date < from || *e.date > to) continue;
    const bool matched = std::any_of(rule.match.begin(), rule.match.end(),
                                     [&](const EventMatch& m) { return Matches(e, m, member); });
    if (!matched) continue;
    t.events.push_back(&e);
    days.insert(*e.date);
    // Partners write one row per person involved, sharing the reference: one occurrence.
    occurrences.emplace(e.source_id, e.reference && !e.reference->empty()
                                         ? "ref:" + *e.reference
                                         : "id:" + std::to_string(e.id));
  }
  t.count = static_cast<int64_t>(occurrences.size());
  t.days = static_cast<int64_t>(days.size());
  std::sort(t.events.begin(), t.events.end(), [](const TimelineEvent* a, const TimelineEvent* b) {
    return a->date != b->date ? *a->date > *b->date : a->id > b->id;
  });
  return t;
}

bool Meets(const IndicatorRule& rule, const Tally& t) {
  return t.count >= rule.min_events && t.days >= rule.min_distinct_days;
}

std::vector<model::EventId> Ids(const std::vector<const TimelineEvent*>& events) {
  std::vector<model::EventId> out;
  for (const TimelineEvent* e : events) {
    if (std::find(out.begin(), out.end(), e->id) == out.end()) out.push_back(e->id);
  }
  return out;
}

Flag EvaluateEventRule(const IndicatorRule& rule, std::span<const TimelineEvent> events,
                       const CivilDate& as_of) {
  Flag f;
  f.rule = &rule;
  f.window_from = WindowStart(as_of, rule.window_months);
  if (rule.scope == Scope::kNominal || rule.any_member) {
    Tally t = Count(rule, events, f.window_from, as_of, 0);
    f.count = t.count;
    f.distinct_days = t.days;
    f.raised = Meets(rule, t);
    f.events = Ids(t.events);
    return f;
  }
  // One member's own events must meet the threshold.
  std::set<model::NominalId> members;
  for (const TimelineEvent& e : events) members.insert(e.nominals.begin(), e.nominals.end());
  std::vector<const TimelineEvent*> met_events;
  Tally best;
  for (model::NominalId member : members) {
    Tally t = Count(rule, events, f.window_from, as_of, member);
    if (t.count > best.count || (t.count == best.count && t.days > best.days)) best = t;
    if (!Meets(rule, t)) continue;
    f.raised = true;
    f.members.push_back(member);
    met_events.insert(met_events.end(), t.events.begin(), t.events.end());
  }
  f.count = best.count;
  f.distinct_days = best.days;
  if (f.raised) {
    std::sort(met_events.begin(), met_events.end(),
              [](const TimelineEvent* a, const TimelineEvent* b) {
                return a->date != b->date ? *a->date > *b->date : a->id > b->id;
              });
    f.events = Ids(met_events);
  } else {
    f.events = Ids(best.events);
  }
  return f;
}

}  // namespace

CivilDate WindowStart(const CivilDate& as_of, int months) {
  const int64_t month_index = int64_t{as_of.year} * 12 + (as_of.month - 1) - months;
  // Floor division: a window reaching back before year 0 still lands on a calendar month.
  const int64_t year_index = month_index >= 0 ? month_index / 12 : -((11 - month_index) / 12);
  const int year = static_cast<int>(year_index);
  const int month = static_cast<int>(month_index - year_index * 12) + 1;
  const CivilDate back{year, month, std::min(as_of.day, DaysInMonth(year, month))};
  return CivilDate::FromDays(back.ToDays() + 1);
}

std::vector<Flag> Evaluate(const IndicatorSet& set, Scope scope,
                           std::span<const TimelineEvent> events, const CivilDate& as_of) {
  const std::vector<IndicatorRule>& rules = set.rules();
  std::vector<std::optional<Flag>> flags(rules.size());
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < rules.size(); ++i) index[rules[i].code] = i;
  // An event's date, to order a composite's events newest first.
  std::unordered_map<model::EventId, CivilDate> dates;
  for (const TimelineEvent& e : events) {
    if (e.date) dates[e.id] = *e.date;
  }
  for (size_t i : set.evaluation_order()) {
    const IndicatorRule& rule = rules[i];
    if (rule.scope != scope) continue;
    if (!rule.composite) {
      flags[i] = EvaluateEventRule(rule, events, as_of);
      continue;
    }
    Flag f;
    f.rule = &rule;
    f.window_from = as_of;
    std::vector<model::EventId> union_events;
    for (const std::string& code : rule.of) {
      const Flag& component = *flags[index.at(code)];  // evaluated first: same scope
      f.components.push_back({code, component.raised});
      f.window_from = std::min(f.window_from, component.window_from);
      if (!component.raised) continue;
      ++f.count;
      for (model::EventId id : component.events) {
        if (std::find(union_events.begin(), union_events.end(), id) == union_events.end()) {
          union_events.push_back(id);
        }
      }
      for (model::NominalId m : component.members) {
        if (std::find(f.members.begin(), f.members.end(), m) == f.members.end()) {
          f.members.push_back(m);
        }
      }
    }
    std::stable_sort(union_events.begin(), union_events.end(),
                     [&](model::EventId a, model::EventId b) {
                       auto da = dates.find(a), db = dates.find(b);
                       if (da != dates.end() && db != dates.end() && da->second != db->second) {
                         return da->second > db->second;
                       }
                       return a > b;
                     });
    f.events = std::move(union_events);
    f.raised = f.count >= rule.at_least;
    flags[i] = std::move(f);
  }
  std::vector<Flag> out;
  for (std::optional<Flag>& f : flags) {
    if (f) out.push_back(std::move(*f));
  }
  return out;
}

}  // namespace tessera::analytics
