#include "cli/governance_commands.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "cli/cli_common.h"
#include "core/ascii.h"
#include "core/clock.h"
#include "govern/agreements.h"
#include "govern/identity.h"
#include "store/store.h"

namespace tessera::cli {

struct GovernanceCommands::Args {
  std::string data;
  std::string as;  // the information-governance officer
  std::string file;
  std::string code;
  std::string name;
  std::string description;
  int version = 0;
  bool all = false;
  std::string kind;
  int64_t nominal = 0;
  std::string record;  // SOURCE:KEY
  std::string dataset;
  std::vector<std::string> fields;
  std::vector<std::string> purposes;
  std::string reason;
  int64_t id = 0;

  CLI::App* purpose_add = nullptr;
  CLI::App* purpose_list = nullptr;
  CLI::App* agreement_apply = nullptr;
  CLI::App* agreement_list = nullptr;
  CLI::App* agreement_show = nullptr;
  CLI::App* restriction_add = nullptr;
  CLI::App* restriction_lift = nullptr;
  CLI::App* restriction_list = nullptr;
};

GovernanceCommands::GovernanceCommands(CLI::App& app) : args_(new Args) {
  Args& a = *args_;
  auto officer = [&a](CLI::App* cmd) {
    cmd->add_option("--data", a.data, "Hub directory")->required();
    cmd->add_option("--as", a.as,
                    "The information-governance officer making the change (a username)")
        ->required();
  };

  auto* purpose = app.add_subcommand("purpose", "Keep the catalogue of purposes (audited)");
  purpose->require_subcommand(1);
  a.purpose_add = purpose->add_subcommand("add", "Add or change a purpose");
  officer(a.purpose_add);
  a.purpose_add->add_option("--code", a.code, "Code: a-z, 0-9, _ (child_safeguarding)")->required();
  a.purpose_add->add_option("--name", a.name, "Name (Child safeguarding)")->required();
  a.purpose_add->add_option("--description", a.description, "What it covers");
  a.purpose_list = purpose->add_subcommand("list", "List the purposes");
  a.purpose_list->add_option("--data", a.data, "Hub directory")->required();

  auto* agreement =
      app.add_subcommand("agreement", "Keep the information-sharing agreements (audited)");
  agreement->require_subcommand(1);
  a.agreement_apply = agreement->add_subcommand(
      "apply",
      "Store the agreements (and purposes) of a YAML file; each changed agreement becomes a new "
      "version (docs/formats/agreements.md)");
  officer(a.agreement_apply);
  a.agreement_apply->add_option("--file", a.file, "YAML file")->required();
  a.agreement_list = agreement->add_subcommand("list", "List the agreements");
  a.agreement_list->add_option("--data", a.data, "Hub directory")->required();
  a.agreement_list->add_flag("--all-versions", a.all, "Every version, not only the latest");
  a.agreement_show = agreement->add_subcommand("show", "Show one agreement as JSON");
  a.agreement_show->add_option("--data", a.data, "Hub directory")->required();
  a.agreement_show->add_option("--code", a.code, "Agreement code")->required();
  a.agreement_show->add_option("--version", a.version, "Version (default: the latest)");

  auto* restriction = app.add_subcommand(
      "restriction", "Seal records, record objections and exclude fields (audited)");
  restriction->require_subcommand(1);
  a.restriction_add = restriction->add_subcommand("add", "Add a restriction");
  officer(a.restriction_add);
  a.restriction_add->add_option("--kind", a.kind, "sealed, objection or field_exclusion")
      ->required();
  a.restriction_add->add_option("--nominal", a.nominal, "Target: a nominal id");
  a.restriction_add->add_option("--record", a.record, "Target: a source record, SOURCE:KEY");
  a.restriction_add->add_option("--dataset", a.dataset, "Target: a whole dataset (source id)");
  a.restriction_add->add_option("--field", a.fields, "A field to exclude (repeatable)");
  a.restriction_add->add_option("--purpose", a.purposes,
                                "Only for this purpose (repeatable; default: every purpose)");
  a.restriction_add->add_option("--reason", a.reason, "Why (audited)")->required();
  a.restriction_lift = restriction->add_subcommand("lift", "Lift a restriction");
  officer(a.restriction_lift);
  a.restriction_lift->add_option("--id", a.id, "Restriction id")->required();
  a.restriction_lift->add_option("--reason", a.reason, "Why (audited)")->required();
  a.restriction_list = restriction->add_subcommand("list", "List restrictions");
  a.restriction_list->add_option("--data", a.data, "Hub directory")->required();
  a.restriction_list->add_flag("--all", a.all, "Lifted ones too");
}

GovernanceCommands::~GovernanceCommands() { delete args_; }

namespace {

struct Session {
  std::unique_ptr<store::Store> store;
  std::string actor;  // "cli:root as user:igo (12)"
};

// Opens the hub and checks that `as` is an enabled information-governance officer.
Result<Session> OpenAsOfficer(const std::string& hub, const std::string& as) {
  Session s;
  TRY_ASSIGN(s.store, OpenHub(hub));
  govern::Identity identity(*s.store, SystemClock::Instance());
  Result<govern::User> user = identity.GetUser(as);
  if (!user.ok() || !user->enabled ||
      !user->HasRole(govern::UserRole::kInformationGovernanceOfficer)) {
    return Status::PermissionDenied("--as '" + as +
                                    "' is not an enabled information-governance officer");
  }
  s.actor = CliActor() + " as user:" + user->username;
  return s;
}

Status Audit(store::Store& store, const std::string& actor, std::string action,
             std::string resource, std::string justification, std::string detail) {
  store::AuditEvent event;
  event.actor = actor;
  event.action = std::move(action);
  event.resource = std::move(resource);
  event.justification = std::move(justification);
  event.detail = std::move(detail);
  event.outcome = "allowed";
  auto appended = store.AppendAudit(event);
  if (!appended.ok()) {
    return Status(appended.status().code(),
                  "the change was made but its audit event could not be written: " +
                      appended.status().message());
  }
  return Status::Ok();
}

int RunPurposeAdd(const std::string& hub, const std::string& as, store::StoredPurpose purpose) {
  auto session = OpenAsOfficer(hub, as);
  if (!session.ok()) return Fail(session.status());
  purpose.updated_by = session->actor;
  govern::Governance governance(*session->store, SystemClock::Instance());
  if (auto s = governance.PutPurpose(purpose); !s.ok()) return Fail(s);
  if (auto s = Audit(*session->store, session->actor, "purpose.put", "purpose/" + purpose.code, "",
                     "name=" + purpose.name + " active=" + (purpose.active ? "1" : "0"));
      !s.ok()) {
    return Fail(s);
  }
  fmt::print("purpose {}: {}\n", purpose.code, ascii::EscapedForTerminal(purpose.name));
  return 0;
}

int RunPurposeList(const std::string& hub) {
  auto store = OpenHub(hub);
  if (!store.ok()) return Fail(store.status());
  auto purposes = (*store)->ListPurposes();
  if (!purposes.ok()) return Fail(purposes.status());
  for (const auto& p : *purposes) {
    fmt::print("{:<36} {:<8} {}\n", p.code, p.active ? "active" : "retired",
               ascii::EscapedForTerminal(p.name));
  }
  return 0;
}

// Reads `purposes:` from an agreements file, if it has them.
Result<std::vector<store::StoredPurpose>> ReadPurposes(const std::string& path) {
  std::vector<store::StoredPurpose> out;
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
    if (!root.IsMap() || !root["purposes"]) return out;
    YAML::Node list = root["purposes"];
    if (!list.IsSequence()) {
      return Status::InvalidArgument(path + ":" + std::to_string(list.Mark().line + 1) +
                                     ": purposes: must be a list");
    }
    for (const YAML::Node& node : list) {
      store::StoredPurpose p;
      if (!node.IsMap() || !node["code"] || !node["name"]) {
        return Status::InvalidArgument(path + ":" + std::to_string(node.Mark().line + 1) +
                                       ": a purpose needs a code and a name");
      }
      p.code = node["code"].as<std::string>();
      p.name = node["name"].as<std::string>();
      if (node["description"]) p.description = node["description"].as<std::string>();
      if (auto s = govern::CheckPurposeCode(p.code); !s.ok()) {
        return Status::InvalidArgument(path + ":" + std::to_string(node.Mark().line + 1) + ": " +
                                       std::string(s.message()));
      }
      out.push_back(std::move(p));
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return out;
}

int RunAgreementApply(const std::string& hub, const std::string& as, const std::string& file) {
  auto purposes = ReadPurposes(file);
  if (!purposes.ok()) return Fail(purposes.status());
  auto agreements = govern::ReadAgreementsYaml(file);
  if (!agreements.ok()) return Fail(agreements.status());
  auto session = OpenAsOfficer(hub, as);
  if (!session.ok()) return Fail(session.status());
  store::Store& store = *session->store;
  govern::Governance governance(store, SystemClock::Instance());

  auto existing_purposes = store.ListPurposes();
  if (!existing_purposes.ok()) return Fail(existing_purposes.status());
  for (store::StoredPurpose& p : *purposes) {
    p.updated_by = session->actor;
    bool same = false;
    for (const auto& e : *existing_purposes) {
      same |= e.code == p.code && e.name == p.name && e.description == p.description && e.active;
    }
    if (same) continue;
    if (auto s = governance.PutPurpose(p); !s.ok()) return Fail(s);
    if (auto s = Audit(store, session->actor, "purpose.put", "purpose/" + p.code, "",
                       "name=" + p.name + " file=" + file);
        !s.ok()) {
      return Fail(s);
    }
    fmt::print("purpose {}: {}\n", p.code, ascii::EscapedForTerminal(p.name));
  }
  // Tier 1 first, so that the Tier 2 agreements in the same file find their parents.
  std::stable_sort(agreements->begin(), agreements->end(),
                   [](const auto& x, const auto& y) { return x.tier < y.tier; });
  int unchanged = 0;
  for (govern::Agreement& agreement : *agreements) {
    auto current = governance.GetAgreement(agreement.code);
    if (current.ok() && govern::AgreementToJson(*current) == govern::AgreementToJson(agreement)) {
      ++unchanged;
      continue;
    }
    auto stored = governance.ApplyAgreement(agreement, session->actor);
    if (!stored.ok()) return Fail(stored.status().WithContext(file));
    if (auto s = Audit(store, session->actor, "agreement.apply",
                       "agreement/" + stored->code + "/v" + std::to_string(stored->version), "",
                       "tier=" + std::to_string(stored->tier) +
                           " status=" + std::string(govern::AgreementStatusName(stored->status)) +
                           " file=" + file);
        !s.ok()) {
      return Fail(s);
    }
    fmt::print("agreement {} v{} (tier {}, {}): {}\n", stored->code, stored->version, stored->tier,
               govern::AgreementStatusName(stored->status),
               ascii::EscapedForTerminal(stored->title));
  }
  if (unchanged > 0) fmt::print("{} agreement(s) unchanged\n", unchanged);
  return 0;
}

int RunAgreementList(const std::string& hub, bool all_versions) {
  auto store = OpenHub(hub);
  if (!store.ok()) return Fail(store.status());
  govern::Governance governance(**store, SystemClock::Instance());
  auto list = governance.ListAgreements(all_versions);
  if (!list.ok()) return Fail(list.status());
  for (const govern::Agreement& a : *list) {
    std::string scope;
    if (a.tier == 2) {
      scope = "purpose " + a.purpose + ", " + std::to_string(a.datasets.size()) + " dataset(s)";
    } else {
      scope = std::to_string(a.parties.size()) + " parties";
    }
    fmt::print("{:<20} v{:<3} tier {} {:<9} {} to {}  {}  ({})\n", a.code, a.version, a.tier,
               govern::AgreementStatusName(a.status), a.valid_from.ToIso(), a.valid_to.ToIso(),
               ascii::EscapedForTerminal(a.title), scope);
  }
  return 0;
}

int RunAgreementShow(const std::string& hub, const std::string& code, int version) {
  auto store = OpenHub(hub);
  if (!store.ok()) return Fail(store.status());
  auto stored = (*store)->GetAgreement(code, version);
  if (!stored.ok()) return Fail(stored.status());
  fmt::print("{}\n", stored->body);
  fmt::print("# version {}, by {}, {}\n", stored->version,
             ascii::EscapedForTerminal(stored->author), FormatUtc(stored->created_at_micros));
  return 0;
}

int RunRestrictionAddImpl(const std::string& hub, const std::string& as, store::StoredRestriction r,
                          const std::string& record, const std::string& dataset) {
  int targets = (r.nominal_id != 0) + !record.empty() + !dataset.empty();
  if (targets != 1) {
    return Fail(Status::InvalidArgument("name one target: --nominal, --record or --dataset"));
  }
  if (r.nominal_id != 0) {
    r.target = "nominal";
  } else if (!record.empty()) {
    const size_t colon = record.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == record.size()) {
      return Fail(Status::InvalidArgument("--record must be SOURCE:KEY"));
    }
    r.target = "record";
    r.source_id = record.substr(0, colon);
    r.record_key = record.substr(colon + 1);
  } else {
    r.target = "dataset";
    r.source_id = dataset;
  }
  if (auto s = RequireReason(r.reason, "the restriction is made (it goes in the audit log)");
      !s.ok()) {
    return Fail(s);
  }
  auto session = OpenAsOfficer(hub, as);
  if (!session.ok()) return Fail(session.status());
  r.created_by = session->actor;
  govern::Governance governance(*session->store, SystemClock::Instance());
  auto id = governance.AddRestriction(r);
  if (!id.ok()) return Fail(id.status());
  std::string target = r.target == "nominal"  ? "nominal/" + std::to_string(r.nominal_id)
                       : r.target == "record" ? "record/" + r.source_id + "/" + r.record_key
                                              : "dataset/" + r.source_id;
  std::string fields;
  for (const auto& f : r.fields) fields += (fields.empty() ? "" : ",") + f;
  std::string purposes;
  for (const auto& p : r.purposes) purposes += (purposes.empty() ? "" : ",") + p;
  if (auto s = Audit(*session->store, session->actor, "restriction.add",
                     "restriction/" + std::to_string(*id), r.reason,
                     "kind=" + r.kind + " target=" + target + " fields=" + fields +
                         " purposes=" + (purposes.empty() ? "all" : purposes));
      !s.ok()) {
    return Fail(s);
  }
  fmt::print("restriction {}: {} on {}\n", *id, r.kind, target);
  return 0;
}

int RunRestrictionLift(const std::string& hub, const std::string& as, int64_t id,
                       const std::string& reason) {
  if (auto s = RequireReason(reason, "the restriction is lifted (it goes in the audit log)");
      !s.ok()) {
    return Fail(s);
  }
  auto session = OpenAsOfficer(hub, as);
  if (!session.ok()) return Fail(session.status());
  auto txn = session->store->Begin();
  if (!txn.ok()) return Fail(txn.status());
  if (auto s = session->store->LiftRestriction(**txn, id, session->actor, reason); !s.ok()) {
    return Fail(s);
  }
  if (auto s = (*txn)->Commit(); !s.ok()) return Fail(s);
  if (auto s = Audit(*session->store, session->actor, "restriction.lift",
                     "restriction/" + std::to_string(id), reason, "");
      !s.ok()) {
    return Fail(s);
  }
  fmt::print("restriction {} lifted\n", id);
  return 0;
}

int RunRestrictionList(const std::string& hub, bool all) {
  auto store = OpenHub(hub);
  if (!store.ok()) return Fail(store.status());
  auto list = (*store)->ListRestrictions(all);
  if (!list.ok()) return Fail(list.status());
  for (const auto& r : *list) {
    std::string target = r.target == "nominal"  ? "nominal " + std::to_string(r.nominal_id)
                         : r.target == "record" ? "record " + r.source_id + ":" + r.record_key
                                                : "dataset " + r.source_id;
    std::string fields;
    for (const auto& f : r.fields) fields += " " + f;
    fmt::print("{:>5} {:<16} {:<40}{} {} ({}, {}){}\n", r.id, r.kind,
               ascii::EscapedForTerminal(target), fields, ascii::EscapedForTerminal(r.reason),
               ascii::EscapedForTerminal(r.created_by), FormatUtc(r.created_at_micros),
               r.lifted_at_micros ? " lifted " + FormatUtc(*r.lifted_at_micros) : "");
  }
  return 0;
}

}  // namespace

std::optional<int> GovernanceCommands::Dispatch() {
  const Args& a = *args_;
  if (a.purpose_add->parsed()) {
    store::StoredPurpose p;
    p.code = a.code;
    p.name = a.name;
    p.description = a.description;
    p.active = true;
    return RunPurposeAdd(a.data, a.as, p);
  }
  if (a.purpose_list->parsed()) return RunPurposeList(a.data);
  if (a.agreement_apply->parsed()) return RunAgreementApply(a.data, a.as, a.file);
  if (a.agreement_list->parsed()) return RunAgreementList(a.data, a.all);
  if (a.agreement_show->parsed()) return RunAgreementShow(a.data, a.code, a.version);
  if (a.restriction_add->parsed()) {
    store::StoredRestriction r;
    r.kind = a.kind;
    r.nominal_id = a.nominal;
    r.fields = a.fields;
    r.purposes = a.purposes;
    r.reason = a.reason;
    return RunRestrictionAddImpl(a.data, a.as, r, a.record, a.dataset);
  }
  if (a.restriction_lift->parsed()) return RunRestrictionLift(a.data, a.as, a.id, a.reason);
  if (a.restriction_list->parsed()) return RunRestrictionList(a.data, a.all);
  return std::nullopt;
}

}  // namespace tessera::cli
