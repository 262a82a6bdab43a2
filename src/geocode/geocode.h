// Geocoding: a postcode to a point on the map, so that address histories and events can be
// drawn without a network service.
//
// A Gazetteer holds postcode centroids and answers a postcode with the finest point it knows:
// the full postcode, else the centroid of its sector ("M11 1"), else of its district ("M11"),
// else of its area ("M"). The compiled-in gazetteer comes from the public reference files
// (data/reference/SOURCES.md: a 10,000-postcode sample and 27,000 places with their district);
// a hub adds its own postcode file, HUB/reference/postcodes.csv, which wins over them
// (docs/formats/gazetteer.md). Ingest places each location as it is written
// (Ingestor), and `tessera geocode` places the locations a hub already holds.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "model/model.h"
#include "store/store.h"

namespace tessera::geocode {

// How closely a point places a postcode, finest first.
enum class Precision { kPostcode, kSector, kDistrict, kArea };

// "postcode", "sector", "district", "area": the words model::Location::geo_precision holds.
std::string_view PrecisionName(Precision precision);
std::optional<Precision> PrecisionFromName(std::string_view name);

struct Position {
  double latitude = 0;
  double longitude = 0;
  Precision precision = Precision::kPostcode;
};

// Where a hub keeps its own gazetteer, relative to the hub directory.
inline constexpr std::string_view kHubGazetteerFile = "reference/postcodes.csv";

class Gazetteer {
 public:
  // The compiled-in gazetteer, built on first use, once per process (about 40,000 rows).
  static std::shared_ptr<const Gazetteer> Compiled();

  // What reading a postcode file made: the compiled-in gazetteer overlaid by the file's rows.
  struct Loaded {
    std::shared_ptr<const Gazetteer> gazetteer;
    int64_t postcodes = 0;  // rows taken from the file
    int64_t skipped = 0;    // rows set aside as bad
    // "FILE:LINE: reason" for the first bad rows (then one line counting the rest), or the
    // reason the whole file was set aside. Never fatal: the gazetteer still answers.
    std::vector<std::string> problems;
  };
  // `text` is a CSV file whose header names a postcode, a latitude and a longitude column
  // ("postcode,latitude,longitude", or an ONS Postcode Directory extract's "pcds,lat,long";
  // other columns are ignored). `file_name` is how problems name it. Its postcodes, and the
  // sector, district and area centroids worked out from them, replace the compiled-in ones.
  static Loaded WithPostcodeFile(std::string_view text, std::string_view file_name);

  // The finest point known for a postcode in ParsePostcode's normalised form ("M11 1AA"), or
  // for an outward code alone ("M11": district, else area). nullopt when nothing is known,
  // such as a pseudo-postcode (ZZ99) or an unknown area. One hash lookup per level tried.
  std::optional<Position> Locate(std::string_view postcode) const;

  size_t postcode_count() const { return postcodes_.size(); }

 private:
  struct Point {
    double latitude = 0;
    double longitude = 0;
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using PointMap = std::unordered_map<std::string, Point, StringHash, std::equal_to<>>;
  class Builder;

  PointMap postcodes_, sectors_, districts_, areas_;
};

// The hub's gazetteer: HUB/reference/postcodes.csv over the compiled-in one, or the
// compiled-in one alone when the hub has no such file (or `hub_dir` is empty). Problems name
// the file by its path.
Gazetteer::Loaded LoadHubGazetteer(const std::string& hub_dir);

// Gives `location` the gazetteer's point for its postcode when it has no coordinates yet (and
// is not a no-fixed-abode pseudo-postcode). True if it was placed.
bool PlaceLocation(const Gazetteer& gazetteer, model::Location& location);

// What GeocodeStoredLocations did, by location.
struct GeocodeReport {
  int64_t locations = 0;                   // read
  std::map<std::string, int64_t> placed;   // newly given coordinates, by precision name
  std::map<std::string, int64_t> refined;  // a gazetteer point made finer, by new precision
  int64_t kept = 0;                        // already placed as finely as the gazetteer can
  int64_t not_found = 0;                   // a postcode the gazetteer does not know
  int64_t no_postcode = 0;                 // no postcode (or no fixed abode): nothing to go on
};

// Places the hub's stored locations that have no coordinates, and moves those an earlier
// gazetteer placed to a finer point when this one knows one (the hub's postcode file arrived
// after the records). Coordinates a partner sent (no precision recorded) are never changed.
// Idempotent: a second run changes nothing. Writes in transactions of a few thousand
// locations.
Result<GeocodeReport> GeocodeStoredLocations(store::Store& store, const Gazetteer& gazetteer);

}  // namespace tessera::geocode
