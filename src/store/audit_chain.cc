#include "store/audit_chain.h"

#include <cstdint>
#include <vector>

#include "core/sha256.h"

namespace tessera::store::internal {
namespace {

// Changing an encoding means a new tag and number, and VerifyAudit choosing the encoding by
// the number stored with each event.
constexpr std::string_view kEncodingV1Tag = "tessera-audit-v1";
constexpr std::string_view kEncodingV2Tag = "tessera-audit-v2";

void AppendField(std::string& out, std::string_view field) {
  const uint64_t size = field.size();
  for (int shift = 56; shift >= 0; shift -= 8) {
    out += static_cast<char>((size >> shift) & 0xFF);
  }
  out.append(field);
}

void AppendList(std::string& out, const std::vector<int64_t>& values) {
  AppendField(out, std::to_string(values.size()));
  for (int64_t value : values) AppendField(out, std::to_string(value));
}

bool HasVersion2Fields(const AuditEvent& event) {
  return !event.agency.empty() || !event.role.empty() || !event.agreement.empty() ||
         !event.outcome.empty() || !event.nominals.empty() || !event.records.empty();
}

}  // namespace

Result<std::string> CanonicalAuditEncoding(const AuditEvent& event) {
  std::string out;
  switch (event.encoding) {
    case 1:
      if (HasVersion2Fields(event)) {
        return Status::InvalidArgument(
            "an encoding-1 audit event carries agency, role, agreement, outcome, nominals or "
            "records, which encoding 1 does not cover");
      }
      AppendField(out, kEncodingV1Tag);
      AppendField(out, event.prev_hash);
      AppendField(out, std::to_string(event.seq));
      AppendField(out, std::to_string(event.at_micros));
      AppendField(out, event.actor);
      AppendField(out, event.action);
      AppendField(out, event.purpose);
      AppendField(out, event.justification);
      AppendField(out, event.resource);
      AppendField(out, event.detail);
      return out;
    case 2:
      AppendField(out, kEncodingV2Tag);
      AppendField(out, event.prev_hash);
      AppendField(out, std::to_string(event.seq));
      AppendField(out, std::to_string(event.at_micros));
      AppendField(out, event.actor);
      AppendField(out, event.agency);
      AppendField(out, event.role);
      AppendField(out, event.action);
      AppendField(out, event.purpose);
      AppendField(out, event.justification);
      AppendField(out, event.agreement);
      AppendField(out, event.outcome);
      AppendField(out, event.resource);
      AppendField(out, event.detail);
      AppendList(out, event.nominals);
      AppendList(out, event.records);
      return out;
    default:
      return Status::InvalidArgument("unknown audit event encoding " +
                                     std::to_string(event.encoding));
  }
}

Result<std::string> AuditEventHash(const AuditEvent& event) {
  TRY_ASSIGN(std::string encoding, CanonicalAuditEncoding(event));
  return tessera::Sha256Hex(encoding);
}

}  // namespace tessera::store::internal

namespace tessera::store {

Status ValidateAuditEvent(const AuditEvent& event) {
  if (event.actor.empty()) return Status::InvalidArgument("audit event: actor is empty");
  if (event.action.empty()) return Status::InvalidArgument("audit event: action is empty");
  for (int64_t id : event.nominals) {
    if (id <= 0) {
      return Status::InvalidArgument("audit event: nominal id " + std::to_string(id) +
                                     " is not positive");
    }
  }
  for (int64_t id : event.records) {
    if (id <= 0) {
      return Status::InvalidArgument("audit event: record id " + std::to_string(id) +
                                     " is not positive");
    }
  }
  return Status::Ok();
}

}  // namespace tessera::store
