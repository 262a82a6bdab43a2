// Training, calibration, evaluation and the saved model version: what `tessera risk train` and
// `tessera risk evaluate` run.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "risk/risk.h"
#include "store/store.h"

namespace tessera::risk {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Whether a nominal falls in the calibration slice: a seeded hash of its id, so the slice is
// the same on every run with the same seed.
bool InCalibrationSlice(model::NominalId id, uint64_t seed, int percent) {
  uint64_t z = static_cast<uint64_t>(id) * 0x9e3779b97f4a7c15ULL + seed;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<int>(z % 100) < percent;
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
  TRY_ASSIGN(LabelledSet all, BuildLabelledSet(hub, truth, options.outcome, "in_landing"));
  LabelledSet fit = all, held = all;
  fit.rows.clear();
  held.rows.clear();
  for (const LabelledRow& row : all.rows) {
    (InCalibrationSlice(row.nominal, options.params.seed, options.calibration_percent) ? held : fit)
        .rows.push_back(row);
  }
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
      {"feature_names", FeatureNames()},
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

Result<TrainingRun> EvaluateLatest(const HubHistory& hub, const Truth& truth,
                                   const std::string& models_dir, int64_t k) {
  int latest = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(models_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > 1 && name[0] == 'v' &&
        name.find_first_not_of("0123456789", 1) == std::string::npos) {
      latest = std::max(latest, std::stoi(name.substr(1)));
    }
  }
  if (latest == 0) return Status::NotFound("no risk model under " + models_dir);
  const fs::path dir = fs::path(models_dir) / fmt::format("v{}", latest);
  TRY_ASSIGN(std::string text, ReadText(dir / "metadata.json"));
  json meta = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (meta.is_discarded() || !meta.contains("feature_names") || !meta.contains("calibration")) {
    return Status::Corruption((dir / "metadata.json").string() + ": not a risk model's metadata");
  }
  if (meta["feature_names"] != json(FeatureNames())) {
    return Status::FailedPrecondition(
        "the saved model was trained on other features; train a new version");
  }
  TRY_ASSIGN(RiskModel model, RiskModel::LoadJson((dir / "model.json").string()));
  PlattCalibration c{meta["calibration"].value("a", 1.0), meta["calibration"].value("b", 0.0)};
  PlattCalibration bc{meta["baseline_calibration"].value("a", 1.0),
                      meta["baseline_calibration"].value("b", 0.0)};
  const uint64_t seed = meta["parameters"].value("seed", uint64_t{1});
  TRY_ASSIGN(TrainingRun run,
             Score(hub, truth, meta.value("outcome", std::string()), model, c, bc, k, seed));
  run.version = fmt::format("v{}", latest);
  run.dir = dir.string();
  run.data_hash = meta.value("training_data_sha256", std::string());
  return run;
}

}  // namespace tessera::risk
