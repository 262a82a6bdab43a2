// Orchestration: reference data -> population -> life courses (parallel, by household chunk)
// -> each source rendered in its dialect (parallel, by source) -> truth files and manifest.
// The output depends only on the configuration and seed, never on the thread count.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>
#include <unordered_set>

#include "synth/synth.h"
#include "synth/world.h"

namespace tessera::synth {
namespace {

constexpr uint32_t kHouseholdsPerChunk = 2048;

// Runs fn(i) for i in [0, n) on `threads` threads; each i exactly once.
template <typename Fn>
void ParallelFor(size_t n, int threads, Fn fn) {
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < n; i = next++) fn(i);
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
}

Status WriteText(const std::filesystem::path& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!f) return Status::IoError("cannot write " + path.string());
  return Status::Ok();
}

std::string Csv(std::string_view v) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(v);
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string IsoDay(int32_t day) { return DayToDate(day).ToIso(); }

const char* const kHouseholdKinds[] = {"single",      "couple",           "couple_with_children",
                                       "lone_parent", "multi_generation", "shared"};

}  // namespace

std::vector<std::string> SourceIds() {
  std::vector<std::string> out;
  for (int s = 0; s < kSourceCount; ++s) out.emplace_back(InfoOf(static_cast<Source>(s)).id);
  return out;
}

Result<WorldSummary> GenerateWorld(const WorldConfig& config, const std::string& out_dir,
                                   const std::function<void(const MentionView&)>& on_mention) {
  if (config.years < 2 || config.years > 30) {
    return Status::InvalidArgument("--years must be between 2 and 30");
  }
  if (config.malformed_fraction < 0 || config.malformed_fraction > 0.5) {
    return Status::InvalidArgument("--malformed-fraction must be between 0 and 0.5");
  }
  const int threads = config.threads > 0
                          ? config.threads
                          : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));

  TRY_ASSIGN(const ReferenceData ref, LoadReferenceData());
  WorldClock clock;
  clock.first_year = config.first_year;
  clock.years = config.years;
  clock.start_day = static_cast<int32_t>(CivilDate{config.first_year, 1, 1}.ToDays());
  clock.end_day = static_cast<int32_t>(CivilDate{config.first_year + config.years, 1, 1}.ToDays());
  clock.outcome_end =
      static_cast<int32_t>(CivilDate{config.first_year + config.years + 1, 1, 1}.ToDays());

  // Mentions on days in [clock.start_day, observed_end) are written to the landing zone.
  int32_t observed_end = clock.end_day;
  if (!config.observed_until.empty()) {
    auto until = ParseDate(config.observed_until, "yyyy-mm-dd");
    if (!until.ok()) {
      return Status::InvalidArgument("--observed-until must be a date YYYY-MM-DD, not '" +
                                     config.observed_until + "'");
    }
    const auto day = static_cast<int32_t>(until->ToDays());
    if (day < clock.start_day || day >= clock.end_day) {
      return Status::InvalidArgument(
          fmt::format("--observed-until {} is outside the observed period {} to {}",
                      config.observed_until, IsoDay(clock.start_day), IsoDay(clock.end_day - 1)));
    }
    observed_end = day + 1;
  }

  TRY_ASSIGN(const Population pop, BuildPopulation(config, ref, clock));

  // Life courses, a chunk of households at a time.
  const size_t chunks = (pop.households.size() + kHouseholdsPerChunk - 1) / kHouseholdsPerChunk;
  std::vector<std::vector<Mention>> chunk_mentions(chunks);
  std::vector<Outcomes> outcomes(pop.people.size());
  ParallelFor(chunks, threads, [&](size_t c) {
    const size_t first = c * kHouseholdsPerChunk;
    const size_t last = std::min(pop.households.size(), first + kHouseholdsPerChunk);
    for (size_t h = first; h < last; ++h) {
      SimulateHousehold(static_cast<uint32_t>(h), pop, clock, config.seed, chunk_mentions[c],
                        outcomes);
    }
  });

  // Observed mentions, by source, in chunk order; the outcome year stays in truth only.
  std::vector<std::vector<Mention>> by_source(kSourceCount);
  std::unordered_set<uint64_t> events;
  for (auto& chunk : chunk_mentions) {
    for (const Mention& m : chunk) {
      if (m.day >= observed_end || m.day < clock.start_day) continue;
      by_source[m.source].push_back(m);
      events.insert(m.event);
    }
    std::vector<Mention>().swap(chunk);
  }

  // Fresh output folders: stale files from an earlier run would break byte-identity.
  const std::filesystem::path root(out_dir);
  std::error_code ec;
  // Only the files directly in each source folder: a hub's processed/ and failed/ folders
  // beneath them are left alone.
  for (int s = 0; s < kSourceCount; ++s) {
    const auto dir = root / "landing" / InfoOf(static_cast<Source>(s)).id;
    if (!std::filesystem::is_directory(dir, ec)) continue;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
      if (e.is_regular_file()) std::filesystem::remove(e.path(), ec);
    }
  }
  std::filesystem::remove_all(root / "truth", ec);
  std::filesystem::create_directories(root / "landing", ec);
  std::filesystem::create_directories(root / "truth", ec);
  if (ec) return Status::IoError("cannot create " + out_dir + ": " + ec.message());

  std::vector<Result<RenderedSource>> rendered(kSourceCount, Status::Internal("not rendered"));
  ParallelFor(kSourceCount, threads, [&](size_t s) {
    rendered[s] = RenderSource(static_cast<Source>(s), by_source[s], pop, ref, config.seed,
                               config.malformed_fraction, (root / "landing").string());
  });
  for (auto& r : rendered) TRY(r.status());

  WorldSummary summary;
  summary.people = static_cast<int64_t>(pop.people.size());
  summary.households = static_cast<int64_t>(pop.households.size());
  summary.addresses = static_cast<int64_t>(pop.addresses.size());
  summary.events = static_cast<int64_t>(events.size());

  // truth/records.csv, and the mention view.
  std::string records = "source,record_id,person_id,household_id,address_id,expected_outcome\n";
  std::vector<uint16_t> sources_of_person(pop.people.size(), 0);
  uint64_t noise[16] = {};
  int64_t quarantined = 0, flagged = 0;
  for (int s = 0; s < kSourceCount; ++s) {
    const RenderedSource& r = *rendered[s];
    summary.sources.push_back(r.summary);
    quarantined += r.summary.quarantine;
    flagged += r.summary.load_flagged;
    for (int b = 0; b < 16; ++b) noise[b] += r.noise_counts[b];
    for (size_t i = 0; i < r.truth.size(); ++i) {
      const TruthRow& t = r.truth[i];
      records += fmt::format("{},{},P{:07},H{:07},{},{}\n", r.summary.source_id, Csv(t.record_id),
                             t.person, t.household,
                             t.address == kNone ? std::string() : fmt::format("A{:07}", t.address),
                             t.outcome);
      sources_of_person[t.person] |= static_cast<uint16_t>(1u << s);
      if (on_mention) {
        on_mention(MentionView{r.summary.source_id, t.record_id, static_cast<int64_t>(t.person),
                               r.given[i], r.family[i], r.dob_iso[i], t.outcome});
      }
    }
    summary.mentions += static_cast<int64_t>(r.truth.size());
  }
  TRY(WriteText(root / "truth" / "records.csv", records));
  records.clear();
  records.shrink_to_fit();

  // truth/people.csv: who everyone really is.
  {
    std::string out =
        "person_id,household_id,given_name,middle_name,family_name,birth_family_name,"
        "name_change_date,date_of_birth,sex,nhs_number,mobile,twin\n";
    out.reserve(pop.people.size() * 110);
    for (size_t i = 0; i < pop.people.size(); ++i) {
      const Person& p = pop.people[i];
      std::string family = ref.surnames[p.family];
      if (p.family2 != kNone) family += "-" + ref.surnames[p.family2];
      out += fmt::format("P{:07},H{:07},{},{},{},{},{},{},{},{},{},{}\n", i, p.household,
                         Csv(ref.given_names[p.given]),
                         p.middle == kNone ? "" : Csv(ref.given_names[p.middle]), Csv(family),
                         Csv(ref.surnames[p.birth_family]),
                         p.name_change_day == kNoDay ? "" : IsoDay(p.name_change_day),
                         IsoDay(p.dob), p.sex == kMaleIndex ? "male" : "female", FormatNhs(p.nhs),
                         p.mobile ? fmt::format("0{}", p.mobile) : "", p.twin ? 1 : 0);
    }
    TRY(WriteText(root / "truth" / "people.csv", out));
  }
  // truth/households.csv and truth/memberships.csv.
  {
    std::string out =
        "household_id,kind,size,address_id,moved_to_address_id,move_date,risk,"
        "substance_misuse,domestic_abuse,mental_health,deprivation,worklessness,"
        "escalating\n";
    std::string members = "person_id,household_id,address_id,from,to\n";
    for (size_t i = 0; i < pop.households.size(); ++i) {
      const Household& h = pop.households[i];
      const bool moved = h.new_address != kNone;
      out += fmt::format(
          "H{:07},{},{},A{:07},{},{},{:.3f},{},{},{},{},{},{}\n", i, kHouseholdKinds[h.kind],
          h.size, h.address, moved ? fmt::format("A{:07}", h.new_address) : "",
          moved ? IsoDay(h.move_day) : "", h.risk, (h.factors & kFactorSubstance) ? 1 : 0,
          (h.factors & kFactorDomesticAbuse) ? 1 : 0, (h.factors & kFactorMentalHealth) ? 1 : 0,
          (h.factors & kFactorDeprivation) ? 1 : 0, (h.factors & kFactorWorkless) ? 1 : 0,
          h.escalating ? 1 : 0);
      for (uint32_t p = h.first_person; p < h.first_person + h.size; ++p) {
        const int32_t from = std::max(pop.people[p].dob, clock.start_day);
        if (moved) {
          members += fmt::format("P{:07},H{:07},A{:07},{},{}\n", p, i, h.address, IsoDay(from),
                                 IsoDay(h.move_day));
          members += fmt::format("P{:07},H{:07},A{:07},{},\n", p, i, h.new_address,
                                 IsoDay(std::max(from, h.move_day)));
        } else {
          members += fmt::format("P{:07},H{:07},A{:07},{},\n", p, i, h.address, IsoDay(from));
        }
      }
    }
    TRY(WriteText(root / "truth" / "households.csv", out));
    TRY(WriteText(root / "truth" / "memberships.csv", members));
  }
  // truth/addresses.csv.
  {
    std::string out =
        "address_id,uprn,address_line,town,postcode,district,sector,latitude,"
        "longitude,deprivation_decile\n";
    for (size_t i = 0; i < pop.addresses.size(); ++i) {
      const Address& a = pop.addresses[i];
      const Sector& sector = pop.sectors[a.sector];
      out += fmt::format("A{:07},{},{},{},{},{},{},{:.5f},{:.5f},{}\n", i, a.uprn,
                         Csv(AddressLine(pop, static_cast<uint32_t>(i))),
                         Csv(pop.places[a.place].name), a.postcode,
                         a.postcode.substr(0, a.postcode.find(' ')), sector.code, a.lat, a.lon,
                         sector.deprivation_decile);
    }
    TRY(WriteText(root / "truth" / "addresses.csv", out));
  }
  // reference/postcodes.csv: the area's postcode centroids, as a real hub is given an ONS
  // Postcode Directory extract for its area (docs/formats/gazetteer.md), so that the demo's
  // addresses are placed at postcode precision. Not truth: what any hub would know.
  {
    struct Sum {
      double lat = 0, lon = 0;
      int n = 0;
    };
    std::map<std::string_view, Sum> by_postcode;
    for (const Address& a : pop.addresses) {
      Sum& sum = by_postcode[a.postcode];
      sum.lat += a.lat;
      sum.lon += a.lon;
      ++sum.n;
    }
    std::string out = "postcode,latitude,longitude\n";
    out.reserve(by_postcode.size() * 32);
    for (const auto& [postcode, sum] : by_postcode) {
      out += fmt::format("{},{:.6f},{:.6f}\n", postcode, sum.lat / sum.n, sum.lon / sum.n);
    }
    std::filesystem::create_directories(root / "reference", ec);
    if (ec) return Status::IoError("cannot create " + (root / "reference").string());
    TRY(WriteText(root / "reference" / "postcodes.csv", out));
  }
  // truth/outcomes.csv: labels for two windows, the last observed year and the year after.
  int64_t eligible[3][2] = {}, positive[3][2] = {};
  {
    const int last_year = config.first_year + config.years - 1;
    const std::string window[2] = {fmt::format("{}-01-01/{}-01-01", last_year, last_year + 1),
                                   fmt::format("{}-01-01/{}-01-01", last_year + 1, last_year + 2)};
    std::string out = "person_id,outcome,window,observed,label\n";
    static constexpr const char* kNames[3] = {"cp_plan_escalation", "repeat_da_victimisation",
                                              "mh_crisis"};
    for (size_t i = 0; i < outcomes.size(); ++i) {
      const Outcomes& o = outcomes[i];
      const std::array<int8_t, 2>* kinds[3] = {&o.cp_plan, &o.repeat_da, &o.mh_crisis};
      for (int k = 0; k < 3; ++k) {
        for (int w = 0; w < 2; ++w) {
          const int8_t label = (*kinds[k])[w];
          if (label < 0) continue;
          ++eligible[k][w];
          positive[k][w] += label;
          // Most people are eligible for mh_crisis: only positives and people already known to
          // a source are listed, so the file stays proportionate.
          if (k == 2 && label == 0 && sources_of_person[i] == 0) continue;
          out += fmt::format("P{:07},{},{},{},{}\n", i, kNames[k], window[w],
                             w == 0 ? "in_landing" : "future", label);
        }
      }
    }
    TRY(WriteText(root / "truth" / "outcomes.csv", out));
    for (int k = 0; k < 3; ++k) {
      for (int w = 0; w < 2; ++w) {
        summary.rates[fmt::format("outcome.{}.{}.base_rate", kNames[k],
                                  w == 0 ? "observed" : "future")] =
            eligible[k][w] ? static_cast<double>(positive[k][w]) / eligible[k][w] : 0.0;
        summary.rates[fmt::format("outcome.{}.{}.eligible", kNames[k],
                                  w == 0 ? "observed" : "future")] =
            static_cast<double>(eligible[k][w]);
      }
    }
  }

  // Rates the generator produced.
  int64_t in_any = 0, in_two = 0, name_changes = 0, twins = 0, moved = 0;
  for (size_t i = 0; i < pop.people.size(); ++i) {
    const int n = __builtin_popcount(sources_of_person[i]);
    in_any += n >= 1;
    in_two += n >= 2;
    name_changes += pop.people[i].name_change_day != kNoDay;
    twins += pop.people[i].twin;
  }
  for (const auto& h : pop.households) moved += h.new_address != kNone;
  const double people = static_cast<double>(pop.people.size());
  const double mentions = std::max<double>(1, static_cast<double>(summary.mentions));
  auto& rates = summary.rates;
  rates["people.in_any_source"] = in_any / people;
  rates["people.in_2plus_sources"] = in_two / people;
  rates["people.in_2plus_sources_of_known"] = in_any ? static_cast<double>(in_two) / in_any : 0;
  rates["people.name_change_in_period"] = name_changes / people;
  rates["people.twins"] = twins / people;
  rates["households.moved"] = moved / static_cast<double>(pop.households.size());
  rates["mentions.quarantine"] = quarantined / mentions;
  rates["mentions.load_flagged"] = flagged / mentions;
  static constexpr const char* kNoiseNames[16] = {"typo",
                                                  "nickname",
                                                  "phonetic",
                                                  "ocr",
                                                  "dob_day_month_swap",
                                                  "dob_typo",
                                                  "placeholder_name",
                                                  "placeholder_dob",
                                                  "placeholder_nhs",
                                                  "dummy_phone",
                                                  "names_swapped",
                                                  "missing_dob",
                                                  "alias",
                                                  "old_surname",
                                                  "surname_variant",
                                                  "baby_of"};
  for (int b = 0; b < 16; ++b)
    rates[std::string("mentions.") + kNoiseNames[b]] = noise[b] / mentions;

  // manifest.json
  {
    std::string m = "{\n  \"generator\": \"tessera generate\",\n  \"format_version\": 1,\n";
    m += fmt::format("  \"seed\": {},\n  \"people\": {},\n  \"households\": {},\n", config.seed,
                     summary.people, summary.households);
    m += fmt::format("  \"addresses\": {},\n  \"events\": {},\n  \"mentions\": {},\n",
                     summary.addresses, summary.events, summary.mentions);
    m += fmt::format("  \"observed_period\": [\"{}\", \"{}\"],\n", IsoDay(clock.start_day),
                     IsoDay(observed_end - 1));
    m += fmt::format("  \"outcome_period\": [\"{}\", \"{}\"],\n", IsoDay(clock.end_day),
                     IsoDay(clock.outcome_end - 1));
    m += fmt::format("  \"malformed_fraction\": {},\n  \"areas\": [", config.malformed_fraction);
    for (size_t i = 0; i < config.areas.size(); ++i) {
      m += fmt::format("{}\"{}\"", i ? ", " : "", config.areas[i]);
    }
    m += "],\n  \"sources\": [\n";
    for (size_t i = 0; i < summary.sources.size(); ++i) {
      const auto& s = summary.sources[i];
      m += fmt::format(
          "    {{\"id\": \"{}\", \"agency\": \"{}\", \"format\": \"{}\", \"records\": {}, "
          "\"quarantine\": {}, \"load_flagged\": {}}}{}\n",
          s.source_id, s.agency, s.format, s.rows, s.quarantine, s.load_flagged,
          i + 1 < summary.sources.size() ? "," : "");
    }
    m += "  ],\n  \"rates\": {\n";
    size_t i = 0;
    for (const auto& [name, value] : rates) {
      m += fmt::format("    \"{}\": {:.6f}{}\n", name, value, ++i < rates.size() ? "," : "");
    }
    m += "  }\n}\n";
    TRY(WriteText(root / "manifest.json", m));
  }
  return summary;
}

}  // namespace tessera::synth
