// Training, calibration, evaluation and the saved model version: what `tessera risk train` and
// `tessera risk evaluate` run.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "risk/risk.h"
#include "store/store.h"

namespace tessera::risk {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A seeded hash of a nominal's id: the order the calibration slice is drawn in, the same on
// every run with the same seed.
uint64_t SliceKey(model::NominalId id, uint64_t seed) {
  uint64_t z = static_cast<uint64_t>(id) * 0x9e3779b97f4a7c15ULL + seed;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Splits `all` into the rows the model is fitted on and the calibration slice: `percent` of
// each label's rows (rounded up), drawn by SliceKey, so that a rare outcome has positives on
// both sides. Both keep `all`'s order.
void SplitForCalibration(const LabelledSet& all, uint64_t seed, int percent, LabelledSet& fit,
                         LabelledSet& held) {
  std::set<model::NominalId> slice;
  for (int label : {0, 1}) {
    std::vector<std::pair<uint64_t, model::NominalId>> keyed;
    for (const LabelledRow& row : all.rows) {
      if (row.label == label) keyed.push_back({SliceKey(row.nominal, seed), row.nominal});
    }
    std::sort(keyed.begin(), keyed.end());
    const size_t take = (keyed.size() * static_cast<size_t>(percent) + 99) / 100;
    for (size_t i = 0; i < take && i < keyed.size(); ++i) slice.insert(keyed[i].second);
  }
  fit = all;
  held = all;
  fit.rows.clear();
  held.rows.clear();
  for (const LabelledRow& row : all.rows) {
    (slice.contains(row.nominal) ? held : fit).rows.push_back(row);
  }
}

std::vector<int> Labels(const LabelledSet& set) {
  std::vector<int> out;
  for (const LabelledRow& row : set.rows) out.push_back(row.label);
  return out;
}

std::vector<double> BaselineScores(std::span<const float> matrix) {
  const size_t columns = FeatureNames().size();
  std::vector<double> out;
  for (size_t at = 0; at < matrix.size(); at += columns) {
    out.push_back(BaselineScore(matrix.subspan(at, columns)));
  }
  return out;
}

std::vector<double> Calibrated(const PlattCalibration& c, std::span<const double> margins) {
  std::vector<double> out;
  for (double m : margins) out.push_back(c.Apply(m));
  return out;
}

Status WriteText(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Status::IoError("cannot write " + path.string());
  return Status::Ok();
}

Result<std::string> ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path.string());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string ExplanationText(const Explanation& e, model::NominalId nominal, int shown) {
  std::string out = fmt::format(
      "nominal {}: calibrated probability {:.3f}; margin {:.4f} = bias {:.4f} + contributions\n",
      nominal, e.probability, e.margin, e.bias);
  for (int i = 0; i < shown && i < static_cast<int>(e.factors.size()); ++i) {
    const Factor& f = e.factors[i];
    out += fmt::format("  {:+.4f}  {} = {}\n", f.contribution, f.feature, f.value);
  }
  return out;
}

// Scores the test window with a trained model and its calibrations.
Result<TrainingRun> Score(const HubHistory& hub, const Truth& truth, const std::string& outcome,
                          const RiskModel& model, const PlattCalibration& calibration,
                          const PlattCalibration& baseline_calibration, int64_t k, uint64_t seed) {
  TrainingRun run;
  TRY_ASSIGN(run.test_set, BuildLabelledSet(hub, truth, outcome, "future"));
  if (run.test_set.rows.empty()) return Status::FailedPrecondition("no test rows");
  const size_t columns = FeatureNames().size();
  const std::vector<float> x = FeatureMatrix(hub, run.test_set);
  TRY_ASSIGN(std::vector<double> margins, model.Margins(x, columns));
  const std::vector<double> p = Calibrated(calibration, margins);
  const std::vector<double> b = Calibrated(baseline_calibration, BaselineScores(x));
  run.report = Evaluate(outcome, run.test_set, truth, p, b, k, seed);
  const size_t top = std::max_element(p.begin(), p.end()) - p.begin();
  TRY_ASSIGN(Explanation e, Explain(model, calibration,
                                    std::span<const float>(x).subspan(top * columns, columns)));
  run.example = ExplanationText(e, run.test_set.rows[top].nominal, 8);
  return run;
}

}  // namespace

Result<Explanation> Explain(const RiskModel& model, const PlattCalibration& calibration,
                            std::span<const float> features) {
  const std::vector<std::string>& names = FeatureNames();
  if (features.size() != names.size()) {
    return Status::InvalidArgument("a feature vector of the wrong length");
  }
  TRY_ASSIGN(std::vector<double> contributions, model.Contributions(features, names.size()));
  TRY_ASSIGN(std::vector<double> margin, model.Margins(features, names.size()));
  if (contributions.size() != names.size() + 1 || margin.size() != 1) {
    return Status::Internal("unexpected contribution shape");
  }
  Explanation e;
  e.margin = margin[0];
  e.bias = contributions.back();
  e.probability = calibration.Apply(e.margin);
  for (size_t i = 0; i < names.size(); ++i) {
    if (contributions[i] == 0) continue;
    e.factors.push_back({names[i], features[i], contributions[i]});
  }
  std::stable_sort(e.factors.begin(), e.factors.end(), [](const Factor& a, const Factor& b) {
    return std::abs(a.contribution) > std::abs(b.contribution);
  });
  return e;
}

Result<TrainingRun> TrainAndSave(const HubHistory& hub, const Truth& truth,
                                 const TrainOptions& options, const std::string& models_dir,
                                 const std::string& created_at) {
  if (FindOutcome(options.outcome) == nullptr) {
    return Status::InvalidArgument(
        fmt::format("unknown outcome '{}': the outcomes are {}", options.outcome, OutcomeIdList()));
  }
  TRY_ASSIGN(LabelledSet all, BuildLabelledSet(hub, truth, options.outcome, "in_landing"));
  LabelledSet fit, held;
  SplitForCalibration(all, options.params.seed, options.calibration_percent, fit, held);
  const std::vector<int> fit_y = Labels(fit), held_y = Labels(held);
  const auto positives = [](const std::vector<int>& y) {
    return std::count(y.begin(), y.end(), 1);
  };
  if (positives(fit_y) == 0 || positives(held_y) == 0) {
    return Status::FailedPrecondition(
        fmt::format("outcome {}: too few positive rows to train and calibrate ({} and {})",
                    options.outcome, positives(fit_y), positives(held_y)));
  }
  const size_t columns = FeatureNames().size();
  const std::vector<float> fit_x = FeatureMatrix(hub, fit), held_x = FeatureMatrix(hub, held);
  TRY_ASSIGN(RiskModel model, RiskModel::Train(fit_x, columns, fit_y, options.params));
  TRY_ASSIGN(std::vector<double> held_margins, model.Margins(held_x, columns));
  const PlattCalibration calibration = FitPlatt(held_margins, held_y);
  const PlattCalibration baseline_calibration = FitPlatt(BaselineScores(held_x), held_y);

  TRY_ASSIGN(TrainingRun run, Score(hub, truth, options.outcome, model, calibration,
                                    baseline_calibration, options.k, options.params.seed));
  run.train_set = std::move(all);
  run.train_rows = static_cast<int64_t>(fit.rows.size());
  run.calibration_rows = static_cast<int64_t>(held.rows.size());
  // The hash covers everything the model and its calibration were fitted on.
  std::vector<float> x = fit_x;
  x.insert(x.end(), held_x.begin(), held_x.end());
  std::vector<int> y = fit_y;
  y.insert(y.end(), held_y.begin(), held_y.end());
  TRY_ASSIGN(run.data_hash, TrainingDataHash(x, y));

  // Versions are numbered: v1, v2, ...
  std::error_code ec;
  fs::create_directories(models_dir, ec);
  if (ec) return Status::IoError("cannot create " + models_dir);
  int next = 1;
  for (const auto& entry : fs::directory_iterator(models_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > 1 && name[0] == 'v' &&
        name.find_first_not_of("0123456789", 1) == std::string::npos) {
      next = std::max(next, std::stoi(name.substr(1)) + 1);
    }
  }
  run.version = fmt::format("v{}", next);
  const fs::path dir = fs::path(models_dir) / run.version;
  fs::create_directories(dir, ec);
  if (ec) return Status::IoError("cannot create " + dir.string());
  run.dir = dir.string();
  TRY(model.SaveJson((dir / "model.json").string()));
  const TrainParams& p = options.params;
  json meta = {
      {"version", run.version},
      {"created_at", created_at},
      {"outcome", options.outcome},
      {"outcome_title", OutcomeTitle(options.outcome)},
      {"input_datasets", options.input_datasets},
      {"base_rate", static_cast<double>(positives(fit_y) + positives(held_y)) /
                        static_cast<double>(std::max<size_t>(1, fit_y.size() + held_y.size()))},
      {"feature_names", FeatureNames()},
      {"feature_labels", FeatureLabels()},
      {"training_data_sha256", run.data_hash},
      {"training_window", {{"observed", "in_landing"}, {"cutoff", run.train_set.cutoff.ToIso()}}},
      {"test_window", {{"observed", "future"}, {"cutoff", run.test_set.cutoff.ToIso()}}},
      {"rows",
       {{"train", run.train_rows},
        {"calibration", run.calibration_rows},
        {"test", run.report.rows},
        {"excluded_nominals_several_people", run.train_set.nominals_several_people},
        {"excluded_nominals_no_person", run.train_set.nominals_no_person},
        {"eligible_people_not_in_hub", run.train_set.people_not_in_hub}}},
      {"parameters",
       {{"objective", "binary:logistic"},
        {"tree_method", "hist"},
        {"seed", p.seed},
        {"rounds", p.rounds},
        {"max_depth", p.max_depth},
        {"eta", p.eta},
        {"subsample", p.subsample},
        {"colsample_bytree", p.colsample_bytree},
        {"min_child_weight", p.min_child_weight},
        {"nthread", p.nthread},
        {"calibration_percent", options.calibration_percent},
        {"k", options.k}}},
      {"calibration", {{"method", "platt"}, {"a", calibration.a}, {"b", calibration.b}}},
      {"baseline_calibration",
       {{"method", "platt"}, {"a", baseline_calibration.a}, {"b", baseline_calibration.b}}},
      {"metrics", json::parse(ReportJson(run.report))},
  };
  TRY(WriteText(dir / "metadata.json", meta.dump(2) + "\n"));
  TRY(WriteText(dir / "report.txt", FormatReport(run.report)));
  return run;
}

Status RegisterVersion(store::Store& store, const TrainingRun& run) {
  TRY_ASSIGN(std::string metadata, ReadText(fs::path(run.dir) / "metadata.json"));
  store::StoredRiskModel model;
  model.version = run.version;
  model.outcome = run.report.outcome;
  model.training_data_sha256 = run.data_hash;
  model.metadata = std::move(metadata);
  TRY_ASSIGN(std::unique_ptr<store::Transaction> txn, store.Begin());
  TRY(store.PutRiskModel(*txn, model));
  return txn->Commit();
}

Result<SavedVersion> LoadVersion(const std::string& models_dir, std::string_view version) {
  std::string name(version);
  if (name.empty()) {
    int latest = 0;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(models_dir, ec)) {
      const std::string dir = entry.path().filename().string();
      if (dir.size() > 1 && dir.size() < 10 && dir[0] == 'v' &&
          dir.find_first_not_of("0123456789", 1) == std::string::npos) {
        latest = std::max(latest, std::stoi(dir.substr(1)));
      }
    }
    if (latest == 0) return Status::NotFound("no risk model under " + models_dir);
    name = fmt::format("v{}", latest);
  } else if (name.size() < 2 || name.size() > 9 || name[0] != 'v' ||
             name.find_first_not_of("0123456789", 1) != std::string::npos) {
    return Status::InvalidArgument("a version is v1, v2, ...; not '" + name + "'");
  }
  const fs::path dir = fs::path(models_dir) / name;
  if (!fs::exists(dir / "metadata.json")) {
    return Status::NotFound("no saved model at " + dir.string());
  }
  const std::string where = (dir / "metadata.json").string();
  TRY_ASSIGN(std::string text, ReadText(dir / "metadata.json"));
  TRY_ASSIGN(ModelMetadata meta, ParseModelMetadata(text, where));
  if (meta.feature_names.empty())
    return Status::Corruption(where + ": not a risk model's metadata");
  if (meta.feature_names != FeatureNames()) {
    return Status::FailedPrecondition(
        "the saved model was trained on other features; train a new version");
  }
  if (!meta.calibration) {
    return Status::Corruption(where + ": calibration.a and calibration.b must be numbers");
  }
  SavedVersion saved;
  saved.version = name;
  saved.dir = dir.string();
  saved.outcome = meta.outcome;
  saved.input_datasets = meta.input_datasets;
  TRY_ASSIGN(RiskModel model, RiskModel::LoadJson((dir / "model.json").string()));
  saved.model.emplace(std::move(model));
  saved.calibration = *meta.calibration;
  return saved;
}

Result<ModelMetadata> ParseModelMetadata(std::string_view text, std::string_view where) {
  const json meta = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (meta.is_discarded() || !meta.is_object()) {
    return Status::Corruption(std::string(where) + ": not a risk model's metadata");
  }
  auto text_of = [&](const char* key) {
    auto it = meta.find(key);
    return it != meta.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auto list_of = [&](const char* key) {
    std::vector<std::string> out;
    auto it = meta.find(key);
    if (it == meta.end() || !it->is_array()) return out;
    for (const json& v : *it) out.push_back(v.is_string() ? v.get<std::string>() : "");
    return out;
  };
  ModelMetadata m;
  m.outcome = text_of("outcome");
  m.outcome_title = text_of("outcome_title");
  if (m.outcome_title.empty()) m.outcome_title = OutcomeTitle(m.outcome);
  m.input_datasets = list_of("input_datasets");
  std::erase(m.input_datasets, std::string());
  if (auto it = meta.find("base_rate"); it != meta.end() && it->is_number()) {
    m.base_rate = it->get<double>();
  }
  m.feature_names = list_of("feature_names");
  m.feature_labels = list_of("feature_labels");
  if (auto c = meta.find("calibration"); c != meta.end() && c->is_object()) {
    auto a = c->find("a");
    auto b = c->find("b");
    if (a != c->end() && a->is_number() && b != c->end() && b->is_number()) {
      m.calibration = PlattCalibration{a->get<double>(), b->get<double>()};
    }
  }
  // Reads only what is there with the expected type; never throws.
  auto object_at = [](const json& j, const char* key) -> const json* {
    if (!j.is_object()) return nullptr;
    auto it = j.find(key);
    return it != j.end() && it->is_object() ? &*it : nullptr;
  };
  auto number_at = [](const json* j, const char* key) -> std::optional<double> {
    if (j == nullptr) return std::nullopt;
    auto it = j->find(key);
    if (it == j->end() || !it->is_number()) return std::nullopt;
    return it->get<double>();
  };
  auto count_at = [](const json* j, const char* key) -> std::optional<int64_t> {
    if (j == nullptr) return std::nullopt;
    auto it = j->find(key);
    if (it == j->end() || !it->is_number_integer()) return std::nullopt;
    return it->get<int64_t>();
  };
  const json* metrics = object_at(meta, "metrics");
  const json* model = metrics != nullptr ? object_at(*metrics, "model") : nullptr;
  const json* baseline = metrics != nullptr ? object_at(*metrics, "baseline") : nullptr;
  const json* top = model != nullptr ? object_at(*model, "top_k") : nullptr;
  ModelMetadata::Summary& s = m.summary;
  s.roc_auc = number_at(model, "roc_auc");
  s.pr_auc = number_at(model, "pr_auc");
  s.ece = number_at(model, "ece");
  s.baseline_roc_auc = number_at(baseline, "roc_auc");
  s.baseline_pr_auc = number_at(baseline, "pr_auc");
  s.k = count_at(top, "k");
  s.precision_at_k = number_at(top, "precision");
  s.recall_at_k = number_at(top, "recall");
  s.rows = count_at(metrics, "rows");
  s.positives = count_at(metrics, "positives");
  if (model != nullptr) {
    if (auto fairness = model->find("fairness"); fairness != model->end() && fairness->is_array()) {
      for (const json& axis : *fairness) {
        if (!axis.is_object()) continue;
        auto flagged = axis.find("flagged");
        if (flagged == axis.end() || !flagged->is_boolean() || !flagged->get<bool>()) continue;
        auto name = axis.find("axis");
        s.fairness_flags.push_back(
            {name != axis.end() && name->is_string() ? name->get<std::string>() : std::string(),
             number_at(&axis, "fpr_gap"), number_at(&axis, "fnr_gap")});
      }
    }
  }
  return m;
}

Result<TrainingRun> EvaluateLatest(const HubHistory& hub, const Truth& truth,
                                   const std::string& models_dir, int64_t k) {
  TRY_ASSIGN(SavedVersion saved, LoadVersion(models_dir, ""));
  TRY_ASSIGN(std::string text, ReadText(fs::path(saved.dir) / "metadata.json"));
  const json meta = json::parse(text, nullptr, /*allow_exceptions=*/false);
  PlattCalibration bc{1.0, 0.0};
  uint64_t seed = 1;
  try {
    if (meta.contains("baseline_calibration") && meta["baseline_calibration"].is_object()) {
      bc = {meta["baseline_calibration"].value("a", 1.0),
            meta["baseline_calibration"].value("b", 0.0)};
    }
    if (meta.contains("parameters") && meta["parameters"].is_object()) {
      seed = meta["parameters"].value("seed", uint64_t{1});
    }
  } catch (const json::exception& e) {
    return Status::Corruption(saved.dir + "/metadata.json: " + e.what());
  }
  TRY_ASSIGN(TrainingRun run,
             Score(hub, truth, saved.outcome, *saved.model, saved.calibration, bc, k, seed));
  run.version = saved.version;
  run.dir = saved.dir;
  if (meta.contains("training_data_sha256") && meta["training_data_sha256"].is_string()) {
    run.data_hash = meta["training_data_sha256"].get<std::string>();
  }
  return run;
}

Result<std::vector<store::StoredRiskScore>> ScoreAll(const HubHistory& hub,
                                                     const SavedVersion& saved,
                                                     const CivilDate& as_of) {
  constexpr size_t kShown = 10;
  const std::vector<std::string>& names = FeatureNames();
  const size_t columns = names.size();
  std::vector<model::NominalId> ids;
  std::vector<float> x;
  ids.reserve(hub.nominals.size());
  x.reserve(hub.nominals.size() * columns);
  for (const auto& [id, history] : hub.nominals) {
    ids.push_back(id);
    const std::vector<float> f = ComputeFeatures(hub, history, as_of);
    x.insert(x.end(), f.begin(), f.end());
  }
  std::vector<store::StoredRiskScore> out;
  if (ids.empty()) return out;
  TRY_ASSIGN(std::vector<double> margins, saved.model->Margins(x, columns));
  TRY_ASSIGN(std::vector<double> contributions, saved.model->Contributions(x, columns));
  if (margins.size() != ids.size() || contributions.size() != ids.size() * (columns + 1)) {
    return Status::Internal("unexpected prediction shape");
  }
  out.reserve(ids.size());
  for (size_t row = 0; row < ids.size(); ++row) {
    const double* c = contributions.data() + row * (columns + 1);
    std::vector<size_t> order;
    for (size_t i = 0; i < columns; ++i) {
      if (c[i] != 0) order.push_back(i);
    }
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return std::abs(c[a]) > std::abs(c[b]); });
    // Compact: [feature index, value, contribution] (the names and labels are in the
    // version's metadata), contributions to 1e-6: a hub holds one row per nominal.
    const auto round6 = [](double v) { return std::round(v * 1e6) / 1e6; };
    json factors = json::array();
    double other = 0;
    for (size_t n = 0; n < order.size(); ++n) {
      const size_t i = order[n];
      if (n >= kShown) {
        other += c[i];
        continue;
      }
      factors.push_back(json::array({i, x[row * columns + i], round6(c[i])}));
    }
    store::StoredRiskScore score;
    score.version = saved.version;
    score.nominal_id = ids[row];
    score.as_of = as_of;
    score.margin = margins[row];
    score.probability = saved.calibration.Apply(margins[row]);
    score.explanation =
        json{{"bias", round6(c[columns])}, {"factors", factors}, {"other", round6(other)}}.dump();
    out.push_back(std::move(score));
  }
  std::vector<size_t> by_probability(out.size());
  for (size_t i = 0; i < out.size(); ++i) by_probability[i] = i;
  std::stable_sort(by_probability.begin(), by_probability.end(),
                   [&](size_t a, size_t b) { return out[a].probability > out[b].probability; });
  for (size_t r = 0; r < by_probability.size(); ++r) {
    out[by_probability[r]].rank = static_cast<int64_t>(r) + 1;
  }
  return out;
}

}  // namespace tessera::risk
