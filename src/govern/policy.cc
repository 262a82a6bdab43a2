#include "govern/policy.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/ascii.h"

namespace tessera::govern {

namespace {

bool AppliesTo(const store::StoredRestriction& r, std::string_view purpose) {
  return r.purposes.empty() ||
         std::find(r.purposes.begin(), r.purposes.end(), purpose) != r.purposes.end();
}

}  // namespace

std::string AccessDecision::AgreementList() const {
  std::string out;
  for (const std::string& a : agreements) out += (out.empty() ? "" : ", ") + a;
  return out;
}

// What the engine read from the store at one GovernanceStamp.
struct PolicyEngine::Rules {
  store::GovernanceStamp stamp;
  std::map<std::string, store::StoredPurpose> purposes;
  std::map<std::string, Agreement> tier1;  // latest versions, by code
  std::vector<Agreement> tier2;            // latest versions
  // Restrictions in force, each with what it names resolved to ids.
  struct Resolved {
    store::StoredRestriction restriction;
    std::vector<model::SourceRecordId> records;  // target "record": every version
    std::vector<model::NominalId> nominals;      // target "nominal": the live id and split-offs
    FieldMask fields = 0;
  };
  std::vector<Resolved> restrictions;
};

Result<std::shared_ptr<const PolicyEngine::Rules>> PolicyEngine::CurrentRules(store::Store& store) {
  TRY_ASSIGN(store::GovernanceStamp stamp, store.GetGovernanceStamp());
  {
    std::lock_guard lock(mu_);
    if (rules_ && rules_->stamp == stamp) return rules_;
  }
  auto rules = std::make_shared<Rules>();
  rules->stamp = stamp;
  TRY_ASSIGN(std::vector<store::StoredPurpose> purposes, store.ListPurposes());
  for (auto& p : purposes) rules->purposes[p.code] = std::move(p);
  Governance governance(store, clock_);
  TRY_ASSIGN(std::vector<Agreement> agreements, governance.ListAgreements(false));
  for (Agreement& a : agreements) {
    if (a.tier == 1) {
      rules->tier1[a.code] = std::move(a);
    } else {
      rules->tier2.push_back(std::move(a));
    }
  }
  TRY_ASSIGN(std::vector<store::StoredRestriction> restrictions, store.ListRestrictions(false));
  for (store::StoredRestriction& r : restrictions) {
    Rules::Resolved resolved;
    for (const std::string& f : r.fields) {
      if (std::optional<FieldMask> mask = FieldMaskFromPath(f)) resolved.fields |= *mask;
    }
    if (r.target == "record") {
      TRY_ASSIGN(resolved.records, store.ListSourceRecordVersionIds(r.source_id, r.record_key));
    } else if (r.target == "nominal") {
      // The nominal the id means now, and any nominal split off it since: a restriction on a
      // person follows their records.
      std::set<model::NominalId> ids;
      std::vector<model::NominalId> todo = {r.nominal_id};
      while (!todo.empty()) {
        const model::NominalId id = todo.back();
        todo.pop_back();
        Result<model::NominalId> live = store.ResolveNominalId(id);
        if (!live.ok()) continue;  // an id that never existed names nothing
        for (model::NominalId candidate : {id, *live}) {
          if (!ids.insert(candidate).second) continue;
          TRY_ASSIGN(std::vector<store::NominalLineage> lineage,
                     store.ListNominalLineage(candidate));
          for (const store::NominalLineage& step : lineage) {
            if (step.kind == "split" && step.from == candidate && step.to != 0) {
              todo.push_back(step.to);
            }
          }
        }
      }
      resolved.nominals.assign(ids.begin(), ids.end());
    }
    resolved.restriction = std::move(r);
    rules->restrictions.push_back(std::move(resolved));
  }
  std::lock_guard lock(mu_);
  rules_ = rules;
  return std::shared_ptr<const Rules>(rules);
}

Result<AccessDecision> PolicyEngine::Decide(store::Store& store, const User& user,
                                            const AccessRequest& request) {
  AccessDecision decision;
  auto visibility = std::make_shared<Visibility>();
  decision.visibility = visibility;
  auto deny = [&](std::string why) -> Result<AccessDecision> {
    decision.allowed = false;
    decision.denial = std::move(why);
    return decision;
  };
  const int64_t now = clock_.NowMicros();
  const CivilDate today = CivilDate::FromMicros(now);
  if (!user.enabled) return deny("the account is disabled");
  // A partner system's account pushes records; whatever an agreement says, it reads nothing.
  if (user.HasRole(UserRole::kServiceAccount)) {
    return deny("a service account never reads personal data");
  }
  if (!IsTrained(user, today)) {
    return deny("data-protection training is not current (trained " + user.trained_on.ToIso() +
                ", expires " + user.training_expires.ToIso() + ")");
  }
  if (request.purpose.empty()) return deny("no purpose was stated");
  if (ascii::TrimBlanks(request.justification).empty()) {
    return deny("no justification was given: state a reason or a case reference");
  }
  if (request.justification.size() > kMaxJustificationBytes) {
    return deny("the justification is longer than " + std::to_string(kMaxJustificationBytes) +
                " bytes");
  }
  TRY_ASSIGN(std::shared_ptr<const Rules> rules, CurrentRules(store));
  auto purpose = rules->purposes.find(request.purpose);
  if (purpose == rules->purposes.end() || !purpose->second.active) {
    return deny("'" + request.purpose + "' is not an active purpose in the catalogue");
  }

  for (const Agreement& a : rules->tier2) {
    if (a.purpose != request.purpose || !a.InForce(today)) continue;
    auto parent = rules->tier1.find(a.parent);
    if (parent == rules->tier1.end() || !parent->second.InForce(today)) continue;
    std::optional<std::string> role = a.Nominates(user);
    if (!role) continue;
    if (decision.agreements.empty()) decision.role = *role;
    decision.agreements.push_back(a.code + " v" + std::to_string(a.version));
    for (const DatasetShare& share : a.datasets) {
      visibility->ShareDataset(share.source_id, share.fields);
    }
  }
  if (decision.agreements.empty()) {
    if (request.session_id != 0) {
      TRY_ASSIGN(std::optional<store::StoredBreakGlass> grant,
                 store.FindActiveBreakGlass(request.session_id, now));
      if (grant && grant->user_id == user.id && grant->purpose == request.purpose) {
        decision.break_glass = true;
        decision.role = "break-glass";
        decision.agreements.push_back("break-glass #" + std::to_string(grant->id));
        visibility->ShareAllDatasets();
      }
    }
    if (!decision.break_glass) {
      return deny("no information-sharing agreement in force covers purpose '" + request.purpose +
                  "' for " + std::string(model::AgencyName(user.agency)) + " users in your roles");
    }
  }

  // The forbids: applied last, so that they beat every permit.
  for (const Rules::Resolved& r : rules->restrictions) {
    if (!AppliesTo(r.restriction, request.purpose)) continue;
    const std::string& kind = r.restriction.kind;
    if (kind == "sealed") {
      for (model::SourceRecordId id : r.records) visibility->SealSourceRecord(id);
      for (model::NominalId id : r.nominals) visibility->SealNominal(id);
    } else if (kind == "objection") {
      for (model::SourceRecordId id : r.records) visibility->WithholdSourceRecord(id);
      for (model::NominalId id : r.nominals) visibility->WithholdNominal(id);
    } else if (kind == "field_exclusion") {
      for (model::SourceRecordId id : r.records)
        visibility->ExcludeFieldsOfSourceRecord(id, r.fields);
      for (model::NominalId id : r.nominals) visibility->ExcludeFieldsOfNominal(id, r.fields);
      if (r.restriction.target == "dataset") {
        visibility->ExcludeFieldsOfDataset(r.restriction.source_id, r.fields);
      }
    }
  }
  decision.allowed = true;
  return decision;
}

Result<std::vector<PolicyEngine::PurposeOption>> PolicyEngine::PurposesFor(store::Store& store,
                                                                           const User& user) {
  std::vector<PurposeOption> out;
  const CivilDate today = CivilDate::FromMicros(clock_.NowMicros());
  if (!user.enabled || !IsTrained(user, today) || user.HasRole(UserRole::kServiceAccount)) {
    return out;
  }
  TRY_ASSIGN(std::shared_ptr<const Rules> rules, CurrentRules(store));
  std::map<std::string, PurposeOption> by_code;
  for (const Agreement& a : rules->tier2) {
    auto purpose = rules->purposes.find(a.purpose);
    if (purpose == rules->purposes.end() || !purpose->second.active) continue;
    if (!a.InForce(today) || !a.Nominates(user)) continue;
    auto parent = rules->tier1.find(a.parent);
    if (parent == rules->tier1.end() || !parent->second.InForce(today)) continue;
    PurposeOption& option = by_code[a.purpose];
    option.code = a.purpose;
    option.name = purpose->second.name;
    option.agreements.push_back(a.code + " v" + std::to_string(a.version));
  }
  for (auto& [code, option] : by_code) out.push_back(std::move(option));
  return out;
}

Result<store::StoredBreakGlass> PolicyEngine::StartBreakGlass(store::Store& store, const User& user,
                                                              int64_t session_id,
                                                              std::string_view purpose,
                                                              std::string_view reason,
                                                              int64_t duration_micros) {
  const int64_t now = clock_.NowMicros();
  if (!user.enabled || !IsTrained(user, CivilDate::FromMicros(now))) {
    return Status::PermissionDenied("break-glass needs an enabled user with current training");
  }
  if (!user.HasRole(UserRole::kPractitioner)) {
    return Status::PermissionDenied("break-glass is for practitioners");
  }
  if (ascii::TrimBlanks(reason).size() < 10) {
    return Status::InvalidArgument("break-glass needs a reason (at least 10 characters)");
  }
  if (reason.size() > kMaxJustificationBytes) {
    return Status::InvalidArgument("the reason is too long");
  }
  TRY_ASSIGN(std::shared_ptr<const Rules> rules, CurrentRules(store));
  auto p = rules->purposes.find(std::string(purpose));
  if (p == rules->purposes.end() || !p->second.active) {
    return Status::InvalidArgument("'" + std::string(purpose) +
                                   "' is not an active purpose in the catalogue");
  }
  if (duration_micros <= 0 || duration_micros > kBreakGlassMicros) {
    duration_micros = kBreakGlassMicros;
  }
  store::StoredBreakGlass grant;
  grant.user_id = user.id;
  grant.session_id = session_id;
  grant.purpose = std::string(purpose);
  grant.reason = std::string(reason);
  grant.expires_at_micros = now + duration_micros;
  TRY_ASSIGN(auto txn, store.Begin());
  TRY_ASSIGN(grant.id, store.AddBreakGlass(*txn, grant));
  TRY(txn->Commit());
  grant.started_at_micros = now;
  return grant;
}

}  // namespace tessera::govern
