// The transparency record of a saved model version, in the style of the UK Algorithmic
// Transparency Recording Standard (ATRS): a plain-language summary (tier 1), then owner,
// process, technical specification, data, performance, fairness and risks (tier 2). Generated
// from the version's metadata.json and its registry entry, so it never disagrees with them.
#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "risk/risk.h"
#include "store/store.h"

namespace tessera::risk {

namespace {

using nlohmann::json;

std::string OutcomeWords(const std::string& outcome) {
  const OutcomeDefinition* o = FindOutcome(outcome);
  return o != nullptr ? std::string(o->words) : outcome;
}

std::string Num(const json& v, int digits = 3) {
  if (!v.is_number()) return "n/a";
  const double d = v.get<double>();
  if (std::isnan(d)) return "n/a";
  return fmt::format("{:.{}f}", d, digits);
}

std::string Pp(const json& v) {
  if (!v.is_number() || std::isnan(v.get<double>())) return "not assessed";
  return fmt::format("{:.1f} pp", 100 * v.get<double>());
}

std::string ScoreRow(const std::string& name, const json& m) {
  const json& ci = m.value("ece_ci95", json::array());
  const json& k = m.value("top_k", json::object());
  return fmt::format("| {} | {} | {} | {} [{}, {}] | {} | {} |\n", name,
                     Num(m.value("roc_auc", json())), Num(m.value("pr_auc", json())),
                     Num(m.value("ece", json()), 4), ci.size() == 2 ? Num(ci[0], 4) : "n/a",
                     ci.size() == 2 ? Num(ci[1], 4) : "n/a", Num(k.value("precision", json()), 2),
                     Num(k.value("recall", json()), 2));
}

}  // namespace

namespace {

Result<std::string> Record(std::string_view metadata_json, const store::StoredRiskModel* registry) {
  json meta = json::parse(metadata_json, nullptr, false);
  if (meta.is_discarded() || !meta.is_object() || !meta.contains("metrics")) {
    return Status::InvalidArgument("the model's metadata.json is not a saved risk model's");
  }
  const std::string version = meta.value("version", "");
  const std::string outcome = meta.value("outcome", "");
  const json& metrics = meta["metrics"];
  const json& model = metrics.value("model", json::object());
  const json& baseline = metrics.value("baseline", json::object());
  const json& params = meta.value("parameters", json::object());
  const json& rows = meta.value("rows", json::object());
  const int64_t k = model.value("top_k", json::object()).value("k", int64_t{0});

  std::string out;
  out += fmt::format("# Algorithmic transparency record: risk model {} ({})\n\n", version, outcome);
  out +=
      "Written in the style of the UK Algorithmic Transparency Recording Standard. Generated "
      "by `tessera risk record` from the version's saved metadata and registry entry.\n\n";

  out += "## Tier 1: summary\n\n";
  out += fmt::format(
      "- **What it does:** estimates the chance of {}, from what partner agencies have "
      "recorded about the person and their household before a date.\n",
      OutcomeWords(outcome));
  out +=
      "- **How it is used:** advisory only. A score is shown to a practitioner with its "
      "calibrated probability and the factors behind it, and the practitioner decides "
      "what, if anything, to do, recording agree, disagree or action with a reason. It "
      "never decides anything on its own.\n";
  out +=
      "- **Who sees it:** only users whose information-sharing agreement covers the "
      "sources it reads and the purpose \"risk assessment\"; every view is audited.\n";
  std::string state = registry ? registry->state : "not registered";
  std::string note;
  if (state == "disabled") {
    note = " (the kill switch is on: scores from this version are not shown)";
  } else if (state != "approved") {
    note =
        " (scores from this version are not shown until an information-governance officer "
        "approves it)";
  }
  out += fmt::format("- **Approval state:** {}{}.\n\n", state, note);

  out += "## Tier 2\n\n### Owner and responsibility\n\n";
  out +=
      "The hub's information-governance officers own the decision to use this model; the "
      "registry records who approved or disabled it and why. Disabling a version (the kill "
      "switch) stops its scores at once.\n\n";
  if (registry && !registry->decided_by.empty()) {
    out += fmt::format("Last decision: {} by {}: \"{}\".\n\n", registry->state,
                       registry->decided_by, registry->reason);
  }

  out += "### Technical specification\n\n";
  out += fmt::format(
      "Gradient-boosted trees (XGBoost, objective {}), {} rounds, maximum depth {}, learning "
      "rate {}, seed {}; the raw score (log-odds) is calibrated with Platt scaling fitted on "
      "{}% of the training rows held out. Explanations are exact SHAP contributions per "
      "feature, which add up to the raw score.\n\n",
      params.value("objective", "binary:logistic"), params.value("rounds", 0),
      params.value("max_depth", 0), Num(params.value("eta", json()), 2), params.value("seed", 0),
      params.value("calibration_percent", 0));
  const json& names = meta.value("feature_names", json::array());
  out += fmt::format(
      "{} features, all counts of partner events dated before the cutoff (by agency and "
      "category over 3, 12 and 36 months), recency, trend, age and household members' events. "
      "Sex, ethnicity, address and area deprivation are **not** features; deprivation is used "
      "only to check fairness. Features: ",
      names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    out += (i ? ", " : "") + fmt::format("`{}`", names[i].get<std::string>());
  }
  out += ".\n\n";

  out += "### Data\n\n";
  out += fmt::format(
      "Trained on features at {} labelled by the following year's outcome ({} training rows, "
      "{} held out for calibration); tested on features at {} against the year after ({} rows, "
      "{} positive). {} nominals were excluded because their records belong to several real "
      "people. Training data SHA-256: `{}`. The labels here come from a synthetic world's "
      "ground truth: these figures show the pipeline works, not that such a model would work "
      "on real data.\n\n",
      meta.value("training_window", json::object()).value("cutoff", ""), rows.value("train", 0),
      rows.value("calibration", 0), meta.value("test_window", json::object()).value("cutoff", ""),
      metrics.value("rows", 0), metrics.value("positives", 0),
      rows.value("excluded_nominals_several_people", 0), meta.value("training_data_sha256", ""));
  std::string inputs;
  if (meta.contains("input_datasets") && meta["input_datasets"].is_array()) {
    for (const json& d : meta["input_datasets"]) {
      if (!d.is_string()) continue;
      inputs += (inputs.empty() ? "`" : ", `") + d.get<std::string>() + "`";
    }
  }
  out += inputs.empty()
             ? "Input datasets: not recorded (every dataset in the hub); no one may be shown "
               "this version's scores.\n\n"
             : "Input datasets (only their events become features; a score is shown only to "
               "those whose agreement shares all of them): " +
                   inputs + ".\n\n";

  out += "### Performance, against a transparent rule\n\n";
  out += fmt::format(
      "| score | ROC-AUC | PR-AUC | ECE [95% CI] | precision at {} | recall at {} |\n", k, k);
  out += "| --- | --- | --- | --- | --- | --- |\n";
  out += ScoreRow("model", model);
  out += ScoreRow("baseline rule", baseline);
  const double gain = model.value("roc_auc", 0.0) - baseline.value("roc_auc", 0.0);
  out += fmt::format(
      "\nThe calibration goal is an ECE of 0.02 or less: {}. Against the rule the model's "
      "ROC-AUC is {:+.3f}{}.\n\n",
      model.value("ece", 1.0) <= 0.02 ? "met" : "**not met**", gain,
      gain <= 0.02 ? ": **the model adds little or nothing over the rule**" : "");

  out += "### Fairness\n\n";
  out += fmt::format(
      "Error rates of the top-{} flag by group; a gap over 5 percentage points is flagged. A "
      "rate over fewer than 20 positives (or negatives) is not assessed.\n\n",
      k);
  out +=
      "| axis | false-positive gap | false-negative gap | flagged |\n| --- | --- | --- | --- |\n";
  std::vector<std::string> flagged;
  for (const json& axis : model.value("fairness", json::array())) {
    const std::string name = axis.value("axis", "");
    const bool f = axis.value("flagged", false);
    if (f) flagged.push_back(name);
    out += fmt::format("| {} | {} | {} | {} |\n", name, Pp(axis.value("fpr_gap", json())),
                       Pp(axis.value("fnr_gap", json())), f ? "**yes**" : "no");
  }
  out += "\n### Risks and limitations\n\n";
  if (!flagged.empty()) {
    std::string list;
    for (size_t i = 0; i < flagged.size(); ++i) list += (i ? ", " : "") + flagged[i];
    out += fmt::format(
        "- Error rates differ by more than 5 points by {}: practitioners should know that the "
        "model misses or over-flags some groups more than others.\n",
        list);
  }
  if (metrics.value("positives", 0) < 100) {
    out += "- Fewer than 100 positive cases in the test year: every figure above is uncertain.\n";
  }
  out +=
      "- Partner data is incomplete and recorded differently by each agency; a person "
      "unknown to agencies scores low whatever their circumstances.\n";
  out +=
      "- Household membership is the resolver's present view, dated by evidence that may "
      "postdate the cutoff.\n";
  out += "- Scores must never be used alone to decide on a service or an intervention.\n";
  return out;
}

}  // namespace

Result<std::string> TransparencyRecord(std::string_view metadata_json,
                                       const store::StoredRiskModel* registry) {
  // The metadata is the hub's own file, but a file can be damaged or edited: a value of the
  // wrong type is an error naming it, never a crash.
  try {
    return Record(metadata_json, registry);
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("the model's metadata.json is malformed: ") +
                                   e.what());
  }
}

}  // namespace tessera::risk
