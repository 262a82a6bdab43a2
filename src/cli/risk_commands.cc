#include "cli/risk_commands.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "cli/cli_common.h"
#include "core/clock.h"
#include "govern/agreements.h"
#include "govern/identity.h"
#include "risk/risk.h"
#include "store/store.h"

namespace tessera::cli {

struct RiskCommands::Args {
  std::string data, truth, outcome = "cp_plan_escalation";
  uint64_t seed = 1;
  int64_t k = 100;
  int rounds = 200;
  std::string version, as, reason, as_of;
  std::vector<std::string> datasets;
  CLI::App* risk = nullptr;
  CLI::App* approve = nullptr;
  CLI::App* disable = nullptr;
  CLI::App* list = nullptr;
  CLI::App* record = nullptr;
  CLI::App* train = nullptr;
  CLI::App* evaluate = nullptr;
  CLI::App* score = nullptr;
};

RiskCommands::RiskCommands(CLI::App& app) : args_(new Args) {
  Args& a = *args_;
  a.risk = app.add_subcommand("risk", "The predictive risk model (advisory; issue 7)");
  a.risk->require_subcommand(1);
  a.train = a.risk->add_subcommand(
      "train",
      "Train on the last observed year's outcome, calibrate, evaluate on the year after, save "
      "a new version under HUB/models/risk/ and print the evaluation report");
  a.evaluate = a.risk->add_subcommand(
      "evaluate", "Re-evaluate the newest saved version on the hub and print the report");
  for (CLI::App* sub : {a.train, a.evaluate}) {
    sub->add_option("--data", a.data, "Hub directory")->required();
    sub->add_option("--truth", a.truth,
                    "The synthetic world's truth directory (default HUB/truth)");
    sub->add_option("--k", a.k, "Team capacity: how many top scores are flagged")
        ->check(CLI::Range(int64_t{1}, int64_t{1000000}))
        ->capture_default_str();
  }
  a.approve = a.risk->add_subcommand(
      "approve",
      "Approve a version so that its scores may be shown (an information-governance officer; "
      "audited)");
  a.disable = a.risk->add_subcommand(
      "disable",
      "The kill switch: stop a version's scores being shown (an information-governance "
      "officer; audited)");
  for (CLI::App* sub : {a.approve, a.disable}) {
    sub->add_option("--data", a.data, "Hub directory")->required();
    sub->add_option("--version", a.version, "The version: v1, v2, ...")->required();
    sub->add_option("--as", a.as, "The information-governance officer (a username)")->required();
    sub->add_option("--reason", a.reason, "Why (audited)")->required();
  }
  a.list = a.risk->add_subcommand("list", "List the registered versions and their state");
  a.list->add_option("--data", a.data, "Hub directory")->required();
  a.record = a.risk->add_subcommand(
      "record",
      "Write and print a version's transparency record (markdown, after the UK Algorithmic "
      "Transparency Recording Standard) to HUB/models/risk/VERSION/transparency.md");
  a.record->add_option("--data", a.data, "Hub directory")->required();
  a.record->add_option("--version", a.version, "The version (default: the newest registered)");
  a.train->add_option("--outcome", a.outcome, risk::OutcomeIdList())->capture_default_str();
  a.train
      ->add_option("--datasets", a.datasets,
                   "The input datasets (source ids, comma-separated). Default: those a "
                   "risk_assessment agreement in force shares with event.date and "
                   "event.category; only their events become features")
      ->delimiter(',');
  a.score = a.risk->add_subcommand(
      "score",
      "Score every nominal with a saved version and store the scores with their explanations "
      "(shown only while the version is approved)");
  a.score->add_option("--data", a.data, "Hub directory")->required();
  a.score->add_option("--version", a.version, "The version (default: the newest registered)");
  a.score->add_option("--as-of", a.as_of,
                      "Score as of this day, YYYY-MM-DD: features count events before it "
                      "(default: today)");
  a.train->add_option("--seed", a.seed, "Seed for XGBoost, the calibration slice and the bootstrap")
      ->capture_default_str();
  a.train->add_option("--rounds", a.rounds, "Boosting rounds")
      ->check(CLI::Range(1, 5000))
      ->capture_default_str();
}

RiskCommands::~RiskCommands() { delete args_; }

namespace {

// The datasets a risk_assessment agreement in force today shares with event.date and
// event.category: what a model may be trained on (purpose limitation: data shared for other
// purposes does not feed a model that scores everyone).
Result<std::vector<std::string>> RiskAssessmentDatasets(store::Store& store) {
  govern::Governance governance(store, SystemClock::Instance());
  TRY_ASSIGN(std::vector<govern::Agreement> agreements, governance.ListAgreements(false));
  const CivilDate today = CivilDate::FromMicros(SystemClock::Instance().NowMicros());
  const govern::FieldMask needed =
      govern::Bit(govern::Field::kEventDate) | govern::Bit(govern::Field::kEventCategory);
  std::set<std::string> out;
  for (const govern::Agreement& a : agreements) {
    if (a.tier != 2 || a.purpose != "risk_assessment" || !a.InForce(today)) continue;
    for (const govern::DatasetShare& d : a.datasets) {
      if ((d.fields & needed) == needed) out.insert(d.source_id);
    }
  }
  if (out.empty()) {
    return Status::FailedPrecondition(
        "no risk_assessment agreement in force shares a dataset with event.date and "
        "event.category; apply one, or name the datasets with --datasets");
  }
  return std::vector<std::string>(out.begin(), out.end());
}

int Run(const std::string& data, std::string truth_dir, bool train, const std::string& outcome,
        uint64_t seed, int64_t k, int rounds, std::vector<std::string> datasets) {
  if (truth_dir.empty()) truth_dir = data + "/truth";
  auto store = OpenHub(data);
  if (!store.ok()) return Fail(store.status());
  const std::string models = data + "/models/risk";
  if (!train) {
    auto saved = risk::LoadVersion(models, "");
    if (!saved.ok()) return Fail(saved.status());
    datasets = saved->input_datasets;
  } else if (datasets.empty()) {
    auto shared = RiskAssessmentDatasets(**store);
    if (!shared.ok()) return Fail(shared.status());
    datasets = *shared;
  }
  std::sort(datasets.begin(), datasets.end());
  datasets.erase(std::unique(datasets.begin(), datasets.end()), datasets.end());
  for (const std::string& d : datasets) {
    auto loads = (*store)->ListLoads(d, 1);
    if (!loads.ok()) return Fail(loads.status());
    if (loads->empty()) {
      return Fail(
          Status::InvalidArgument("--datasets: '" + d + "' has never been loaded into this hub"));
    }
  }
  auto hub = risk::LoadHubHistory(**store, datasets);
  if (!hub.ok()) return Fail(hub.status());
  auto truth = risk::LoadTruth(truth_dir);
  if (!truth.ok()) return Fail(truth.status());
  const std::string models_dir = data + "/models/risk";
  Result<risk::TrainingRun> run = Status::Internal("not run");
  if (train) {
    risk::TrainOptions options;
    options.outcome = outcome;
    options.input_datasets = datasets;
    options.params.seed = seed;
    options.params.rounds = rounds;
    options.k = k;
    run = risk::TrainAndSave(*hub, *truth, options, models_dir,
                             CivilDate::FromMicros(SystemClock().NowMicros()).ToIso());
  } else {
    run = risk::EvaluateLatest(*hub, *truth, models_dir, k);
  }
  if (!run.ok()) return Fail(run.status());
  if (train) {
    if (Status s = risk::RegisterVersion(**store, *run); !s.ok()) return Fail(s);
  }
  // The report names one nominal and its score: derived personal data, audited first.
  if (Status s = AuditAccess(**store, train ? "risk.train" : "risk.evaluate",
                             "models/risk/" + run->version,
                             "model training and evaluation (issue 7)", run->report.rows);
      !s.ok()) {
    return Fail(s);
  }
  if (train) {
    fmt::print("input datasets: {}\n", fmt::join(datasets, ", "));
    fmt::print(
        "trained {} on {} nominals (features at {}), calibrated on {} held out; excluded {} "
        "nominals of several truth people and {} of none; {} eligible people are in no "
        "nominal\ntraining data sha256 {}\n",
        run->version, run->train_rows, run->train_set.cutoff.ToIso(), run->calibration_rows,
        run->train_set.nominals_several_people, run->train_set.nominals_no_person,
        run->train_set.people_not_in_hub, run->data_hash);
  } else {
    fmt::print("model {} (training data sha256 {}) on the hub as it is now\n", run->version,
               run->data_hash);
  }
  fmt::print("{}", risk::FormatReport(run->report));
  fmt::print("\ntop-scored test nominal, SHAP contributions (log-odds):\n{}", run->example);
  fmt::print("saved under {}\n", run->dir);
  auto registry = (*store)->ListRiskModels();
  if (!registry.ok()) return Fail(registry.status());
  for (const store::StoredRiskModel& m : *registry) {
    if (m.version != run->version) continue;
    fmt::print("registry state: {}{}\n", m.state,
               m.state == "approved" ? ""
                                     : " (its scores are not to be shown until an "
                                       "information-governance officer approves it)");
  }
  return 0;
}

int RunDecision(const std::string& data, const std::string& version, const std::string& as,
                const std::string& reason, bool approve) {
  auto store = OpenHub(data);
  if (!store.ok()) return Fail(store.status());
  govern::Identity identity(**store, SystemClock::Instance());
  Result<govern::User> user = identity.GetUser(as);
  if (!user.ok() || !user->enabled ||
      !user->HasRole(govern::UserRole::kInformationGovernanceOfficer)) {
    return Fail(Status::PermissionDenied("--as '" + as +
                                         "' is not an enabled information-governance officer"));
  }
  auto txn = (*store)->Begin();
  if (!txn.ok()) return Fail(txn.status());
  const std::string by = "user:" + user->username;
  if (Status s = (*store)->SetRiskModelState(**txn, version, approve ? "approved" : "disabled", by,
                                             reason);
      !s.ok()) {
    return Fail(s);
  }
  if (Status s = (*txn)->Commit(); !s.ok()) return Fail(s);
  store::AuditEvent event;
  event.actor = CliActor() + " as " + by;
  event.action = approve ? "risk.approve" : "risk.disable";
  event.resource = "models/risk/" + version;
  event.justification = reason;
  event.outcome = "allowed";
  if (auto appended = (*store)->AppendAudit(event); !appended.ok()) {
    return Fail(appended.status());
  }
  fmt::print("risk model {} {}\n", version, approve ? "approved" : "disabled");
  return 0;
}

int RunList(const std::string& data) {
  auto store = OpenHub(data);
  if (!store.ok()) return Fail(store.status());
  auto registry = (*store)->ListRiskModels();
  if (!registry.ok()) return Fail(registry.status());
  for (const store::StoredRiskModel& m : *registry) {
    fmt::print("{:<5} {:<24} {:<9} {} {}\n", m.version, m.outcome, m.state,
               m.training_data_sha256.substr(0, 16),
               m.decided_by.empty() ? "" : "by " + m.decided_by + ": " + m.reason);
  }
  return 0;
}

// An empty `version` becomes the newest registered one; NotFound when there is none.
Status DefaultToNewest(const std::vector<store::StoredRiskModel>& registry, std::string& version) {
  if (!version.empty()) return Status::Ok();
  if (registry.empty()) return Status::NotFound("no risk model is registered; train one");
  version = registry.back().version;
  return Status::Ok();
}

int RunRecord(const std::string& data, std::string version) {
  auto store = OpenHub(data);
  if (!store.ok()) return Fail(store.status());
  auto registry = (*store)->ListRiskModels();
  if (!registry.ok()) return Fail(registry.status());
  if (Status s = DefaultToNewest(*registry, version); !s.ok()) return Fail(s);
  const store::StoredRiskModel* entry = nullptr;
  for (const store::StoredRiskModel& m : *registry) {
    if (m.version == version) entry = &m;
  }
  const std::filesystem::path dir = std::filesystem::path(data) / "models" / "risk" / version;
  std::ifstream in(dir / "metadata.json", std::ios::binary);
  if (!in) return Fail(Status::NotFound("no saved model at " + (dir / "metadata.json").string()));
  std::stringstream text;
  text << in.rdbuf();
  auto record = risk::TransparencyRecord(text.str(), entry);
  if (!record.ok()) return Fail(record.status().WithContext((dir / "metadata.json").string()));
  std::ofstream out(dir / "transparency.md", std::ios::binary | std::ios::trunc);
  out << *record;
  if (!out) return Fail(Status::IoError("cannot write " + (dir / "transparency.md").string()));
  fmt::print("{}", *record);
  return 0;
}

int RunScore(const std::string& data, std::string version, const std::string& as_of_text) {
  CivilDate as_of = CivilDate::FromMicros(SystemClock::Instance().NowMicros());
  if (!as_of_text.empty()) {
    auto parsed = ParseDate(as_of_text, "yyyy-mm-dd");
    if (!parsed.ok()) return Fail(Status::InvalidArgument("--as-of must be YYYY-MM-DD"));
    as_of = *parsed;
  }
  auto store = OpenHub(data);
  if (!store.ok()) return Fail(store.status());
  auto registry = (*store)->ListRiskModels();
  if (!registry.ok()) return Fail(registry.status());
  if (Status s = DefaultToNewest(*registry, version); !s.ok()) return Fail(s);
  auto saved = risk::LoadVersion(data + "/models/risk", version);
  if (!saved.ok()) return Fail(saved.status());
  auto hub = risk::LoadHubHistory(**store, saved->input_datasets);
  if (!hub.ok()) return Fail(hub.status());
  auto scores = risk::ScoreAll(*hub, *saved, as_of);
  if (!scores.ok()) return Fail(scores.status());
  if (Status s = AuditAccess(**store, "risk.score", "models/risk/" + version,
                             "batch scoring (issue 7)", static_cast<int64_t>(scores->size()));
      !s.ok()) {
    return Fail(s);
  }
  auto txn = (*store)->Begin();
  if (!txn.ok()) return Fail(txn.status());
  if (Status s = (*store)->ReplaceRiskScores(**txn, version, *scores); !s.ok()) return Fail(s);
  if (Status s = (*txn)->Commit(); !s.ok()) return Fail(s);
  std::string state = "unregistered";
  for (const store::StoredRiskModel& m : *registry) {
    if (m.version == version) state = m.state;
  }
  fmt::print("scored {} nominals with {} as of {}; the version is {}{}\n", scores->size(), version,
             as_of.ToIso(), state,
             state == "approved" ? "" : " (its scores are not shown until it is approved)");
  return 0;
}

}  // namespace

std::optional<int> RiskCommands::Dispatch() {
  Args& a = *args_;
  if (a.train->parsed()) {
    return Run(a.data, a.truth, true, a.outcome, a.seed, a.k, a.rounds, a.datasets);
  }
  if (a.score->parsed()) return RunScore(a.data, a.version, a.as_of);
  if (a.approve->parsed()) return RunDecision(a.data, a.version, a.as, a.reason, true);
  if (a.disable->parsed()) return RunDecision(a.data, a.version, a.as, a.reason, false);
  if (a.list->parsed()) return RunList(a.data);
  if (a.record->parsed()) return RunRecord(a.data, a.version);
  if (a.evaluate->parsed()) return Run(a.data, a.truth, false, "", 0, a.k, 0, {});
  return std::nullopt;
}

}  // namespace tessera::cli
