// Risk scores, practitioners' decisions and the model registry (issue 7;
// docs/design/0013-scores-decisions-cohorts.md). A score is derived data: shown only for the
// purpose risk_assessment under an agreement for it, only from the approved version, and only
// when the request may see every dataset it draws on (view/risk.h). Decisions are recorded
// against the score shown. The registry (metrics, transparency record, decisions against
// outcomes) is not personal data and is open to signed-in staff; approving and disabling a
// version is for information-governance officers, audited.
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "api/internal.h"
#include "risk/risk.h"
#include "view/risk.h"

namespace tessera::api {

namespace {

using nlohmann::json;

constexpr int kOutcomeWindowDays = 365;

// The categories that mark a model's outcome on a timeline.
std::vector<std::string> OutcomeCategories(std::string_view outcome) {
  std::vector<std::string> out;
  if (const risk::OutcomeDefinition* o = risk::FindOutcome(outcome)) {
    out.assign(o->categories.begin(), o->categories.end());
  }
  return out;
}

template <typename T>
json OptionalNumber(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

// A registry entry as the model pages list it. Metadata of the wrong shape (a damaged file
// registered) shows as missing figures, never as a failed page (risk::ParseModelMetadata).
json ModelEntry(const store::StoredRiskModel& m, store::Store& store) {
  risk::ModelMetadata meta =
      risk::ParseModelMetadata(m.metadata, m.version).value_or(risk::ModelMetadata{});
  json entry = {{"version", m.version},
                {"outcome", m.outcome},
                {"outcome_title", risk::OutcomeTitle(m.outcome)},
                {"state", m.state},
                {"created_at", IsoTime(m.created_at_micros)},
                {"decided_by", m.decided_by},
                {"decided_at", m.decided_at_micros ? json(IsoTime(m.decided_at_micros)) : json()},
                {"reason", m.reason},
                {"training_data_sha256", m.training_data_sha256},
                {"input_datasets", meta.input_datasets}};
  const risk::ModelMetadata::Summary& s = meta.summary;
  json summary = {{"roc_auc", OptionalNumber(s.roc_auc)},
                  {"pr_auc", OptionalNumber(s.pr_auc)},
                  {"ece", OptionalNumber(s.ece)},
                  {"baseline_roc_auc", OptionalNumber(s.baseline_roc_auc)},
                  {"baseline_pr_auc", OptionalNumber(s.baseline_pr_auc)},
                  {"k", OptionalNumber(s.k)},
                  {"precision_at_k", OptionalNumber(s.precision_at_k)},
                  {"recall_at_k", OptionalNumber(s.recall_at_k)},
                  {"rows", OptionalNumber(s.rows)},
                  {"positives", OptionalNumber(s.positives)}};
  json flags = json::array();
  for (const risk::ModelMetadata::Summary::FairnessFlag& axis : s.fairness_flags) {
    std::string flag = axis.axis + ":";
    for (const auto& [gap, words] :
         {std::pair{axis.fpr_gap, "false-positive"}, std::pair{axis.fnr_gap, "false-negative"}}) {
      if (!gap || !(*gap > 0.05)) continue;
      const int tenths = static_cast<int>(*gap * 1000 + 0.5);
      flag += std::string(" ") + words + " rate gap " + std::to_string(tenths / 10) + "." +
              std::to_string(tenths % 10) + " points";
    }
    flags.push_back(flag);
  }
  summary["fairness_flags"] = std::move(flags);
  entry["summary"] = std::move(summary);
  auto batch = store.GetRiskScoreBatch(m.version);
  if (batch.ok() && batch->count > 0 && batch->as_of) {
    entry["scores"] = {{"count", batch->count}, {"as_of", batch->as_of->ToIso()}};
  } else {
    entry["scores"] = nullptr;
  }
  return entry;
}

json CountOrNull(int64_t n, bool suppressed) { return suppressed ? json(nullptr) : json(n); }

// For each decision kind on `version`: how many were made, and how many of the nominals went on
// to have the outcome within a year of the decision (so far). Counts below 5 suppressed.
Result<json> DecisionsAgainstOutcomes(store::Store& store, const store::StoredRiskModel& model,
                                      const CivilDate& today) {
  TRY_ASSIGN(std::vector<store::StoredRiskDecision> all, store.ListRiskDecisions(0, 1'000'000));
  std::vector<store::StoredRiskDecision> decisions;
  std::optional<CivilDate> earliest;
  for (store::StoredRiskDecision& d : all) {
    if (d.version != model.version) continue;
    const CivilDate day = CivilDate::FromMicros(d.decided_at_micros);
    if (!earliest || day < *earliest) earliest = day;
    decisions.push_back(std::move(d));
  }
  // The outcome events after the earliest decision, by nominal.
  std::map<model::NominalId, std::vector<CivilDate>> outcomes;
  const std::vector<std::string> categories = OutcomeCategories(model.outcome);
  if (earliest && !categories.empty() && !(today < *earliest)) {
    TRY_ASSIGN(std::vector<store::EventFact> facts, store.ListEventFacts(*earliest, today));
    for (const store::EventFact& f : facts) {
      if (std::find(categories.begin(), categories.end(), f.category) == categories.end()) {
        continue;
      }
      for (model::NominalId n : f.nominals) outcomes[n].push_back(f.date);
    }
  }
  struct Tally {
    int64_t count = 0, followed = 0, pending = 0;
  };
  std::map<std::string, Tally> by_kind = {{"agree", {}}, {"disagree", {}}, {"action", {}}};
  for (const store::StoredRiskDecision& d : decisions) {
    Tally& t = by_kind[d.decision];
    ++t.count;
    const CivilDate day = CivilDate::FromMicros(d.decided_at_micros);
    if (today.ToDays() - day.ToDays() < kOutcomeWindowDays) ++t.pending;
    auto it = outcomes.find(d.nominal_id);
    if (it == outcomes.end()) continue;
    for (const CivilDate& when : it->second) {
      if (day < when && when.ToDays() - day.ToDays() <= kOutcomeWindowDays) {
        ++t.followed;
        break;
      }
    }
  }
  json rows = json::array();
  for (const char* kind : {"agree", "disagree", "action"}) {
    const Tally& t = by_kind[kind];
    const bool small = t.count > 0 && t.count < 5;
    const bool small_followed = small || (t.followed > 0 && t.followed < 5);
    json rate = nullptr;
    if (!small_followed && t.count > 0) rate = static_cast<double>(t.followed) / t.count;
    rows.push_back(
        {{"decision", kind},
         {"count", CountOrNull(t.count, small)},
         {"followed", CountOrNull(t.followed, small_followed)},
         {"rate", rate},
         {"pending", CountOrNull(t.pending, small || (t.pending > 0 && t.pending < 5))}});
  }
  return json{{"window_days", kOutcomeWindowDays},
              {"suppress_below", 5},
              {"outcome_categories", categories},
              {"rows", std::move(rows)}};
}

Result<store::StoredRiskModel> FindVersion(store::Store& store, std::string_view version) {
  TRY_ASSIGN(std::vector<store::StoredRiskModel> registry, store.ListRiskModels());
  for (store::StoredRiskModel& m : registry) {
    if (m.version == version) return std::move(m);
  }
  return Status::NotFound("no risk model " + std::string(version));
}

// The {version} path parameter: v1, v2, ...
Result<std::string> VersionParam(const serve::Request& request) {
  auto it = request.params.find("version");
  const std::string v = it == request.params.end() ? "" : it->second;
  if (v.size() < 2 || v.size() > 9 || v[0] != 'v' ||
      v.find_first_not_of("0123456789", 1) != std::string::npos) {
    return Status::InvalidArgument("version must be v1, v2, ...");
  }
  return v;
}

}  // namespace

Status HubApi::Impl::AddRiskRoutes(serve::Router& router) {
  auto with_view = [this](const serve::Request& request, const ViewBody& body) {
    return WithView(request, body);
  };

  TRY(router.Add(PersonalGet(
      "nominals.risk", "/api/v1/nominals/{id}/risk", [with_view](const serve::Request& request) {
        return with_view(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              TRY_ASSIGN(int64_t id, IdParam(request, "id"));
              ctx.seen.AddNominal(id);
              ctx.resource = "nominal/" + std::to_string(id) + "/risk";
              if (Status allowed = DerivedDataAllowed(ctx); !allowed.ok()) return allowed;
              TRY_ASSIGN(view::Page page, view::NominalRisk(vc, id, ctx.seen));
              if (page.redirect_to) {
                const std::string location =
                    "/api/v1/nominals/" + std::to_string(*page.redirect_to) + "/risk";
                serve::Response r =
                    JsonResponse(308, {{"redirect_to", *page.redirect_to}, {"location", location}});
                r.headers.emplace_back("Location", location);
                return r;
              }
              ctx.detail = "state=" + page.body["state"].get<std::string>();
              if (page.body.contains("score")) {
                ctx.detail += "; version=" + page.body["model"]["version"].get<std::string>() +
                              "; probability=" +
                              std::to_string(page.body["score"]["probability"].get<double>());
              }
              return JsonResponse(200, page.body);
            });
      })));

  TRY(router.Add(PersonalGet(
      "households.risk", "/api/v1/households/{id}/risk",
      [with_view](const serve::Request& request) {
        return with_view(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              TRY_ASSIGN(int64_t id, IdParam(request, "id"));
              ctx.resource = "household/" + std::to_string(id) + "/risk";
              if (Status allowed = DerivedDataAllowed(ctx); !allowed.ok()) return allowed;
              TRY_ASSIGN(view::Page page, view::HouseholdRisk(vc, id, ctx.seen));
              ctx.detail = "members=" + std::to_string(page.body["members"].size());
              return JsonResponse(200, page.body);
            });
      })));

  TRY(router.Add(serve::Route{
      .id = "risk.decide",
      .method = "POST",
      .pattern = "/api/v1/nominals/{id}/risk/decisions",
      .access = serve::Access::kPersonalData,
      .roles = {"practitioner", "analyst"},
      .handler = [with_view](const serve::Request& request) {
        return with_view(
            request, [&](const view::ViewContext& vc, CallContext& ctx) -> Result<serve::Response> {
              TRY_ASSIGN(int64_t id, IdParam(request, "id"));
              ctx.seen.AddNominal(id);
              ctx.resource = "nominal/" + std::to_string(id) + "/risk";
              if (Status allowed = DerivedDataAllowed(ctx); !allowed.ok()) return allowed;
              TRY_ASSIGN(json body, JsonBody(request));
              auto given = body.find("decision");
              const std::string decision =
                  given != body.end() && given->is_string() ? given->get<std::string>() : "";
              if (decision != "agree" && decision != "disagree" && decision != "action") {
                return Status::InvalidArgument(
                    "\"decision\" must be \"agree\", \"disagree\" or \"action\"");
              }
              TRY_ASSIGN(std::string reason, ReasonOf(body));
              // The decision is on the score this request may see now, or on nothing.
              TRY_ASSIGN(view::Page page, view::NominalRisk(vc, id, ctx.seen));
              if (page.redirect_to) {
                return Status::InvalidArgument(
                    "nominal " + std::to_string(id) + " was merged into " +
                    std::to_string(*page.redirect_to) + "; decide on that one");
              }
              if (page.body["state"] != "scored") {
                return Status::FailedPrecondition("there is no score shown to decide on: " +
                                                  page.body["message"].get<std::string>());
              }
              store::StoredRiskDecision d;
              d.nominal_id = id;
              d.version = page.body["model"]["version"].get<std::string>();
              d.probability = page.body["score"]["probability"].get<double>();
              d.decision = decision;
              d.reason = reason;
              d.actor = ctx.actor;
              d.agency = std::string(model::AgencyName(ctx.user.agency));
              d.purpose = ctx.purpose;
              TRY_ASSIGN(std::unique_ptr<store::Transaction> txn, vc.store.Begin());
              TRY_ASSIGN(d.id, vc.store.AddRiskDecision(*txn, d));
              if (Status committed = txn->Commit(); !committed.ok()) return committed;
              d.decided_at_micros = vc.now_micros;
              TRY_ASSIGN(std::vector<store::StoredRiskDecision> stored,
                         vc.store.ListRiskDecisions(id, 1));
              if (!stored.empty() && stored.front().id == d.id) d = stored.front();
              ctx.detail = "decision=" + decision + "; version=" + d.version +
                           "; probability=" + std::to_string(d.probability);
              return JsonResponse(201, {{"decision", view::DecisionJson(d)}});
            });
      }}));

  const std::vector<std::string> staff = {"practitioner", "analyst",
                                          "information_governance_officer", "administrator"};
  TRY(router.Add(serve::Route{.id = "risk.models",
                              .method = "GET",
                              .pattern = "/api/v1/risk/models",
                              .access = serve::Access::kUser,
                              .roles = staff,
                              .handler = [this](const serve::Request&) -> serve::Response {
                                auto lease = stores.Acquire();
                                if (!lease.ok()) return ProblemFromStatus(lease.status());
                                auto registry = (*lease)->ListRiskModels();
                                if (!registry.ok()) return ProblemFromStatus(registry.status());
                                json models = json::array();
                                for (auto it = registry->rbegin(); it != registry->rend(); ++it) {
                                  models.push_back(ModelEntry(*it, **lease));
                                }
                                return JsonResponse(200, {{"models", std::move(models)}});
                              }}));

  TRY(router.Add(serve::Route{
      .id = "risk.model",
      .method = "GET",
      .pattern = "/api/v1/risk/models/{version}",
      .access = serve::Access::kUser,
      .roles = staff,
      .handler = [this](const serve::Request& request) -> serve::Response {
        CallContext& ctx = ContextOf(request);
        auto version = VersionParam(request);
        if (!version.ok()) return ProblemFromStatus(version.status());
        auto lease = stores.Acquire();
        if (!lease.ok()) return ProblemFromStatus(lease.status());
        auto m = FindVersion(**lease, *version);
        if (!m.ok()) return ProblemFromStatus(m.status());
        json entry = ModelEntry(*m, **lease);
        const json meta = json::parse(m->metadata, nullptr, /*allow_exceptions=*/false);
        entry["report"] = meta.is_object() ? meta.value("metrics", json()) : json();
        auto record = risk::TransparencyRecord(m->metadata, &*m);
        entry["transparency_record"] = record.ok() ? json(*record) : json(nullptr);
        auto outcomes = DecisionsAgainstOutcomes(**lease, *m, Today());
        if (!outcomes.ok()) return ProblemFromStatus(outcomes.status());
        entry["decisions_vs_outcomes"] = std::move(*outcomes);
        // Counts over practitioners' decisions on people: audited, though suppressed.
        ctx.audit = true;
        ctx.resource = "models/risk/" + *version;
        return JsonResponse(200, entry);
      }}));

  for (const bool approve : {true, false}) {
    const std::string verb = approve ? "approve" : "disable";
    TRY(router.Add(serve::Route{
        .id = "risk." + verb,
        .method = "POST",
        .pattern = "/api/v1/risk/models/{version}/" + verb,
        .access = serve::Access::kUser,
        .roles = {"information_governance_officer"},
        .handler = [this, approve](const serve::Request& request) -> serve::Response {
          CallContext& ctx = ContextOf(request);
          auto version = VersionParam(request);
          if (!version.ok()) return ProblemFromStatus(version.status());
          auto body = JsonBody(request);
          if (!body.ok()) return ProblemFromStatus(body.status());
          auto reason = ReasonOf(*body);
          if (!reason.ok()) return ProblemFromStatus(reason.status());
          auto lease = stores.Acquire();
          if (!lease.ok()) return ProblemFromStatus(lease.status());
          auto txn = (*lease)->Begin();
          if (!txn.ok()) return ProblemFromStatus(txn.status());
          ctx.audit = true;
          ctx.resource = "models/risk/" + *version;
          ctx.justification = *reason;
          if (Status s = (*lease)->SetRiskModelState(
                  **txn, *version, approve ? "approved" : "disabled", ctx.actor, *reason);
              !s.ok()) {
            return ProblemFromStatus(s);
          }
          if (Status s = (*txn)->Commit(); !s.ok()) return ProblemFromStatus(s);
          auto m = FindVersion(**lease, *version);
          if (!m.ok()) return ProblemFromStatus(m.status());
          return JsonResponse(200, ModelEntry(*m, **lease));
        }}));
  }
  return Status::Ok();
}

}  // namespace tessera::api
