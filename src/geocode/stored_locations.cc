// `tessera geocode`: the locations a hub already holds, placed with the gazetteer.
#include <memory>

#include "geocode/geocode.h"

namespace tessera::geocode {
namespace {

// Locations read, and written in one transaction, at a time.
constexpr int kPageSize = 5000;

}  // namespace

Result<GeocodeReport> GeocodeStoredLocations(store::Store& store, const Gazetteer& gazetteer) {
  GeocodeReport report;
  model::LocationId after = 0;
  while (true) {
    TRY_ASSIGN(std::vector<model::Location> page, store.ListLocationsAfter(after, kPageSize));
    if (page.empty()) break;
    after = page.back().id;
    std::unique_ptr<store::Transaction> txn;
    for (const model::Location& location : page) {
      ++report.locations;
      if (location.postcode.empty() || location.no_fixed_abode) {
        ++(location.latitude ? report.kept : report.no_postcode);
        continue;
      }
      const std::optional<Position> found = gazetteer.Locate(location.postcode);
      const bool placed = location.latitude.has_value() && location.longitude.has_value();
      if (placed) {
        // Only a point a gazetteer gave (its precision recorded) is moved, and only closer.
        const std::optional<Precision> had = PrecisionFromName(location.geo_precision);
        if (!had || !found || found->precision >= *had) {
          ++report.kept;
          continue;
        }
      } else if (!found) {
        ++report.not_found;
        continue;
      }
      if (!txn) {
        TRY_ASSIGN(txn, store.Begin());
      }
      const std::string_view precision = PrecisionName(found->precision);
      TRY(store.SetLocationPosition(*txn, location.id, found->latitude, found->longitude,
                                    precision));
      ++(placed ? report.refined : report.placed)[std::string(precision)];
    }
    if (txn) TRY(txn->Commit());
  }
  return report;
}

}  // namespace tessera::geocode
