#include "analytics/demand.h"

#include <algorithm>
#include <map>

namespace tessera::analytics {

void Suppress(CountTable& table) {
  std::vector<CountCell>& cells = table.cells;
  for (CountCell& c : cells) c.suppressed = c.count < kSuppressBelow;
  const size_t dims = cells.empty() ? 0 : cells.front().key.size();
  bool changed = true;
  while (changed) {
    changed = false;
    for (size_t d = 0; d < dims; ++d) {
      // Lines: cells keyed by every value but dimension d's.
      std::map<std::vector<std::string>, std::vector<size_t>> lines;
      for (size_t i = 0; i < cells.size(); ++i) {
        std::vector<std::string> rest = cells[i].key;
        rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(d));
        lines[rest].push_back(i);
      }
      for (const auto& [rest, members] : lines) {
        size_t suppressed = 0;
        for (size_t i : members) suppressed += cells[i].suppressed ? 1 : 0;
        if (suppressed != 1) continue;
        std::optional<size_t> smallest;
        for (size_t i : members) {
          if (cells[i].suppressed) continue;
          if (!smallest || cells[i].count < cells[*smallest].count) smallest = i;
        }
        if (smallest) {
          cells[*smallest].suppressed = true;
          changed = true;
        }
      }
    }
  }
  table.total = 0;
  size_t suppressed = 0;
  for (const CountCell& c : cells) {
    table.total += c.count;
    suppressed += c.suppressed ? 1 : 0;
  }
  table.total_suppressed = table.total < kSuppressBelow || (suppressed == 1);
}

std::vector<Episode> Episodes(std::span<const CivilDate> dates, const CivilDate& as_of,
                              int gap_days) {
  std::vector<int64_t> days;
  for (const CivilDate& d : dates) {
    if (d <= as_of) days.push_back(d.ToDays());
  }
  std::sort(days.begin(), days.end());
  std::vector<Episode> out;
  int64_t last = 0;
  for (int64_t day : days) {
    if (out.empty() || day - last > gap_days) {
      out.push_back(Episode{CivilDate::FromDays(day), {}, {}, 0});
    }
    Episode& e = out.back();
    e.latest = CivilDate::FromDays(day);
    e.open_until = CivilDate::FromDays(day + gap_days);
    ++e.events;
    last = day;
  }
  return out;
}

std::optional<Episode> OpenEpisode(std::span<const CivilDate> dates, const CivilDate& as_of,
                                   int gap_days) {
  std::vector<Episode> episodes = Episodes(dates, as_of, gap_days);
  if (episodes.empty() || episodes.back().open_until < as_of) return std::nullopt;
  return episodes.back();
}

}  // namespace tessera::analytics
