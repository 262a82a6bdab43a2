// Aggregates for demand and duplicate intervention (issue 7, part 5): small-number suppression
// of count tables, and agencies' involvement episodes. Pure functions over what the caller gives
// them; src/view/demand.h reads the visible events and shapes the JSON. Definitions:
// docs/formats/indicators.md, "Demand and duplicate intervention".
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/dates.h"

namespace tessera::analytics {

// Counts below this are not shown (issue 7: "aggregate counts below 5 are suppressed").
inline constexpr int64_t kSuppressBelow = 5;

// One cell of a count table: its key (one value per grouping dimension) and count.
struct CountCell {
  std::vector<std::string> key;
  int64_t count = 0;
  bool suppressed = false;
};

struct CountTable {
  std::vector<CountCell> cells;  // only cells with a count (an absent cell is 0)
  int64_t total = 0;
  bool total_suppressed = false;
};

// Suppresses `table` in place so that no count below kSuppressBelow is shown or derivable:
//   - primary: every cell below kSuppressBelow;
//   - secondary: in every line of the table (the cells sharing all key values but one
//     dimension's), a lone suppressed cell would follow from the line's other cells and the
//     totals, so the smallest other cell of the line (the first in order on a tie) is
//     suppressed too, repeated until no line holds exactly one;
//   - the total is suppressed when it is below kSuppressBelow, or when exactly one cell is
//     suppressed and there is no other to suppress (total minus the rest would give it).
void Suppress(CountTable& table);

// An agency's involvement with a nominal (or a household): an episode runs from an event to
// `gap_days` after the last event joined to it; an event within `gap_days` of the previous one
// joins its episode, a later one starts a new episode.
struct Episode {
  CivilDate start;       // first event
  CivilDate latest;      // last event
  CivilDate open_until;  // latest + gap_days
  int64_t events = 0;    // events in the episode (each date given counts)
};

// The episodes of the events on `dates` (any order, duplicates count) up to `as_of`: events
// after it are not used. Oldest first.
std::vector<Episode> Episodes(std::span<const CivilDate> dates, const CivilDate& as_of,
                              int gap_days);
// The episode open at `as_of` (start <= as_of <= open_until), if any: the last of Episodes.
std::optional<Episode> OpenEpisode(std::span<const CivilDate> dates, const CivilDate& as_of,
                                   int gap_days);

}  // namespace tessera::analytics
