#include "synth/synth.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>

#include "core/identifiers.h"

namespace tessera::synth {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("tessera-synth-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

std::string ReadAll(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

std::map<std::string, std::string> ReadTree(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) files[fs::relative(e.path(), root).string()] = ReadAll(e.path());
  }
  return files;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(line);
  }
  return out;
}

WorldConfig Small(uint64_t seed) {
  WorldConfig c;
  c.people = 4000;
  c.seed = seed;
  return c;
}

TEST(GenerateWorld, SameSeedGivesByteIdenticalFilesWhateverTheThreadCount) {
  TempDir a, b;
  WorldConfig one = Small(7), two = Small(7);
  one.threads = 1;
  two.threads = 2;
  ASSERT_TRUE(GenerateWorld(one, a.path().string()).ok());
  ASSERT_TRUE(GenerateWorld(two, b.path().string()).ok());
  const auto left = ReadTree(a.path()), right = ReadTree(b.path());
  ASSERT_GT(left.size(), 20u);
  ASSERT_EQ(left.size(), right.size());
  for (const auto& [name, bytes] : left) {
    ASSERT_TRUE(right.count(name)) << name;
    EXPECT_TRUE(bytes == right.at(name)) << name << " differs";
  }
}

TEST(GenerateWorld, DifferentSeedsGiveDifferentWorlds) {
  TempDir a, b;
  ASSERT_TRUE(GenerateWorld(Small(1), a.path().string()).ok());
  ASSERT_TRUE(GenerateWorld(Small(2), b.path().string()).ok());
  EXPECT_NE(ReadAll(a.path() / "truth/people.csv"), ReadAll(b.path() / "truth/people.csv"));
}

// Every record in the landing files has exactly one truth row, and nothing else does.
TEST(GenerateWorld, EveryLandingRecordIsInTheTruth) {
  TempDir dir;
  auto summary = GenerateWorld(Small(3), dir.path().string());
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();

  std::map<std::string, std::multiset<std::string>> truth;
  const auto truth_lines = Lines(ReadAll(dir.path() / "truth/records.csv"));
  ASSERT_EQ(truth_lines[0], "source,record_id,person_id,household_id,address_id,expected_outcome");
  for (size_t i = 1; i < truth_lines.size(); ++i) {
    const std::string& l = truth_lines[i];
    const size_t c1 = l.find(','), c2 = l.find(',', c1 + 1);
    truth[l.substr(0, c1)].insert(l.substr(c1 + 1, c2 - c1 - 1));
  }

  for (const std::string& source : SourceIds()) {
    std::multiset<std::string> landed;
    for (const auto& e : fs::directory_iterator(dir.path() / "landing" / source)) {
      const std::string text = ReadAll(e.path());
      const std::string name = e.path().filename().string();
      if (name.ends_with(".csv")) {
        auto lines = Lines(text);
        for (size_t i = 1; i < lines.size(); ++i) {
          const std::string& l = lines[i];
          landed.insert(l.substr(0, l.find(',')));  // the key is the first column
        }
      } else if (name.ends_with(".jsonl")) {
        for (const auto& l : Lines(text)) {
          const std::string tag = "{\"episode_id\":\"";
          ASSERT_EQ(l.rfind(tag, 0), 0u) << l;
          landed.insert(l.substr(tag.size(), l.find('"', tag.size()) - tag.size()));
        }
      } else {
        const std::string tag = "{\"resourceType\":\"Patient\",\"id\":\"";
        std::set<std::string> in_bundle;
        for (size_t at = text.find(tag); at != std::string::npos; at = text.find(tag, at + 1)) {
          const size_t start = at + tag.size();
          in_bundle.insert(text.substr(start, text.find('"', start) - start));
        }
        for (const auto& id : in_bundle) landed.insert(id);
      }
    }
    if (source == "ambulance" || source == "mental_health") {
      // A Patient is sent in every bundle that mentions it: one truth row per Patient.
      std::set<std::string> unique(landed.begin(), landed.end());
      landed = std::multiset<std::string>(unique.begin(), unique.end());
    }
    EXPECT_FALSE(landed.empty()) << source;
    EXPECT_EQ(landed, truth[source]) << source;
  }
}

TEST(GenerateWorld, DialectsAreThoseDocumented) {
  TempDir dir;
  ASSERT_TRUE(GenerateWorld(Small(5), dir.path().string()).ok());
  const std::string csc = ReadAll(dir.path() / "landing/csc_children/csc_children.csv");
  EXPECT_EQ(csc.rfind("\xEF\xBB\xBF", 0), 0u) << "children's social care has a UTF-8 BOM";
  EXPECT_NE(csc.find("\r\n"), std::string::npos) << "and CRLF line endings";
  const std::string da =
      ReadAll(dir.path() / "landing/police_domestic_abuse/police_domestic_abuse.csv");
  EXPECT_NE(da.rfind("PersonLinkID,", 0), std::string::npos) << "CP1252 without a BOM";
  const std::string crime = ReadAll(dir.path() / "landing/police_crime/police_crime.csv");
  EXPECT_NE(crime.find(",\""), std::string::npos) << "\"SURNAME, Forename\" names are quoted";
  EXPECT_TRUE(fs::exists(dir.path() / "landing/ambulance/bundle-00001.json"));
  EXPECT_TRUE(fs::exists(dir.path() / "landing/police_missing/missing_episodes.jsonl"));
}

TEST(GenerateWorld, TruthPeopleHaveValidTestRangeNhsNumbers) {
  TempDir dir;
  ASSERT_TRUE(GenerateWorld(Small(9), dir.path().string()).ok());
  const auto lines = Lines(ReadAll(dir.path() / "truth/people.csv"));
  ASSERT_EQ(lines.size(), 4001u);
  std::set<std::string> seen;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> f;
    std::stringstream ss(lines[i]);
    std::string cell;
    while (std::getline(ss, cell, ',')) f.push_back(cell);
    ASSERT_GE(f.size(), 10u) << lines[i];
    const std::string& nhs = f[9];
    EXPECT_TRUE(IsValidNhsNumber(nhs)) << nhs;
    EXPECT_TRUE(IsTestRangeNhsNumber(nhs)) << nhs;
    EXPECT_TRUE(seen.insert(nhs).second) << "duplicate NHS number " << nhs;
  }
}

// The hub's gazetteer (docs/formats/gazetteer.md): each postcode of the area once, at the mean
// of its addresses.
TEST(GenerateWorld, WritesTheAreasPostcodeCentroids) {
  TempDir dir;
  ASSERT_TRUE(GenerateWorld(Small(4), dir.path().string()).ok());
  struct Sum {
    double lat = 0, lon = 0;
    int n = 0;
  };
  std::map<std::string, Sum> want;
  const auto addresses = Lines(ReadAll(dir.path() / "truth/addresses.csv"));
  for (size_t i = 1; i < addresses.size(); ++i) {
    // postcode,district,sector,latitude,longitude,deprivation_decile end every row.
    std::vector<std::string> right;
    std::string_view rest = addresses[i];
    for (int k = 0; k < 6; ++k) {
      const size_t comma = rest.rfind(',');
      ASSERT_NE(comma, std::string_view::npos) << addresses[i];
      right.emplace_back(rest.substr(comma + 1));
      rest = rest.substr(0, comma);
    }
    Sum& sum = want[right[5]];
    sum.lat += std::stod(right[2]);
    sum.lon += std::stod(right[1]);
    ++sum.n;
  }
  const auto lines = Lines(ReadAll(dir.path() / "reference/postcodes.csv"));
  ASSERT_EQ(lines[0], "postcode,latitude,longitude");
  ASSERT_EQ(lines.size(), want.size() + 1);
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> f;
    std::stringstream ss(lines[i]);
    std::string cell;
    while (std::getline(ss, cell, ',')) f.push_back(cell);
    ASSERT_EQ(f.size(), 3u) << lines[i];
    auto pc = ParsePostcode(f[0]);
    ASSERT_TRUE(pc.ok()) << lines[i];
    EXPECT_EQ(pc->normalised, f[0]);
    ASSERT_TRUE(want.count(f[0])) << f[0];
    const Sum& sum = want[f[0]];
    EXPECT_NEAR(std::stod(f[1]), sum.lat / sum.n, 1e-4) << lines[i];
    EXPECT_NEAR(std::stod(f[2]), sum.lon / sum.n, 1e-4) << lines[i];
  }
}

TEST(GenerateWorld, RejectsBadConfiguration) {
  TempDir dir;
  WorldConfig c = Small(1);
  c.areas = {"Atlantis"};
  auto r = GenerateWorld(c, dir.path().string());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("Atlantis"), std::string::npos);
  c = Small(1);
  c.malformed_fraction = 0.9;
  EXPECT_EQ(GenerateWorld(c, dir.path().string()).status().code(), StatusCode::kInvalidArgument);
}

// --observed-until cuts the observed period short (a demo's data run up to its "today"): fewer
// events are written, the manifest says where the period ends, and a day outside the period or
// a malformed one is refused.
TEST(GenerateWorld, ObservedUntilEndsTheObservedPeriodEarly) {
  TempDir full_dir, cut_dir;
  auto full = GenerateWorld(Small(5), full_dir.path().string());
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  WorldConfig c = Small(5);
  c.observed_until = "2022-06-30";
  auto cut = GenerateWorld(c, cut_dir.path().string());
  ASSERT_TRUE(cut.ok()) << cut.status().ToString();
  EXPECT_GT(cut->events, 0);
  EXPECT_LT(cut->events, full->events * 3 / 4);  // 3.5 of 6 years
  EXPECT_NE(ReadAll(cut_dir.path() / "manifest.json")
                .find("\"observed_period\": [\"2019-01-01\", \"2022-06-30\"]"),
            std::string::npos);
  for (const std::string bad : {"2025-01-01", "2018-12-31", "30/06/2022"}) {
    c.observed_until = bad;
    auto r = GenerateWorld(c, cut_dir.path().string());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

// The default world must be hard: exact matching on name and date of birth must not reach a
// pairwise F1 above 0.85, or the world does not test linkage.
TEST(GenerateWorld, NaiveExactMatchingScoresAtMostPointEightFiveOnTheDefaultWorld) {
  TempDir dir;
  WorldConfig config;  // the default world: 50,000 people, seed 1
  std::unordered_map<std::string, std::unordered_map<int64_t, int64_t>> by_key;
  std::unordered_map<int64_t, int64_t> by_person;
  auto upper = [](std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
  };
  auto summary = GenerateWorld(config, dir.path().string(), [&](const MentionView& m) {
    if (m.expected_outcome == "quarantine") return;
    ++by_person[m.person_id];
    const std::string key = upper(m.given) + "|" + upper(m.family) + "|" + std::string(m.dob_iso);
    ++by_key[key][m.person_id];
  });
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  auto pairs = [](int64_t n) { return n * (n - 1) / 2; };
  int64_t true_pairs = 0, predicted = 0, correct = 0;
  for (const auto& [person, n] : by_person) true_pairs += pairs(n);
  for (const auto& [key, people] : by_key) {
    int64_t total = 0;
    for (const auto& [person, n] : people) {
      total += n;
      correct += pairs(n);
    }
    predicted += pairs(total);
  }
  ASSERT_GT(true_pairs, 10000);
  const double precision = static_cast<double>(correct) / predicted;
  const double recall = static_cast<double>(correct) / true_pairs;
  const double f1 = 2 * precision * recall / (precision + recall);
  std::printf("naive exact name+DOB: precision %.4f recall %.4f F1 %.4f over %lld true pairs\n",
              precision, recall, f1, static_cast<long long>(true_pairs));
  EXPECT_LE(f1, 0.85);
  EXPECT_GT(recall, 0.3) << "the noise should be realistic, not overwhelming";
}

TEST(GenerateWorld, ProducesTheRatesTheDocsPromise) {
  TempDir dir;
  WorldConfig c;
  c.people = 20000;
  auto s = GenerateWorld(c, dir.path().string());
  ASSERT_TRUE(s.ok());
  const auto& r = s->rates;
  EXPECT_GT(r.at("people.in_2plus_sources"), 0.05);
  EXPECT_GT(r.at("people.twins"), 0.0);
  EXPECT_GT(r.at("people.name_change_in_period"), 0.0);
  EXPECT_GT(r.at("mentions.nickname"), 0.02);
  EXPECT_GT(r.at("mentions.typo"), 0.01);
  EXPECT_GT(r.at("mentions.placeholder_dob"), 0.0);
  EXPECT_GT(r.at("mentions.placeholder_nhs"), 0.0);
  EXPECT_GT(r.at("mentions.quarantine"), 0.0);
  EXPECT_GT(r.at("mentions.load_flagged"), 0.0);
  EXPECT_GT(r.at("outcome.cp_plan_escalation.future.base_rate"), 0.0);
  EXPECT_EQ(s->sources.size(), 12u);
  for (const auto& src : s->sources) EXPECT_GT(src.rows, 0) << src.source_id;
}

}  // namespace
}  // namespace tessera::synth
