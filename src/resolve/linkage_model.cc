#include "resolve/linkage_model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/sha256.h"

namespace tessera::resolve {
namespace {

using nlohmann::json;

// Starting m and u per level, best level first (see ComparisonLevels).
struct Start {
  ComparisonKind kind;
  std::vector<LevelParameters> levels;
};

std::vector<Start> StartingValues() {
  return {
      {ComparisonKind::kGivenName,
       {{0.80, 0.01},
        {0.005, 1e-5},
        {0.04, 0.002},
        {0.06, 0.003},
        {0.04, 0.02},
        {0.02, 0.03},
        {0.005, 0.0005},
        {0.03, 0.9345}}},
      {ComparisonKind::kFamilyName,
       {{0.85, 0.005}, {0.03, 0.0005}, {0.05, 0.002}, {0.03, 0.02}, {0.04, 0.9725}}},
      {ComparisonKind::kDateOfBirth,
       {{0.85, 4e-5}, {0.01, 1e-5}, {0.06, 4e-4}, {0.03, 0.01}, {0.03, 0.2}, {0.02, 0.78945}}},
      {ComparisonKind::kSex, {{0.97, 0.5}, {0.03, 0.5}}},
      {ComparisonKind::kLocation,
       {{0.5, 0.0005},
        {0.1, 0.001},
        {0.1, 0.002},
        {0.05, 0.01},
        {0.05, 0.01},
        {0.05, 0.05},
        {0.05, 0.3},
        {0.1, 0.6265}}},
      {ComparisonKind::kNhsNumber, {{0.99, 1e-6}, {0.01, 1.0 - 1e-6}}},
      {ComparisonKind::kIdentifiers, {{0.95, 1e-6}, {0.03, 1e-4}, {0.02, 1.0 - 1e-4 - 1e-6}}},
      {ComparisonKind::kContact, {{0.8, 1e-5}, {0.2, 1.0 - 1e-5}}},
  };
}

Status ParseError(std::string_view origin, const std::string& what) {
  return Status::InvalidArgument(std::string(origin) + ": " + what);
}

json FrequenciesJson(const std::unordered_map<std::string, double>& f) {
  // Sorted for a stable, diffable file.
  std::map<std::string, double> sorted(f.begin(), f.end());
  json out = json::object();
  for (const auto& [k, v] : sorted) out[k] = v;
  return out;
}

}  // namespace

double WeightToProbability(double weight) {
  if (weight > 60) return 1.0;
  if (weight < -60) return 0.0;
  double odds = std::exp2(weight);
  return odds / (1.0 + odds);
}

double ProbabilityToWeight(double probability) {
  probability = std::clamp(probability, 1e-15, 1.0 - 1e-15);
  return std::log2(probability / (1.0 - probability));
}

LinkageModel LinkageModel::Defaults() {
  LinkageModel m;
  std::vector<Start> starts = StartingValues();
  for (int i = 0; i < kComparisonCount; ++i) {
    m.comparisons[i].kind = starts[i].kind;
    m.comparisons[i].levels = starts[i].levels;
  }
  m.training.trained_at = "";
  return m;
}

std::string LinkageModel::ToJson() const {
  json j;
  j["format"] = "tessera-linkage-model";
  j["format_version"] = kFormatVersion;
  j["prior"] = {{"lambda", lambda}, {"match_weight", ProbabilityToWeight(lambda)}};
  j["thresholds"] = {{"link", link_threshold}, {"review", review_threshold}};
  j["settings"] = {{"name_similar_high", settings.name_similar_high},
                   {"name_similar_low", settings.name_similar_low},
                   {"address_overlap_high", settings.address_overlap_high},
                   {"address_overlap_low", settings.address_overlap_low}};
  json rules = json::array();
  for (const BlockingRule& r : blocking) {
    json parts = json::array();
    for (KeyPart p : r.parts) parts.push_back(KeyPartName(p));
    rules.push_back({{"name", r.name}, {"keys", parts}});
  }
  j["blocking"] = {{"rules", rules}, {"max_block_size", max_block_size}};
  json comps = json::array();
  for (const ComparisonParameters& c : comparisons) {
    json levels = json::array();
    std::span<const LevelInfo> info = ComparisonLevels(c.kind);
    for (size_t l = 0; l < c.levels.size(); ++l) {
      double bf = c.levels[l].m / c.levels[l].u;
      levels.push_back({{"level", info[l].name},
                        {"description", info[l].description},
                        {"m", c.levels[l].m},
                        {"u", c.levels[l].u},
                        {"bayes_factor", bf},
                        {"match_weight", std::log2(bf)},
                        {"term_frequency", info[l].term_frequency}});
    }
    comps.push_back({{"comparison", ComparisonName(c.kind)},
                     {"m_estimated", c.m_estimated},
                     {"levels", levels}});
  }
  j["comparisons"] = comps;
  j["term_frequencies"] = {{"floor", term_frequency_floor},
                           {"given_name", FrequenciesJson(given_frequencies)},
                           {"family_name", FrequenciesJson(family_frequencies)}};
  json sessions = json::array();
  for (const TrainingSummary::Session& s : training.sessions) {
    sessions.push_back({{"blocking_rule", s.rule},
                        {"pairs", s.pairs},
                        {"iterations", s.iterations},
                        {"converged", s.converged},
                        {"lambda", s.lambda}});
  }
  j["training"] = {{"trained_at", training.trained_at},
                   {"records", training.records},
                   {"random_pairs", training.random_pairs},
                   {"blocked_pairs", training.blocked_pairs},
                   {"expected_matches", training.expected_matches},
                   {"labelled_pairs", training.labelled_pairs},
                   {"em_sessions", sessions}};
  return j.dump(2) + "\n";
}

Result<LinkageModel> LinkageModel::FromJson(std::string_view text, std::string_view origin) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return ParseError(origin, "not valid JSON");
  try {
    if (j.value("format", "") != "tessera-linkage-model") {
      return ParseError(origin,
                        "not a Tessera linkage model (format is not "
                        "\"tessera-linkage-model\")");
    }
    int version = j.value("format_version", 0);
    if (version != kFormatVersion) {
      return ParseError(origin, "format_version " + std::to_string(version) +
                                    " is not supported (this Tessera reads " +
                                    std::to_string(kFormatVersion) + ")");
    }
    LinkageModel m = Defaults();
    m.lambda = j.at("prior").at("lambda").get<double>();
    if (!(m.lambda > 0 && m.lambda < 1))
      return ParseError(origin, "prior.lambda: must be in (0, 1)");
    m.link_threshold = j.at("thresholds").at("link").get<double>();
    m.review_threshold = j.at("thresholds").at("review").get<double>();
    if (!(m.review_threshold > 0 && m.review_threshold <= m.link_threshold &&
          m.link_threshold < 1)) {
      return ParseError(origin, "thresholds: need 0 < review <= link < 1");
    }
    const json& set = j.at("settings");
    m.settings.name_similar_high = set.at("name_similar_high").get<double>();
    m.settings.name_similar_low = set.at("name_similar_low").get<double>();
    m.settings.address_overlap_high = set.at("address_overlap_high").get<double>();
    m.settings.address_overlap_low = set.at("address_overlap_low").get<double>();
    m.blocking.clear();
    for (const json& r : j.at("blocking").at("rules")) {
      BlockingRule rule;
      rule.name = r.at("name").get<std::string>();
      for (const json& p : r.at("keys")) {
        Result<KeyPart> part = KeyPartFromName(p.get<std::string>());
        if (!part.ok()) {
          return ParseError(
              origin, "blocking rule '" + rule.name + "': " + std::string(part.status().message()));
        }
        rule.parts.push_back(*part);
      }
      if (rule.parts.empty())
        return ParseError(origin, "blocking rule '" + rule.name + "': no keys");
      m.blocking.push_back(std::move(rule));
    }
    m.max_block_size = j.at("blocking").at("max_block_size").get<int>();
    if (m.max_block_size < 2) return ParseError(origin, "blocking.max_block_size: must be >= 2");
    const json& comps = j.at("comparisons");
    if (!comps.is_array() || comps.size() != kComparisonCount) {
      return ParseError(origin, "comparisons: expected " + std::to_string(kComparisonCount));
    }
    for (int i = 0; i < kComparisonCount; ++i) {
      const json& c = comps[i];
      ComparisonKind kind = KindAt(i);
      if (c.at("comparison").get<std::string>() != ComparisonName(kind)) {
        return ParseError(origin, "comparisons[" + std::to_string(i) + "]: expected '" +
                                      std::string(ComparisonName(kind)) + "'");
      }
      std::span<const LevelInfo> info = ComparisonLevels(kind);
      const json& levels = c.at("levels");
      if (levels.size() != info.size()) {
        return ParseError(origin, std::string(ComparisonName(kind)) + ": expected " +
                                      std::to_string(info.size()) +
                                      " levels (a model trained by another version of Tessera: "
                                      "train it again with `tessera linkage train`)");
      }
      ComparisonParameters& p = m.comparisons[i];
      p.m_estimated = c.value("m_estimated", false);
      for (size_t l = 0; l < info.size(); ++l) {
        double mm = levels[l].at("m").get<double>();
        double uu = levels[l].at("u").get<double>();
        if (!(mm > 0 && mm <= 1 && uu > 0 && uu <= 1)) {
          return ParseError(origin, std::string(ComparisonName(kind)) + "." +
                                        std::string(info[l].name) + ": m and u must be in (0, 1]");
        }
        p.levels[l] = {mm, uu};
      }
    }
    const json& tf = j.at("term_frequencies");
    m.term_frequency_floor = tf.at("floor").get<double>();
    for (const auto& [k, v] : tf.at("given_name").items()) m.given_frequencies[k] = v.get<double>();
    for (const auto& [k, v] : tf.at("family_name").items()) {
      m.family_frequencies[k] = v.get<double>();
    }
    if (j.contains("training")) {
      const json& t = j.at("training");
      m.training.trained_at = t.value("trained_at", "");
      m.training.records = t.value("records", int64_t{0});
      m.training.random_pairs = t.value("random_pairs", int64_t{0});
      m.training.blocked_pairs = t.value("blocked_pairs", int64_t{0});
      m.training.expected_matches = t.value("expected_matches", 0.0);
      m.training.labelled_pairs = t.value("labelled_pairs", int64_t{0});
      for (const json& s : t.value("em_sessions", json::array())) {
        m.training.sessions.push_back({s.value("blocking_rule", ""), s.value("pairs", int64_t{0}),
                                       s.value("iterations", 0), s.value("converged", false),
                                       s.value("lambda", 0.0)});
      }
    }
    return m;
  } catch (const json::exception& e) {
    return ParseError(origin, std::string("missing or mistyped field: ") + e.what());
  }
}

Result<LinkageModel> LinkageModel::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::NotFound("no linkage model at " + path +
                            "; train one with `tessera linkage train --data HUB`");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return FromJson(ss.str(), path);
}

Status LinkageModel::Save(const std::string& path) const {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Status::Internal("cannot write " + tmp);
    out << ToJson();
    out.flush();
    if (!out) return Status::Internal("cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Status::Internal("cannot rename " + tmp + " to " + path + ": " + ec.message());
  return Status::Ok();
}

std::string LinkageModel::Fingerprint() const {
  Result<std::string> hash = Sha256Hex(ToJson());
  return hash.ok() ? *hash : std::string();
}

// ---------------------------------------------------------------------------------------------

Scorer::Scorer(const RecordTable& table, const LinkageModel& model)
    : table_(table), model_(model), comparer_(table, model.settings) {
  prior_weight_ = ProbabilityToWeight(model.lambda);
  link_weight_ = ProbabilityToWeight(model.link_threshold);
  review_weight_ = ProbabilityToWeight(model.review_threshold);
  for (int c = 0; c < kComparisonCount; ++c) {
    weights_[c].fill(0.0);
    const ComparisonParameters& p = model.comparisons[c];
    for (size_t l = 0; l < p.levels.size(); ++l) {
      weights_[c][l] = std::log2(p.levels[l].m / p.levels[l].u);
    }
  }
  Refresh();
}

void Scorer::Refresh() {
  const StringPool& pool = table_.pool();
  double floor_weight = -std::log2(model_.term_frequency_floor);
  for (int t = 0; t < 2; ++t) {
    const auto& freq = t == 0 ? model_.given_frequencies : model_.family_frequencies;
    std::vector<float>& v = term_log_inverse_[t];
    size_t from = v.size();
    v.resize(pool.size());
    for (size_t id = from; id < v.size(); ++id) {
      auto it = freq.find(std::string(pool.View(static_cast<uint32_t>(id))));
      v[id] = static_cast<float>(it == freq.end() ? floor_weight : -std::log2(it->second));
    }
  }
}

double Scorer::TermWeight(int comparison, uint32_t value) const {
  const std::vector<float>& v = term_log_inverse_[comparison];
  double inverse = value < v.size() ? v[value] : -std::log2(model_.term_frequency_floor);
  return std::log2(model_.comparisons[comparison].levels[0].m) + inverse;
}

double Scorer::Weight(const LinkageRecord& a, const LinkageRecord& b, const LevelVector& v) const {
  double w = prior_weight_;
  for (int c = 0; c < kComparisonCount; ++c) {
    uint8_t l = v.level[c];
    if (l == kNullLevel) continue;
    if (l == 0 && c < 2) {
      w += TermWeight(c, c == 0 ? a.given : a.family);
    } else {
      w += weights_[c][l];
    }
  }
  (void)b;
  return w;
}

double Scorer::Weight(const LinkageRecord& a, const LinkageRecord& b) const {
  return Weight(a, b, comparer_.Compare(a, b));
}

namespace {

std::string ValueOf(ComparisonKind kind, const LinkageRecord& r, const RecordTable& t) {
  const StringPool& p = t.pool();
  auto join = [&](std::initializer_list<std::pair<std::string_view, uint32_t>> parts) {
    std::string out;
    for (const auto& [label, id] : parts) {
      if (id == 0) continue;
      if (!out.empty()) out += ", ";
      if (!label.empty()) {
        out += label;
        out += ' ';
      }
      out += p.View(id);
    }
    return out;
  };
  switch (kind) {
    case ComparisonKind::kGivenName:
      return join({{"", r.given}, {"middle", r.middle}});
    case ComparisonKind::kFamilyName:
      return std::string(p.View(r.family));
    case ComparisonKind::kDateOfBirth:
      return r.dob == kNoDate ? "" : CivilDate::FromDays(r.dob).ToIso();
    case ComparisonKind::kSex:
      return r.sex == 1 ? "male" : r.sex == 2 ? "female" : "";
    case ComparisonKind::kLocation:
      return join({{"UPRN", r.uprn}, {"", r.address}, {"", r.postcode}});
    case ComparisonKind::kNhsNumber:
      return std::string(p.View(r.nhs));
    case ComparisonKind::kIdentifiers:
      return join({{"PNC", r.pnc},
                   {"CRO", r.cro},
                   {"NI", r.ni},
                   {"id", r.other_id},
                   {"local", r.local_id}});
    case ComparisonKind::kContact:
      return join({{"", r.phones[0]}, {"", r.phones[1]}, {"", r.emails[0]}, {"", r.emails[1]}});
  }
  return "";
}

}  // namespace

Waterfall Scorer::Explain(const LinkageRecord& a, const LinkageRecord& b) const {
  Waterfall w;
  w.prior_weight = prior_weight_;
  LevelVector v = comparer_.Compare(a, b);
  double cumulative = prior_weight_;
  for (int c = 0; c < kComparisonCount; ++c) {
    ComparisonKind kind = KindAt(c);
    WaterfallStep step;
    step.kind = kind;
    step.comparison = ComparisonName(kind);
    step.value_a = ValueOf(kind, a, table_);
    step.value_b = ValueOf(kind, b, table_);
    uint8_t l = v.level[c];
    if (l == kNullLevel) {
      step.level = "null";
      step.description = "missing on one side (or weighed under another comparison): no evidence";
    } else {
      const LevelInfo& info = ComparisonLevels(kind)[l];
      const LevelParameters& p = model_.comparisons[c].levels[l];
      step.level = info.name;
      step.description = info.description;
      step.m = p.m;
      step.u = p.u;
      if (l == 0 && c < 2) {
        step.term_frequency = true;
        step.weight = TermWeight(c, c == 0 ? a.given : a.family);
        step.u = std::exp2(std::log2(p.m) - step.weight);
      } else {
        step.weight = weights_[c][l];
      }
      step.bayes_factor = std::exp2(step.weight);
    }
    cumulative += step.weight;
    step.cumulative = cumulative;
    w.steps.push_back(std::move(step));
  }
  w.match_weight = cumulative;
  w.probability = WeightToProbability(cumulative);
  w.decision = cumulative >= link_weight_     ? "link"
               : cumulative >= review_weight_ ? "review"
                                              : "no link";
  return w;
}

}  // namespace tessera::resolve
