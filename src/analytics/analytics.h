// Transparent risk indicators (issue 7, part 1): rules written in YAML, evaluated over one
// nominal's or one household's timeline within a window ending on an "as of" date. A rule says
// which events count (agency, source, category, type, role), how many are needed, and over how
// many months; a composite rule says how many of its component rules must be raised ("two or
// more of the six headline problems"). Every flag lists the events (and, for a composite, the
// components) that raised it. Format and the default set: docs/formats/indicators.md.
//
// This module knows nothing of governance: it evaluates what it is given. The caller gives it
// only what the request may see (src/view turns a Visibility's visible events into
// TimelineEvents: a withheld date, type, category or reference is absent here, so a rule can
// never use it). Indicators are advisory: they say which simple, published criteria a record
// meets, not what will happen, and a person decides.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/dates.h"
#include "core/status.h"
#include "model/model.h"

namespace tessera::analytics {

enum class Scope { kNominal, kHousehold };
std::string_view ScopeName(Scope scope);  // "nominal", "household"

// Which events a rule counts. Every list given must hold (an empty list holds for any event);
// a rule's `match` is one of these or a list of them, any of which may hold.
struct EventMatch {
  std::vector<model::Agency> agencies;
  std::vector<std::string> sources;     // source ids (police_crime)
  std::vector<std::string> categories;  // the event's category must be visible and listed
  std::vector<std::string> types;       // the event's type must be visible and listed
  std::vector<model::Role> roles;       // a counted person's role in the event
};

struct IndicatorRule {
  std::string code;
  std::string title;
  std::string description;
  Scope scope = Scope::kNominal;
  int line = 0;  // where the rule starts in its file

  // An event rule: events in the window matching any of `match`.
  int window_months = 0;
  std::vector<EventMatch> match;
  int min_events = 1;         // distinct occurrences (see Evaluate)
  int min_distinct_days = 0;  // distinct event dates among them
  // Household scope: true (the default), every shown member's events count together; false,
  // one member's own events must meet the threshold.
  bool any_member = true;

  // A composite rule: raised when at least `at_least` of `of` are (all_of: all of them).
  // Components have the rule's scope.
  bool composite = false;
  int at_least = 0;
  std::vector<std::string> of;
};

class IndicatorSet {
 public:
  // Parses and checks a rule file. Errors are InvalidArgument "FILE:LINE: KEY: what", the key
  // as a path ("indicators[2].match.roles[0]"): unknown keys, bad values, duplicate codes,
  // components that do not exist or are of the other scope, cycles, bad windows.
  static Result<IndicatorSet> Parse(std::string_view yaml, const std::string& file);
  static Result<IndicatorSet> Load(const std::string& path);  // NotFound if unreadable
  // The default set compiled into the binary (examples/synthetic/indicators.yaml).
  static std::string_view DefaultYaml();
  static Result<IndicatorSet> Default();
  // HUB/analytics/indicators.yaml when the hub has one, else the default.
  static std::string HubRulesPath(const std::string& hub_dir);
  static Result<IndicatorSet> ForHub(const std::string& hub_dir);

  const std::vector<IndicatorRule>& rules() const { return rules_; }  // in file order
  const IndicatorRule* Find(std::string_view code) const;
  // Indexes into rules(), components before the composites that use them.
  const std::vector<size_t>& evaluation_order() const { return order_; }
  // Where the rules came from: a path, or "built-in default".
  const std::string& origin() const { return origin_; }
  bool built_in() const { return built_in_; }

 private:
  std::vector<IndicatorRule> rules_;
  std::vector<size_t> order_;
  std::string origin_;
  bool built_in_ = false;
};

// One event as the caller may see it. A field the caller may not see is absent, and a rule
// needing it does not match.
struct TimelineEvent {
  model::EventId id = 0;
  std::string source_id;
  model::Agency agency = model::Agency::kPolice;
  std::optional<std::string> type;
  std::optional<std::string> category;
  std::optional<CivilDate> date;  // absent: never in a window
  // The partner's event reference, when visible: events of one source with one reference are
  // one occurrence (partners write one row per person involved).
  std::optional<std::string> reference;
  // Whose timeline it is on (a household's members), and their roles in it.
  std::vector<model::NominalId> nominals;
  struct Involvement {
    model::NominalId nominal = 0;
    model::Role role = model::Role::kSubject;
  };
  std::vector<Involvement> involvements;
};

struct Flag {
  const IndicatorRule* rule = nullptr;
  bool raised = false;
  // Event rules: distinct occurrences and dates of the matching events in the window (for
  // any_member false: the member with the most). Composites: components raised.
  int64_t count = 0;
  int64_t distinct_days = 0;
  // The first day counted (a composite: its components' earliest).
  CivilDate window_from;
  // Event rules: the matching events in the window, newest first (for any_member false: those
  // of the members who met the threshold, or of the member with the most when none did).
  // Composites: the events of the raised components.
  std::vector<model::EventId> events;
  std::vector<model::NominalId> members;  // any_member false: the members who met it
  struct Component {
    std::string code;
    bool raised = false;
  };
  std::vector<Component> components;  // composites, in the rule's order
};

// The first day a window of `months` months ending on `as_of` (inclusive) counts: the day
// after the same date `months` months earlier (clamped to the month's end). 12 months to
// 2024-12-31 count from 2024-01-01; to 2024-03-31, one month counts from 2024-03-01.
CivilDate WindowStart(const CivilDate& as_of, int months);

// Evaluates every rule of `scope` over `events` as of `as_of`, in file order. An event counts
// for a rule when its date is within the window (WindowStart..as_of, both inclusive; events
// after `as_of` never count), it matches one of the rule's matches, and (roles) a counted
// person had a listed role in it. The count is of occurrences: events of one source sharing a
// visible reference count once.
std::vector<Flag> Evaluate(const IndicatorSet& set, Scope scope,
                           std::span<const TimelineEvent> events, const CivilDate& as_of);

}  // namespace tessera::analytics
