// The policy engine: the one place that decides whether a request may read personal data, and
// what of it (issue 5, item 4). Deny by default. Design: docs/design/0010-governance.md.
//
// A request for personal data states a purpose code and a justification (a free-text reason or
// a case reference: DPA 2018 s62). It is allowed when:
//   1. the user is enabled and trained today (identity.h IsTrained);
//   2. the purpose is in the catalogue and active, and the justification is not blank;
//   3. at least one Tier 2 agreement is in force today, for that purpose, under a Tier 1
//      agreement in force today, and nominates the user (by name, or by agency and a role they
//      hold), or else the user's session holds an active break-glass grant for that purpose.
// The answer is a Visibility (visibility.h): the union of the datasets and fields those
// agreements share (break-glass: every dataset and field), narrowed by every restriction in
// force for the purpose: sealed records and nominals, objections, field exclusions. A forbid
// always beats a permit, and break-glass never opens a sealed record.
//
// The engine caches what it read from the store (agreements, purposes, restrictions resolved to
// source record and nominal ids) and rebuilds it when the store's GovernanceStamp changes, which
// it checks on every decision (one small query), so a new restriction or a new version of a
// sealed record takes effect on the next request. Thread-safe: the store is passed per call
// (each thread its own), the cache is shared.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "govern/agreements.h"
#include "govern/identity.h"
#include "govern/visibility.h"
#include "store/store.h"

namespace tessera::govern {

struct AccessRequest {
  std::string purpose;        // a purpose code
  std::string justification;  // free text or a case reference
  int64_t session_id = 0;     // for break-glass; 0 if none (the CLI)
};

struct AccessDecision {
  bool allowed = false;
  std::string denial;  // why not, for the user and the audit log; empty when allowed
  // The Tier 2 agreements the access rests on, as "CODE vN", and the role the first one
  // nominates the user in ("practitioner", "named"); "break-glass" under break-glass.
  std::vector<std::string> agreements;
  std::string role;
  bool break_glass = false;
  std::shared_ptr<const Visibility> visibility;  // always set: nothing visible when denied

  // "ISA-T2-CS-01 v3, ISA-T2-DA-02 v1": for the audit log.
  std::string AgreementList() const;
};

// The longest a justification may be, in bytes; longer is refused rather than cut.
inline constexpr size_t kMaxJustificationBytes = 1000;
// Break-glass lasts this long unless asked for less.
inline constexpr int64_t kBreakGlassMicros = int64_t{60} * 60 * 1'000'000;

class PolicyEngine {
 public:
  explicit PolicyEngine(const Clock& clock) : clock_(clock) {}
  PolicyEngine(const PolicyEngine&) = delete;
  PolicyEngine& operator=(const PolicyEngine&) = delete;

  // Decides a request. A refusal is a decision (allowed = false), not an error; errors are the
  // store failing.
  Result<AccessDecision> Decide(store::Store& store, const User& user,
                                const AccessRequest& request);

  // The purposes the user could state today, each with the agreements that would allow it: what
  // the web app offers at sign-in. Empty if the user is not trained.
  struct PurposeOption {
    std::string code;
    std::string name;
    std::vector<std::string> agreements;  // "CODE vN"
  };
  Result<std::vector<PurposeOption>> PurposesFor(store::Store& store, const User& user);

  // Starts break-glass for the session: the user must be trained and hold the practitioner
  // role, the purpose must be active in the catalogue and the reason not blank. Lasts
  // `duration_micros` (at most kBreakGlassMicros). The caller audits it as an alert.
  Result<store::StoredBreakGlass> StartBreakGlass(store::Store& store, const User& user,
                                                  int64_t session_id, std::string_view purpose,
                                                  std::string_view reason,
                                                  int64_t duration_micros = kBreakGlassMicros);

 private:
  struct Rules;  // the cache: parsed agreements, purposes, resolved restrictions
  Result<std::shared_ptr<const Rules>> CurrentRules(store::Store& store);

  const Clock& clock_;
  std::mutex mu_;
  std::shared_ptr<const Rules> rules_;
};

}  // namespace tessera::govern
