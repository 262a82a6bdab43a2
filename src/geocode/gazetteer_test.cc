#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/clock.h"
#include "geocode/geocode.h"
#include "store/store.h"

namespace tessera::geocode {
namespace {

namespace fs = std::filesystem;

struct LatLon {
  double latitude, longitude;
};

LatLon Mean(const std::vector<LatLon>& points) {
  LatLon sum{0, 0};
  for (const LatLon& p : points) {
    sum.latitude += p.latitude;
    sum.longitude += p.longitude;
  }
  const auto n = static_cast<double>(points.size());
  return {sum.latitude / n, sum.longitude / n};
}

void ExpectAt(const std::optional<Position>& p, LatLon want, Precision precision) {
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(PrecisionName(p->precision), PrecisionName(precision));
  EXPECT_NEAR(p->latitude, want.latitude, 1e-9);
  EXPECT_NEAR(p->longitude, want.longitude, 1e-9);
}

// The compiled-in rows of district E16 (uk_postcodes_sample.csv, gb_places.csv).
const std::vector<LatLon> kE16Sector3 = {
    {51.51363, 0.029049}, {51.516478, 0.039582}, {51.515381, 0.025019}, {51.512131, 0.028882}};
const std::vector<LatLon> kE16Postcodes = {
    {51.500561, 0.070872}, {51.51363, 0.029049},  {51.516478, 0.039582}, {51.515381, 0.025019},
    {51.512131, 0.028882}, {51.514045, 0.021155}, {51.520282, 0.005143}};
const std::vector<LatLon> kE16Places = {
    {51.5022, 0.0253}, {51.4999, 0.0631}, {51.5011, 0.0442}, {51.5011, 0.0442}, {51.5011, 0.0442}};

std::vector<LatLon> E16District() {
  std::vector<LatLon> all = kE16Postcodes;
  all.insert(all.end(), kE16Places.begin(), kE16Places.end());
  return all;
}

TEST(Gazetteer, ExactPostcode) {
  const auto g = Gazetteer::Compiled();
  ExpectAt(g->Locate("E16 2RH"), {51.500561, 0.070872}, Precision::kPostcode);
  EXPECT_GT(g->postcode_count(), 9000u);
  EXPECT_EQ(Gazetteer::Compiled(), g);  // built once
}

TEST(Gazetteer, SectorCentroidOfTheKnownPostcodes) {
  ExpectAt(Gazetteer::Compiled()->Locate("E16 3XX"), Mean(kE16Sector3), Precision::kSector);
}

TEST(Gazetteer, DistrictCentroidOfPostcodesAndPlaces) {
  // No postcode of sector "E16 9" is known; the district's postcodes and places are.
  ExpectAt(Gazetteer::Compiled()->Locate("E16 9XX"), Mean(E16District()), Precision::kDistrict);
  ExpectAt(Gazetteer::Compiled()->Locate("E16"), Mean(E16District()), Precision::kDistrict);
}

TEST(Gazetteer, AreaCentroidWhenTheDistrictIsUnknown) {
  // E19 is in neither file; area E (east London) is.
  const std::optional<Position> p = Gazetteer::Compiled()->Locate("E19 1AA");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->precision, Precision::kArea);
  EXPECT_NEAR(p->latitude, 51.52, 0.1);
  EXPECT_NEAR(p->longitude, -0.05, 0.15);
}

TEST(Gazetteer, UnknownAndPseudoPostcodesAreNotPlaced) {
  const auto g = Gazetteer::Compiled();
  EXPECT_FALSE(g->Locate("ZZ99 3VZ").has_value());  // no fixed abode
  EXPECT_FALSE(g->Locate("QQ1 1AA").has_value());   // no such area
  EXPECT_FALSE(g->Locate("").has_value());
  EXPECT_FALSE(g->Locate(" ").has_value());
  EXPECT_FALSE(g->Locate("123").has_value());
}

TEST(Gazetteer, PrecisionNamesRoundTrip) {
  for (Precision p :
       {Precision::kPostcode, Precision::kSector, Precision::kDistrict, Precision::kArea}) {
    EXPECT_EQ(PrecisionFromName(PrecisionName(p)), p);
  }
  EXPECT_FALSE(PrecisionFromName("").has_value());
  EXPECT_FALSE(PrecisionFromName("street").has_value());
}

TEST(PostcodeFile, WinsOverTheCompiledInDataAtEveryLevel) {
  const Gazetteer::Loaded loaded = Gazetteer::WithPostcodeFile(
      "postcode,latitude,longitude\n"
      "e162rh,51.6,0.1\n"           // a compiled-in postcode, moved; normalised on the way in
      "E16 3AB, 51.5 , 0.03\n"      // a new postcode in sector E16 3
      "\n"                          // blank lines are nothing
      "M60 7RA,53.4808,-2.2426\n",  // a district neither compiled-in file has
      "postcodes.csv");
  EXPECT_TRUE(loaded.problems.empty());
  EXPECT_EQ(loaded.postcodes, 3);
  EXPECT_EQ(loaded.skipped, 0);
  const Gazetteer& g = *loaded.gazetteer;
  ExpectAt(g.Locate("E16 2RH"), {51.6, 0.1}, Precision::kPostcode);
  ExpectAt(g.Locate("E16 3AB"), {51.5, 0.03}, Precision::kPostcode);
  // The file's sectors, districts and areas replace the compiled-in centroids...
  ExpectAt(g.Locate("E16 3XX"), {51.5, 0.03}, Precision::kSector);
  ExpectAt(g.Locate("E16 9XX"), {51.55, 0.065}, Precision::kDistrict);
  ExpectAt(g.Locate("M60 1AA"), {53.4808, -2.2426}, Precision::kDistrict);
  // ...and what it does not cover is as before.
  ExpectAt(g.Locate("E16 4QP"), {51.520282, 0.005143}, Precision::kPostcode);
  ExpectAt(Gazetteer::Compiled()->Locate("E16 2RH"), {51.500561, 0.070872}, Precision::kPostcode);
}

TEST(PostcodeFile, OnsPostcodeDirectoryColumnsAndCrlf) {
  const Gazetteer::Loaded loaded = Gazetteer::WithPostcodeFile(
      "\xEF\xBB\xBFpcd,pcds,oa21,lat,long\r\n"
      "\"M60 7RA\",\"M60 7RA\",E00,53.4808,-2.2426\r\n",
      "onspd.csv");
  EXPECT_TRUE(loaded.problems.empty()) << loaded.problems.front();
  ExpectAt(loaded.gazetteer->Locate("M60 7RA"), {53.4808, -2.2426}, Precision::kPostcode);
}

TEST(PostcodeFile, BadRowsAreNamedByLineAndSkipped) {
  const Gazetteer::Loaded loaded = Gazetteer::WithPostcodeFile(
      "postcode,latitude,longitude\n"
      "NOT A POSTCODE,53.4,-2.2\n"  // 2
      "M60 7RA,north,-2.2\n"        // 3
      "M60 7RB,99.999999,0\n"       // 4: ONSPD's "no grid reference"
      "M60 7RD,53.4\n"              // 5
      "ZZ99 3VZ,53.4,-2.2\n"        // 6
      "M60 7RE,nan,-2.2\n"          // 7
      "M60 7RF,53.47,-2.24\n"       // 8: good
      "M60 7RF,53.0,-2.0\n",        // 9: again
      "HUB/reference/postcodes.csv");
  EXPECT_EQ(loaded.postcodes, 1);
  EXPECT_EQ(loaded.skipped, 7);
  ASSERT_EQ(loaded.problems.size(), 7u);
  const std::vector<std::string> prefixes = {"HUB/reference/postcodes.csv:2: postcode",
                                             "HUB/reference/postcodes.csv:3: latitude",
                                             "HUB/reference/postcodes.csv:4: latitude",
                                             "HUB/reference/postcodes.csv:5: has 2 fields",
                                             "HUB/reference/postcodes.csv:6: 'ZZ99 3VZ' is a "
                                             "pseudo-postcode",
                                             "HUB/reference/postcodes.csv:7: latitude",
                                             "HUB/reference/postcodes.csv:9: M60 7RF is already "
                                             "given at line 8"};
  for (size_t i = 0; i < prefixes.size(); ++i) {
    EXPECT_EQ(loaded.problems[i].rfind(prefixes[i], 0), 0u) << loaded.problems[i];
    EXPECT_NE(loaded.problems[i].find("row skipped"), std::string::npos) << loaded.problems[i];
  }
  EXPECT_NE(loaded.problems[2].find("not in the UK"), std::string::npos);
  ExpectAt(loaded.gazetteer->Locate("M60 7RF"), {53.47, -2.24}, Precision::kPostcode);
}

TEST(PostcodeFile, ManyBadRowsAreCounted) {
  std::string text = "postcode,latitude,longitude\n";
  for (int i = 0; i < 50; ++i) text += "M60 7RA,x,y\n";
  const Gazetteer::Loaded loaded = Gazetteer::WithPostcodeFile(text, "p.csv");
  EXPECT_EQ(loaded.skipped, 50);
  ASSERT_EQ(loaded.problems.size(), 21u);
  EXPECT_EQ(loaded.problems.back(), "p.csv: 30 more bad rows skipped");
  EXPECT_EQ(loaded.gazetteer, Gazetteer::Compiled());
}

TEST(PostcodeFile, AHeaderWithoutTheColumnsSetsTheFileAside) {
  for (const char* text : {"", "name,x,y\nM60 7RA,53.4,-2.2\n", "postcode,latitude\n"}) {
    const Gazetteer::Loaded loaded = Gazetteer::WithPostcodeFile(text, "p.csv");
    ASSERT_EQ(loaded.problems.size(), 1u) << text;
    EXPECT_EQ(loaded.problems[0].rfind("p.csv:1: the header must name", 0), 0u);
    EXPECT_EQ(loaded.gazetteer, Gazetteer::Compiled());
  }
}

class HubGazetteerTest : public testing::Test {
 protected:
  void SetUp() override {
    hub_ =
        fs::temp_directory_path() / ("tessera-geocode-" + std::to_string(::getpid()) + "-" +
                                     testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(hub_);
    ASSERT_TRUE(store::InitHub(hub_.string(), clock_).ok());
  }
  void TearDown() override { fs::remove_all(hub_); }

  void WritePostcodes(const std::string& text) {
    fs::create_directories(hub_ / "reference");
    std::ofstream(hub_ / kHubGazetteerFile, std::ios::binary) << text;
  }

  ManualClock clock_{1735689600LL * 1000000};
  fs::path hub_;
};

TEST_F(HubGazetteerTest, NoFileIsTheCompiledInGazetteer) {
  const Gazetteer::Loaded loaded = LoadHubGazetteer(hub_.string());
  EXPECT_EQ(loaded.gazetteer, Gazetteer::Compiled());
  EXPECT_TRUE(loaded.problems.empty());
}

TEST_F(HubGazetteerTest, TheHubFileIsReadAndItsProblemsNameIt) {
  WritePostcodes("postcode,latitude,longitude\nE16 2RH,51.6,0.1\nM60 7RA,x,-2.2\n");
  const Gazetteer::Loaded loaded = LoadHubGazetteer(hub_.string());
  ExpectAt(loaded.gazetteer->Locate("E16 2RH"), {51.6, 0.1}, Precision::kPostcode);
  ASSERT_EQ(loaded.problems.size(), 1u);
  EXPECT_EQ(loaded.problems[0].rfind((hub_ / "reference/postcodes.csv").string() + ":3: ", 0), 0u)
      << loaded.problems[0];
}

TEST_F(HubGazetteerTest, AnUnreadableFileIsReportedNotFatal) {
  fs::create_directories(hub_ / kHubGazetteerFile);  // a directory where the file should be
  const Gazetteer::Loaded loaded = LoadHubGazetteer(hub_.string());
  EXPECT_EQ(loaded.gazetteer, Gazetteer::Compiled());
  ASSERT_EQ(loaded.problems.size(), 1u);
  EXPECT_NE(loaded.problems[0].find("not a file"), std::string::npos);
}

TEST(PlaceLocation, GivesCoordinatesOnlyWhereThereAreNone) {
  const auto g = Gazetteer::Compiled();
  model::Location l;
  l.postcode = "E16 2RH";
  EXPECT_TRUE(PlaceLocation(*g, l));
  EXPECT_DOUBLE_EQ(*l.latitude, 51.500561);
  EXPECT_DOUBLE_EQ(*l.longitude, 0.070872);
  EXPECT_EQ(l.geo_precision, "postcode");

  model::Location given;
  given.postcode = "E16 2RH";
  given.latitude = 51.0;
  given.longitude = 0.0;
  EXPECT_FALSE(PlaceLocation(*g, given));
  EXPECT_EQ(*given.latitude, 51.0);
  EXPECT_EQ(given.geo_precision, "");

  model::Location nfa;
  nfa.postcode = "ZZ99 3VZ";
  nfa.no_fixed_abode = true;
  EXPECT_FALSE(PlaceLocation(*g, nfa));
  model::Location none;
  none.address_text = "1 HIGH STREET";
  EXPECT_FALSE(PlaceLocation(*g, none));
  EXPECT_FALSE(none.latitude.has_value());
}

TEST_F(HubGazetteerTest, StoredLocationsArePlacedOnceAndRefinedLater) {
  auto opened = store::OpenSqliteStore(hub_.string(), clock_);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  store::Store& s = **opened;
  auto location = [](std::string address, std::string postcode) {
    model::Location l;
    l.address_text = std::move(address);
    l.postcode = std::move(postcode);
    return l;
  };
  model::Location given = location("3 DOCK ROAD", "E16 2RH");
  given.latitude = 51.0;
  given.longitude = 0.0;
  model::Location nfa = location("", "ZZ99 3VZ");
  nfa.no_fixed_abode = true;
  std::vector<model::LocationId> ids;
  {
    auto txn = s.Begin();
    ASSERT_TRUE(txn.ok());
    for (const model::Location& l :
         {location("1 DOCK ROAD", "E16 2RH"), location("2 DOCK ROAD", "E16 3XX"),
          location("4 NOWHERE", "QQ1 1AA"), location("5 NO POSTCODE", ""), nfa, given}) {
      auto id = s.UpsertLocation(**txn, l);
      ASSERT_TRUE(id.ok()) << id.status().ToString();
      ids.push_back(*id);
    }
    ASSERT_TRUE((*txn)->Commit().ok());
  }

  auto first = GeocodeStoredLocations(s, *Gazetteer::Compiled());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->locations, 6);
  EXPECT_EQ(first->placed, (std::map<std::string, int64_t>{{"postcode", 1}, {"sector", 1}}));
  EXPECT_TRUE(first->refined.empty());
  EXPECT_EQ(first->not_found, 1);
  EXPECT_EQ(first->no_postcode, 2);
  EXPECT_EQ(first->kept, 1);
  auto sector = s.GetLocation(ids[1]);
  ASSERT_TRUE(sector.ok());
  EXPECT_EQ(sector->geo_precision, "sector");
  ASSERT_TRUE(sector->latitude.has_value());

  auto again = GeocodeStoredLocations(s, *Gazetteer::Compiled());
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->placed.empty());
  EXPECT_TRUE(again->refined.empty());
  EXPECT_EQ(again->kept, 3);

  // The hub's postcode file arrives: the sector centroid becomes the postcode's own point;
  // coordinates that came another way stay.
  const Gazetteer::Loaded hub = Gazetteer::WithPostcodeFile(
      "postcode,latitude,longitude\nE16 3XX,51.51,0.03\nE16 2RH,51.7,0.2\n", "p.csv");
  auto refined = GeocodeStoredLocations(s, *hub.gazetteer);
  ASSERT_TRUE(refined.ok());
  EXPECT_EQ(refined->refined, (std::map<std::string, int64_t>{{"postcode", 1}}));
  EXPECT_TRUE(refined->placed.empty());
  auto now = s.GetLocation(ids[1]);
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(now->geo_precision, "postcode");
  EXPECT_DOUBLE_EQ(*now->latitude, 51.51);
  auto kept = s.GetLocation(ids[5]);
  ASSERT_TRUE(kept.ok());
  EXPECT_DOUBLE_EQ(*kept->latitude, 51.0);
  auto exact = s.GetLocation(ids[0]);
  ASSERT_TRUE(exact.ok());
  EXPECT_DOUBLE_EQ(*exact->latitude, 51.500561);  // postcode precision already: kept
}

}  // namespace
}  // namespace tessera::geocode
