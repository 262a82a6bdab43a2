// The evaluation report: discrimination, calibration, the team-capacity view and error rates
// by group, for the model and for the transparent baseline side by side.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "core/sha256.h"
#include "risk/risk.h"

namespace tessera::risk {

namespace {

constexpr int kMinimumPerClass = 20;  // below this a group's rate is too noisy to compare
constexpr double kGapThreshold = 0.05;
constexpr int kBootstrapReplicates = 1000;

std::string AgeBand(const std::optional<CivilDate>& dob, const CivilDate& on) {
  if (!dob) return "unknown";
  const int age = dob->AgeOn(on);
  if (age < 5) return "0-4";
  if (age < 10) return "5-9";
  if (age < 16) return "10-15";
  if (age < 18) return "16-17";
  if (age < 25) return "18-24";
  if (age < 40) return "25-39";
  if (age < 65) return "40-64";
  return "65+";
}

std::string RowSexName(model::Sex sex) {
  switch (sex) {
    case model::Sex::kMale:
      return "male";
    case model::Sex::kFemale:
      return "female";
    default:
      return "unknown";
  }
}

FairnessAxis Rates(std::string axis, const std::vector<std::string>& group_of,
                   const std::vector<bool>& flagged, std::span<const int> labels) {
  FairnessAxis out;
  out.axis = std::move(axis);
  std::map<std::string, std::array<int64_t, 4>> counts;  // tp, fp, fn, tn
  for (size_t i = 0; i < labels.size(); ++i) {
    auto& c = counts[group_of[i]];
    const bool y = labels[i] != 0;
    ++c[flagged[i] ? (y ? 0 : 1) : (y ? 2 : 3)];
  }
  std::vector<double> fprs, fnrs;
  for (const auto& [group, c] : counts) {
    GroupRates g;
    g.group = group;
    g.positives = c[0] + c[2];
    g.n = g.positives + c[1] + c[3];
    const int64_t negatives = c[1] + c[3];
    g.fpr = negatives > 0 ? static_cast<double>(c[1]) / negatives : std::nan("");
    g.fnr = g.positives > 0 ? static_cast<double>(c[2]) / g.positives : std::nan("");
    g.fpr_assessed = negatives >= kMinimumPerClass;
    g.fnr_assessed = g.positives >= kMinimumPerClass;
    if (g.fpr_assessed) fprs.push_back(g.fpr);
    if (g.fnr_assessed) fnrs.push_back(g.fnr);
    out.groups.push_back(g);
  }
  const auto gap = [](const std::vector<double>& rates) {
    if (rates.size() < 2) return std::nan("");
    const auto [lo, hi] = std::minmax_element(rates.begin(), rates.end());
    return *hi - *lo;
  };
  out.fpr_gap = gap(fprs);
  out.fnr_gap = gap(fnrs);
  out.flagged = out.fpr_gap > kGapThreshold || out.fnr_gap > kGapThreshold;
  return out;
}

ScoreEvaluation EvaluateScore(std::string name, const LabelledSet& set, const Truth& truth,
                              std::span<const double> probabilities, std::span<const int> labels,
                              int64_t k, uint64_t seed) {
  ScoreEvaluation e;
  e.name = std::move(name);
  e.auc = RocAuc(probabilities, labels);
  e.average_precision = AveragePrecision(probabilities, labels);
  e.ece = ExpectedCalibrationError(probabilities, labels);
  e.ece_ci = BootstrapEceInterval(probabilities, labels, kBootstrapReplicates, seed);
  e.reliability = ReliabilityTable(probabilities, labels);
  e.at_k = PrecisionRecallAtK(probabilities, labels, k);
  const std::vector<bool> flagged = TopK(probabilities, k);
  std::vector<std::string> sex, age, decile;
  for (const LabelledRow& row : set.rows) {
    auto person = truth.people.find(row.person_id);
    if (person == truth.people.end()) {
      sex.push_back("unknown");
      age.push_back("unknown");
      decile.push_back("unknown");
      continue;
    }
    sex.push_back(RowSexName(person->second.sex));
    age.push_back(AgeBand(person->second.dob, set.cutoff));
    const int d = person->second.DecileOn(set.cutoff);
    decile.push_back(d == 0 ? "unknown" : fmt::format("{:02}", d));
  }
  e.fairness.push_back(Rates("sex", sex, flagged, labels));
  e.fairness.push_back(Rates("age band", age, flagged, labels));
  e.fairness.push_back(Rates("deprivation decile", decile, flagged, labels));
  return e;
}

void PrintScore(std::string& out, const ScoreEvaluation& e) {
  out += fmt::format("\n== {} ==\n", e.name);
  out += fmt::format("ROC-AUC {:.4f}   PR-AUC (average precision) {:.4f}\n", e.auc,
                     e.average_precision);
  out += fmt::format("ECE (10 bins, calibrated) {:.4f}  95% bootstrap CI [{:.4f}, {:.4f}]{}\n",
                     e.ece, e.ece_ci.lo, e.ece_ci.hi,
                     e.ece <= 0.02 ? "  (meets the 0.02 goal)" : "  (misses the 0.02 goal)");
  out += fmt::format("top {}: precision {:.3f}, recall {:.3f} ({} of {} positives)\n", e.at_k.k,
                     e.at_k.precision, e.at_k.recall, e.at_k.true_positives, e.at_k.positives);
  out += "reliability:  bin          n   predicted  observed\n";
  for (const ReliabilityBin& b : e.reliability) {
    if (b.n == 0) continue;
    out += fmt::format("              {:.1f}-{:.1f} {:>8}   {:.4f}     {:.4f}\n", b.lo, b.hi, b.n,
                       b.mean_predicted, b.observed_rate);
  }
  out +=
      "error rates of the top-k flag by group (* not assessed: fewer than 20 negatives for the "
      "FPR, or 20 positives for the FNR):\n";
  const auto gap = [](double g) {
    return std::isnan(g) ? std::string("not assessed") : fmt::format("{:.1f} pp", g * 100);
  };
  for (const FairnessAxis& axis : e.fairness) {
    out += fmt::format("  {}: FPR gap {}, FNR gap {}{}\n", axis.axis, gap(axis.fpr_gap),
                       gap(axis.fnr_gap), axis.flagged ? "  ** GAP OVER 5 PP **" : "");
    for (const GroupRates& g : axis.groups) {
      out += fmt::format("    {:<10} n {:>6}  positives {:>5}  FPR {:.3f}{}  FNR {:.3f}{}\n",
                         g.group, g.n, g.positives, g.fpr, g.fpr_assessed ? " " : "*", g.fnr,
                         g.fnr_assessed ? " " : "*");
    }
  }
}

nlohmann::json ScoreJson(const ScoreEvaluation& e) {
  nlohmann::json j;
  j["name"] = e.name;
  j["roc_auc"] = e.auc;
  j["pr_auc"] = e.average_precision;
  j["ece"] = e.ece;
  j["ece_ci95"] = {e.ece_ci.lo, e.ece_ci.hi};
  j["top_k"] = {{"k", e.at_k.k},
                {"precision", e.at_k.precision},
                {"recall", e.at_k.recall},
                {"true_positives", e.at_k.true_positives}};
  for (const ReliabilityBin& b : e.reliability) {
    j["reliability"].push_back({{"lo", b.lo},
                                {"hi", b.hi},
                                {"n", b.n},
                                {"predicted", b.mean_predicted},
                                {"observed", b.observed_rate}});
  }
  for (const FairnessAxis& axis : e.fairness) {
    nlohmann::json a = {
        {"axis", axis.axis},
        {"fpr_gap", std::isnan(axis.fpr_gap) ? nlohmann::json() : nlohmann::json(axis.fpr_gap)},
        {"fnr_gap", std::isnan(axis.fnr_gap) ? nlohmann::json() : nlohmann::json(axis.fnr_gap)},
        {"flagged", axis.flagged}};
    for (const GroupRates& g : axis.groups) {
      a["groups"].push_back({{"group", g.group},
                             {"n", g.n},
                             {"positives", g.positives},
                             {"fpr", std::isnan(g.fpr) ? nlohmann::json() : nlohmann::json(g.fpr)},
                             {"fnr", std::isnan(g.fnr) ? nlohmann::json() : nlohmann::json(g.fnr)},
                             {"fpr_assessed", g.fpr_assessed},
                             {"fnr_assessed", g.fnr_assessed}});
    }
    j["fairness"].push_back(a);
  }
  return j;
}

}  // namespace

EvaluationReport Evaluate(const std::string& outcome, const LabelledSet& set, const Truth& truth,
                          std::span<const double> model_probabilities,
                          std::span<const double> baseline_probabilities, int64_t k,
                          uint64_t seed) {
  EvaluationReport report;
  report.outcome = outcome;
  report.cutoff = set.cutoff;
  std::vector<int> labels;
  for (const LabelledRow& row : set.rows) {
    labels.push_back(row.label);
    report.positives += row.label;
  }
  report.rows = static_cast<int64_t>(labels.size());
  report.model = EvaluateScore("model (XGBoost, Platt-calibrated)", set, truth, model_probabilities,
                               labels, k, seed);
  report.baseline =
      EvaluateScore("baseline (own children's social care events in 12 months, Platt-calibrated)",
                    set, truth, baseline_probabilities, labels, k, seed);
  return report;
}

std::string FormatReport(const EvaluationReport& r) {
  std::string out = fmt::format(
      "outcome {}: test window from {} (features at that cutoff), {} nominals, {} positive "
      "({:.2f}%)\n",
      r.outcome, r.cutoff.ToIso(), r.rows, r.positives,
      r.rows > 0 ? 100.0 * r.positives / r.rows : 0.0);
  PrintScore(out, r.model);
  PrintScore(out, r.baseline);
  out += "\n== does the model add anything? ==\n";
  out += fmt::format(
      "ROC-AUC {:+.4f}, PR-AUC {:+.4f}, precision at {} {:+.3f} (model minus baseline)\n",
      r.model.auc - r.baseline.auc, r.model.average_precision - r.baseline.average_precision,
      r.model.at_k.k, r.model.at_k.precision - r.baseline.at_k.precision);
  const bool better = r.model.auc > r.baseline.auc &&
                      r.model.average_precision > r.baseline.average_precision &&
                      r.model.at_k.precision >= r.baseline.at_k.precision;
  out += better ? "The model beats the baseline on AUC, PR-AUC and precision at k.\n"
                : "The model does NOT beat the baseline on every measure; prefer the "
                  "transparent rule where it does not.\n";
  return out;
}

std::string ReportJson(const EvaluationReport& r) {
  nlohmann::json j = {{"outcome", r.outcome},
                      {"cutoff", r.cutoff.ToIso()},
                      {"rows", r.rows},
                      {"positives", r.positives},
                      {"model", ScoreJson(r.model)},
                      {"baseline", ScoreJson(r.baseline)}};
  return j.dump(2);
}

Result<std::string> TrainingDataHash(std::span<const float> matrix, std::span<const int> labels) {
  Sha256 hash;
  hash.Update(matrix.data(), matrix.size_bytes());
  hash.Update(labels.data(), labels.size_bytes());
  return hash.HexDigest();
}

}  // namespace tessera::risk
