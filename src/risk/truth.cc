// The synthetic world's truth files (docs/formats/synthetic-world.md), read for labels and for
// the fairness groups of the evaluation. Nothing here becomes a feature.
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "reference/reference_data.h"
#include "risk/risk.h"

namespace tessera::risk {

namespace {

// Calls `row` with each row as a map from the header's names to columns.
template <typename RowFn>
Status ReadCsv(const std::string& path, const std::vector<std::string>& columns, RowFn row) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read " + path);
  std::string line;
  if (!std::getline(in, line)) return Status::InvalidArgument(path + ": empty");
  const std::vector<std::string> header = reference::SplitCsvLine(line);
  std::vector<size_t> at;
  for (const std::string& c : columns) {
    auto it = std::find(header.begin(), header.end(), c);
    if (it == header.end()) return Status::InvalidArgument(path + ": no column " + c);
    at.push_back(it - header.begin());
  }
  int64_t number = 1;
  std::vector<std::string> picked(columns.size());
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    std::vector<std::string> fields = reference::SplitCsvLine(line);
    if (fields.size() != header.size()) {
      return Status::InvalidArgument(
          fmt::format("{}:{}: {} fields, expected {}", path, number, fields.size(), header.size()));
    }
    for (size_t i = 0; i < at.size(); ++i) picked[i] = std::move(fields[at[i]]);
    TRY(row(picked, number));
  }
  return Status::Ok();
}

std::optional<CivilDate> OptionalDate(const std::string& text) {
  if (text.empty()) return std::nullopt;
  auto d = ParseDate(text, "yyyy-mm-dd");
  if (!d.ok()) return std::nullopt;
  return *d;
}

}  // namespace

int TruthPerson::DecileOn(const CivilDate& day) const {
  for (const Stay& s : stays) {
    if (s.from && day < *s.from) continue;
    if (s.to && !(day < *s.to)) continue;
    return s.decile;
  }
  return stays.empty() ? 0 : stays.back().decile;
}

Result<Truth> LoadTruth(const std::string& truth_dir) {
  Truth truth;
  TRY(ReadCsv(truth_dir + "/people.csv", {"person_id", "date_of_birth", "sex"},
              [&](const std::vector<std::string>& f, int64_t) -> Status {
                TruthPerson& p = truth.people[f[0]];
                p.dob = OptionalDate(f[1]);
                p.sex = f[2] == "female" ? model::Sex::kFemale
                        : f[2] == "male" ? model::Sex::kMale
                                         : model::Sex::kUnknown;
                return Status::Ok();
              }));
  std::map<std::string, int> deciles;
  TRY(ReadCsv(truth_dir + "/addresses.csv", {"address_id", "deprivation_decile"},
              [&](const std::vector<std::string>& f, int64_t line) -> Status {
                try {
                  deciles[f[0]] = std::stoi(f[1]);
                } catch (...) {
                  return Status::InvalidArgument(
                      fmt::format("{}/addresses.csv:{}: bad decile", truth_dir, line));
                }
                return Status::Ok();
              }));
  TRY(ReadCsv(truth_dir + "/memberships.csv", {"person_id", "address_id", "from", "to"},
              [&](const std::vector<std::string>& f, int64_t) -> Status {
                auto person = truth.people.find(f[0]);
                if (person == truth.people.end()) return Status::Ok();
                auto decile = deciles.find(f[1]);
                person->second.stays.push_back({OptionalDate(f[2]), OptionalDate(f[3]),
                                                decile == deciles.end() ? 0 : decile->second});
                return Status::Ok();
              }));
  TRY(ReadCsv(truth_dir + "/outcomes.csv", {"person_id", "outcome", "window", "observed", "label"},
              [&](const std::vector<std::string>& f, int64_t line) -> Status {
                if (f[4] != "0" && f[4] != "1") {
                  return Status::InvalidArgument(
                      fmt::format("{}/outcomes.csv:{}: label {}", truth_dir, line, f[4]));
                }
                truth.labels[f[1]][f[3]][f[0]] = f[4] == "1";
                if (!truth.window_start.contains(f[3])) {
                  auto start = OptionalDate(f[2].substr(0, f[2].find('/')));
                  if (!start) {
                    return Status::InvalidArgument(
                        fmt::format("{}/outcomes.csv:{}: window {}", truth_dir, line, f[2]));
                  }
                  truth.window_start[f[3]] = *start;
                }
                return Status::Ok();
              }));
  TRY(ReadCsv(truth_dir + "/records.csv", {"source", "record_id", "person_id"},
              [&](const std::vector<std::string>& f, int64_t) -> Status {
                truth.record_person[{f[0], f[1]}] = f[2];
                return Status::Ok();
              }));
  return truth;
}

Result<LabelledSet> BuildLabelledSet(const HubHistory& hub, const Truth& truth,
                                     std::string_view outcome, std::string_view observed) {
  auto by_outcome = truth.labels.find(std::string(outcome));
  if (by_outcome == truth.labels.end()) {
    return Status::NotFound(fmt::format("no outcome {} in the truth", outcome));
  }
  auto by_window = by_outcome->second.find(std::string(observed));
  auto start = truth.window_start.find(std::string(observed));
  if (by_window == by_outcome->second.end() || start == truth.window_start.end()) {
    return Status::NotFound(fmt::format("no {} window for outcome {}", observed, outcome));
  }
  std::map<model::NominalId, std::set<std::string>> people;
  for (const auto& [record, nominals] : hub.record_nominals) {
    auto person = truth.record_person.find(record);
    if (person == truth.record_person.end()) continue;
    for (model::NominalId n : nominals) people[n].insert(person->second);
  }
  LabelledSet set;
  set.cutoff = start->second;
  std::set<std::string> covered;
  for (const auto& [id, history] : hub.nominals) {
    auto it = people.find(id);
    if (it == people.end() || it->second.empty()) {
      ++set.nominals_no_person;
      continue;
    }
    if (it->second.size() > 1) {
      ++set.nominals_several_people;
      continue;
    }
    const std::string& person = *it->second.begin();
    auto label = by_window->second.find(person);
    if (label == by_window->second.end()) {
      ++set.nominals_not_eligible;
      continue;
    }
    set.rows.push_back({id, person, label->second});
    covered.insert(person);
  }
  for (const auto& [person, label] : by_window->second) {
    if (!covered.contains(person)) ++set.people_not_in_hub;
  }
  return set;
}

}  // namespace tessera::risk
