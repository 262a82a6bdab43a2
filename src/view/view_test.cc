#include "view/view.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "analytics/analytics.h"
#include "analytics/cohort.h"
#include "ingest/ingest.h"
#include "resolve/linkage_model.h"
#include "store/store_test_support.h"
#include "view/cohort.h"

namespace tessera::view {
namespace {

using govern::Bit;
using govern::Field;
using govern::Visibility;
using model::Role;
using nlohmann::json;

// Markers that must never reach a response that may not see them.
constexpr const char* kWithheldName = "ZZWITHHELDNAME";  // in a record of an unshared dataset
constexpr const char* kWithheldCategory = "zzwithheldcategory";
constexpr const char* kSealedName = "ZZSEALEDNAME";            // in a sealed record
constexpr const char* kSealedDob = "1922-02-22";               // the sealed record's DOB
constexpr const char* kSealedEventDate = "2023-03-03";         // also the store's household start
constexpr const char* kMaskedPhone = "+447700900123";          // a field the mask excludes
constexpr const char* kSealedNominalName = "ZZSEALEDNOMINAL";  // a sealed associate and member
constexpr const char* kWithheldDataset = "Zz withheld dataset name";

std::string Dump(const json& j) { return j.dump(); }
bool Contains(const json& j, const std::string& marker) {
  return Dump(j).find(marker) != std::string::npos;
}

struct PersonSpec {
  std::string given, middle, family;
  std::optional<CivilDate> dob;
  Role role = Role::kSubject;
  std::optional<model::LocationId> location;
  std::vector<std::string> phones;
  std::string nhs;
};

struct EventSpec {
  std::string type, category, ref;
  CivilDate date;
  model::Agency agency = model::Agency::kPolice;
  std::optional<model::LocationId> location;
  int severity = 2;
};

struct Written {
  model::SourceRecordId source_record = 0;
  std::vector<model::PersonRecordId> people;
};

class ViewTest : public store::testing::HubFixture {
 protected:
  void SetUp() override {
    HubFixture::SetUp();
    auto txn = Begin();
    ASSERT_NE(txn, nullptr);
    model::Location home;
    home.address_text = "1 HIGH STREET, TOWN";
    home.postcode = "AB1 2CD";
    home.latitude = 51.5;
    home.longitude = -0.12;
    home_ = *store_->UpsertLocation(*txn, home);
    model::Location away;
    away.address_text = "9 LOW ROAD, TOWN";
    away.postcode = "AB9 9ZZ";
    away_ = *store_->UpsertLocation(*txn, away);

    police_load_ =
        *store_->BeginLoad(*txn, "police_crime", "police.csv", "h1", store::LoadMode::kIncremental);
    const model::LoadId health_load =
        *store_->BeginLoad(*txn, "mental_health", "mh.json", "h2", store::LoadMode::kIncremental);
    const model::LoadId housing_load =
        *store_->BeginLoad(*txn, "housing", "housing.csv", "h3", store::LoadMode::kIncremental);
    // John Smith: two police records that disagree on DOB, one with a phone the restricted
    // request may not see, one mental health record (unshared) and one sealed housing record.
    r1_ = Write(
        *txn, police_load_, "police_crime", "INV1",
        {{"JOHN", "", "SMITH", CivilDate{1980, 1, 1}, Role::kVictim, home_, {}, ""},
         {"PETER", "", "JONES", CivilDate{1975, 5, 5}, Role::kSuspect, away_, {}, ""},
         {kSealedNominalName, "", "BLOGGS", CivilDate{1990, 9, 9}, Role::kWitness, home_, {}, ""}},
        EventSpec{"crime", "violence", "CR1", {2025, 6, 1}, model::Agency::kPolice, home_});
    r2_ = Write(*txn, police_load_, "police_crime", "INV2",
                {{"JOHN", "", "SMITH", CivilDate{1980, 1, 2}, Role::kOffender, home_, {}, ""}},
                EventSpec{"crime", "theft", "CR2", {2024, 1, 1}, model::Agency::kPolice, away_});
    r5_ = Write(*txn, police_load_, "police_crime", "INV5",
                {{"JOHN",
                  "",
                  "SMITH",
                  CivilDate{1980, 1, 1},
                  Role::kSubject,
                  home_,
                  {kMaskedPhone},
                  "9434765919"}},
                std::nullopt);
    r3_ = Write(
        *txn, health_load, "mental_health", "MH1",
        {{"JOHN", kWithheldName, "SMITH", CivilDate{1911, 11, 11}, Role::kPatient, home_, {}, ""}},
        EventSpec{"mh_contact",
                  kWithheldCategory,
                  "MH1",
                  {2025, 7, 1},
                  model::Agency::kMentalHealth,
                  home_});
    r4_ = Write(
        *txn, housing_load, "housing", "HS1",
        {{"JOHN", kSealedName, "SMITH", CivilDate{1922, 2, 22}, Role::kOccupant, home_, {}, ""}},
        EventSpec{"tenancy", "tenancy_start", "HS1", {2023, 3, 3}, model::Agency::kHousing, home_});
    // Mary Smith lives with John; the sealed nominal is in the household too.
    r6_ = Write(*txn, police_load_, "police_crime", "INV6",
                {{"MARY", "", "SMITH", CivilDate{1982, 2, 2}, Role::kWitness, home_, {}, ""}},
                EventSpec{"crime", "burglary", "CR6", {2025, 2, 2}, model::Agency::kPolice, home_});
    r7_ = Write(
        *txn, police_load_, "police_crime", "INV7",
        {{kSealedNominalName, "", "BLOGGS", CivilDate{1990, 9, 9}, Role::kSubject, home_, {}, ""}},
        std::nullopt);
    for (model::LoadId load : {police_load_, health_load, housing_load}) {
      ASSERT_TRUE(store_->FinishLoad(*txn, load, {}).ok());
    }
    ASSERT_TRUE(txn->Commit().ok());

    auto t2 = Begin();
    john_ =
        Nominal(*t2, {r1_.people[0], r2_.people[0], r5_.people[0], r3_.people[0], r4_.people[0]});
    peter_ = Nominal(*t2, {r1_.people[1]});
    sealed_ = Nominal(*t2, {r1_.people[2], r7_.people[0]});
    mary_ = Nominal(*t2, {r6_.people[0]});
    merged_ = Nominal(*t2, {});
    ASSERT_TRUE(store_->MergeNominals(*t2, john_, merged_, "same person").ok());
    model::Household h;
    h.location_id = home_;
    h.from = CivilDate{2023, 3, 3};
    for (model::NominalId n : {john_, mary_, sealed_}) {
      model::HouseholdMembership m;
      m.nominal_id = n;
      h.members.push_back(m);
    }
    auto written = store_->ReplaceHouseholds(*t2, {h});
    ASSERT_TRUE(written.ok()) << written.status().ToString();
    household_ = written->ids[0];
    ASSERT_TRUE(t2->Commit().ok());

    catalog_.Add({"police_crime", model::Agency::kPolice, "Crime involvements", 24});
    catalog_.Add({"mental_health", model::Agency::kMentalHealth, kWithheldDataset, 168});
    catalog_.Add({"housing", model::Agency::kHousing, "Housing", 168});

    // The restricted request: police only, without phones; the housing record and the
    // witness's nominal sealed.
    restricted_.ShareDataset("police_crime", govern::kAllFields & ~Bit(Field::kPersonPhone));
    restricted_.SealSourceRecord(r4_.source_record);
    restricted_.SealNominal(sealed_);
    // The open request: everything, nothing sealed (so the canaries can be seen).
    open_.ShareAllDatasets();
  }

  Written Write(store::Transaction& txn, model::LoadId load, const std::string& source,
                const std::string& key, const std::vector<PersonSpec>& people,
                std::optional<EventSpec> event_spec) {
    Written out;
    model::SourceRecord sr;
    sr.source_id = source;
    sr.record_key = key;
    sr.provenance.source_id = source;
    sr.provenance.load_id = load;
    sr.provenance.file = source + ".csv";
    sr.provenance.content_hash = "hash-" + source + "-" + key;
    sr.payload = "payload of " + key;
    auto put = store_->PutSourceRecord(txn, sr);
    EXPECT_TRUE(put.ok()) << put.status().ToString();
    out.source_record = put->id;
    model::Event event;
    for (size_t i = 0; i < people.size(); ++i) {
      const PersonSpec& p = people[i];
      model::PersonRecord pr;
      pr.source_record_id = out.source_record;
      pr.mention_key = key + "#" + std::to_string(i);
      pr.role = p.role;
      pr.name.given = p.given;
      pr.name.middle = p.middle;
      pr.name.family = p.family;
      pr.dob = p.dob;
      pr.sex = model::Sex::kMale;
      pr.location_id = p.location;
      pr.phones = p.phones;
      if (!p.nhs.empty())
        pr.identifiers.push_back({model::IdentifierKind::kNhsNumber, p.nhs, true});
      pr.identifiers.push_back({model::IdentifierKind::kLocalId, key + "-" + p.given, true});
      auto id = store_->PutPersonRecord(txn, pr);
      EXPECT_TRUE(id.ok()) << id.status().ToString();
      out.people.push_back(*id);
      event.involvements.push_back({*id, p.role});
    }
    if (event_spec) {
      event.source_record_id = out.source_record;
      event.source_id = source;
      event.event_ref = event_spec->ref;
      event.type = event_spec->type;
      event.category = event_spec->category;
      event.date = event_spec->date;
      event.agency = event_spec->agency;
      event.location_id = event_spec->location;
      event.severity = event_spec->severity;
      auto id = store_->PutEvent(txn, event);
      EXPECT_TRUE(id.ok()) << id.status().ToString();
    }
    return out;
  }

  model::NominalId Nominal(store::Transaction& txn, std::vector<model::PersonRecordId> records) {
    model::Nominal n;
    auto id = store_->CreateNominal(txn, n);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    if (!records.empty()) {
      EXPECT_TRUE(store_->AttachPersonRecords(txn, *id, records).ok());
    }
    return *id;
  }

  ViewContext Context(const Visibility& v) {
    return ViewContext{*store_, v, catalog_, CivilDate{2025, 12, 1},
                       store::testing::kTestEpochMicros + int64_t{48} * 3600 * 1'000'000};
  }

  json Profile(const Visibility& v, Seen& seen) {
    auto page = NominalProfile(Context(v), john_, seen);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? page->body : json();
  }

  model::LocationId home_ = 0, away_ = 0;
  model::LoadId police_load_ = 0;
  Written r1_, r2_, r3_, r4_, r5_, r6_, r7_;
  model::NominalId john_ = 0, peter_ = 0, sealed_ = 0, mary_ = 0, merged_ = 0;
  model::HouseholdId household_ = 0;
  SourceCatalog catalog_;
  Visibility restricted_, open_;
};

TEST_F(ViewTest, ProfileNeverShowsWhatTheRequestMayNotSee) {
  Seen seen;
  json p = Profile(restricted_, seen);
  for (const char* marker :
       {kWithheldName, kWithheldCategory, kSealedName, kSealedDob, "1911-11-11", kMaskedPhone,
        kSealedNominalName, kWithheldDataset, "mental_health", "housing"}) {
    EXPECT_FALSE(Contains(p, marker)) << marker << " leaked: " << p.dump(2);
  }
  // The same profile for a request that may see everything shows every marker: the test can
  // fail.
  Seen open_seen;
  json q = Profile(open_, open_seen);
  for (const char* marker : {kWithheldName, kSealedName, kSealedDob, kMaskedPhone,
                             kSealedNominalName, kWithheldDataset, kSealedEventDate}) {
    EXPECT_TRUE(Contains(q, marker)) << marker << " missing: " << q.dump(2);
  }
}

TEST_F(ViewTest, WithheldRecordsAreCountedByReasonAndSealedOnesNotAtAll) {
  Seen seen;
  json p = Profile(restricted_, seen);
  if (std::getenv("VIEW_TEST_PRINT")) std::cout << p.dump(1) << std::endl;
  EXPECT_EQ(p["records"].size(), 3u);
  EXPECT_EQ(p["withheld"]["total"], 1) << "the sealed housing record is not counted";
  ASSERT_EQ(p["withheld"]["by_reason"].size(), 1u);
  EXPECT_EQ(p["withheld"]["by_reason"][0]["reason"], govern::kReasonNotShared);
  EXPECT_EQ(p["withheld"]["by_reason"][0]["count"], 1);

  Seen open_seen;
  json q = Profile(open_, open_seen);
  EXPECT_EQ(q["records"].size(), 5u);
  EXPECT_EQ(q["withheld"]["total"], 0);
}

TEST_F(ViewTest, ExcludedFieldsAreListedNotSilentlyDropped) {
  Seen seen;
  json p = Profile(restricted_, seen);
  bool found = false;
  for (const json& r : p["records"]) {
    if (r["record_key"] != "INV5") continue;
    found = true;
    EXPECT_FALSE(r["fields"].contains("phones"));
    EXPECT_NE(Dump(r["withheld_fields"]).find("person.phone"), std::string::npos);
    EXPECT_EQ(r["fields"]["nhs_number"]["value"], "9434765919");
  }
  EXPECT_TRUE(found);
  EXPECT_NE(Dump(p["withheld_fields"]).find("person.phone"), std::string::npos);
  EXPECT_TRUE(p["attributes"]["phones"]["values"].empty());
}

TEST_F(ViewTest, ConflictingValuesAreShownWithTheirSources) {
  Seen seen;
  json p = Profile(restricted_, seen);
  const json& dob = p["attributes"]["dob"];
  EXPECT_TRUE(dob["conflict"].get<bool>());
  ASSERT_EQ(dob["values"].size(), 2u);
  EXPECT_EQ(dob["best"]["value"], "1980-01-01") << "two records against one";
  EXPECT_EQ(dob["values"][0]["records"], 2);
  EXPECT_EQ(dob["values"][1]["value"], "1980-01-02");
  EXPECT_EQ(dob["values"][1]["provenance"][0]["record_key"], "INV2");
  EXPECT_EQ(dob["values"][1]["provenance"][0]["dataset"], "Crime involvements");
  EXPECT_NE(Dump(p["conflicts"]).find("dob"), std::string::npos);
  EXPECT_EQ(p["attributes"]["name"]["best"]["value"]["display"], "JOHN SMITH");
  EXPECT_EQ(p["attributes"]["address"]["best"]["value"]["postcode"], "AB1 2CD")
      << "the address seen most recently (2025-06-01)";
}

TEST_F(ViewTest, SealedUnknownAndMergedNominals) {
  Seen seen;
  auto sealed = NominalProfile(Context(restricted_), sealed_, seen);
  auto unknown = NominalProfile(Context(restricted_), 999999, seen);
  ASSERT_FALSE(sealed.ok());
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(sealed.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(sealed.status().message().find(std::to_string(sealed_)) != std::string::npos,
            unknown.status().message().find("999999") != std::string::npos);
  auto merged = NominalProfile(Context(restricted_), merged_, seen);
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_EQ(merged->redirect_to, john_);
  EXPECT_TRUE(merged->body.is_null());
  Visibility john_sealed = restricted_;
  john_sealed.SealNominal(john_);
  auto to_sealed = NominalProfile(Context(john_sealed), merged_, seen);
  EXPECT_EQ(to_sealed.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(seen.records.empty());
}

TEST_F(ViewTest, TimelineIsNewestFirstFilteredAndVisibleOnly) {
  Seen seen;
  auto page = NominalTimeline(Context(restricted_), john_, {}, seen);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  const json& events = page->body["events"];
  ASSERT_EQ(events.size(), 2u) << page->body.dump(2);
  EXPECT_EQ(events[0]["date"], "2025-06-01");
  EXPECT_EQ(events[0]["roles"][0], "victim");
  EXPECT_EQ(events[0]["location"]["postcode"], "AB1 2CD");
  EXPECT_EQ(events[1]["date"], "2024-01-01");
  EXPECT_FALSE(Contains(page->body, kWithheldCategory));

  TimelineFilter theft;
  theft.categories = {"theft"};
  auto filtered = NominalTimeline(Context(restricted_), john_, theft, seen);
  ASSERT_TRUE(filtered.ok());
  ASSERT_EQ(filtered->body["events"].size(), 1u);
  EXPECT_EQ(filtered->body["events"][0]["category"], "theft");

  TimelineFilter health;
  health.agencies = {model::Agency::kMentalHealth};
  auto open_health = NominalTimeline(Context(open_), john_, health, seen);
  ASSERT_TRUE(open_health.ok());
  ASSERT_EQ(open_health->body["events"].size(), 1u);
  EXPECT_EQ(open_health->body["events"][0]["category"], kWithheldCategory);

  // A mask without event dates: the event is shown without one, and listed as withheld.
  Visibility no_dates;
  no_dates.ShareDataset("police_crime", govern::kAllFields & ~Bit(Field::kEventDate));
  auto undated = NominalTimeline(Context(no_dates), john_, {}, seen);
  ASSERT_TRUE(undated.ok());
  EXPECT_FALSE(Contains(undated->body, "2025-06-01"));
  EXPECT_NE(Dump(undated->body["events"][0]["withheld_fields"]).find("event.date"),
            std::string::npos);
}

TEST_F(ViewTest, AssociatesHouseholdsAndAgencies) {
  Seen seen;
  json p = Profile(restricted_, seen);
  ASSERT_EQ(p["associates"].size(), 1u) << p["associates"].dump(2);
  EXPECT_EQ(p["associates"][0]["nominal_id"], peter_);
  EXPECT_EQ(p["associates"][0]["name"], "PETER JONES");
  EXPECT_EQ(p["associates"][0]["relationships"][0]["own_role"], "victim");
  EXPECT_EQ(p["associates"][0]["relationships"][0]["their_role"], "suspect");

  ASSERT_EQ(p["households"].size(), 1u);
  const json& h = p["households"][0];
  EXPECT_EQ(h["members"].size(), 2u) << "John and Mary; the sealed member is not counted";
  EXPECT_EQ(h["members_withheld"], 0);
  EXPECT_EQ(h["location"]["postcode"], "AB1 2CD");

  ASSERT_EQ(p["agencies_involved"].size(), 1u);
  EXPECT_EQ(p["agencies_involved"][0]["agency"], "police");
  EXPECT_EQ(p["agencies_involved"][0]["latest"], "2025-06-01");
  EXPECT_EQ(p["agencies_involved"][0]["events"], 1) << "2024-01-01 is over a year before";

  Seen open_seen;
  json q = Profile(open_, open_seen);
  EXPECT_EQ(q["agencies_involved"].size(), 2u) << "police and mental health";
  EXPECT_EQ(q["associates"].size(), 2u);
}

TEST_F(ViewTest, HouseholdMemberWithoutVisibleEvidenceIsCountedNotShown) {
  Visibility v;  // police shared, but without addresses: no member's evidence is visible
  v.ShareDataset("police_crime", govern::kAllFields & ~Bit(Field::kPersonAddress));
  Seen seen;
  auto page = HouseholdView(Context(v), household_, seen);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_TRUE(page->body["members"].empty());
  EXPECT_EQ(page->body["members_withheld"], 3);
  EXPECT_FALSE(page->body.contains("location"));
  EXPECT_FALSE(Contains(page->body, "HIGH STREET"));
  json profile = Profile(v, seen);
  EXPECT_TRUE(profile["households"].empty());
  EXPECT_TRUE(profile["address_history"].empty());
}

TEST_F(ViewTest, HouseholdAndAddressPages) {
  Seen seen;
  auto h = HouseholdView(Context(restricted_), household_, seen);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->body["members"].size(), 2u);
  EXPECT_EQ(h->body["timeline"].size(), 3u) << "John's two police events and Mary's";
  EXPECT_EQ(h->body["timeline"][0]["date"], "2025-06-01");
  EXPECT_EQ(h->body["withheld"]["total"], 1);
  for (const char* marker :
       {kWithheldName, kSealedName, kSealedNominalName, kWithheldCategory, kSealedEventDate}) {
    EXPECT_FALSE(Contains(h->body, marker)) << marker;
  }
  EXPECT_EQ(h->body["first_seen"], "2024-01-01");
  EXPECT_EQ(h->body["last_seen"], "2025-06-01");
  auto a = AddressView(Context(restricted_), home_, seen);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->body["location"]["postcode"], "AB1 2CD");
  EXPECT_EQ(a->body["people"].size(), 2u);
  EXPECT_EQ(a->body["events"].size(), 2u) << "the two police events at the address";
  EXPECT_FALSE(Contains(a->body, kSealedNominalName));
  auto open_a = AddressView(Context(open_), home_, seen);
  ASSERT_TRUE(open_a.ok());
  EXPECT_TRUE(Contains(open_a->body, kSealedNominalName));
  EXPECT_EQ(AddressView(Context(restricted_), 987654, seen).status().code(), StatusCode::kNotFound);
}

TEST_F(ViewTest, GraphAndMapPoints) {
  Seen seen;
  auto g = NominalGraph(Context(restricted_), john_, seen);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  std::string nodes = Dump(g->body["nodes"]);
  for (const std::string& id :
       {"n:" + std::to_string(john_), "n:" + std::to_string(peter_), "n:" + std::to_string(mary_),
        "h:" + std::to_string(household_), "l:" + std::to_string(home_)}) {
    EXPECT_NE(nodes.find("\"" + id + "\""), std::string::npos) << id << " in " << nodes;
  }
  EXPECT_EQ(nodes.find("\"n:" + std::to_string(sealed_) + "\""), std::string::npos);
  auto m = NominalMapPoints(Context(restricted_), john_, seen);
  ASSERT_TRUE(m.ok());
  bool home_point = false;
  for (const json& p : m->body["points"]) {
    home_point = home_point || (p["kind"] == "address" && p["location_id"] == home_ &&
                                p["lat"] == 51.5 && p["lon"] == -0.12);
  }
  EXPECT_TRUE(home_point) << m->body.dump(2);
}

// What the web app's map draws: records loaded through ingest, their addresses and event
// locations placed by postcode with the gazetteer, come back as points saying how precisely.
TEST_F(ViewTest, MapPointsOfIngestedRecordsArePlacedByPostcode) {
  {
    std::ofstream(tmp_.Sub("crime.yaml")) << R"(source: police_crime
agency: police
format: csv
record_key: Id
event:
  type: crime
  ref: Ref
  date: {field: Date, formats: [yyyy-mm-dd]}
  location: {text: Where, postcode: WherePostcode}
people:
  - given: Given
    family: Family
    address: {text: Address, postcode: Postcode}
)";
    // E16 2RH is in the compiled-in postcode sample; E16 9 is a sector it does not know.
    std::ofstream(tmp_.Sub("crime.csv"))
        << "Id,Ref,Date,Where,WherePostcode,Given,Family,Address,Postcode\n"
           "G1,CR9,2025-03-01,THE PARK,E16 9ZZ,ANNA,GEOFF,1 DOCK ROAD,E16 2RH\n";
  }
  ingest::Ingestor ingestor(*store_, clock_);
  auto loaded = ingestor.LoadFile(tmp_.Sub("crime.yaml"), tmp_.Sub("crime.csv"), "crime.csv");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_EQ(loaded->counts.loaded, 1);
  auto record = store_->GetCurrentSourceRecord("police_crime", "G1");
  ASSERT_TRUE(record.ok() && record->has_value());
  auto people = store_->ListPersonRecordsForSourceRecord((*record)->id);
  ASSERT_TRUE(people.ok() && people->size() == 1u);
  auto txn = Begin();
  const model::NominalId anna = Nominal(*txn, {(*people)[0].id});
  ASSERT_TRUE(txn->Commit().ok());

  Seen seen;
  auto m = NominalMapPoints(Context(restricted_), anna, seen);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const json& points = m->body["points"];
  ASSERT_EQ(points.size(), 2u) << points.dump(2);
  const json& home = points[0];
  EXPECT_EQ(home["kind"], "address");
  EXPECT_EQ(home["postcode"], "E16 2RH");
  EXPECT_EQ(home["precision"], "postcode");
  EXPECT_DOUBLE_EQ(home["lat"].get<double>(), 51.500561);
  EXPECT_DOUBLE_EQ(home["lon"].get<double>(), 0.070872);
  const json& event = points[1];
  EXPECT_EQ(event["kind"], "event");
  EXPECT_EQ(event["postcode"], "E16 9ZZ");
  EXPECT_EQ(event["precision"], "district");
  EXPECT_NEAR(event["lat"].get<double>(), 51.51, 0.02);

  auto a = AddressView(Context(restricted_), home["location_id"].get<model::LocationId>(), seen);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->body["location"]["precision"], "postcode");
  EXPECT_DOUBLE_EQ(a->body["location"]["lat"].get<double>(), 51.500561);
}

TEST_F(ViewTest, SeenListsExactlyTheVisibleContent) {
  Seen seen;
  Profile(restricted_, seen);
  auto has = [](const std::vector<int64_t>& v, int64_t x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  };
  EXPECT_TRUE(has(seen.nominals, john_));
  EXPECT_TRUE(has(seen.nominals, peter_));
  EXPECT_TRUE(has(seen.nominals, mary_));
  EXPECT_FALSE(has(seen.nominals, sealed_));
  for (const Written* w : {&r1_, &r2_, &r5_, &r6_}) {
    EXPECT_TRUE(has(seen.records, w->source_record));
  }
  for (const Written* w : {&r3_, &r4_, &r7_}) {
    EXPECT_FALSE(has(seen.records, w->source_record));
  }
  EXPECT_TRUE(std::is_sorted(seen.records.begin(), seen.records.end()));
}

TEST_F(ViewTest, FreshnessMarksLateFeeds) {
  Seen seen;
  json p = Profile(restricted_, seen);
  ASSERT_EQ(p["freshness"].size(), 1u) << "only datasets shared with the request";
  const json& f = p["freshness"][0];
  EXPECT_EQ(f["source_id"], "police_crime");
  EXPECT_EQ(f["data_current_to"], FormatUtc(store::testing::kTestEpochMicros));
  EXPECT_TRUE(f["late"].get<bool>()) << "48 hours since a daily feed's load";
  ASSERT_EQ(p["alerts"].size(), 1u);
  EXPECT_EQ(p["alerts"][0]["kind"], "late_feed");

  ViewContext on_time = Context(restricted_);
  on_time.now_micros = store::testing::kTestEpochMicros + int64_t{3600} * 1'000'000;
  auto fresh = SourceFreshness(on_time);
  ASSERT_TRUE(fresh.ok());
  EXPECT_FALSE((*fresh)[0]["late"].get<bool>());
}

TEST_F(ViewTest, ExplanationHidesWhatEitherSideMayNotShow) {
  const resolve::LinkageModel model = resolve::LinkageModel::Defaults();
  Seen seen;
  auto full = RecordExplanation(Context(open_), model, john_, r1_.people[0], seen);
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  EXPECT_EQ(full->body["comparisons"].size(), 4u);
  EXPECT_TRUE(Contains(full->body, "1911-11-11")) << "the open request sees the health DOB";
  EXPECT_TRUE(Contains(full->body, kMaskedPhone));

  Seen restricted_seen;
  auto part = RecordExplanation(Context(restricted_), model, john_, r5_.people[0], restricted_seen);
  ASSERT_TRUE(part.ok()) << part.status().ToString();
  const json& body = part->body;
  EXPECT_EQ(body["comparisons"].size(), 2u) << "against INV1 and INV2";
  EXPECT_EQ(body["comparisons_withheld"], 1) << "the health record; the sealed one uncounted";
  for (const char* marker : {"1911-11-11", kWithheldName, kSealedDob, kSealedName, kMaskedPhone}) {
    EXPECT_FALSE(Contains(body, marker)) << marker << ": " << body.dump(2);
  }
  for (const json& c : body["comparisons"]) {
    bool contact_withheld = false;
    for (const json& step : c["steps"]) {
      if (step["comparison"] == "contact") contact_withheld = step.value("withheld", false);
      EXPECT_FALSE(step.contains("cumulative")) << "steps are withheld in every pair here";
    }
    EXPECT_TRUE(contact_withheld);
    EXPECT_FALSE(c.contains("match_weight"));
  }
  auto withheld = RecordExplanation(Context(restricted_), model, john_, r3_.people[0], seen);
  EXPECT_EQ(withheld.status().code(), StatusCode::kNotFound);
  auto elsewhere = RecordExplanation(Context(restricted_), model, john_, r6_.people[0], seen);
  EXPECT_EQ(elsewhere.status().code(), StatusCode::kNotFound);
}

// Review pairs: John's two police records (visible; the phone masked for the restricted
// request), John's police record with his health record (withheld), with his sealed housing
// record, and Mary with the sealed nominal's record (both sealed: never counted).
// --- associates through shared event references and the address page's own reads (issue 5)

// A police crime is one row per person, the rows sharing the crime reference: four more rows
// of crime CR8, besides the fixture. Alice and Ben are associates through it; Carl's row is
// withheld (an objection), Dora's sealed, and Zed's nominal sealed.
class SharedReferenceTest : public ViewTest {
 protected:
  void SetUp() override {
    ViewTest::SetUp();
    auto txn = Begin();
    ASSERT_NE(txn, nullptr);
    const EventSpec crime{"crime", "violence", "CR8", {2025, 8, 1}, model::Agency::kPolice, away_};
    auto row = [&](const std::string& key, const std::string& given, const std::string& family,
                   Role role) {
      return Write(*txn, police_load_, "police_crime", key,
                   {{given, "", family, CivilDate{1970, 1, 1}, role, away_, {}, ""}}, crime);
    };
    alice_row_ = row("INV8", "ALICE", "ADAMS", Role::kVictim);
    ben_row_ = row("INV9", "BEN", "BROWN", Role::kSuspect);
    carl_row_ = row("INV10", kRefWithheldName, "CARTER", Role::kWitness);
    dora_row_ = row("INV11", kRefSealedName, "DAVIES", Role::kWitness);
    zed_row_ = row("INV12", kRefSealedNominalName, "ZED", Role::kWitness);
    // Another source's record with the same reference is not the same crime.
    const model::LoadId health_load =
        *store_->BeginLoad(*txn, "mental_health", "mh2.json", "h8", store::LoadMode::kIncremental);
    other_source_row_ = Write(
        *txn, health_load, "mental_health", "MH8",
        {{"OTTO", "", "OTHER", CivilDate{1970, 1, 1}, Role::kPatient, away_, {}, ""}},
        EventSpec{"mh_contact", "x", "CR8", {2025, 8, 1}, model::Agency::kMentalHealth, away_});
    alice_ = Nominal(*txn, alice_row_.people);
    ben_ = Nominal(*txn, ben_row_.people);
    carl_ = Nominal(*txn, carl_row_.people);
    dora_ = Nominal(*txn, dora_row_.people);
    zed_ = Nominal(*txn, zed_row_.people);
    otto_ = Nominal(*txn, other_source_row_.people);
    ASSERT_TRUE(txn->Commit().ok());

    police_.ShareDataset("police_crime", govern::kAllFields);
    police_.ShareDataset("mental_health", govern::kAllFields);
    police_.WithholdSourceRecord(carl_row_.source_record);
    police_.SealSourceRecord(dora_row_.source_record);
    police_.SealNominal(zed_);
  }

  json ProfileOf(model::NominalId id, const Visibility& v, Seen& seen) {
    auto page = NominalProfile(Context(v), id, seen);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? page->body : json();
  }

  static constexpr const char* kRefWithheldName = "ZZREFWITHHELD";
  static constexpr const char* kRefSealedName = "ZZREFSEALED";
  static constexpr const char* kRefSealedNominalName = "ZZREFSEALEDNOMINAL";
  Written alice_row_, ben_row_, carl_row_, dora_row_, zed_row_, other_source_row_;
  model::NominalId alice_ = 0, ben_ = 0, carl_ = 0, dora_ = 0, zed_ = 0, otto_ = 0;
  Visibility police_;
};

TEST_F(SharedReferenceTest, PeopleSharingACrimeReferenceAreAssociatesWithTheirRoles) {
  Seen seen;
  json p = ProfileOf(alice_, police_, seen);
  ASSERT_EQ(p["associates"].size(), 1u) << p["associates"].dump(2);
  const json& ben = p["associates"][0];
  EXPECT_EQ(ben["nominal_id"], ben_);
  EXPECT_EQ(ben["name"], "BEN BROWN");
  EXPECT_EQ(ben["shared_events"], 1);
  EXPECT_EQ(ben["last_shared"], "2025-08-01");
  ASSERT_EQ(ben["relationships"].size(), 1u);
  EXPECT_EQ(ben["relationships"][0]["own_role"], "victim");
  EXPECT_EQ(ben["relationships"][0]["their_role"], "suspect");
  EXPECT_TRUE(std::binary_search(seen.nominals.begin(), seen.nominals.end(), ben_));
  EXPECT_TRUE(std::binary_search(seen.records.begin(), seen.records.end(), ben_row_.source_record));
  // Both ways round.
  Seen ben_seen;
  json b = ProfileOf(ben_, police_, ben_seen);
  ASSERT_EQ(b["associates"].size(), 1u) << b["associates"].dump(2);
  EXPECT_EQ(b["associates"][0]["nominal_id"], alice_);
  EXPECT_EQ(b["associates"][0]["relationships"][0]["own_role"], "suspect");
  EXPECT_EQ(b["associates"][0]["relationships"][0]["their_role"], "victim");
  // The graph draws the edge too.
  Seen graph_seen;
  auto g = NominalGraph(Context(police_), alice_, graph_seen);
  ASSERT_TRUE(g.ok());
  EXPECT_NE(Dump(g->body["nodes"]).find("\"n:" + std::to_string(ben_) + "\""), std::string::npos);
}

TEST_F(SharedReferenceTest, WithheldSealedAndUnreferencedRowsMakeNoAssociates) {
  Seen seen;
  json p = ProfileOf(alice_, police_, seen);
  for (const char* marker : {kRefWithheldName, kRefSealedName, kRefSealedNominalName, "OTTO"}) {
    EXPECT_FALSE(Contains(p, marker)) << marker << " leaked: " << p["associates"].dump(2);
  }
  for (model::NominalId hidden : {carl_, dora_, zed_, otto_}) {
    EXPECT_FALSE(std::binary_search(seen.nominals.begin(), seen.nominals.end(), hidden));
  }
  for (const Written* w : {&carl_row_, &dora_row_, &zed_row_, &other_source_row_}) {
    EXPECT_FALSE(std::binary_search(seen.records.begin(), seen.records.end(), w->source_record));
  }
  // The open request sees every row of the crime (and still not the other source's record):
  // the test can fail.
  Seen open_seen;
  json q = ProfileOf(alice_, open_, open_seen);
  EXPECT_EQ(q["associates"].size(), 4u) << q["associates"].dump(2);
  EXPECT_TRUE(Contains(q, kRefWithheldName));
  EXPECT_TRUE(Contains(q, kRefSealedName));
  EXPECT_FALSE(Contains(q, "OTTO"));
  // Without the reference field the rows are not linked at all.
  Visibility no_reference;
  no_reference.ShareDataset("police_crime", govern::kAllFields & ~Bit(Field::kEventReference));
  Seen no_ref_seen;
  json r = ProfileOf(alice_, no_reference, no_ref_seen);
  EXPECT_TRUE(r["associates"].empty()) << r["associates"].dump(2);
}

TEST_F(ViewTest, AddressPageListsPeopleAndEventsOutsideAnyHousehold) {
  auto txn = Begin();
  ASSERT_NE(txn, nullptr);
  // Eve lives at the home address but is in no household; Fred lives elsewhere, in an event
  // at the home address; a health record places someone at home, in an event there.
  Written eve = Write(
      *txn, police_load_, "police_crime", "INV20",
      {{"EVE", "", "EVANS", CivilDate{1999, 9, 9}, Role::kWitness, home_, {}, ""}},
      EventSpec{"crime", "criminal_damage", "CR20", {2025, 9, 9}, model::Agency::kPolice, away_});
  Written fred = Write(
      *txn, police_load_, "police_crime", "INV21",
      {{"FRED", "", "FOSTER", CivilDate{1988, 8, 8}, Role::kSuspect, away_, {}, ""}},
      EventSpec{"crime", "public_order", "CR21", {2025, 10, 10}, model::Agency::kPolice, home_});
  const model::LoadId health_load =
      *store_->BeginLoad(*txn, "mental_health", "mh3.json", "h20", store::LoadMode::kIncremental);
  Written health =
      Write(*txn, health_load, "mental_health", "MH20",
            {{"ZZHEALTHONLY", "", "PATIENT", CivilDate{1977, 7, 7}, Role::kPatient, home_, {}, ""}},
            EventSpec{"mh_contact",
                      "zzhealthcategory",
                      "MH20",
                      {2025, 11, 1},
                      model::Agency::kMentalHealth,
                      home_});
  const model::NominalId eve_id = Nominal(*txn, eve.people);
  const model::NominalId fred_id = Nominal(*txn, fred.people);
  const model::NominalId patient = Nominal(*txn, health.people);
  ASSERT_TRUE(txn->Commit().ok());

  Seen seen;
  auto page = AddressView(Context(restricted_), home_, seen);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  const json& body = page->body;
  const json* eve_entry = nullptr;
  for (const json& person : body["people"]) {
    if (person["nominal_id"] == eve_id) eve_entry = &person;
    EXPECT_NE(person["nominal_id"], fred_id) << "Fred does not live here";
  }
  ASSERT_NE(eve_entry, nullptr) << body["people"].dump(2);
  EXPECT_EQ((*eve_entry)["name"], "EVE EVANS");
  EXPECT_EQ((*eve_entry)["last_seen"], "2025-09-09");
  EXPECT_EQ(body["people"].size(), 3u) << "John, Mary and Eve";
  const json* fred_event = nullptr;
  for (const json& e : body["events"]) {
    if (e["reference"] == "CR21") fred_event = &e;
  }
  ASSERT_NE(fred_event, nullptr) << body["events"].dump(2);
  EXPECT_EQ((*fred_event)["nominal_ids"], json::array({fred_id}));
  EXPECT_EQ((*fred_event)["roles"], json::array({"suspect"}));
  EXPECT_EQ(body["events"].size(), 3u) << "CR21, CR1 and CR6; CR20 was elsewhere";
  EXPECT_EQ(body["events"][0]["reference"], "CR21") << "newest first";
  for (const char* marker : {"ZZHEALTHONLY", "zzhealthcategory", kWithheldName, kWithheldCategory,
                             kSealedName, kSealedNominalName, kWithheldDataset, "mental_health"}) {
    EXPECT_FALSE(Contains(body, marker)) << marker << " leaked: " << body.dump(2);
  }
  auto has = [](const std::vector<int64_t>& v, int64_t x) {
    return std::binary_search(v.begin(), v.end(), x);
  };
  EXPECT_TRUE(has(seen.nominals, eve_id));
  EXPECT_TRUE(has(seen.nominals, fred_id));
  EXPECT_FALSE(has(seen.nominals, patient));
  EXPECT_FALSE(has(seen.nominals, sealed_));
  EXPECT_TRUE(has(seen.records, eve.source_record));
  EXPECT_TRUE(has(seen.records, fred.source_record));
  EXPECT_FALSE(has(seen.records, health.source_record));
  EXPECT_FALSE(has(seen.records, r4_.source_record));

  // The open request sees the health record's person and event: the canaries can be found.
  Seen open_seen;
  auto open_page = AddressView(Context(open_), home_, open_seen);
  ASSERT_TRUE(open_page.ok());
  EXPECT_TRUE(Contains(open_page->body, "ZZHEALTHONLY"));
  EXPECT_TRUE(Contains(open_page->body, "zzhealthcategory"));
  // Without "person.address" nobody is placed here, and without "event.location" no event is.
  Visibility no_places;
  no_places.ShareDataset("police_crime", govern::kAllFields & ~Bit(Field::kPersonAddress) &
                                             ~Bit(Field::kEventLocation));
  Seen no_places_seen;
  auto hidden = AddressView(Context(no_places), home_, no_places_seen);
  ASSERT_TRUE(hidden.ok());
  EXPECT_TRUE(hidden->body["people"].empty()) << hidden->body.dump(2);
  EXPECT_TRUE(hidden->body["events"].empty()) << hidden->body.dump(2);
}

class ReviewViewTest : public ViewTest {
 protected:
  void SetUp() override {
    ViewTest::SetUp();
    auto txn = Begin();
    ASSERT_NE(txn, nullptr);
    visible_ = *store_->PutReviewPair(*txn, r2_.people[0], r5_.people[0], 0.6, 0.5);
    withheld_ = *store_->PutReviewPair(*txn, r2_.people[0], r3_.people[0], 0.5, 0.0);
    sealed_record_ = *store_->PutReviewPair(*txn, r2_.people[0], r4_.people[0], 0.5, 0.0);
    sealed_nominal_ = *store_->PutReviewPair(*txn, r6_.people[0], r7_.people[0], 0.4, -0.5);
    ASSERT_TRUE(txn->Commit().ok());
  }

  json Queue(const Visibility& v, Seen& seen, int limit = 100) {
    store::ReviewQuery q;
    q.status = store::ReviewStatus::kOpen;
    q.limit = limit;
    auto page = ReviewQueuePage(Context(v), model_, q, seen);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? page->body : json();
  }

  const resolve::LinkageModel model_ = resolve::LinkageModel::Defaults();
  int64_t visible_ = 0, withheld_ = 0, sealed_record_ = 0, sealed_nominal_ = 0;
};

TEST_F(ReviewViewTest, QueueShowsVisiblePairsCountsWithheldAndNeverSealed) {
  Seen seen;
  json q = Queue(restricted_, seen);
  ASSERT_EQ(q["pairs"].size(), 1u) << q.dump(2);
  EXPECT_EQ(q["withheld"], 1) << "the health pair; the sealed ones are not counted";
  EXPECT_FALSE(q.contains("next_after"));
  const json& pair = q["pairs"][0];
  EXPECT_EQ(pair["review_pair_id"], visible_);
  EXPECT_EQ(pair["status"], "open");
  ASSERT_EQ(pair["records"].size(), 2u);
  EXPECT_EQ(pair["records"][0]["nominal_id"], john_);
  EXPECT_EQ(pair["records"][1]["record"]["person_record_id"], r5_.people[0]);
  for (const char* marker : {kWithheldName, "1911-11-11", kSealedName, kSealedDob, kMaskedPhone,
                             kSealedNominalName, "mental_health", "housing"}) {
    EXPECT_FALSE(Contains(q, marker)) << marker << " leaked: " << q.dump(2);
  }
  // The phone is masked on one side: the contact step is withheld, so no totals at all.
  EXPECT_EQ(pair["waterfall"]["withheld_steps"], 1);
  EXPECT_FALSE(pair.contains("probability"));
  EXPECT_FALSE(pair.contains("match_weight"));
  EXPECT_FALSE(pair["waterfall"].contains("match_weight"));
  for (const json& step : pair["waterfall"]["steps"]) {
    EXPECT_FALSE(step.contains("value_a")) << "the queue lists no values: " << step.dump();
    EXPECT_EQ(step.value("withheld", false), step["comparison"] == "contact") << step.dump();
  }
  const json withheld_fields = pair["records"][1]["record"]["withheld_fields"];
  EXPECT_NE(std::find(withheld_fields.begin(), withheld_fields.end(), "person.phone"),
            withheld_fields.end());
  EXPECT_EQ(seen.records,
            (std::vector<model::SourceRecordId>{r2_.source_record, r5_.source_record}));
  EXPECT_EQ(seen.nominals, std::vector<model::NominalId>{john_});

  // The open request sees every pair and every canary: the test can fail.
  Seen open_seen;
  json all = Queue(open_, open_seen);
  EXPECT_EQ(all["pairs"].size(), 4u);
  EXPECT_EQ(all["withheld"], 0);
  for (const char* marker : {kWithheldName, kSealedName, kMaskedPhone, kSealedNominalName}) {
    EXPECT_TRUE(Contains(all, marker)) << marker << " missing: " << all.dump(2);
  }
  EXPECT_TRUE(all["pairs"][0].contains("probability"));

  // A full page says where the next one starts.
  Seen paged;
  json first = Queue(restricted_, paged, 2);
  EXPECT_EQ(first["next_after"], withheld_);
  store::ReviewQuery bad;
  bad.limit = 0;
  EXPECT_EQ(ReviewQueuePage(Context(open_), model_, bad, paged).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(ReviewViewTest, PairIsShownSideBySideOnlyWhenBothRecordsAreVisible) {
  Seen seen;
  auto page = ReviewPairPage(Context(restricted_), model_, visible_, seen);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  const json& body = page->body;
  EXPECT_FALSE(Contains(body, kMaskedPhone)) << body.dump(2);
  EXPECT_TRUE(Contains(body, "1980-01-02")) << "INV2's date of birth, compared: " << body.dump(2);
  bool values_shown = false;
  for (const json& step : body["waterfall"]["steps"]) {
    values_shown |= step.contains("value_a");
    EXPECT_FALSE(step.contains("cumulative"));
  }
  EXPECT_TRUE(values_shown);
  EXPECT_EQ(seen.records,
            (std::vector<model::SourceRecordId>{r2_.source_record, r5_.source_record}));

  Seen open_seen;
  auto open = ReviewPairPage(Context(open_), model_, visible_, open_seen);
  ASSERT_TRUE(open.ok());
  EXPECT_TRUE(Contains(open->body, kMaskedPhone));
  EXPECT_TRUE(open->body.contains("probability"));
  auto health = ReviewPairPage(Context(open_), model_, withheld_, open_seen);
  ASSERT_TRUE(health.ok());
  EXPECT_TRUE(Contains(health->body, kWithheldName)) << "visible when shared";

  for (int64_t id : {withheld_, sealed_record_, sealed_nominal_, int64_t{9999}}) {
    Seen none;
    auto hidden = ReviewPairPage(Context(restricted_), model_, id, none);
    EXPECT_EQ(hidden.status().code(), StatusCode::kNotFound) << id;
    EXPECT_EQ(hidden.status().message(), "review pair " + std::to_string(id) + " not found");
    EXPECT_TRUE(none.records.empty());
    EXPECT_EQ(VisibleReviewPair(Context(restricted_), id, none).status().code(),
              StatusCode::kNotFound);
  }
  Seen acted;
  auto pair = VisibleReviewPair(Context(restricted_), visible_, acted);
  ASSERT_TRUE(pair.ok());
  EXPECT_EQ(pair->a, std::min(r2_.people[0], r5_.people[0]));
  EXPECT_EQ(acted.records, seen.records);
}

TEST_F(ReviewViewTest, NominalRecordAccessNamesOnlyVisibleRecords) {
  auto john = NominalRecordAccess(Context(restricted_), merged_);
  ASSERT_TRUE(john.ok()) << john.status().ToString();
  EXPECT_EQ(john->live, john_) << "a merged id means its live nominal";
  EXPECT_EQ(john->visible.size(), 3u);
  EXPECT_TRUE(john->visible.contains(r5_.people[0]));
  EXPECT_EQ(john->visible.at(r5_.people[0]), r5_.source_record);
  EXPECT_EQ(john->withheld, std::vector<model::PersonRecordId>{r3_.people[0]});
  EXPECT_EQ(NominalRecordAccess(Context(restricted_), sealed_).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(NominalRecordAccess(Context(Visibility()), john_).status().code(),
            StatusCode::kNotFound)
      << "nothing of it visible";
}

TEST(SourceCatalog, LoadsTheShippedMappings) {
  const char* dir = std::getenv("TESSERA_SOURCE_DIR");
  auto catalog = SourceCatalog::Load(std::string(dir ? dir : ".") + "/examples/synthetic/mappings");
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  EXPECT_EQ(catalog->sources().size(), 12u);
  EXPECT_TRUE(catalog->warnings().empty());
  const SourceInfo* police = catalog->Find("police_crime");
  ASSERT_NE(police, nullptr);
  EXPECT_EQ(police->agency, model::Agency::kPolice);
  EXPECT_EQ(police->dataset, "Crime and ASB nominal involvements");
  EXPECT_EQ(police->expected_every_hours, 24);
  for (const SourceInfo& s : catalog->sources()) {
    EXPECT_TRUE(s.expected_every_hours.has_value()) << s.source_id;
  }
  EXPECT_EQ(SourceCatalog::Load("/nonexistent/mappings").status().code(), StatusCode::kNotFound);
}

// Cohorts (cohort.h): evaluated over what the request may see only.
class CohortViewTest : public ViewTest {
 protected:
  void SetUp() override {
    ViewTest::SetUp();
    auto rules = analytics::IndicatorSet::Default();
    ASSERT_TRUE(rules.ok());
    rules_ = std::move(*rules);
  }

  std::set<model::NominalId> Members(const Visibility& v, std::string_view definition) {
    auto parsed = analytics::CohortDefinition::Parse(definition, rules_);
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    auto run = RunCohort(Context(v), rules_, *parsed, kAsOf);
    EXPECT_TRUE(run.ok()) << run.status().ToString();
    std::set<model::NominalId> out;
    if (!run.ok()) return out;
    for (const CohortMember& m : *run) out.insert(m.nominal_id);
    return out;
  }

  static constexpr CivilDate kAsOf{2025, 12, 1};
  analytics::IndicatorSet rules_;
};

TEST_F(CohortViewTest, MembersComeFromVisibleRecordsAndPermittedFieldsOnly) {
  const char* police = R"({"criteria": [{"agencies": {"at_least": 1, "of": ["police"],
                                                       "within_months": 60}}]})";
  // The sealed nominal is in John's crime: a member only where nothing is sealed.
  EXPECT_EQ(Members(restricted_, police), (std::set<model::NominalId>{john_, peter_, mary_}));
  EXPECT_EQ(Members(open_, police), (std::set<model::NominalId>{john_, peter_, mary_, sealed_}));
  // Mental health is not shared with the restricted request.
  const char* health = R"({"criteria": [{"agencies": {"at_least": 1, "of": ["mental_health"],
                                                       "within_months": 60}}]})";
  EXPECT_EQ(Members(open_, health), std::set<model::NominalId>{john_});
  EXPECT_TRUE(Members(restricted_, health).empty());
  // Without event.date an event is in no window.
  Visibility no_dates;
  no_dates.ShareDataset("police_crime", govern::kAllFields & ~Bit(Field::kEventDate));
  EXPECT_TRUE(Members(no_dates, police).empty());
  // Age from the visible date of birth (John 45, Mary 43, Peter 50 on 2025-12-01).
  EXPECT_EQ(Members(restricted_, R"({"criteria": [{"age": {"from": 44, "to": 46}}]})"),
            std::set<model::NominalId>{john_});
  Visibility no_dob;
  no_dob.ShareDataset("police_crime", govern::kAllFields & ~Bit(Field::kPersonDob));
  EXPECT_TRUE(Members(no_dob, R"({"criteria": [{"age": {"from": 0, "to": 130}}]})").empty());

  // Area: the district of a visible address (with person.address).
  auto txn = Begin();
  model::Location flat;
  flat.address_text = "3 NEW FLATS, TOWN";
  flat.postcode = "ZZ7 1AA";
  flat.postcode_district = "ZZ7";
  const model::LocationId flat_id = *store_->UpsertLocation(*txn, flat);
  Written anna =
      Write(*txn, police_load_, "police_crime", "INV9",
            {{"ANNA", "", "FLATS", CivilDate{2010, 4, 4}, Role::kVictim, flat_id, {}, ""}},
            EventSpec{"crime", "violence", "CR9", {2025, 9, 9}, model::Agency::kPolice, flat_id});
  ASSERT_TRUE(txn->Commit().ok());
  auto t2 = Begin();
  const model::NominalId anna_id = Nominal(*t2, {anna.people[0]});
  ASSERT_TRUE(t2->Commit().ok());
  const char* area = R"({"criteria": [{"area": ["zz7"]}]})";
  EXPECT_EQ(Members(restricted_, area), std::set<model::NominalId>{anna_id});
  Visibility no_address;
  no_address.ShareDataset("police_crime", govern::kAllFields & ~Bit(Field::kPersonAddress));
  EXPECT_TRUE(Members(no_address, area).empty());

  // Ranked, with reasons.
  auto parsed = analytics::CohortDefinition::Parse(
      R"({"criteria": [{"agencies": {"at_least": 1, "within_months": 60}}], "rank_by": "events"})",
      rules_);
  ASSERT_TRUE(parsed.ok());
  auto run = RunCohort(Context(open_), rules_, *parsed, kAsOf);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  ASSERT_FALSE(run->empty());
  EXPECT_EQ((*run)[0].nominal_id, john_);  // four events: two crimes, mental health, housing
  EXPECT_EQ((*run)[0].rank, 1);
  EXPECT_EQ((*run)[0].reasons,
            std::vector<std::string>{"3 agencies in 60 months: police, housing, mental_health"});
}

TEST_F(CohortViewTest, ScoresCountOnlyWhenEveryRecordBehindThemIsVisible) {
  auto txn = Begin();
  store::StoredRiskModel m;
  m.version = "v1";
  m.outcome = "cp_plan_escalation";
  m.training_data_sha256 = std::string(64, 'a');
  m.metadata = json{{"input_datasets", {"police_crime"}}}.dump();
  ASSERT_TRUE(store_->PutRiskModel(*txn, m).ok());
  std::vector<store::StoredRiskScore> scores;
  int64_t rank = 0;
  for (auto [n, p] : std::vector<std::pair<model::NominalId, double>>{
           {sealed_, 0.5}, {john_, 0.4}, {peter_, 0.2}, {mary_, 0.05}}) {
    store::StoredRiskScore s;
    s.version = "v1";
    s.nominal_id = n;
    s.as_of = kAsOf;
    s.probability = p;
    s.rank = ++rank;
    s.explanation = json{{"bias", 0.0}, {"factors", json::array()}}.dump();
    scores.push_back(s);
  }
  ASSERT_TRUE(store_->ReplaceRiskScores(*txn, "v1", scores).ok());
  ASSERT_TRUE(txn->Commit().ok());
  const char* scored = R"({"criteria": [{"score": {"at_least": 0.1}}], "rank_by": "score"})";
  EXPECT_TRUE(Members(restricted_, scored).empty()) << "pending: no score is shown";

  auto t2 = Begin();
  ASSERT_TRUE(store_->SetRiskModelState(*t2, "v1", "approved", "igo", "reviewed").ok());
  ASSERT_TRUE(t2->Commit().ok());
  auto parsed = analytics::CohortDefinition::Parse(scored, rules_);
  ASSERT_TRUE(parsed.ok());
  auto run = RunCohort(Context(restricted_), rules_, *parsed, kAsOf);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  ASSERT_EQ(run->size(), 2u);
  EXPECT_EQ((*run)[0].nominal_id, john_);
  EXPECT_EQ((*run)[0].score, 0.4);
  EXPECT_EQ((*run)[0].reasons, std::vector<std::string>{"score 0.40 (rank 2)"});
  EXPECT_EQ((*run)[1].nominal_id, peter_);
  EXPECT_EQ(Members(restricted_, R"({"criteria": [{"score": {"top": 2}}]})"),
            std::set<model::NominalId>{john_});
  // One of John's police records withheld: his score would disclose it.
  Visibility withheld = restricted_;
  withheld.WithholdSourceRecord(r2_.source_record);
  EXPECT_EQ(Members(withheld, scored), std::set<model::NominalId>{peter_});
  // Without event categories of an input dataset no score is shown at all.
  Visibility no_category;
  no_category.ShareDataset("police_crime", govern::kAllFields & ~Bit(Field::kEventCategory));
  EXPECT_TRUE(Members(no_category, scored).empty());
}

TEST_F(CohortViewTest, StoredRunsAreJudgedAgainWhenShownAndTrackMembership) {
  auto txn = Begin();
  store::StoredCohort cohort;
  cohort.name = "Test";
  cohort.definition = R"({"criteria":[{"age":{"from":0,"to":130}}],"rank_by":"indicators"})";
  cohort.owner = "user:test";
  auto id = store_->PutCohort(*txn, cohort);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  const auto add_run = [&](std::string_view scope, std::vector<model::NominalId> members) {
    store::StoredCohortRun run;
    run.cohort_id = *id;
    run.as_of = kAsOf;
    run.actor = "user:test";
    run.scope = std::string(scope);
    run.definition = cohort.definition;
    std::vector<CohortMember> ranked;
    for (model::NominalId n : members) {
      ranked.push_back({n, static_cast<int64_t>(ranked.size() + 1), std::nullopt, {"age 45"}});
    }
    auto run_id = store_->AddCohortRun(*txn, run, ToStoredMembers(ranked));
    EXPECT_TRUE(run_id.ok()) << run_id.status().ToString();
    return *run_id;
  };
  const int64_t run1 = add_run("scope-a", {john_, sealed_, peter_});
  const int64_t run2 = add_run("scope-a", {john_, mary_});
  const int64_t other = add_run("scope-b", {john_});
  ASSERT_TRUE(txn->Commit().ok());

  Seen seen;
  auto page = CohortRunMembers(Context(restricted_), *id, run2, "scope-a", 50, 0, seen);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  const json& body = *page;
  EXPECT_EQ(body["total"], 2);
  ASSERT_EQ(body["members"].size(), 2u);
  EXPECT_EQ(body["members"][0]["nominal_id"], john_);
  EXPECT_EQ(body["members"][0]["status"], "continuing");
  EXPECT_EQ(body["members"][0]["name"], "JOHN SMITH");
  EXPECT_EQ(body["members"][0]["age"], 45);
  EXPECT_EQ(body["members"][0]["reasons"], json::array({"age 45"}));
  EXPECT_EQ(body["members"][1]["nominal_id"], mary_);
  EXPECT_EQ(body["members"][1]["status"], "new");
  // Peter left; the sealed nominal is neither listed nor counted.
  EXPECT_EQ(body["left"], json::array({peter_}));
  EXPECT_EQ(body["run"]["previous_run"], run1);
  EXPECT_TRUE(body["run"]["members"].is_null());  // 2: suppressed
  EXPECT_TRUE(body["run"]["left"].is_null());     // 1: suppressed
  EXPECT_EQ(body["run"]["joined"], json(nullptr));
  EXPECT_EQ(seen.nominals, (std::vector<model::NominalId>{john_, peter_, mary_}));
  EXPECT_EQ(Dump(body).find(kSealedNominalName), std::string::npos);
  auto first = CohortRunSummary(Context(restricted_), *id, run1, "scope-a");
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE((*first)["members"].is_null());

  // John's records now withheld: shown as withheld, without details.
  Visibility objection = restricted_;
  objection.WithholdNominal(john_);
  Seen seen2;
  auto withheld = CohortRunMembers(Context(objection), *id, run2, "scope-a", 50, 0, seen2);
  ASSERT_TRUE(withheld.ok());
  EXPECT_EQ((*withheld)["members"][0]["withheld"], true);
  EXPECT_TRUE((*withheld)["members"][0]["nominal_id"].is_null());
  EXPECT_TRUE((*withheld)["members"][0]["reasons"].empty());
  EXPECT_EQ(seen2.nominals, (std::vector<model::NominalId>{peter_, mary_}));

  // Runs are shown only in their scope; small runs are not exported.
  Seen unused;
  EXPECT_EQ(
      CohortRunMembers(Context(restricted_), *id, other, "scope-a", 50, 0, unused).status().code(),
      StatusCode::kNotFound);
  EXPECT_EQ(CohortRunCsv(Context(restricted_), *id, run2, "scope-a", unused).status().code(),
            StatusCode::kFailedPrecondition);
  auto a = CohortScope("risk_assessment", "police", {"analyst"}, {"ISA-SF-RISK v1", "X v2"});
  auto b = CohortScope("risk_assessment", "police", {"analyst"}, {"X v2", "ISA-SF-RISK v1"});
  auto c = CohortScope("risk_assessment", "police", {"analyst"}, {"ISA-SF-RISK v2", "X v2"});
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_NE(*a, *c);
  EXPECT_EQ(a->size(), 64u);
}

TEST_F(CohortViewTest, ExportQuotesEveryCellAndDefusesFormulasInNames) {
  auto txn = Begin();
  std::vector<model::NominalId> people;
  const std::vector<std::string> names = {"=HYPERLINK(\"http://evil\")", "+SUM(A1)", "-2+3", "@CMD",
                                          "PLAIN"};
  std::vector<Written> rows;
  for (size_t i = 0; i < names.size(); ++i) {
    rows.push_back(Write(*txn, police_load_, "police_crime", "CSV" + std::to_string(i),
                         {{names[i], "", "", CivilDate{2000, 1, 1}, Role::kVictim, home_, {}, ""}},
                         std::nullopt));
  }
  ASSERT_TRUE(txn->Commit().ok());
  auto t2 = Begin();
  std::vector<CohortMember> ranked;
  for (const Written& w : rows) {
    ranked.push_back({Nominal(*t2, {w.people[0]}),
                      static_cast<int64_t>(ranked.size() + 1),
                      0.25,
                      {"age 25", "=1+1"}});
  }
  store::StoredCohort cohort;
  cohort.name = "Export";
  cohort.definition = R"({"criteria":[{"age":{"from":0,"to":130}}],"rank_by":"indicators"})";
  cohort.owner = "user:test";
  auto id = store_->PutCohort(*t2, cohort);
  ASSERT_TRUE(id.ok());
  store::StoredCohortRun run;
  run.cohort_id = *id;
  run.as_of = kAsOf;
  run.actor = "user:test";
  run.scope = "s";
  run.definition = cohort.definition;
  auto run_id = store_->AddCohortRun(*t2, run, ToStoredMembers(ranked));
  ASSERT_TRUE(run_id.ok());
  ASSERT_TRUE(t2->Commit().ok());

  Seen seen;
  auto csv = CohortRunCsv(Context(restricted_), *id, *run_id, "s", seen);
  ASSERT_TRUE(csv.ok()) << csv.status().ToString();
  EXPECT_EQ(seen.nominals.size(), 5u);
  std::vector<std::string> lines;
  for (size_t start = 0; start < csv->size();) {
    const size_t end = csv->find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    lines.push_back(csv->substr(start, end - start));
    start = end + 2;
  }
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[1], "\"1\",\"" + std::to_string(ranked[0].nominal_id) +
                          "\",\"'=HYPERLINK(\"\"http://evil\"\")\",\"25\",\"\",\"0.2500\","
                          "\"age 25; =1+1\",\"" +
                          CivilDate::FromMicros(store::testing::kTestEpochMicros).ToIso() +
                          "\",\"new\"");
  EXPECT_NE(lines[2].find("\"'+SUM(A1)\""), std::string::npos) << lines[2];
  EXPECT_NE(lines[3].find("\"'-2+3\""), std::string::npos) << lines[3];
  EXPECT_NE(lines[4].find("\"'@CMD\""), std::string::npos) << lines[4];
  EXPECT_NE(lines[5].find("\"PLAIN\""), std::string::npos) << lines[5];
}

}  // namespace
}  // namespace tessera::view
