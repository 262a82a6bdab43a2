#include "cli/resolve_commands.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli_common.h"
#include "core/ascii.h"
#include "core/clock.h"
#include "resolve/evaluate.h"
#include "resolve/linkage_model.h"
#include "resolve/resolver.h"
#include "resolve/train.h"
#include "store/store.h"

namespace tessera::cli {
namespace {

using resolve::LinkageModel;

std::string Thousands(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

Result<LinkageModel> LoadOrDefault(const std::string& hub) {
  std::string path = resolve::LinkageModelPath(hub);
  if (!std::filesystem::exists(path)) return LinkageModel::Defaults();
  return LinkageModel::Load(path);
}

void PrintTraining(const LinkageModel& m) {
  fmt::print(
      "trained on {} person records: u from {} random pairs, m by EM over {} candidate "
      "pairs\n",
      Thousands(m.training.records), Thousands(m.training.random_pairs),
      Thousands(m.training.blocked_pairs));
  fmt::print("{:<28} {:>12} {:>10} {:>10} {:>10}\n", "EM session (blocking rule)", "pairs",
             "iterations", "converged", "matches");
  for (const auto& s : m.training.sessions) {
    if (s.iterations == 0) {
      fmt::print("{:<28} {:>12} {:>10} {:>10} {:>10}\n", s.rule, Thousands(s.pairs), "-", "too few",
                 "-");
    } else {
      fmt::print("{:<28} {:>12} {:>10} {:>10} {:>9.1f}%\n", s.rule, Thousands(s.pairs),
                 s.iterations, s.converged ? "yes" : "no", 100 * s.lambda);
    }
  }
  fmt::print("expected matching pairs {:.0f}; prior lambda {:.3g} (match weight {:.2f})\n",
             m.training.expected_matches, m.lambda, resolve::ProbabilityToWeight(m.lambda));
}

void PrintModel(const LinkageModel& m) {
  fmt::print("prior: lambda {:.4g}, match weight {:+.2f}\n", m.lambda,
             resolve::ProbabilityToWeight(m.lambda));
  fmt::print("thresholds: link at probability >= {} (weight {:+.2f}), review >= {} ({:+.2f})\n",
             m.link_threshold, resolve::ProbabilityToWeight(m.link_threshold), m.review_threshold,
             resolve::ProbabilityToWeight(m.review_threshold));
  fmt::print("blocking (max block size {}):\n", m.max_block_size);
  for (const auto& r : m.blocking) {
    std::string keys;
    for (auto p : r.parts)
      keys += (keys.empty() ? "" : " + ") + std::string(resolve::KeyPartName(p));
    fmt::print("  {:<26} {}\n", r.name, keys);
  }
  fmt::print("\n{:<14} {:<18} {:>10} {:>10} {:>9} {}\n", "comparison", "level", "m", "u", "weight",
             "");
  for (const auto& c : m.comparisons) {
    auto info = resolve::ComparisonLevels(c.kind);
    for (size_t l = 0; l < c.levels.size(); ++l) {
      double w = std::log2(c.levels[l].m / c.levels[l].u);
      int bar = static_cast<int>(std::lround(std::clamp(w, -20.0, 20.0)));
      std::string bars = bar >= 0 ? std::string(bar, '+') : std::string(-bar, '-');
      fmt::print("{:<14} {:<18} {:>10.4g} {:>10.4g} {:>+9.2f} {}{}\n",
                 l == 0 ? std::string(resolve::ComparisonName(c.kind)) : "", info[l].name,
                 c.levels[l].m, c.levels[l].u, w, bars,
                 info[l].term_frequency ? "  (adjusted by name frequency)" : "");
    }
    if (!c.m_estimated)
      fmt::print("{:<14} (m not estimated from this data: starting values)\n", "");
  }
  fmt::print("\nterm frequencies: {} given names, {} family names (floor {:.3g})\n",
             m.given_frequencies.size(), m.family_frequencies.size(), m.term_frequency_floor);
}

std::string FormatWaterfall(const resolve::Waterfall& w) {
  std::string out;
  out += fmt::format("  {:<14} {:<18} {:<26} {:<26} {:>8} {:>9}\n", "comparison", "level",
                     "record A", "record B", "weight", "total");
  out += fmt::format("  {:<14} {:<18} {:<26} {:<26} {:>+8.2f} {:>+9.2f}\n", "prior", "", "", "",
                     w.prior_weight, w.prior_weight);
  for (const auto& s : w.steps) {
    std::string level = s.level + (s.term_frequency ? " (tf)" : "");
    out += fmt::format("  {:<14} {:<18} {:<26} {:<26} {:>+8.2f} {:>+9.2f}\n", s.comparison, level,
                       ascii::EscapedForTerminal(s.value_a).substr(0, 26),
                       ascii::EscapedForTerminal(s.value_b).substr(0, 26), s.weight, s.cumulative);
  }
  out += fmt::format("  match weight {:+.2f} -> probability {:.6f} -> {}\n", w.match_weight,
                     w.probability, w.decision);
  return out;
}

nlohmann::json WaterfallJson(const resolve::Waterfall& w) {
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& s : w.steps) {
    steps.push_back({{"comparison", s.comparison},
                     {"level", s.level},
                     {"description", s.description},
                     {"value_a", s.value_a},
                     {"value_b", s.value_b},
                     {"m", s.m},
                     {"u", s.u},
                     {"term_frequency", s.term_frequency},
                     {"bayes_factor", s.bayes_factor},
                     {"weight", s.weight},
                     {"cumulative", s.cumulative}});
  }
  return {{"prior_weight", w.prior_weight},
          {"steps", steps},
          {"match_weight", w.match_weight},
          {"probability", w.probability},
          {"decision", w.decision}};
}

}  // namespace

struct ResolveCommands::Args {
  std::string data;
  int threads = 2;
  int64_t random_pairs = 2'000'000;
  std::optional<double> link;
  std::optional<double> review;
  std::string model_path;
  std::string records;
  int64_t record = 0;
  int64_t nominal = 0;
  std::string reason;
  bool json = false;
  std::string truth;
  std::string truth_column = std::string(resolve::kDefaultEntityColumn);
  int worst = 5;
  std::string status = "open";
  int64_t after = 0;
  int limit = 50;
  int64_t id = 0;
  int64_t into = 0;
  int64_t from = 0;

  CLI::App* train = nullptr;
  CLI::App* show = nullptr;
  CLI::App* resolve = nullptr;
  CLI::App* explain = nullptr;
  CLI::App* evaluate = nullptr;
  CLI::App* review_list = nullptr;
  CLI::App* review_accept = nullptr;
  CLI::App* review_reject = nullptr;
  CLI::App* merge = nullptr;
  CLI::App* split = nullptr;
};

ResolveCommands::ResolveCommands(CLI::App& app) : args_(new Args) {
  Args& a = *args_;
  auto* linkage =
      app.add_subcommand("linkage", "The record-linkage model (HUB/models/linkage.json)");
  linkage->require_subcommand(1);
  a.train = linkage->add_subcommand(
      "train",
      "Train the match model on the hub's records without labels (u from random pairs, "
      "m by EM per blocking rule, lambda estimated); clerical decisions count as labels");
  a.train->add_option("--data", a.data, "Hub directory")->required();
  a.train->add_option("--threads", a.threads, "Threads")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  a.train->add_option("--random-pairs", a.random_pairs, "Random pairs sampled for u")
      ->check(CLI::Range(int64_t{1000}, int64_t{100'000'000}))
      ->capture_default_str();
  a.train->add_option("--link", a.link, "Link threshold (probability) to store in the model")
      ->check(CLI::Range(0.0, 1.0));
  a.train->add_option("--review", a.review, "Review threshold (probability)")
      ->check(CLI::Range(0.0, 1.0));
  a.show = linkage->add_subcommand("show", "Print the model's weights per comparison level");
  a.show->add_option("--data", a.data, "Hub directory");
  a.show->add_option("--model", a.model_path, "A model file instead of the hub's");

  a.resolve = app.add_subcommand(
      "resolve",
      "Resolve person records into golden nominals: a batch the first time, then "
      "incrementally (trains a model first if the hub has none)");
  a.resolve->add_option("--data", a.data, "Hub directory")->required();
  a.resolve->add_option("--threads", a.threads, "Threads")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();

  a.explain = app.add_subcommand(
      "explain",
      "Explain a match decision as a waterfall of weights: --records A,B for a pair, "
      "or --record A --nominal N for a record against a nominal (audited)");
  a.explain->add_option("--data", a.data, "Hub directory")->required();
  a.explain->add_option("--records", a.records, "Two person record ids, A,B");
  a.explain->add_option("--record", a.record, "A person record id");
  a.explain->add_option("--nominal", a.nominal, "A nominal id");
  a.explain->add_option("--reason", a.reason, "Why you need to see these records (audited)")
      ->required();
  a.explain->add_flag("--json", a.json, "JSON instead of text");

  a.evaluate = app.add_subcommand(
      "evaluate",
      "Compare the hub's nominals with a truth CSV (source,record_id,ENTITY): "
      "pairwise and B-cubed precision, recall and F1, worst false merges and splits");
  a.evaluate->add_option("--data", a.data, "Hub directory")->required();
  a.evaluate->add_option("--truth", a.truth, "Truth CSV")->required();
  a.evaluate->add_option("--truth-column", a.truth_column, "Entity column")->capture_default_str();
  a.evaluate->add_option("--worst", a.worst, "False merges and splits to show")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  a.evaluate->add_flag("--json", a.json, "JSON instead of text");

  auto* review = app.add_subcommand("review", "Clerical review of borderline pairs");
  review->require_subcommand(1);
  a.review_list = review->add_subcommand("list", "List review pairs (ids and scores)");
  a.review_list->add_option("--data", a.data, "Hub directory")->required();
  a.review_list->add_option("--status", a.status, "open, accepted, rejected, stale or all")
      ->check(CLI::IsMember({"open", "accepted", "rejected", "stale", "all"}))
      ->capture_default_str();
  a.review_list->add_option("--after", a.after, "Pairs after this id (paging)");
  a.review_list->add_option("--limit", a.limit, "At most this many")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  for (CLI::App** sub : {&a.review_accept, &a.review_reject}) {
    bool accept = sub == &a.review_accept;
    *sub = review->add_subcommand(accept ? "accept" : "reject",
                                  accept ? "Accept a pair as the same person, and re-resolve"
                                         : "Reject a pair as different people, and re-resolve");
    (*sub)->add_option("--data", a.data, "Hub directory")->required();
    (*sub)->add_option("--id", a.id, "Review pair id")->required();
    (*sub)->add_option("--reason", a.reason, "Why (kept with the decision)")->required();
  }

  auto* nominal = app.add_subcommand("nominal", "Manual merge and split of nominals");
  nominal->require_subcommand(1);
  a.merge = nominal->add_subcommand(
      "merge", "Merge nominal --from into nominal --into (a must-link decision), and re-resolve");
  a.merge->add_option("--data", a.data, "Hub directory")->required();
  a.merge->add_option("--into", a.into, "Surviving nominal")->required();
  a.merge->add_option("--from", a.from, "Nominal to absorb")->required();
  a.merge->add_option("--reason", a.reason, "Why (kept with the decision)")->required();
  a.split = nominal->add_subcommand(
      "split",
      "Split person records off a nominal as a different person (cannot-link "
      "decisions), and re-resolve");
  a.split->add_option("--data", a.data, "Hub directory")->required();
  a.split->add_option("--nominal", a.nominal, "Nominal to split")->required();
  a.split->add_option("--records", a.records, "Person record ids to split off, comma-separated")
      ->required();
  a.split->add_option("--reason", a.reason, "Why (kept with the decision)")->required();
}

ResolveCommands::~ResolveCommands() { delete args_; }

namespace {

Result<std::vector<int64_t>> ParseIds(const std::string& text) {
  std::vector<int64_t> ids;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    std::string_view t = ascii::TrimBlanks(item);
    if (t.empty()) continue;
    int64_t v = 0;
    for (char c : t) {
      if (!ascii::IsDigit(c)) {
        return Status::InvalidArgument("not a record id: " + ascii::QuotedForMessage(t));
      }
      v = v * 10 + (c - '0');
    }
    ids.push_back(v);
  }
  return ids;
}

Result<std::unique_ptr<store::Store>> Open(const std::string& hub) { return OpenHub(hub); }

void PrintSummary(const resolve::ResolveSummary& s) {
  fmt::print(
      "resolved {} person records ({}) in {:.2f} s: load {:.2f} s, score {:.2f} s, "
      "cluster {:.2f} s, write {:.2f} s\n",
      Thousands(s.records), s.batch ? "batch" : "incremental",
      s.load_seconds + s.score_seconds + s.cluster_seconds + s.persist_seconds, s.load_seconds,
      s.score_seconds, s.cluster_seconds, s.persist_seconds);
  fmt::print("new records {}, retired {}, candidate pairs compared {}\n", Thousands(s.new_records),
             Thousands(s.retired_records), Thousands(s.candidate_pairs));
  if (!s.blocking.empty()) {
    fmt::print("{:<26} {:>12} {:>10} {:>9}  {}\n", "blocking rule", "pairs", "blocks", "largest",
               "oversized blocks skipped");
    for (const auto& r : s.blocking) {
      fmt::print("{:<26} {:>12} {:>10} {:>9}  {}\n", r.name, Thousands(r.pairs),
                 Thousands(r.blocks), Thousands(r.largest_block),
                 r.oversized_blocks == 0
                     ? std::string("0")
                     : fmt::format("{} ({} records; largest {})", r.oversized_blocks,
                                   Thousands(r.oversized_records), r.largest_oversized_key));
    }
  }
  fmt::print("links {} (at or above the link threshold), borderline {}\n", Thousands(s.links),
             Thousands(s.borderline));
  fmt::print(
      "reclustered {} records: nominals created {}, merged {}, split {}, retired {}; "
      "records attached {}\n",
      Thousands(s.reclustered_records), Thousands(s.nominals_created), Thousands(s.nominals_merged),
      Thousands(s.nominals_split), Thousands(s.nominals_retired), Thousands(s.records_moved));
  std::string reasons;
  for (const auto& [k, v] : s.refused_by_reason) {
    reasons += fmt::format("{}{} {}", reasons.empty() ? "" : ", ", k, v);
  }
  fmt::print("links refused for conflicting evidence: {}{}\n", Thousands(s.refused_links),
             reasons.empty() ? "" : " (" + reasons + ")");
  fmt::print("pairs queued for clerical review: {}\n", Thousands(s.review_queued));
  fmt::print("live nominals: {}\n", Thousands(s.nominals));
}

int RunTrain(const std::string& hub, int threads, int64_t random_pairs, std::optional<double> link,
             std::optional<double> review) {
  auto store = Open(hub);
  if (!store.ok()) return Fail(store.status());
  auto start = LoadOrDefault(hub);
  if (!start.ok()) return Fail(start.status());
  if (link) start->link_threshold = *link;
  if (review) start->review_threshold = *review;
  if (start->review_threshold > start->link_threshold) {
    return Fail(
        Status::InvalidArgument("the review threshold must not be above the link threshold"));
  }
  resolve::TrainingOptions options;
  options.threads = threads;
  options.random_pairs = random_pairs;
  auto model = resolve::TrainFromStore(**store, *start, options);
  if (!model.ok()) return Fail(model.status());
  std::string path = resolve::LinkageModelPath(hub);
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  if (auto s = model->Save(path); !s.ok()) return Fail(s);
  PrintTraining(*model);
  fmt::print("model written to {}\n", path);
  return 0;
}

// Runs the resolver on the hub (training a model first if there is none).
int RunResolve(const std::string& hub, int threads, bool quiet) {
  auto store = Open(hub);
  if (!store.ok()) return Fail(store.status());
  std::string path = resolve::LinkageModelPath(hub);
  Result<LinkageModel> model = Status::NotFound("");
  if (!std::filesystem::exists(path)) {
    fmt::print("no linkage model in this hub yet: training one first\n");
    resolve::TrainingOptions options;
    options.threads = threads;
    model = resolve::TrainFromStore(**store, LinkageModel::Defaults(), options);
    if (!model.ok()) return Fail(model.status());
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    if (auto s = model->Save(path); !s.ok()) return Fail(s);
    PrintTraining(*model);
  } else {
    model = LinkageModel::Load(path);
    if (!model.ok()) return Fail(model.status());
  }
  resolve::ResolverOptions options;
  options.threads = threads;
  auto resolver = resolve::Resolver::Open(hub, **store, std::move(*model), options);
  if (!resolver.ok()) return Fail(resolver.status());
  auto summary = (*resolver)->Run();
  if (!summary.ok()) return Fail(summary.status());
  if (!quiet) PrintSummary(*summary);
  return 0;
}

int RunShow(const std::string& hub, const std::string& model_path) {
  std::string path = !model_path.empty() ? model_path
                     : !hub.empty()      ? resolve::LinkageModelPath(hub)
                                         : "";
  if (path.empty()) return Fail(Status::InvalidArgument("give --data HUB or --model FILE"));
  auto model = LinkageModel::Load(path);
  if (!model.ok()) return Fail(model.status());
  PrintModel(*model);
  return 0;
}

Result<LinkageModel> HubModel(const std::string& hub) {
  return LinkageModel::Load(resolve::LinkageModelPath(hub));
}

int RunExplain(const std::string& hub, const std::string& records, int64_t record, int64_t nominal,
               const std::string& reason, bool json) {
  if (auto s = RequireReason(reason); !s.ok()) {
    return Fail(s);
  }
  auto store = Open(hub);
  if (!store.ok()) return Fail(store.status());
  auto model = HubModel(hub);
  if (!model.ok()) return Fail(model.status());
  if (!records.empty()) {
    auto ids = ParseIds(records);
    if (!ids.ok()) return Fail(ids.status());
    if (ids->size() != 2) return Fail(Status::InvalidArgument("--records takes two ids: A,B"));
    auto w = resolve::ExplainPair(**store, *model, (*ids)[0], (*ids)[1]);
    if (!w.ok()) return Fail(w.status());
    if (auto s = AuditAccess(**store, "resolve.explain",
                             fmt::format("person_records/{},{}", (*ids)[0], (*ids)[1]), reason,
                             "records=2");
        !s.ok()) {
      return Fail(s);
    }
    if (json) {
      fmt::print("{}\n", WaterfallJson(*w).dump(2));
    } else {
      fmt::print("person record {} against person record {}\n{}", (*ids)[0], (*ids)[1],
                 FormatWaterfall(*w));
    }
    return 0;
  }
  if (record == 0 || nominal == 0) {
    return Fail(Status::InvalidArgument("give --records A,B or --record A --nominal N"));
  }
  auto e = resolve::ExplainRecordAgainstNominal(**store, *model, record, nominal);
  if (!e.ok()) return Fail(e.status());
  if (auto s = AuditAccess(**store, "resolve.explain",
                           fmt::format("person_records/{} nominals/{}", record, e->nominal), reason,
                           fmt::format("records={}", e->pairs.size() + 1));
      !s.ok()) {
    return Fail(s);
  }
  if (json) {
    nlohmann::json pairs = nlohmann::json::array();
    for (const auto& [id, w] : e->pairs)
      pairs.push_back({{"record", id}, {"waterfall", WaterfallJson(w)}});
    fmt::print(
        "{}\n",
        nlohmann::json{{"record", record}, {"nominal", e->nominal}, {"pairs", pairs}}.dump(2));
    return 0;
  }
  fmt::print("person record {} against the {} other record(s) of nominal {}, strongest first\n",
             record, e->pairs.size(), e->nominal);
  for (const auto& [id, w] : e->pairs) {
    fmt::print("\nwith person record {}:\n{}", id, FormatWaterfall(w));
  }
  return 0;
}

int RunEvaluate(const std::string& hub, const std::string& truth_path, const std::string& column,
                int worst, bool json) {
  auto truth = resolve::ReadTruthCsv(truth_path, column);
  if (!truth.ok()) return Fail(truth.status());
  auto store = Open(hub);
  if (!store.ok()) return Fail(store.status());
  auto assignments = (*store)->ListNominalAssignments();
  if (!assignments.ok()) return Fail(assignments.status());
  std::unordered_map<model::PersonRecordId, model::NominalId> nominal_of;
  for (const auto& a : *assignments) nominal_of[a.person_record_id] = a.nominal_id;
  std::vector<resolve::EvaluatedRecord> predictions;
  std::vector<model::PersonRecordId> record_ids;
  for (model::PersonRecordId after = 0;;) {
    auto page = (*store)->ListPersonRecordsForResolution(after, 50000);
    if (!page.ok()) return Fail(page.status());
    for (const auto& r : *page) {
      after = r.id;
      auto it = nominal_of.find(r.id);
      if (it == nominal_of.end()) continue;  // not resolved yet
      predictions.push_back({r.source_id, r.mention_key, it->second});
      record_ids.push_back(r.id);
    }
    if (page->size() < 50000) break;
  }
  resolve::EvaluationOptions options;
  options.worst = worst;
  auto report = resolve::Evaluate(*truth, predictions, options);
  if (!report.ok()) return Fail(report.status());
  if (worst > 0) {
    auto model = HubModel(hub);
    if (!model.ok()) return Fail(model.status());
    if (auto s = AuditAccess(**store, "resolve.evaluate", "nominals",
                             "evaluation against " + truth_path, fmt::format("worst={}", worst));
        !s.ok()) {
      return Fail(s);
    }
    auto explain = [&](const resolve::RecordRef& x, const resolve::RecordRef& y, std::string& text,
                       std::string& js) {
      auto w = resolve::ExplainPair(**store, *model, record_ids[x.index], record_ids[y.index]);
      if (!w.ok()) return;
      text = fmt::format("person records {} and {}:\n{}", record_ids[x.index], record_ids[y.index],
                         FormatWaterfall(*w));
      js = WaterfallJson(*w).dump();
    };
    for (auto& m : report->worst_false_merges) {
      explain(m.representative_pair.first, m.representative_pair.second, m.explanation,
              m.explanation_json);
    }
    for (auto& s : report->worst_false_splits) {
      explain(s.representative_pair.first, s.representative_pair.second, s.explanation,
              s.explanation_json);
    }
  }
  if (json) {
    fmt::print("{}\n", resolve::EvaluationReportJson(*report));
  } else {
    fmt::print("{}", resolve::FormatEvaluationReport(*report));
  }
  return 0;
}

int RunReviewList(const std::string& hub, const std::string& status, int64_t after, int limit) {
  auto store = Open(hub);
  if (!store.ok()) return Fail(store.status());
  store::ReviewQuery q;
  if (status != "all") {
    q.status = status == "open"       ? store::ReviewStatus::kOpen
               : status == "accepted" ? store::ReviewStatus::kAccepted
               : status == "rejected" ? store::ReviewStatus::kRejected
                                      : store::ReviewStatus::kStale;
  }
  q.after_id = after;
  q.limit = limit;
  auto pairs = (*store)->ListReviewPairs(q);
  if (!pairs.ok()) return Fail(pairs.status());
  fmt::print("{:>8} {:>10} {:>10} {:>11} {:>8} {:<9} {}\n", "id", "record A", "record B",
             "probability", "weight", "status", "decided by / reason");
  for (const auto& p : *pairs) {
    fmt::print(
        "{:>8} {:>10} {:>10} {:>11.4f} {:>+8.2f} {:<9} {}\n", p.id, p.a, p.b, p.probability,
        p.match_weight, store::ReviewStatusName(p.status),
        p.decided_by.empty() ? "" : p.decided_by + ": " + ascii::EscapedForTerminal(p.reason));
  }
  fmt::print("{} pair(s); see one with `tessera explain --data HUB --records A,B --reason ...`\n",
             pairs->size());
  return 0;
}

// Stores the decision (resolve::RecordClericalDecision, as the API does), then re-resolves so
// that it takes effect.
int Decide(const std::string& hub, const resolve::ClericalDecision& decision,
           const std::string& reason) {
  {
    auto store = Open(hub);
    if (!store.ok()) return Fail(store.status());
    auto ids = resolve::RecordClericalDecision(**store, decision);
    if (!ids.ok()) return Fail(ids.status());
    std::string resource;
    for (const auto& d : decision.links) {
      resource += fmt::format("{}{}:{},{}", resource.empty() ? "" : " ",
                              store::LinkDecisionKindName(d.kind), d.a, d.b);
    }
    if (auto s = AuditAccess(**store, "resolve.decision", resource.substr(0, 2000), reason,
                             fmt::format("decisions={}", decision.links.size()));
        !s.ok()) {
      return Fail(s);
    }
    fmt::print("{} decision(s) recorded\n", decision.links.size());
  }
  if (!std::filesystem::exists(resolve::LinkageModelPath(hub))) {
    fmt::print("no linkage model yet: the decision takes effect at the next `tessera resolve`\n");
    return 0;
  }
  return RunResolve(hub, 2, /*quiet=*/false);
}

// Runs `make` (one of resolve::ReviewPairDecision, MergeDecision, SplitDecision) on the hub's
// store, after checking the reason, and records what it decided.
int DecideWith(const std::string& hub, const std::string& reason,
               const std::function<Result<resolve::ClericalDecision>(
                   store::Store&, const resolve::DecisionAuthor&)>& make) {
  if (auto s = RequireReason(reason, "you decided (it is kept with the decision)"); !s.ok())
    return Fail(s);
  resolve::ClericalDecision decision;
  {
    auto store = Open(hub);
    if (!store.ok()) return Fail(store.status());
    auto made = make(**store, {CliActor(), reason});
    if (!made.ok()) return Fail(made.status());
    decision = std::move(made).value();
  }
  return Decide(hub, decision, reason);
}

int RunReviewDecision(const std::string& hub, int64_t id, bool accept, const std::string& reason) {
  return DecideWith(hub, reason, [&](store::Store& store, const resolve::DecisionAuthor& by) {
    return resolve::ReviewPairDecision(store, id, accept, by);
  });
}

int RunMerge(const std::string& hub, int64_t into, int64_t from, const std::string& reason) {
  return DecideWith(hub, reason, [&](store::Store& store, const resolve::DecisionAuthor& by) {
    return resolve::MergeDecision(store, into, from, by);
  });
}

int RunSplit(const std::string& hub, int64_t nominal, const std::string& records,
             const std::string& reason) {
  auto ids = ParseIds(records);
  if (!ids.ok()) return Fail(ids.status());
  return DecideWith(hub, reason, [&](store::Store& store, const resolve::DecisionAuthor& by) {
    return resolve::SplitDecision(store, nominal, *ids, by);
  });
}

}  // namespace

std::optional<int> ResolveCommands::Dispatch() {
  Args& a = *args_;
  if (a.train->parsed()) return RunTrain(a.data, a.threads, a.random_pairs, a.link, a.review);
  if (a.show->parsed()) return RunShow(a.data, a.model_path);
  if (a.resolve->parsed()) return RunResolve(a.data, a.threads, false);
  if (a.explain->parsed()) {
    return RunExplain(a.data, a.records, a.record, a.nominal, a.reason, a.json);
  }
  if (a.evaluate->parsed()) return RunEvaluate(a.data, a.truth, a.truth_column, a.worst, a.json);
  if (a.review_list->parsed()) return RunReviewList(a.data, a.status, a.after, a.limit);
  if (a.review_accept->parsed()) return RunReviewDecision(a.data, a.id, true, a.reason);
  if (a.review_reject->parsed()) return RunReviewDecision(a.data, a.id, false, a.reason);
  if (a.merge->parsed()) return RunMerge(a.data, a.into, a.from, a.reason);
  if (a.split->parsed()) return RunSplit(a.data, a.nominal, a.records, a.reason);
  return std::nullopt;
}

}  // namespace tessera::cli
