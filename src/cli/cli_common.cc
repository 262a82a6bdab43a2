#include "cli/cli_common.h"

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdio>

#include "core/ascii.h"
#include "core/clock.h"
#include "govern/audit_log.h"

namespace tessera::cli {

int Fail(const Status& status) {
  std::fprintf(stderr, "tessera: %s\n", status.ToString().c_str());
  return 1;
}

Result<std::unique_ptr<store::Store>> OpenHub(const std::string& hub_dir) {
  TRY_ASSIGN(std::unique_ptr<store::Store> store,
             store::OpenSqliteStore(hub_dir, SystemClock::Instance()));
  TRY_ASSIGN(auto signer, govern::AuditCheckpointSigner::Open(hub_dir));
  store->SetAuditSigner(std::move(signer));
  return store;
}

std::string CliActor() {
  const struct passwd* user = ::getpwuid(::geteuid());
  if (user != nullptr && user->pw_name != nullptr && user->pw_name[0] != '\0') {
    return std::string("cli:") + user->pw_name;
  }
  return fmt::format("cli:uid={}", static_cast<long long>(::geteuid()));
}

Status AuditAccess(store::Store& store, std::string action, std::string resource,
                   std::string justification, std::string detail) {
  store::AuditEvent event;
  event.actor = CliActor();
  event.action = std::move(action);
  event.justification = std::move(justification);
  event.resource = std::move(resource);
  event.detail = std::move(detail);
  auto appended = store.AppendAudit(event);
  if (!appended.ok()) {
    return Status(appended.status().code(),
                  "refusing to show personal data: the audit event could not be written: " +
                      appended.status().message());
  }
  return Status::Ok();
}

Status AuditAccess(store::Store& store, std::string action, std::string resource,
                   std::string justification, int64_t rows) {
  return AuditAccess(store, std::move(action), std::move(resource), std::move(justification),
                     fmt::format("rows={}", rows));
}

Status RequireReason(const std::string& reason, std::string_view why) {
  if (ascii::TrimBlanks(reason).empty()) {
    return Status::InvalidArgument(fmt::format("--reason must say why {}", why));
  }
  return Status::Ok();
}

}  // namespace tessera::cli
