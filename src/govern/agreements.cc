#include "govern/agreements.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/ascii.h"

namespace tessera::govern {

namespace {

using nlohmann::json;

// Where each key of a YAML document was, by its path ("datasets[1].fields"), for errors.
using LineMap = std::map<std::string, int>;

json YamlToJson(const YAML::Node& node, const std::string& path, LineMap& lines) {
  lines[path] = node.Mark().line + 1;
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& kv : node) {
        const std::string key = kv.first.as<std::string>();
        out[key] = YamlToJson(kv.second, path.empty() ? key : path + "." + key, lines);
      }
      return out;
    }
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (size_t i = 0; i < node.size(); ++i) {
        out.push_back(YamlToJson(node[i], path + "[" + std::to_string(i) + "]", lines));
      }
      return out;
    }
    case YAML::NodeType::Scalar:
      return node.as<std::string>();
    default:
      return nullptr;
  }
}

// An error about `key`: "key: message".
Status KeyError(std::string_view key, std::string_view message) {
  return Status::InvalidArgument(std::string(key) + ": " + std::string(message));
}

Result<std::string> RequiredString(const json& j, std::string_view key, std::string_view path) {
  auto it = j.find(std::string(key));
  if (it == j.end() || it->is_null()) return KeyError(path, "is required");
  if (!it->is_string()) return KeyError(path, "must be text");
  std::string value = it->get<std::string>();
  if (value.find_first_not_of(" \t") == std::string::npos) return KeyError(path, "is blank");
  return value;
}

std::string OptionalString(const json& j, std::string_view key) {
  auto it = j.find(std::string(key));
  if (it == j.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

Result<int> IntValue(const json& j, std::string_view key, std::string_view path, int fallback) {
  auto it = j.find(std::string(key));
  if (it == j.end() || it->is_null()) return fallback;
  if (it->is_number_integer()) return it->get<int>();
  if (it->is_string()) {
    const std::string s = it->get<std::string>();
    if (!s.empty() && s.size() < 10 && std::all_of(s.begin(), s.end(), ::isdigit)) {
      return std::stoi(s);
    }
  }
  return KeyError(path, "must be a whole number");
}

Result<CivilDate> DateValue(const json& j, std::string_view key, std::string_view path) {
  TRY_ASSIGN(std::string text, RequiredString(j, key, path));
  Result<CivilDate> date = ParseDate(text, "yyyy-mm-dd");
  if (!date.ok()) return KeyError(path, "must be a date as YYYY-MM-DD, not '" + text + "'");
  return *date;
}

Result<std::vector<std::string>> StringList(const json& j, std::string_view key,
                                            std::string_view path) {
  std::vector<std::string> out;
  auto it = j.find(std::string(key));
  if (it == j.end() || it->is_null()) return out;
  if (!it->is_array()) return KeyError(path, "must be a list");
  for (size_t i = 0; i < it->size(); ++i) {
    if (!(*it)[i].is_string()) {
      return KeyError(std::string(path) + "[" + std::to_string(i) + "]", "must be text");
    }
    out.push_back((*it)[i].get<std::string>());
  }
  return out;
}

Result<model::Agency> AgencyValue(std::string_view name, std::string_view path) {
  std::optional<model::Agency> agency = model::AgencyFromName(name);
  if (!agency) {
    return KeyError(
        path, "unknown agency '" + std::string(name) + "' (one of " + model::AgencyNames() + ")");
  }
  return *agency;
}

Status CheckCode(std::string_view code, std::string_view path) {
  if (code.size() < 2 || code.size() > 64) return KeyError(path, "must be 2 to 64 characters");
  for (char c : code) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return KeyError(path, "may hold only letters, digits, '-', '_' and '.'");
  }
  return Status::Ok();
}

Status CheckSourceId(std::string_view id, std::string_view path) {
  if (id.empty() || id.size() > 64) return KeyError(path, "must be a source id");
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) {
      return KeyError(path, "'" + std::string(id) + "' is not a source id (a-z, 0-9, '_', '-')");
    }
  }
  return Status::Ok();
}

const std::set<std::string>& KnownKeys(int tier) {
  static const std::set<std::string> tier1 = {"code",          "tier",       "title",    "status",
                                              "legal_gateway", "valid_from", "valid_to", "parties"};
  static const std::set<std::string> tier2 = {
      "code",   "tier",    "title",    "status",     "legal_gateway",   "valid_from",    "valid_to",
      "parent", "purpose", "datasets", "recipients", "nominated_users", "retention_days"};
  return tier == 1 ? tier1 : tier2;
}

Result<Agreement> FromJsonValue(const json& j) {
  if (!j.is_object()) return Status::InvalidArgument("an agreement must be a mapping of keys");
  Agreement a;
  TRY_ASSIGN(a.code, RequiredString(j, "code", "code"));
  TRY(CheckCode(a.code, "code"));
  TRY_ASSIGN(a.tier, IntValue(j, "tier", "tier", 2));
  if (a.tier != 1 && a.tier != 2) return KeyError("tier", "must be 1 or 2");
  for (const auto& [key, value] : j.items()) {
    if (!KnownKeys(a.tier).contains(key)) {
      return KeyError(key, "is not a key of a tier " + std::to_string(a.tier) + " agreement");
    }
  }
  TRY_ASSIGN(a.title, RequiredString(j, "title", "title"));
  const std::string status = OptionalString(j, "status");
  if (status.empty() || status == "active") {
    a.status = AgreementStatus::kActive;
  } else if (status == "suspended") {
    a.status = AgreementStatus::kSuspended;
  } else if (status == "withdrawn") {
    a.status = AgreementStatus::kWithdrawn;
  } else {
    return KeyError("status", "must be active, suspended or withdrawn");
  }
  TRY_ASSIGN(a.legal_gateway, RequiredString(j, "legal_gateway", "legal_gateway"));
  TRY_ASSIGN(a.valid_from, DateValue(j, "valid_from", "valid_from"));
  TRY_ASSIGN(a.valid_to, DateValue(j, "valid_to", "valid_to"));
  if (a.valid_to < a.valid_from) return KeyError("valid_to", "is before valid_from");

  if (a.tier == 1) {
    TRY_ASSIGN(std::vector<std::string> parties, StringList(j, "parties", "parties"));
    if (parties.size() < 2) return KeyError("parties", "a tier 1 agreement needs two parties");
    for (size_t i = 0; i < parties.size(); ++i) {
      TRY_ASSIGN(model::Agency agency,
                 AgencyValue(parties[i], "parties[" + std::to_string(i) + "]"));
      a.parties.push_back(agency);
    }
    return a;
  }

  TRY_ASSIGN(a.parent, RequiredString(j, "parent", "parent"));
  TRY_ASSIGN(a.purpose, RequiredString(j, "purpose", "purpose"));
  TRY(CheckPurposeCode(a.purpose).ok()
          ? Status::Ok()
          : KeyError("purpose", CheckPurposeCode(a.purpose).message()));
  TRY_ASSIGN(a.retention_days, IntValue(j, "retention_days", "retention_days", 0));
  if (a.retention_days <= 0) return KeyError("retention_days", "is required and must be positive");

  auto datasets = j.find("datasets");
  if (datasets == j.end() || !datasets->is_array() || datasets->empty()) {
    return KeyError("datasets", "must list at least one dataset");
  }
  std::set<std::string> seen_sources;
  for (size_t i = 0; i < datasets->size(); ++i) {
    const std::string path = "datasets[" + std::to_string(i) + "]";
    const json& d = (*datasets)[i];
    if (!d.is_object()) return KeyError(path, "must be a mapping with source and fields");
    DatasetShare share;
    TRY_ASSIGN(share.source_id, RequiredString(d, "source", path + ".source"));
    TRY(CheckSourceId(share.source_id, path + ".source"));
    if (!seen_sources.insert(share.source_id).second) {
      return KeyError(path + ".source", "lists " + share.source_id + " twice");
    }
    TRY_ASSIGN(share.paths, StringList(d, "fields", path + ".fields"));
    if (share.paths.empty()) return KeyError(path + ".fields", "must list at least one field");
    for (size_t k = 0; k < share.paths.size(); ++k) {
      std::optional<FieldMask> mask = FieldMaskFromPath(share.paths[k]);
      if (!mask) {
        return KeyError(path + ".fields[" + std::to_string(k) + "]",
                        "unknown field '" + share.paths[k] + "'");
      }
      share.fields |= *mask;
    }
    a.datasets.push_back(std::move(share));
  }

  auto recipients = j.find("recipients");
  if (recipients != j.end() && !recipients->is_null()) {
    if (!recipients->is_array()) return KeyError("recipients", "must be a list");
    for (size_t i = 0; i < recipients->size(); ++i) {
      const std::string path = "recipients[" + std::to_string(i) + "]";
      const json& r = (*recipients)[i];
      if (!r.is_object()) return KeyError(path, "must be a mapping with agency and roles");
      Recipient recipient;
      TRY_ASSIGN(std::string agency, RequiredString(r, "agency", path + ".agency"));
      TRY_ASSIGN(recipient.agency, AgencyValue(agency, path + ".agency"));
      TRY_ASSIGN(std::vector<std::string> roles, StringList(r, "roles", path + ".roles"));
      if (roles.empty()) return KeyError(path + ".roles", "must list at least one role");
      for (size_t k = 0; k < roles.size(); ++k) {
        std::optional<UserRole> role = UserRoleFromName(roles[k]);
        if (!role) {
          return KeyError(path + ".roles[" + std::to_string(k) + "]",
                          "unknown role '" + roles[k] + "' (one of " + UserRoleNames() + ")");
        }
        recipient.roles.push_back(*role);
      }
      a.recipients.push_back(std::move(recipient));
    }
  }
  TRY_ASSIGN(a.nominated_users, StringList(j, "nominated_users", "nominated_users"));
  if (a.recipients.empty() && a.nominated_users.empty()) {
    return KeyError("recipients", "a tier 2 agreement must name recipients or nominated_users");
  }
  return a;
}

}  // namespace

std::string_view AgreementStatusName(AgreementStatus status) {
  switch (status) {
    case AgreementStatus::kActive:
      return "active";
    case AgreementStatus::kSuspended:
      return "suspended";
    case AgreementStatus::kWithdrawn:
      return "withdrawn";
  }
  return "active";
}

bool Agreement::InForce(const CivilDate& date) const {
  return status == AgreementStatus::kActive && !(date < valid_from) && !(valid_to < date);
}

std::optional<std::string> Agreement::Nominates(const User& user) const {
  for (const std::string& name : nominated_users) {
    if (ascii::LowerCase(name) == ascii::LowerCase(user.username)) return std::string("named");
  }
  for (const Recipient& r : recipients) {
    if (r.agency != user.agency) continue;
    for (UserRole role : r.roles) {
      if (user.HasRole(role)) return std::string(UserRoleName(role));
    }
  }
  return std::nullopt;
}

Status CheckPurposeCode(std::string_view code) {
  if (code.size() < 2 || code.size() > 64 || !(code[0] >= 'a' && code[0] <= 'z')) {
    return Status::InvalidArgument(
        "a purpose code is 2 to 64 of a-z, 0-9 and '_', starting "
        "with a letter, not '" +
        std::string(code) + "'");
  }
  for (char c : code) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return Status::InvalidArgument(
          "a purpose code is 2 to 64 of a-z, 0-9 and '_', starting "
          "with a letter, not '" +
          std::string(code) + "'");
    }
  }
  return Status::Ok();
}

Result<Agreement> AgreementFromJson(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("an agreement is not valid JSON");
  return FromJsonValue(j);
}

std::string AgreementToJson(const Agreement& a) {
  json j;
  j["code"] = a.code;
  j["tier"] = a.tier;
  j["title"] = a.title;
  j["status"] = std::string(AgreementStatusName(a.status));
  j["legal_gateway"] = a.legal_gateway;
  j["valid_from"] = a.valid_from.ToIso();
  j["valid_to"] = a.valid_to.ToIso();
  if (a.tier == 1) {
    json parties = json::array();
    for (model::Agency agency : a.parties)
      parties.push_back(std::string(model::AgencyName(agency)));
    j["parties"] = parties;
    return j.dump();
  }
  j["parent"] = a.parent;
  j["purpose"] = a.purpose;
  j["retention_days"] = a.retention_days;
  json datasets = json::array();
  for (const DatasetShare& d : a.datasets) {
    datasets.push_back({{"source", d.source_id}, {"fields", d.paths}});
  }
  j["datasets"] = datasets;
  json recipients = json::array();
  for (const Recipient& r : a.recipients) {
    json roles = json::array();
    for (UserRole role : r.roles) roles.push_back(std::string(UserRoleName(role)));
    recipients.push_back({{"agency", std::string(model::AgencyName(r.agency))}, {"roles", roles}});
  }
  j["recipients"] = recipients;
  j["nominated_users"] = a.nominated_users;
  return j.dump();
}

Result<std::vector<Agreement>> ReadAgreementsYaml(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return Status::IoError(path + ": cannot be read");
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  std::vector<std::pair<YAML::Node, std::string>> docs;
  if (root.IsMap() && root["agreements"]) {
    YAML::Node list = root["agreements"];
    if (!list.IsSequence()) {
      return Status::InvalidArgument(path + ":" + std::to_string(list.Mark().line + 1) +
                                     ": agreements: must be a list");
    }
    for (size_t i = 0; i < list.size(); ++i) {
      docs.emplace_back(list[i], "agreements[" + std::to_string(i) + "]");
    }
  } else if (root.IsMap()) {
    docs.emplace_back(root, "");
  } else {
    return Status::InvalidArgument(path + ": expected an agreement, or a list under agreements:");
  }
  std::vector<Agreement> out;
  for (const auto& [node, prefix] : docs) {
    LineMap lines;
    json j;
    try {
      j = YamlToJson(node, "", lines);
    } catch (const YAML::Exception& e) {
      return Status::InvalidArgument(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    Result<Agreement> agreement = FromJsonValue(j);
    if (!agreement.ok()) {
      // The message starts with the key path: find its line (or its nearest parent's).
      const std::string message(agreement.status().message());
      std::string key = message.substr(0, message.find(':'));
      int line = node.Mark().line + 1;
      for (std::string k = key; !k.empty();) {
        if (auto it = lines.find(k); it != lines.end()) {
          line = it->second;
          break;
        }
        const size_t cut = k.find_last_of(".[");
        k = cut == std::string::npos ? "" : k.substr(0, cut);
      }
      return Status::InvalidArgument(path + ":" + std::to_string(line) + ": " +
                                     (prefix.empty() ? "" : prefix + ".") + message);
    }
    out.push_back(std::move(agreement).value());
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Governance

Status Governance::PutPurpose(const store::StoredPurpose& purpose) {
  TRY(CheckPurposeCode(purpose.code));
  if (purpose.name.empty()) return Status::InvalidArgument("a purpose needs a name");
  TRY_ASSIGN(auto txn, store_.Begin());
  TRY(store_.PutPurpose(*txn, purpose));
  return txn->Commit();
}

Result<Agreement> Governance::ApplyAgreement(Agreement agreement, std::string_view author) {
  // Validate against what is stored.
  if (agreement.tier == 2) {
    Result<Agreement> parent = GetAgreement(agreement.parent);
    if (!parent.ok()) {
      return Status::InvalidArgument(agreement.code + ": parent: no tier 1 agreement " +
                                     agreement.parent);
    }
    if (parent->tier != 1) {
      return Status::InvalidArgument(agreement.code + ": parent: " + agreement.parent +
                                     " is not a tier 1 agreement");
    }
    for (size_t i = 0; i < agreement.recipients.size(); ++i) {
      const model::Agency agency = agreement.recipients[i].agency;
      if (std::find(parent->parties.begin(), parent->parties.end(), agency) ==
          parent->parties.end()) {
        return Status::InvalidArgument(agreement.code + ": recipients[" + std::to_string(i) +
                                       "].agency: " + std::string(model::AgencyName(agency)) +
                                       " is not a party to " + agreement.parent);
      }
    }
    TRY_ASSIGN(std::vector<store::StoredPurpose> purposes, store_.ListPurposes());
    auto it = std::find_if(purposes.begin(), purposes.end(),
                           [&](const auto& p) { return p.code == agreement.purpose; });
    if (it == purposes.end()) {
      return Status::InvalidArgument(agreement.code + ": purpose: '" + agreement.purpose +
                                     "' is not in the purposes catalogue (tessera purpose add)");
    }
    for (const std::string& username : agreement.nominated_users) {
      TRY_ASSIGN(std::optional<store::StoredUser> user, store_.FindUserByUsername(username));
      if (!user) {
        return Status::InvalidArgument(agreement.code + ": nominated_users: no user '" + username +
                                       "'");
      }
    }
  }
  store::StoredAgreement stored;
  stored.code = agreement.code;
  stored.tier = agreement.tier;
  stored.body = AgreementToJson(agreement);
  stored.author = std::string(author);
  TRY_ASSIGN(auto txn, store_.Begin());
  TRY_ASSIGN(int version, store_.AddAgreementVersion(*txn, stored));
  TRY(txn->Commit());
  return GetAgreement(agreement.code, version);
}

Result<std::vector<Agreement>> Governance::ListAgreements(bool all_versions) {
  TRY_ASSIGN(std::vector<store::StoredAgreement> stored, store_.ListAgreements(all_versions));
  std::vector<Agreement> out;
  for (const store::StoredAgreement& s : stored) {
    Result<Agreement> a = AgreementFromJson(s.body);
    if (!a.ok()) {
      return Status::Corruption("stored agreement " + s.code + " v" + std::to_string(s.version) +
                                " does not parse: " + std::string(a.status().message()));
    }
    a->version = s.version;
    a->author = s.author;
    a->created_at_micros = s.created_at_micros;
    out.push_back(std::move(a).value());
  }
  return out;
}

Result<Agreement> Governance::GetAgreement(std::string_view code, int version) {
  TRY_ASSIGN(store::StoredAgreement s, store_.GetAgreement(code, version));
  Result<Agreement> a = AgreementFromJson(s.body);
  if (!a.ok()) {
    return Status::Corruption("stored agreement " + s.code + " v" + std::to_string(s.version) +
                              " does not parse: " + std::string(a.status().message()));
  }
  a->version = s.version;
  a->author = s.author;
  a->created_at_micros = s.created_at_micros;
  return a;
}

Result<int64_t> Governance::AddRestriction(store::StoredRestriction r) {
  for (const std::string& field : r.fields) {
    if (!FieldMaskFromPath(field)) {
      return Status::InvalidArgument("unknown field '" + field + "' (one of " + [] {
        std::string s;
        for (const auto& p : AllFieldPaths()) {
          s += (s.empty() ? "" : ", ") + p;
        }
        return s;
      }() + ")");
    }
  }
  for (const std::string& purpose : r.purposes) TRY(CheckPurposeCode(purpose));
  if (r.target == "nominal") {
    TRY_ASSIGN(store::NominalStatus status, store_.GetNominalStatus(r.nominal_id));
    (void)status;  // any nominal that exists; a merged one is followed by the policy engine
  }
  TRY_ASSIGN(auto txn, store_.Begin());
  TRY_ASSIGN(int64_t id, store_.AddRestriction(*txn, r));
  TRY(txn->Commit());
  return id;
}

}  // namespace tessera::govern
