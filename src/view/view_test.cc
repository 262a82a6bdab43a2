#include "view/view.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "resolve/linkage_model.h"
#include "store/store_test_support.h"

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

}  // namespace
}  // namespace tessera::view
