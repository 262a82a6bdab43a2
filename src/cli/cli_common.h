// What every `tessera` subcommand shares: reporting a failure, naming the person at the
// keyboard, and auditing access to personal data before showing it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/store.h"

namespace tessera::cli {

// Opens the hub's store for a command, with the audit log's checkpoint signer attached
// (govern/audit_log.h: the key from $TESSERA_AUDIT_KEY or HUB/keys/audit.key, made on first
// use), so that the events a command appends are covered by keyed checkpoints as the server's
// are.
Result<std::unique_ptr<store::Store>> OpenHub(const std::string& hub_dir);

// Prints "tessera: <status>" to stderr and returns the exit code 1.
int Fail(const Status& status);

// Who is at the keyboard, as the audit log names them until issue 5 brings users: "cli:alice".
std::string CliActor();

// Records that the actor is about to see (or change) personal data. Nothing may be shown
// unless this succeeded: AppendAudit returns once the event is on disk.
Status AuditAccess(store::Store& store, std::string action, std::string resource,
                   std::string justification, std::string detail);
Status AuditAccess(store::Store& store, std::string action, std::string resource,
                   std::string justification, int64_t rows);

// InvalidArgument unless `reason` says something: "--reason must say why <why>".
Status RequireReason(const std::string& reason,
                     std::string_view why =
                         "you need to see this personal data (it goes in "
                         "the audit log)");

}  // namespace tessera::cli
