// Demand and duplicate intervention (issue 7, part 5): aggregates over the visible events of
// the whole hub, read in one pass (Store::ListEventFacts) and judged record by record through
// the request's Visibility, as the single view does (view.h): an event is used only when its
// source record is visible for one of the nominals it names (for no nominal: for nominal 0), and
// only through the fields its mask permits. Which purpose may ask is the caller's business (the
// API allows only risk assessment). Definitions: docs/formats/indicators.md, "Demand and
// duplicate intervention".
//
//   Demand: {"from", "to", "groups": ["agency", "month"], "suppress_below": 5,
//      "cells": [{"agency", "category", "area", "month" (those grouped), "count": n | null,
//      "suppressed": bool}], "total": n | null, "total_suppressed": bool}
//      agency: the source's agency; category: needs "event.category"; area: the postcode
//      district ("M11") of the event's location when "event.location" is shared, else of the
//      address of the first person named in it when "person.address" is shared, else
//      "unknown"; month: "2024-03". Every event needs "event.date" (the period). Cells
//      by key; suppression: analytics::Suppress.
//   DuplicateInterventions: {"as_of", "gap_days", "households": [{"household_id",
//      "agency_count", "members": [nominal ids], "agencies": [agency episode...]}],
//      "nominals": [{"nominal_id", "agency_count", "agencies": [...]}],
//      "summary": {"households": [{"agencies": "2"|"3"|"4+", "count": n |
//      null, "suppressed"}], "nominals": [...]}}
//      agency episode: {"agency", "episode_start", "latest_event", "open_until", "events",
//      "members": [nominal ids whose events are in it] (households)}
//      Ranked by agencies, then events in the open episodes, then id; at most `limit` of each.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/dates.h"
#include "core/status.h"
#include "view/view.h"

namespace tessera::view {

enum class DemandGroup { kAgency, kCategory, kArea, kMonth };
std::string_view DemandGroupName(DemandGroup group);  // "agency", "category", "area", "month"
std::optional<DemandGroup> DemandGroupFromName(std::string_view name);

struct DemandQuery {
  CivilDate from, to;               // inclusive
  std::vector<DemandGroup> groups;  // at least one, each once
};

// No nominal or record is shown: `seen` is left alone by Demand.
Result<nlohmann::json> Demand(const ViewContext& ctx, const DemandQuery& query);

struct InterventionQuery {
  CivilDate as_of;
  int gap_days = 90;
  int limit = 50;
};

// Seen gets every nominal listed (members and nominals) and the source records of the events
// in the open episodes shown.
Result<nlohmann::json> DuplicateInterventions(const ViewContext& ctx,
                                              const InterventionQuery& query, Seen& seen);

}  // namespace tessera::view
