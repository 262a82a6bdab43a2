// Households and addresses as entities (issue 4, item 5).
//
// The address entity is the store's Location: ingest de-duplicates addresses as it loads them
// (Store::UpsertLocation: by UPRN where there is one, otherwise by normalised address text plus
// postcode). A household is the nominals seen at one address over overlapping periods:
//
//   1. Evidence. Each current person record attached to a nominal places that nominal at the
//      record's address over the dates of the events it is involved in (first to last). A
//      record in no event is dated by the day the hub received it (the partner's address as of
//      when it sent the record), unless HouseholdOptions::date_undated_by_receipt is off.
//      Many partners hold only a postcode. A record giving only a postcode supports its
//      nominal's home in that postcode (the one seen nearest in time), if other records give
//      the nominal a full address there; otherwise it places nobody.
//   2. Family links. A parent or carer and a child named in one event (or in one referral's
//      rows: one source, one event reference) share a home at that date: when one of the two
//      records places its person at no home (no address, or a postcode alone), it borrows
//      the other's, so a child whose record lacks the address still joins the parent's
//      household.
//   3. Stays. A nominal's evidence at one address becomes one stay, first seen to last seen.
//   4. Households. At each address, stays that overlap, or are at most `gap_days` apart, are
//      chained into one household (connected components of the widened intervals). A move
//      therefore gives two households over time, each with its period.
//
// Addresses that say nothing about a home are skipped: no fixed abode (ZZ99 3VZ) and a
// postcode with no address text or UPRN. A group larger than `max_members` at one address is
// communal (a hostel, a care home) and not made a household.
//
// Ids are stable: each household found is matched to a live household of the last run at the
// same address sharing at least half of the larger membership (greatest overlap first, old
// members followed through nominal merges), and keeps its id; others get new ids, and old
// households no longer found are dissolved (their ids still read). Everything is read and
// written in one store transaction, so the households match one state of the resolution.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace tessera::resolve {

struct HouseholdOptions {
  // How far apart two stays at one address may be and still be one household. Evidence is
  // sparse (a person appears when an agency meets them), so two people living together are
  // often seen years apart; too long a gap joins successive occupants. Figures behind the
  // default: docs in households.cc (HouseholdsOnAGeneratedWorld test and the demo hub).
  int gap_days = 730;
  // Date a record that is in no event by the day its source record was received.
  bool date_undated_by_receipt = true;
  // Let a parent or carer and a child in one event share an address (step 2 above).
  bool family_links = true;
  // A larger group at one address over one period is communal, not a household.
  int max_members = 16;
};

struct HouseholdSummary {
  // Evidence read
  int64_t records = 0;                  // current person records
  int64_t records_unresolved = 0;       // not attached to a nominal (run `tessera resolve`)
  int64_t records_without_address = 0;  // gave no address (before family links)
  int64_t records_undated = 0;          // in no event
  int64_t records_skipped_address = 0;  // gave an address that placed them in no home
  int64_t family_links = 0;             // parent/carer and child pairs seen
  int64_t addresses_from_postcode = 0;  // records giving only a postcode, placed at a home
  int64_t addresses_from_family = 0;    // records placed at a family member's home
  // What was found
  int64_t households = 0;
  int64_t memberships = 0;
  int64_t nominals_housed = 0;      // nominals in at least one household
  int64_t nominals_in_several = 0;  // in more than one over time (moves, stale addresses)
  int64_t communal_groups = 0;      // groups over max_members, not made households
  int64_t communal_nominals = 0;
  std::vector<std::pair<int, int64_t>> sizes;  // members -> households, by size
  // How the store changed
  store::HouseholdWrite write;
  double read_seconds = 0;
  double build_seconds = 0;
  double write_seconds = 0;
};

// Finds the hub's households from its resolved nominals and writes them (see above).
// InvalidArgument for options out of range; store errors as they come.
Result<HouseholdSummary> ResolveHouseholds(store::Store& store, const HouseholdOptions& options);

}  // namespace tessera::resolve
