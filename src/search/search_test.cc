// Search: the query parser, each kind of query against a small hub written through the store,
// catching up with new records and merges without a rebuild, concurrent searches during a
// catch-up, and governance (withheld fields, withheld and sealed records and nominals, with
// canary values that must never come out).
#include "search/search.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <thread>

#include "core/clock.h"

namespace tessera::search {
namespace {

namespace fs = std::filesystem;

// --- the parser -----------------------------------------------------------------------------

ParsedQuery Parse(const std::string& text) {
  SearchQuery q;
  q.text = text;
  auto parsed = ParseQuery(q);
  EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.status().ToString();
  return parsed.ok() ? *parsed : ParsedQuery{};
}

TEST(ParseQueryTest, ReadsNamesDatesAndPostcodes) {
  EXPECT_EQ(Parse("jon smith 14/03/1987 LS6 2AB").Describe(),
            "name JON (given); name SMITH (family); dob 1987-03-14; postcode LS6 2AB");
  EXPECT_EQ(Parse("John Paul Smith 1987-03-14").Describe(),
            "name JOHN (given); name PAUL (middle); name SMITH (family); dob 1987-03-14");
  EXPECT_EQ(Parse("Smith, John").Describe(), "name SMITH (family); name JOHN (given)");
  EXPECT_EQ(Parse("j smith").Describe(), "initial J; name SMITH (family)");
  EXPECT_EQ(Parse("smith").Describe(), "name SMITH");
  EXPECT_EQ(Parse("Mr Zoë O'Brien").Describe(), "name ZOE (given); name O'BRIEN (family)");
  EXPECT_EQ(Parse("14 Mar 1987").Describe(), "dob 1987-03-14");
  EXPECT_EQ(Parse("03/1987").Describe(), "birth_month 1987-03");
  EXPECT_EQ(Parse("march 1987").Describe(), "birth_month 1987-03");
  EXPECT_EQ(Parse("1987").Describe(), "birth_year 1987");
  EXPECT_EQ(Parse("ls62ab").Describe(), "postcode LS6 2AB");
  EXPECT_EQ(Parse("LS6 2").Describe(), "postcode_sector LS6 2");
  EXPECT_EQ(Parse("LS6").Describe(), "postcode_district LS6");
  EXPECT_EQ(Parse("12 Acacia Avenue").Describe(), "address 12 ACACIA AVENUE");
  EXPECT_EQ(Parse("jane doe 12 acacia avenue M1 1AA").Describe(),
            "name JANE (given); name DOE (family); address 12 ACACIA AVENUE; postcode M1 1AA");
}

TEST(ParseQueryTest, ReadsIdentifiers) {
  EXPECT_EQ(Parse("9434765919").Describe(), "nhs_number 9434765919");
  EXPECT_EQ(Parse("943 476 5919").Describe(), "nhs_number 9434765919");
  EXPECT_EQ(Parse("07700 900123").Describe(), "phone +447700900123");
  EXPECT_EQ(Parse("+44 7700 900123").Describe(), "phone +447700900123");
  EXPECT_EQ(Parse("J.Smith@Example.org").Describe(), "email j.smith@example.org");
  EXPECT_EQ(Parse("INV00000001").Describe(), "identifier INV00000001");
  // Ten digits with a bad check digit are not an NHS number.
  EXPECT_EQ(Parse("9434765918 smith").Describe().find("nhs_number"), std::string::npos);
  ParsedQuery pnc = Parse("2008/0056560Z");
  ASSERT_EQ(pnc.terms.size(), 1u);
  EXPECT_EQ(pnc.terms[0].kind, TermKind::kIdentifier);
}

TEST(ParseQueryTest, FiltersAndRefusals) {
  SearchQuery q;
  q.text = "smith";
  q.dob_from = CivilDate{1980, 1, 1};
  q.dob_to = CivilDate{1989, 12, 31};
  q.postcode = "ls6";
  auto parsed = ParseQuery(q);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(
      parsed->Describe(),
      "name SMITH; dob_range 1980-01-01..1989-12-31 (filter); postcode_district LS6 (filter)");

  for (const char* bad : {"", "   ", "!!! ???", "j"}) {
    SearchQuery b;
    b.text = bad;
    auto r = ParseQuery(b);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_FALSE(r.status().message().empty());
  }
  SearchQuery limit;
  limit.text = "smith";
  limit.limit = 0;
  EXPECT_FALSE(ParseQuery(limit).ok());
  limit.limit = 101;
  EXPECT_FALSE(ParseQuery(limit).ok());
  SearchQuery range;
  range.dob_from = CivilDate{1990, 1, 1};
  range.dob_to = CivilDate{1980, 1, 1};
  EXPECT_FALSE(ParseQuery(range).ok());
  SearchQuery postcode;
  postcode.postcode = "not a postcode";
  EXPECT_FALSE(ParseQuery(postcode).ok());
  // A filter alone is a search.
  SearchQuery only_filter;
  only_filter.postcode = "M1 1AA";
  EXPECT_TRUE(ParseQuery(only_filter).ok());
}

// --- a small hub ----------------------------------------------------------------------------

struct PersonSpec {
  std::string source = "police_crime";
  std::string key;
  std::string given, middle, family;
  std::optional<CivilDate> dob;
  model::Sex sex = model::Sex::kUnknown;
  std::string postcode;  // normalised
  std::string address;
  std::string nhs;
  std::string phone;
  std::string email;
  std::string pnc;
};

class SearchTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "tessera_search_test_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    fs::remove_all(dir_);
    ASSERT_TRUE(store::InitHub(dir_, clock_).ok());
    auto s = store::OpenSqliteStore(dir_, clock_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  // Writes the people (each its own source record) and puts them in one new nominal.
  // Returns the nominal and fills `records` with the source record ids.
  model::NominalId AddNominal(const std::vector<PersonSpec>& people,
                              std::vector<model::SourceRecordId>* records = nullptr) {
    auto txn = store_->Begin();
    EXPECT_TRUE(txn.ok());
    model::Nominal nominal;
    nominal.name.family = people[0].family;
    auto n = store_->CreateNominal(**txn, nominal);
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    for (const PersonSpec& p : people) {
      auto person = Write(**txn, p, records);
      EXPECT_TRUE(store_->AttachPersonRecord(**txn, *n, person).ok());
    }
    EXPECT_TRUE((*txn)->Commit().ok());
    return *n;
  }

  model::PersonRecordId Write(store::Transaction& txn, const PersonSpec& p,
                              std::vector<model::SourceRecordId>* records) {
    auto load = store_->BeginLoad(txn, p.source, "f.csv", "hash-" + std::to_string(++loads_),
                                  store::LoadMode::kIncremental);
    EXPECT_TRUE(load.ok()) << load.status().ToString();
    model::SourceRecord record;
    record.source_id = p.source;
    record.record_key = p.key;
    record.payload = p.given + " " + p.family;
    record.provenance.load_id = *load;
    record.provenance.file = "f.csv";
    record.provenance.content_hash = p.key + "-" + p.given + p.family;
    auto put = store_->PutSourceRecord(txn, record);
    EXPECT_TRUE(put.ok()) << put.status().ToString();
    if (records != nullptr) records->push_back(put->id);
    model::PersonRecord person;
    person.source_record_id = put->id;
    person.mention_key = p.key;
    person.name.given = p.given;
    person.name.middle = p.middle;
    person.name.family = p.family;
    person.dob = p.dob;
    person.sex = p.sex;
    if (!p.nhs.empty())
      person.identifiers.push_back({model::IdentifierKind::kNhsNumber, p.nhs, true});
    if (!p.pnc.empty()) person.identifiers.push_back({model::IdentifierKind::kPncId, p.pnc, true});
    if (!p.phone.empty()) person.phones.push_back(p.phone);
    if (!p.email.empty()) person.emails.push_back(p.email);
    if (!p.postcode.empty() || !p.address.empty()) {
      model::Location l;
      l.address_text = p.address;
      l.postcode = p.postcode;
      if (!p.postcode.empty()) {
        l.postcode_district = p.postcode.substr(0, p.postcode.find(' '));
        l.small_area = p.postcode.substr(0, p.postcode.find(' ') + 2);
      }
      auto loc = store_->UpsertLocation(txn, l);
      EXPECT_TRUE(loc.ok()) << loc.status().ToString();
      person.location_id = *loc;
    }
    auto id = store_->PutPersonRecord(txn, person);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    EXPECT_TRUE(store_->FinishLoad(txn, *load, {1, 1, 0, 0, 0}).ok());
    return *id;
  }

  // A population around the people the tests look for, so that ranking means something.
  void AddCrowd() {
    const char* given[] = {"JAMES", "MARY", "DAVID", "SARAH", "PAUL", "EMMA", "MARK", "LUCY"};
    const char* family[] = {"JONES", "TAYLOR", "BROWN", "WILSON", "EVANS", "THOMAS", "ROBERTS"};
    int i = 0;
    for (const char* g : given) {
      for (const char* f : family) {
        ++i;
        PersonSpec p;
        p.key = "CROWD" + std::to_string(i);
        p.given = g;
        p.family = f;
        p.dob = CivilDate{1960 + i % 40, 1 + i % 12, 1 + i % 28};
        p.postcode = i % 2 ? "M1 1AA" : "LS6 2AB";
        AddNominal({p});
      }
    }
  }

  std::vector<SearchHit> Find(const SearchIndex& index, const std::string& text,
                              const govern::Visibility& v) {
    SearchQuery q;
    q.text = text;
    auto hits = index.Search(q, v);
    EXPECT_TRUE(hits.ok()) << text << ": " << hits.status().ToString();
    return hits.ok() ? *hits : std::vector<SearchHit>{};
  }

  static govern::Visibility Everything() {
    govern::Visibility v;
    v.ShareAllDatasets();
    return v;
  }

  ManualClock clock_{1767225600LL * 1000000};
  std::string dir_;
  std::unique_ptr<store::Store> store_;
  int loads_ = 0;
};

PersonSpec Robert() {
  PersonSpec p;
  p.key = "INV00000001";
  p.given = "ROBERT";
  p.family = "SMITH";
  p.dob = CivilDate{1987, 3, 14};
  p.sex = model::Sex::kMale;
  p.postcode = "LS6 2AB";
  p.address = "12 ACACIA AVENUE LEEDS";
  p.nhs = "9434765919";
  p.phone = "+447700900123";
  p.email = "r.smith@example.org";
  p.pnc = "2008/0056560Z";
  return p;
}

TEST_F(SearchTest, FindsEachKindOfQuery) {
  AddCrowd();
  model::NominalId robert = AddNominal({Robert()});
  auto index = SearchIndex::Build(*store_);
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  EXPECT_EQ((*index)->records(), 57u);
  EXPECT_EQ((*index)->nominals(), 57u);
  const govern::Visibility all = Everything();

  struct Case {
    std::string text;
    std::string reason;  // a reason the top hit must give
  };
  const std::vector<Case> cases = {
      {"robert smith", "given name: exact (ROBERT ~ ROBERT)"},
      {"bob smith", "given name: nickname or variant (BOB ~ ROBERT)"},
      {"robret smith", "given name: typo (ROBRET ~ ROBERT)"},
      {"robert smyth", "family name: "},
      {"smith robert", "given and family names swapped"},
      {"Smith, Robert", "family name: exact (SMITH ~ SMITH)"},
      {"r smith", "given name: initial (R ~ ROBERT)"},
      {"smith 14/03/1987", "dob: exact"},
      {"smith 1987-14-03", ""},  // not a date: read as an identifier; the name still finds him
      {"smith 1987-03-41", ""},
      {"smith 03/14/1987", ""},
      {"smith 1987-03-15", "dob: one digit off"},
      {"smith 03/1987", "dob: exact 1987-03"},
      {"smith 1987", "dob: exact 1987"},
      {"smith LS6 2AB", "postcode: full (LS6 2AB ~ LS6 2AB)"},
      {"smith LS6 2ZZ", "postcode: sector"},
      {"smith LS6", "postcode: district"},
      {"smith 12 acacia avenue", "address: 100% of words"},
      {"9434765919", "nhs number: exact"},
      {"07700 900123", "phone: exact (+447700900123)"},
      {"R.Smith@example.org", "email: exact (r.smith@example.org)"},
      {"INV00000001", "record key: INV00000001"},
      {"2008/0056560Z", "identifier: exact (2008/0056560Z)"},
  };
  for (const Case& c : cases) {
    auto hits = Find(**index, c.text, all);
    ASSERT_FALSE(hits.empty()) << c.text;
    EXPECT_EQ(hits[0].nominal_id, robert) << c.text << ": " << hits[0].why;
    if (!c.reason.empty()) {
      bool found = false;
      for (const auto& r : hits[0].reasons) found |= r.find(c.reason) != std::string::npos;
      EXPECT_TRUE(found) << c.text << ": reasons were " << hits[0].why;
    }
    EXPECT_GT(hits[0].score, 0.0);
    EXPECT_LE(hits[0].score, 1.0);
  }

  // The summary and the why.
  auto hits = Find(**index, "bob smith 14/03/1987 LS6 4XX", all);
  ASSERT_FALSE(hits.empty());
  const SearchHit& top = hits[0];
  EXPECT_EQ(top.display_name, "ROBERT SMITH");
  EXPECT_EQ(top.dob, (CivilDate{1987, 3, 14}));
  EXPECT_EQ(top.sex, "male");
  EXPECT_EQ(top.postcode, "LS6 2AB");
  EXPECT_EQ(top.visible_records, 1);
  EXPECT_EQ(top.records.size(), 1u);
  EXPECT_EQ(top.why,
            "given name nickname of ROBERT; family name exact; DOB exact; postcode district");
  EXPECT_LT(top.score, 1.0);
  auto exact = Find(**index, "robert smith 14/03/1987 LS6 2AB", all);
  ASSERT_FALSE(exact.empty());
  EXPECT_DOUBLE_EQ(exact[0].score, 1.0);
  // JSON for the API.
  std::string json = HitToJson(top);
  EXPECT_NE(json.find("\"nominal_id\":" + std::to_string(robert)), std::string::npos) << json;
  EXPECT_NE(json.find("\"dob\":\"1987-03-14\""), std::string::npos) << json;

  // Filters: an explicit range or postcode must hold.
  SearchQuery q;
  q.text = "smith";
  q.dob_from = CivilDate{1990, 1, 1};
  auto filtered = (*index)->Search(q, all);
  ASSERT_TRUE(filtered.ok());
  for (const auto& h : *filtered) EXPECT_NE(h.nominal_id, robert);
  q.dob_from = CivilDate{1987, 1, 1};
  q.dob_to = CivilDate{1987, 12, 31};
  filtered = (*index)->Search(q, all);
  ASSERT_TRUE(filtered.ok());
  ASSERT_FALSE(filtered->empty());
  EXPECT_EQ((*filtered)[0].nominal_id, robert);
  q.dob_from.reset();
  q.dob_to.reset();
  q.postcode = "M1";
  filtered = (*index)->Search(q, all);
  ASSERT_TRUE(filtered.ok());
  for (const auto& h : *filtered) EXPECT_NE(h.nominal_id, robert);
  // A source filter.
  q.postcode.clear();
  q.sources = {"ambulance"};
  filtered = (*index)->Search(q, all);
  ASSERT_TRUE(filtered.ok());
  EXPECT_TRUE(filtered->empty());

  // Nothing like it.
  EXPECT_TRUE(Find(**index, "xavierqq zzyzx", all).empty());
  // Limit.
  SearchQuery broad;
  broad.text = "LS6";
  broad.limit = 5;
  auto five = (*index)->Search(broad, all);
  ASSERT_TRUE(five.ok());
  EXPECT_EQ(five->size(), 5u);
}

TEST_F(SearchTest, RanksTheNominalThatMatchesMoreAboveOneThatMatchesLess) {
  PersonSpec a = Robert();
  PersonSpec b = Robert();
  b.key = "INV2";
  b.dob = CivilDate{1950, 6, 1};
  b.nhs.clear();
  b.phone.clear();
  b.email.clear();
  b.pnc.clear();
  b.postcode = "M1 1AA";
  model::NominalId other = AddNominal({b});
  model::NominalId robert = AddNominal({Robert()});
  auto index = SearchIndex::Build(*store_);
  ASSERT_TRUE(index.ok());
  auto hits = Find(**index, "robert smith 14/03/1987", Everything());
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].nominal_id, robert);
  EXPECT_EQ(hits[1].nominal_id, other);
  EXPECT_GT(hits[0].score, hits[1].score);
}

TEST_F(SearchTest, CorroboratesAcrossTheRecordsOfANominal) {
  // The name in one record, the date of birth in another: one nominal matches both.
  PersonSpec name_only;
  name_only.key = "A1";
  name_only.given = "KEZIAH";
  name_only.family = "PLOWRIGHT";
  PersonSpec dob_only;
  dob_only.source = "ambulance";
  dob_only.key = "B1";
  dob_only.family = "PLOWRIGHT";
  dob_only.dob = CivilDate{2001, 7, 9};
  model::NominalId n = AddNominal({name_only, dob_only});
  auto index = SearchIndex::Build(*store_);
  ASSERT_TRUE(index.ok());
  auto hits = Find(**index, "keziah plowright 09/07/2001", Everything());
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].nominal_id, n);
  EXPECT_DOUBLE_EQ(hits[0].score, 1.0);
  EXPECT_EQ(hits[0].visible_records, 2);
  EXPECT_EQ(hits[0].records.size(), 2u);
}

TEST_F(SearchTest, CatchesUpWithNewRecordsAndMerges) {
  AddCrowd();
  auto index = SearchIndex::Build(*store_);
  ASSERT_TRUE(index.ok());
  const govern::Visibility all = Everything();
  EXPECT_TRUE(Find(**index, "ROBERT SMITH 14/03/1987", all).empty() ||
              Find(**index, "ROBERT SMITH 14/03/1987", all)[0].display_name != "ROBERT SMITH");

  // New records, attached to a new nominal.
  model::NominalId robert = AddNominal({Robert()});
  PersonSpec rob = Robert();
  rob.key = "DA1";
  rob.source = "police_domestic_abuse";
  rob.given = "ROB";
  rob.nhs.clear();
  model::NominalId rob_nominal = AddNominal({rob});
  ASSERT_TRUE((*index)->CatchUp(*store_).ok());
  EXPECT_EQ((*index)->records(), 58u);
  auto hits = Find(**index, "robert smith 14/03/1987", all);
  ASSERT_GE(hits.size(), 2u);
  EXPECT_EQ(hits[0].nominal_id, robert);
  EXPECT_EQ(hits[1].nominal_id, rob_nominal);

  // A record that is not attached yet is held but is not a result.
  {
    auto txn = store_->Begin();
    ASSERT_TRUE(txn.ok());
    PersonSpec p = Robert();
    p.key = "LOOSE1";
    p.given = "ZEBEDEE";
    Write(**txn, p, nullptr);
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  ASSERT_TRUE((*index)->CatchUp(*store_).ok());
  EXPECT_EQ((*index)->records(), 59u);
  EXPECT_TRUE(Find(**index, "zebedee", all).empty());

  // Merge: the absorbed nominal's id is gone, the survivor holds both records.
  {
    auto txn = store_->Begin();
    ASSERT_TRUE(txn.ok());
    auto absorbed = store_->GetNominal(rob_nominal);
    ASSERT_TRUE(absorbed.ok());
    for (model::PersonRecordId r : absorbed->records)
      ASSERT_TRUE(store_->AttachPersonRecord(**txn, robert, r).ok());
    ASSERT_TRUE(store_->MergeNominals(**txn, robert, rob_nominal, "same person").ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  ASSERT_TRUE((*index)->CatchUp(*store_).ok());
  hits = Find(**index, "rob smith 14/03/1987", all);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].nominal_id, robert);
  EXPECT_EQ(hits[0].visible_records, 2);
  for (const auto& h : hits) EXPECT_NE(h.nominal_id, rob_nominal);
  EXPECT_EQ((*index)->nominals(), 57u);

  // Detach: a record taken out of its nominal is no longer found through it.
  {
    auto txn = store_->Begin();
    ASSERT_TRUE(txn.ok());
    auto nominal = store_->GetNominal(robert);
    ASSERT_TRUE(nominal.ok());
    for (model::PersonRecordId r : nominal->records)
      ASSERT_TRUE(store_->DetachPersonRecord(**txn, r).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  ASSERT_TRUE((*index)->CatchUp(*store_).ok());
  EXPECT_TRUE(Find(**index, "9434765919", all).empty());
  EXPECT_EQ((*index)->nominals(), 56u);

  // A new version of a source record: the old person record stops being found once it is
  // no longer current, even while it is still attached.
  model::NominalId v1;
  {
    PersonSpec p;
    p.key = "VERSIONED";
    p.given = "QUENTIN";
    p.family = "ABERNATHY";
    v1 = AddNominal({p});
    ASSERT_TRUE((*index)->CatchUp(*store_).ok());
    ASSERT_EQ(Find(**index, "quentin abernathy", all).size(), 1u);
    auto txn = store_->Begin();
    ASSERT_TRUE(txn.ok());
    p.given = "QUINTUS";
    Write(**txn, p, nullptr);
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  ASSERT_TRUE((*index)->CatchUp(*store_).ok());
  for (const auto& h : Find(**index, "quentin abernathy", all)) EXPECT_NE(h.nominal_id, v1);
}

TEST_F(SearchTest, SearchesRunWhileCatchUpApplies) {
  AddCrowd();
  auto index = SearchIndex::Build(*store_);
  ASSERT_TRUE(index.ok());
  const govern::Visibility all = Everything();
  std::atomic<bool> stop{false};
  std::atomic<int> searches{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      SearchQuery q;
      q.text = "james jones LS6";
      while (!stop.load()) {
        auto hits = (*index)->Search(q, all);
        EXPECT_TRUE(hits.ok());
        ++searches;
      }
    });
  }
  for (int i = 0; i < 20; ++i) {
    PersonSpec p = Robert();
    p.key = "NEW" + std::to_string(i);
    p.given = "JAMES";
    p.family = "JONES";
    AddNominal({p});
    ASSERT_TRUE((*index)->CatchUp(*store_).ok());
  }
  stop = true;
  for (auto& r : readers) r.join();
  EXPECT_GT(searches.load(), 0);
  SearchQuery q;
  q.text = "james jones LS6 2AB";
  q.limit = 100;
  auto hits = (*index)->Search(q, all);
  ASSERT_TRUE(hits.ok());
  EXPECT_GE(hits->size(), 21u);
}

// --- governance -------------------------------------------------------------------------------

constexpr const char* kCanaryName = "ZQXCANARY";
constexpr const char* kCanaryPhone = "+447700900999";
constexpr const char* kCanaryDob = "1911-11-11";

bool Leaks(const SearchHit& h) {
  const std::string json = HitToJson(h);
  for (const std::string& marker : {std::string(kCanaryName), std::string(kCanaryPhone),
                                    std::string("07700900999"), std::string(kCanaryDob)}) {
    if (json.find(marker) != std::string::npos) return true;
  }
  return false;
}

TEST_F(SearchTest, ShowsOnlyWhatTheRequestMaySee) {
  AddCrowd();
  // One person: a visible police record, and a health record carrying canary values.
  PersonSpec police = Robert();
  PersonSpec health;
  health.source = "mental_health";
  health.key = "MH1";
  health.given = kCanaryName;
  health.family = "SMITH";
  health.phone = kCanaryPhone;
  health.dob = CivilDate{1911, 11, 11};
  std::vector<model::SourceRecordId> records;
  model::NominalId robert = AddNominal({police, health}, &records);
  // Someone known only to the withheld dataset.
  PersonSpec hidden;
  hidden.source = "mental_health";
  hidden.key = "MH2";
  hidden.given = kCanaryName;
  hidden.family = "HIDDENSON";
  model::NominalId hidden_nominal = AddNominal({hidden});
  auto index = SearchIndex::Build(*store_);
  ASSERT_TRUE(index.ok());

  // Police only: the health record is withheld.
  govern::Visibility police_only;
  police_only.ShareDataset("police_crime", govern::kAllFields);
  for (const char* text :
       {kCanaryName, "zqxcanary smith", "07700 900999", "11/11/1911", "MH1", "MH2", "hiddenson"}) {
    for (const auto& h : Find(**index, text, police_only)) {
      EXPECT_NE(h.nominal_id, hidden_nominal) << text;
      EXPECT_FALSE(Leaks(h)) << text << ": " << HitToJson(h);
      // Robert may be found through his police record (SMITH), never through the canaries.
      for (const auto& r : h.reasons) {
        EXPECT_EQ(r.find("ZQX"), std::string::npos) << r;
        EXPECT_EQ(r.find("phone"), std::string::npos) << r;
      }
    }
  }
  EXPECT_TRUE(Find(**index, kCanaryName, police_only).empty());
  EXPECT_TRUE(Find(**index, "07700 900999", police_only).empty());
  auto hits = Find(**index, "robert smith", police_only);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].nominal_id, robert);
  EXPECT_EQ(hits[0].visible_records, 1);
  EXPECT_EQ(hits[0].records, std::vector<model::SourceRecordId>{records[0]});
  EXPECT_FALSE(Leaks(hits[0]));

  // Both datasets shared: the canaries are found (the test can fail).
  govern::Visibility both;
  both.ShareDataset("police_crime", govern::kAllFields);
  both.ShareDataset("mental_health", govern::kAllFields);
  hits = Find(**index, kCanaryName, both);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_TRUE(Leaks(hits[0]) || Leaks(hits[1]));
  EXPECT_EQ(Find(**index, "07700 900999", both).at(0).nominal_id, robert);

  // An objection withholds the record; a sealed record and a sealed nominal vanish.
  for (int mode = 0; mode < 3; ++mode) {
    govern::Visibility v;
    v.ShareDataset("police_crime", govern::kAllFields);
    v.ShareDataset("mental_health", govern::kAllFields);
    if (mode == 0) v.WithholdSourceRecord(records[1]);
    if (mode == 1) v.SealSourceRecord(records[1]);
    if (mode == 2) v.SealNominal(hidden_nominal);
    for (const char* text :
         {kCanaryName, "zqxcanary smith", "07700 900999", "11/11/1911", "robert smith", "MH1"}) {
      for (const auto& h : Find(**index, text, v)) {
        if (mode == 2) {
          EXPECT_NE(h.nominal_id, hidden_nominal) << text;
        } else if (h.nominal_id == robert) {
          // MH2 (another nominal) may show its own name; Robert's hit must not show MH1.
          EXPECT_NE(std::string(text), "07700 900999") << mode;
          EXPECT_FALSE(Leaks(h)) << mode << " " << text << ": " << HitToJson(h);
          for (auto id : h.records) EXPECT_NE(id, records[1]) << text;
        }
      }
    }
    if (mode == 2) {
      EXPECT_TRUE(Find(**index, "hiddenson", v).empty());
      // The other nominal's health record is still visible.
      EXPECT_FALSE(Find(**index, "07700 900999", v).empty());
    }
  }
  // A sealed nominal is not found even under break-glass.
  govern::Visibility glass;
  glass.ShareAllDatasets();
  glass.SealNominal(robert);
  for (const auto& h : Find(**index, "robert smith 14/03/1987", glass))
    EXPECT_NE(h.nominal_id, robert);
  EXPECT_TRUE(Find(**index, "INV00000001", glass).empty());
}

TEST_F(SearchTest, UsesOnlyTheFieldsInTheMask) {
  PersonSpec p = Robert();
  p.key = "FMX001";
  std::vector<model::SourceRecordId> records;
  model::NominalId robert = AddNominal({p}, &records);
  auto index = SearchIndex::Build(*store_);
  ASSERT_TRUE(index.ok());
  govern::Visibility no_dob;
  no_dob.ShareDataset("police_crime", govern::kAllFields & ~govern::Bit(govern::Field::kPersonDob));
  // The date of birth neither finds him nor shows.
  EXPECT_TRUE(Find(**index, "14/03/1987", no_dob).empty());
  auto hits = Find(**index, "robert smith 14/03/1987", no_dob);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].nominal_id, robert);
  EXPECT_FALSE(hits[0].dob.has_value());
  EXPECT_EQ(HitToJson(hits[0]).find("1987-03-14"), std::string::npos);
  for (const auto& r : hits[0].reasons) EXPECT_EQ(r.find("dob"), std::string::npos) << r;
  EXPECT_LT(hits[0].score, 0.7);

  // Names withheld for this record only: found by its key, shown without a name.
  govern::Visibility no_name;
  no_name.ShareDataset("police_crime", govern::kAllFields);
  no_name.ExcludeFieldsOfSourceRecord(records.at(0), govern::Bit(govern::Field::kPersonName));
  EXPECT_TRUE(Find(**index, "robert smith", no_name).empty());
  hits = Find(**index, "FMX001", no_name);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].display_name, "");
  EXPECT_EQ(HitToJson(hits[0]).find("ROBERT"), std::string::npos);
  // Phone, email, NHS number and identifiers each need their own field.
  govern::Visibility bare;
  bare.ShareDataset("police_crime", govern::Bit(govern::Field::kPersonName));
  for (const char* text :
       {"9434765919", "07700 900123", "r.smith@example.org", "2008/0056560Z", "LS6 2AB"}) {
    EXPECT_TRUE(Find(**index, text, bare).empty()) << text;
  }
  // ... and the record key needs none.
  EXPECT_EQ(Find(**index, "FMX001", bare).size(), 1u);
}

// Phase 1's read limits (search.h SearchLimits), made tiny so that a handful of records behaves
// as a hub of millions does: a term past short_term is read narrowed by the terms after it,
// and a common name alone reads only first_read postings.
TEST_F(SearchTest, NarrowsLongTermsAndBoundsACommonNameAlone) {
  std::vector<model::NominalId> smiths;
  for (const char* given : {"ALAN", "BRIAN", "CARL", "DEREK", "EDWARD", "FRANK", "GARY"}) {
    PersonSpec p;
    p.key = std::string("SM-") + given;
    p.given = given;
    p.family = "SMITH";
    smiths.push_back(AddNominal({p}));
  }
  for (const char* family : {"JONES", "TAYLOR"}) {
    PersonSpec p;
    p.key = std::string("JN-") + family;
    p.given = "JOHN";
    p.family = family;
    AddNominal({p});
  }
  PersonSpec john;  // written last: past any prefix of SMITH's postings
  john.key = "JS-1";
  john.given = "JOHN";
  john.family = "SMITH";
  model::NominalId john_smith = AddNominal({john});
  auto index = SearchIndex::Build(*store_);
  ASSERT_TRUE(index.ok());
  const govern::Visibility all = Everything();
  ASSERT_EQ(Find(**index, "smith", all).size(), 8u);  // the default limits read all of them

  SearchLimits tiny;
  tiny.short_term = 1;
  tiny.narrow_max = 1000;
  tiny.first_read = 3;
  (*index)->SetLimits(tiny);
  // A common name alone: only first_read of its postings become candidates.
  EXPECT_EQ(Find(**index, "smith", all).size(), 3u);
  // Two long names meet: JOHN (3 postings) is read narrowed by SMITH, so only the record with
  // both is taken, however far into SMITH's postings it is; SMITH is then only probed.
  auto hits = Find(**index, "john smith", all);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].nominal_id, john_smith);
  EXPECT_EQ(hits[0].score, 1.0);
}

TEST_F(SearchTest, NarrowingNeverTurnsOnAWithheldValue) {
  // Smiths, one of them with the canary date of birth withheld from the request.
  for (const char* given : {"ALAN", "BRIAN", "CARL", "DEREK"}) {
    PersonSpec p;
    p.key = std::string("SM-") + given;
    p.given = given;
    p.family = "SMITH";
    p.dob = CivilDate{1970, 1, 1};
    AddNominal({p});
  }
  PersonSpec peter;
  peter.key = "SM-PETER";
  peter.given = "PETER";
  peter.family = "SMITH";
  peter.dob = CivilDate{1911, 11, 11};
  model::NominalId canary = AddNominal({peter});
  auto index = SearchIndex::Build(*store_);
  ASSERT_TRUE(index.ok());
  SearchLimits tiny;
  tiny.short_term = 0;  // every term is long: the date is read narrowed by SMITH
  tiny.narrow_max = 1000;
  tiny.first_read = 1000;
  (*index)->SetLimits(tiny);

  // Visible: Peter is found by the two together (so the test can fail).
  auto hits = Find(**index, "smith 11/11/1911", Everything());
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].nominal_id, canary);
  // His date of birth withheld: taking him because his date matched would single him out
  // among the Smiths through a value the request cannot see.
  govern::Visibility no_dob = Everything();
  no_dob.ExcludeFieldsOfNominal(canary, govern::Bit(govern::Field::kPersonDob));
  for (const auto& h : Find(**index, "smith 11/11/1911", no_dob)) {
    EXPECT_NE(h.nominal_id, canary);
    EXPECT_FALSE(Leaks(h)) << HitToJson(h);
  }
  // The name alone still finds him, as any Smith.
  bool found = false;
  for (const auto& h : Find(**index, "peter smith", no_dob)) found |= h.nominal_id == canary;
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace tessera::search
