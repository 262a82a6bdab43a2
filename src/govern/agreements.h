// Agreements: the information-sharing agreements, purposes and restrictions a hub's policy engine
// (policy.h) decides by, kept as data (issue 5, item 3). Design: docs/design/0010-governance.md.
//
//   - A purpose is a coded entry in a catalogue that information-governance officers keep
//     ("child_safeguarding", "risk_assessment"). Every request for personal data names one.
//   - A Tier 1 agreement is organisation level: the parties (agencies), the legal gateway, dates.
//   - A Tier 2 agreement is a use case under a Tier 1 agreement: one purpose, its legal gateway,
//     the datasets (mapping source ids) and fields (model attribute paths, visibility.h) shared,
//     who receives them (agency + roles, and/or named users), dates and retention.
//   - Agreements are versioned: a change is a new version of the same code and the highest
//     version is in force. Withdrawing one is a new version with status "withdrawn".
//   - Restrictions (sealed records, recorded objections, field exclusions) are the forbids that
//     beat any permit; they live in the store (StoredRestriction) and are validated here.
//
// Agreements are written as YAML (docs/formats/agreements.md) and stored as JSON; both go
// through one validator, and errors name the file, line and key.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/dates.h"
#include "core/status.h"
#include "govern/identity.h"
#include "govern/visibility.h"
#include "model/model.h"
#include "store/store.h"

namespace tessera::govern {

struct DatasetShare {
  std::string source_id;           // a mapping's source id
  FieldMask fields = 0;            // what of it is shared
  std::vector<std::string> paths;  // as written ("person.*"), for display
};

struct Recipient {
  model::Agency agency = model::Agency::kPolice;
  std::vector<UserRole> roles;  // at least one
};

enum class AgreementStatus { kActive, kSuspended, kWithdrawn };
std::string_view AgreementStatusName(AgreementStatus status);  // "active", ...

struct Agreement {
  std::string code;  // "ISA-T2-CS-01": letters, digits, '-', '_', '.'
  int version = 0;   // from the store; 0 before it is stored
  int tier = 2;
  std::string title;
  AgreementStatus status = AgreementStatus::kActive;
  std::string legal_gateway;  // "Children Act 2004 s11"
  CivilDate valid_from;
  CivilDate valid_to;  // the last day it is in force
  // Tier 1
  std::vector<model::Agency> parties;
  // Tier 2
  std::string parent;   // the Tier 1 agreement's code
  std::string purpose;  // a purpose code
  std::vector<DatasetShare> datasets;
  std::vector<Recipient> recipients;
  std::vector<std::string> nominated_users;  // usernames
  int retention_days = 0;                    // how long recipients may keep what they see
  std::string author;                        // from the store
  int64_t created_at_micros = 0;             // from the store

  // In force on `date`: active and valid_from <= date <= valid_to.
  bool InForce(const CivilDate& date) const;
  // Whether it names `user`: by username, or by the user's agency and one of their roles.
  // Returns the role it names them in ("named" for a named user), or nullopt.
  std::optional<std::string> Nominates(const User& user) const;
};

// Parses and validates an agreement from JSON text (as stored). InvalidArgument naming the key.
Result<Agreement> AgreementFromJson(std::string_view json);
std::string AgreementToJson(const Agreement& agreement);  // what the store keeps; no version
// Reads every agreement in a YAML file (a single mapping, or a list under `agreements:`).
// InvalidArgument naming the file, line and key.
Result<std::vector<Agreement>> ReadAgreementsYaml(const std::string& path);

// A purpose code: 2 to 64 of a-z, 0-9 and '_', starting with a letter.
Status CheckPurposeCode(std::string_view code);

// Keeping the catalogue, the agreements and the restrictions: each change is validated against
// what is stored (a Tier 2 agreement's parent and purpose must exist, its recipients must be
// parties of the parent) and committed on its own. The caller audits it.
class Governance {
 public:
  Governance(store::Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  Status PutPurpose(const store::StoredPurpose& purpose);
  // Stores `agreement` as the next version of its code; returns it as stored.
  Result<Agreement> ApplyAgreement(Agreement agreement, std::string_view author);
  Result<std::vector<Agreement>> ListAgreements(bool all_versions);
  Result<Agreement> GetAgreement(std::string_view code, int version = 0);
  // Validates and stores a restriction; returns its id.
  Result<int64_t> AddRestriction(store::StoredRestriction restriction);

 private:
  store::Store& store_;
  const Clock& clock_;
};

}  // namespace tessera::govern
