// The gazetteer: postcode centroids at four levels, built once, then a hash lookup per level.
#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <utility>

#include "core/ascii.h"
#include "core/identifiers.h"
#include "geocode/geocode.h"
#include "reference/reference_data.h"

namespace tessera::geocode {
namespace {

// Beyond the United Kingdom, the Channel Islands and the Isle of Man: Scilly to Shetland,
// Rockall aside. The ONS Postcode Directory writes 99.999999 for a postcode with no grid
// reference; the range turns those away.
constexpr double kMinLatitude = 49.0, kMaxLatitude = 61.0;
constexpr double kMinLongitude = -9.0, kMaxLongitude = 2.5;

// How many bad rows of a postcode file are named one by one; the rest are counted.
constexpr size_t kProblemsNamed = 20;

std::optional<double> ParseNumber(std::string_view text) {
  text = ascii::TrimBlanks(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

bool InRange(double latitude, double longitude) {
  // Written so that NaN is out of range.
  return latitude >= kMinLatitude && latitude <= kMaxLatitude && longitude >= kMinLongitude &&
         longitude <= kMaxLongitude;
}

// The letters an outward code starts with: "SW1A" -> "SW".
std::string_view AreaOf(std::string_view outward) {
  size_t n = 0;
  while (n < outward.size() && ascii::IsLetter(outward[n])) ++n;
  return outward.substr(0, n);
}

// Calls `row(line_number, fields)` for each non-empty line after the header of CSV `text`.
template <typename RowFn>
void ForEachRow(std::string_view text, RowFn row) {
  size_t start = text.find('\n');
  int64_t line = 1;
  while (start != std::string_view::npos && start + 1 < text.size()) {
    ++line;
    const size_t from = start + 1;
    start = text.find('\n', from);
    std::string_view l = text.substr(from, start == std::string_view::npos ? start : start - from);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (ascii::TrimBlanks(l).empty()) continue;
    row(line, reference::SplitCsvLine(l));
  }
}

std::string_view FirstLine(std::string_view text) {
  std::string_view header = text.substr(0, text.find('\n'));
  if (!header.empty() && header.back() == '\r') header.remove_suffix(1);
  return header;
}

}  // namespace

std::string_view PrecisionName(Precision precision) {
  switch (precision) {
    case Precision::kPostcode:
      return "postcode";
    case Precision::kSector:
      return "sector";
    case Precision::kDistrict:
      return "district";
    case Precision::kArea:
      return "area";
  }
  return "area";
}

std::optional<Precision> PrecisionFromName(std::string_view name) {
  for (Precision p :
       {Precision::kPostcode, Precision::kSector, Precision::kDistrict, Precision::kArea}) {
    if (name == PrecisionName(p)) return p;
  }
  return std::nullopt;
}

// Adds up points by postcode, sector, district and area, then turns the sums into a
// Gazetteer's centroids.
class Gazetteer::Builder {
 public:
  // A full postcode, parsed. Its point is the postcode's own and counts towards the centroids
  // of its sector, district and area.
  void AddPostcode(const Postcode& postcode, Point point) {
    postcodes_[postcode.normalised] = point;
    Add(sectors_, postcode.sector, point);
    Add(districts_, postcode.district, point);
    Add(areas_, postcode.area, point);
  }
  // A place known only by its district (gb_places.csv).
  void AddDistrictPoint(const std::string& district, Point point) {
    Add(districts_, district, point);
    Add(areas_, std::string(AreaOf(district)), point);
  }

  // Writes what was added into `g`, replacing what `g` had at each key: a postcode, and the
  // centroid of any sector, district or area this builder saw at least one point in.
  void Into(Gazetteer& g) const {
    for (const auto& [key, point] : postcodes_) g.postcodes_[key] = point;
    Centroids(sectors_, g.sectors_);
    Centroids(districts_, g.districts_);
    Centroids(areas_, g.areas_);
  }

 private:
  struct Sum {
    double latitude = 0, longitude = 0;
    int64_t count = 0;
  };
  using SumMap = std::unordered_map<std::string, Sum>;

  static void Add(SumMap& sums, const std::string& key, Point point) {
    Sum& s = sums[key];
    s.latitude += point.latitude;
    s.longitude += point.longitude;
    ++s.count;
  }
  static void Centroids(const SumMap& sums, PointMap& out) {
    for (const auto& [key, s] : sums) {
      const auto n = static_cast<double>(s.count);
      out[key] = Point{s.latitude / n, s.longitude / n};
    }
  }

  PointMap postcodes_;
  SumMap sectors_, districts_, areas_;
};

std::shared_ptr<const Gazetteer> Gazetteer::Compiled() {
  static const std::shared_ptr<const Gazetteer> compiled = [] {
    Builder builder;
    // "postcode","country","primary_care_trust","longitude","latitude"
    ForEachRow(reference::ReferenceFile("uk_postcodes_sample.csv"),
               [&](int64_t, const std::vector<std::string>& f) {
                 if (f.size() < 5) return;
                 const Result<Postcode> pc = ParsePostcode(f[0]);
                 const std::optional<double> lon = ParseNumber(f[3]);
                 const std::optional<double> lat = ParseNumber(f[4]);
                 if (!pc.ok() || pc->pseudo || !lat || !lon || !InRange(*lat, *lon)) return;
                 builder.AddPostcode(*pc, Point{*lat, *lon});
               });
    // ,USPS,ST,NAME,ZCTA5,LAT,LON (county, county code, place, district, latitude, longitude)
    ForEachRow(reference::ReferenceFile("gb_places.csv"),
               [&](int64_t, const std::vector<std::string>& f) {
                 if (f.size() < 7) return;
                 const Result<std::string> district = NormalisePostcodeDistrict(f[4]);
                 const std::optional<double> lat = ParseNumber(f[5]);
                 const std::optional<double> lon = ParseNumber(f[6]);
                 if (!district.ok() || !lat || !lon || !InRange(*lat, *lon)) return;
                 builder.AddDistrictPoint(*district, Point{*lat, *lon});
               });
    auto g = std::make_shared<Gazetteer>();
    builder.Into(*g);
    return std::shared_ptr<const Gazetteer>(std::move(g));
  }();
  return compiled;
}

Gazetteer::Loaded Gazetteer::WithPostcodeFile(std::string_view text, std::string_view file_name) {
  Loaded loaded;
  loaded.gazetteer = Compiled();
  const std::string name(file_name);
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a UTF-8 byte order mark

  // The columns, by header name.
  const std::vector<std::string> header = reference::SplitCsvLine(FirstLine(text));
  std::optional<size_t> postcode_col, latitude_col, longitude_col;
  for (size_t i = 0; i < header.size(); ++i) {
    const std::string h = ascii::LowerCase(ascii::TrimBlanks(header[i]));
    if (!postcode_col && (h == "postcode" || h == "pcds" || h == "pcd" || h == "pcd2")) {
      postcode_col = i;
    } else if (!latitude_col && (h == "latitude" || h == "lat")) {
      latitude_col = i;
    } else if (!longitude_col && (h == "longitude" || h == "long" || h == "lon")) {
      longitude_col = i;
    }
  }
  if (!postcode_col || !latitude_col || !longitude_col) {
    loaded.problems.push_back(name +
                              ":1: the header must name a postcode, a latitude and a longitude "
                              "column (postcode,latitude,longitude); the file is not used");
    return loaded;
  }
  const size_t needed = std::max({*postcode_col, *latitude_col, *longitude_col}) + 1;

  Builder builder;
  std::unordered_map<std::string, int64_t> first_line;
  auto reject = [&](int64_t line, const std::string& reason) {
    ++loaded.skipped;
    if (loaded.problems.size() < kProblemsNamed) {
      loaded.problems.push_back(name + ":" + std::to_string(line) + ": " + reason +
                                "; row skipped");
    }
  };
  ForEachRow(text, [&](int64_t line, const std::vector<std::string>& f) {
    if (f.size() < needed) {
      reject(line, "has " + std::to_string(f.size()) + " fields, too few for the header");
      return;
    }
    const std::string& raw = f[*postcode_col];
    const Result<Postcode> pc = ParsePostcode(raw);
    if (!pc.ok()) {
      reject(line, "postcode " + ascii::QuotedForMessage(raw) + ": " + pc.status().message());
      return;
    }
    if (pc->pseudo) {
      reject(line, "'" + pc->normalised + "' is a pseudo-postcode, not a place");
      return;
    }
    const std::optional<double> lat = ParseNumber(f[*latitude_col]);
    const std::optional<double> lon = ParseNumber(f[*longitude_col]);
    if (!lat || !lon) {
      reject(line, "latitude " + ascii::QuotedForMessage(f[*latitude_col]) + " and longitude " +
                       ascii::QuotedForMessage(f[*longitude_col]) + " must be decimal degrees");
      return;
    }
    if (!InRange(*lat, *lon)) {
      reject(line, "latitude " + ascii::QuotedForMessage(f[*latitude_col]) + ", longitude " +
                       ascii::QuotedForMessage(f[*longitude_col]) +
                       " is not in the UK (no grid reference?)");
      return;
    }
    const auto [it, first] = first_line.try_emplace(pc->normalised, line);
    if (!first) {
      reject(line, pc->normalised + " is already given at line " + std::to_string(it->second));
      return;
    }
    builder.AddPostcode(*pc, Point{*lat, *lon});
    ++loaded.postcodes;
  });
  if (loaded.skipped > static_cast<int64_t>(kProblemsNamed)) {
    loaded.problems.push_back(
        name + ": " + std::to_string(loaded.skipped - static_cast<int64_t>(kProblemsNamed)) +
        " more bad rows skipped");
  }
  if (loaded.postcodes > 0) {
    auto g = std::make_shared<Gazetteer>(*loaded.gazetteer);
    builder.Into(*g);
    loaded.gazetteer = std::move(g);
  }
  return loaded;
}

std::optional<Position> Gazetteer::Locate(std::string_view postcode) const {
  const size_t space = postcode.find(' ');
  const std::string_view outward = postcode.substr(0, space);
  if (space != std::string_view::npos) {
    if (auto it = postcodes_.find(postcode); it != postcodes_.end()) {
      return Position{it->second.latitude, it->second.longitude, Precision::kPostcode};
    }
    if (space + 1 < postcode.size()) {
      if (auto it = sectors_.find(postcode.substr(0, space + 2)); it != sectors_.end()) {
        return Position{it->second.latitude, it->second.longitude, Precision::kSector};
      }
    }
  }
  if (auto it = districts_.find(outward); it != districts_.end()) {
    return Position{it->second.latitude, it->second.longitude, Precision::kDistrict};
  }
  const std::string_view area = AreaOf(outward);
  if (area.empty()) return std::nullopt;
  if (auto it = areas_.find(area); it != areas_.end()) {
    return Position{it->second.latitude, it->second.longitude, Precision::kArea};
  }
  return std::nullopt;
}

Gazetteer::Loaded LoadHubGazetteer(const std::string& hub_dir) {
  namespace fs = std::filesystem;
  const fs::path path = fs::path(hub_dir) / kHubGazetteerFile;
  std::error_code ec;
  if (hub_dir.empty() || !fs::exists(path, ec)) {
    return Gazetteer::Loaded{Gazetteer::Compiled(), 0, 0, {}};
  }
  auto unreadable = [&](const std::string& why) {
    return Gazetteer::Loaded{
        Gazetteer::Compiled(), 0, 0, {path.string() + ": " + why + "; it is not used"}};
  };
  if (!fs::is_regular_file(path, ec)) return unreadable("not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return unreadable("cannot be opened");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return unreadable("cannot be read");
  return Gazetteer::WithPostcodeFile(text, path.string());
}

bool PlaceLocation(const Gazetteer& gazetteer, model::Location& location) {
  if (location.latitude || location.longitude || location.postcode.empty() ||
      location.no_fixed_abode) {
    return false;
  }
  const std::optional<Position> p = gazetteer.Locate(location.postcode);
  if (!p) return false;
  location.latitude = p->latitude;
  location.longitude = p->longitude;
  location.geo_precision = std::string(PrecisionName(p->precision));
  return true;
}

}  // namespace tessera::geocode
