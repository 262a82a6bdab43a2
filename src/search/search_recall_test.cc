// Search recall on a generated world, end to end: generate, ingest with the example mappings,
// train, resolve, build the index; then search for people of the truth file the way a user
// would (typos, nicknames from the variant tables, swapped names, partial dates, postcodes,
// NHS numbers) and check that the person's nominal (the one holding most of their records) is
// in the top 10 for at least 95% of the queries.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "core/random.h"
#include "ingest/ingest.h"
#include "reference/reference_data.h"
#include "resolve/name_variants.h"
#include "resolve/resolver.h"
#include "resolve/train.h"
#include "search/search.h"
#include "store/store.h"
#include "synth/synth.h"

namespace tessera::search {
namespace {

namespace fs = std::filesystem;

std::vector<std::vector<std::string>> ReadCsv(const fs::path& path) {
  std::vector<std::vector<std::string>> rows;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) rows.push_back(reference::SplitCsvLine(line));
  return rows;
}

struct TruePerson {
  std::string given, family;
  CivilDate dob;
  std::string nhs;
  std::map<std::string, int> postcodes;  // of the addresses its records name
  std::map<model::NominalId, int> nominals;
  bool health = false;  // has a record from a source that sends NHS numbers
};

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// One typing mistake: a letter dropped, doubled, swapped with the next, or replaced.
std::string Typo(const std::string& s, Rng& rng) {
  if (s.size() < 4) return s;
  std::string t = s;
  size_t i = 1 + rng.Below(t.size() - 2);  // never the first letter
  switch (rng.Below(4)) {
    case 0:
      t.erase(i, 1);
      break;
    case 1:
      t.insert(i, 1, t[i]);
      break;
    case 2:
      std::swap(t[i], t[i + 1 < t.size() ? i + 1 : i - 1]);
      break;
    default:
      t[i] = t[i] == 'E' ? 'A' : 'E';
      break;
  }
  return t;
}

std::string Ddmmyyyy(const CivilDate& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d/%02d/%04d", d.day, d.month, d.year);
  return buf;
}

TEST(SearchRecallTest, FindsTruthPeopleInTheTopTen) {
  const fs::path base =
      fs::temp_directory_path() / ("tessera-search-recall-" + std::to_string(::getpid()));
  fs::remove_all(base);
  const fs::path world = base / "world";
  const fs::path hub = base / "hub";
  synth::WorldConfig config;
  config.people = 4000;
  config.seed = 23;
  ASSERT_TRUE(synth::GenerateWorld(config, world.string()).ok());

  ManualClock clock(1767225600LL * 1000000);  // 2026-01-01
  ASSERT_TRUE(store::InitHub(hub.string(), clock).ok());
  const char* src = std::getenv("TESSERA_SOURCE_DIR");
  fs::copy(fs::path(src ? src : ".") / "examples/synthetic/mappings", hub / "mappings",
           fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  fs::copy(world / "landing", hub / "landing",
           fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  auto opened = store::OpenSqliteStore(hub.string(), clock);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  store::Store& store = **opened;
  auto ingested = ingest::ProcessLandingZone(store, clock, (hub / "landing").string(),
                                             (hub / "mappings").string(), hub.string());
  ASSERT_TRUE(ingested.ok()) << ingested.status().ToString();
  ASSERT_TRUE(ingested->failed.empty());
  resolve::TrainingOptions training;
  training.random_pairs = 200'000;
  auto model = resolve::TrainFromStore(store, resolve::LinkageModel::Defaults(), training);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  {
    auto resolver = resolve::Resolver::Open(hub.string(), store, *model);
    ASSERT_TRUE(resolver.ok()) << resolver.status().ToString();
    ASSERT_TRUE((*resolver)->Run().ok());
  }
  auto index = SearchIndex::Build(store);
  ASSERT_TRUE(index.ok()) << index.status().ToString();

  // The truth: each person's attributes, postcodes and majority nominal.
  std::map<std::string, TruePerson> people;
  for (const auto& f : ReadCsv(world / "truth" / "people.csv")) {
    // person_id,household_id,given_name,middle_name,family_name,birth_family_name,
    // name_change_date,date_of_birth,sex,nhs_number,mobile,twin
    TruePerson p;
    p.given = Upper(f[2]);
    p.family = Upper(f[4]);
    auto dob = ParseDate(f[7], "yyyy-mm-dd");
    if (!dob.ok()) continue;
    p.dob = *dob;
    p.nhs = f[9];
    people[f[0]] = p;
  }
  std::map<std::string, std::string> postcode_of;  // address id -> postcode
  for (const auto& f : ReadCsv(world / "truth" / "addresses.csv")) postcode_of[f[0]] = f[4];
  std::map<std::pair<std::string, std::string>, model::NominalId> nominal_of;
  std::set<std::string> nhs_held;  // NHS numbers some loaded record carries
  {
    auto assignments = store.ListNominalAssignments();
    ASSERT_TRUE(assignments.ok());
    std::map<model::PersonRecordId, model::NominalId> by_record;
    for (const auto& a : *assignments) by_record[a.person_record_id] = a.nominal_id;
    auto records = store.ListPersonRecordsForResolution(0, 10'000'000);
    ASSERT_TRUE(records.ok());
    for (const auto& r : *records) {
      for (const auto& id : r.identifiers) {
        if (id.kind == model::IdentifierKind::kNhsNumber && id.valid) nhs_held.insert(id.value);
      }
      auto it = by_record.find(r.id);
      if (it != by_record.end()) nominal_of[{r.source_id, r.mention_key}] = it->second;
    }
  }
  for (const auto& f : ReadCsv(world / "truth" / "records.csv")) {
    auto person = people.find(f[2]);
    auto nominal = nominal_of.find({f[0], f[1]});
    if (person == people.end() || nominal == nominal_of.end()) continue;
    ++person->second.nominals[nominal->second];
    // The sources whose mappings read an NHS number (examples/synthetic/mappings).
    person->second.health |=
        f[0] == "ambulance" || f[0] == "csc_children" || f[0] == "mental_health";
    if (!f[4].empty() && postcode_of.count(f[4])) ++person->second.postcodes[postcode_of[f[4]]];
  }
  std::vector<const TruePerson*> findable;
  for (const auto& [id, p] : people) {
    if (!p.nominals.empty()) findable.push_back(&p);
  }
  ASSERT_GT(findable.size(), 1000u);

  // The queries.
  Rng rng(77);
  const resolve::NameVariants& first_names = resolve::NameVariants::FirstNames();
  std::map<std::string, std::pair<int, int>> by_kind;  // kind -> (found, asked)
  std::vector<std::string> misses;
  govern::Visibility all;
  all.ShareAllDatasets();
  const int kQueries = 400;
  for (int i = 0; i < kQueries; ++i) {
    const TruePerson& p = *findable[rng.Below(findable.size())];
    model::NominalId want = 0;
    int most = 0;
    for (const auto& [n, count] : p.nominals) {
      if (count > most) most = count, want = n;
    }
    std::string postcode;
    most = 0;
    for (const auto& [pc, count] : p.postcodes) {
      if (count > most) most = count, postcode = pc;
    }
    std::string nickname;
    if (int32_t id = first_names.Id(p.given); id >= 0) {
      for (int32_t v : first_names.VariantIdsOf(id)) {
        if (first_names.Name(v) != p.given) {
          nickname = first_names.Name(v);
          if (rng.Below(2) == 0) break;
        }
      }
    }
    std::string kind;
    std::string text;
    switch (i % 8) {
      case 0:
        kind = "family typo + dob";
        text = p.given + " " + Typo(p.family, rng) + " " + Ddmmyyyy(p.dob);
        break;
      case 1:
        kind = "nickname + year";
        text = (nickname.empty() ? p.given : nickname) + " " + p.family + " " +
               std::to_string(p.dob.year);
        break;
      case 2:
        kind = "swapped + postcode";
        text = p.family + " " + p.given + " " + postcode;
        break;
      case 3:
        kind = "given typo + district";
        text = Typo(p.given, rng) + " " + p.family + " " + postcode.substr(0, postcode.find(' '));
        break;
      case 4: {
        kind = "dob typo";
        CivilDate d = p.dob;
        d.day = d.day == 28 ? 27 : d.day + 1;
        text = p.given + " " + p.family + " " + d.ToIso();
        break;
      }
      case 5:
        if (p.health && nhs_held.contains(p.nhs)) {
          kind = "nhs number";
          text = p.nhs;
        } else {
          kind = "name + dob";
          text = p.given + " " + p.family + " " + Ddmmyyyy(p.dob);
        }
        break;
      case 6: {
        kind = "surname first + month";
        char month[16];
        std::snprintf(month, sizeof month, "%02d/%04d", p.dob.month, p.dob.year);
        text = p.family + ", " + p.given + " " + month;
        break;
      }
      default:
        kind = "nickname + typo + dob";
        text = (nickname.empty() ? p.given : nickname) + " " + Typo(p.family, rng) + " " +
               Ddmmyyyy(p.dob);
        break;
    }
    SearchQuery q;
    q.text = text;
    auto hits = (*index)->Search(q, all);
    ASSERT_TRUE(hits.ok()) << text << ": " << hits.status().ToString();
    bool found = false;
    for (const SearchHit& h : *hits) found |= h.nominal_id == want;
    by_kind[kind].second += 1;
    by_kind[kind].first += found;
    if (!found && misses.size() < 15) {
      misses.push_back(text + " -> " +
                       (hits->empty()
                            ? std::string("nothing")
                            : hits->front().display_name + " (" + hits->front().why + ")"));
    }
  }
  int found = 0;
  int asked = 0;
  for (const auto& [kind, counts] : by_kind) {
    std::printf("  %-24s %3d / %3d\n", kind.c_str(), counts.first, counts.second);
    found += counts.first;
    asked += counts.second;
  }
  for (const std::string& m : misses) std::printf("  missed: %s\n", m.c_str());
  const double recall = static_cast<double>(found) / asked;
  std::printf("recall@10 %.3f over %d queries (%zu records, %zu nominals)\n", recall, asked,
              (*index)->records(), (*index)->nominals());
  EXPECT_GE(asked, 300);
  EXPECT_GE(recall, 0.95);

  opened->reset();
  fs::remove_all(base);
}

}  // namespace
}  // namespace tessera::search
