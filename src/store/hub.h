// The hub directory layout and its hub.json marker. Private to the store module: callers use
// InitHub and OpenSqliteStore from store.h.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace tessera::store::internal {

inline constexpr std::string_view kHubJsonName = "hub.json";
inline constexpr std::string_view kHubDbName = "hub.db";
// The audit log's own file (store/sqlite/audit_db.h).
inline constexpr std::string_view kAuditDbName = "audit.db";

std::string HubDbPath(const std::string& hub_dir);
std::string AuditDbPath(const std::string& hub_dir);

// OK when `hub_dir` is a hub this binary can open. FailedPrecondition, with the
// `tessera init --data DIR` hint, when it is not a hub; FailedPrecondition when its format is
// newer than this binary; Corruption when hub.json cannot be read.
Status CheckHub(const std::string& hub_dir);

}  // namespace tessera::store::internal
