#include "store/audit_chain.h"

#include <cstdint>

#include "core/sha256.h"

namespace tessera::store::internal {
namespace {

// Changing the encoding means a new tag, and VerifyAudit choosing the encoding by it.
constexpr std::string_view kEncodingTag = "tessera-audit-v1";

void AppendField(std::string& out, std::string_view field) {
  const uint64_t size = field.size();
  for (int shift = 56; shift >= 0; shift -= 8) {
    out += static_cast<char>((size >> shift) & 0xFF);
  }
  out.append(field);
}

}  // namespace

std::string CanonicalAuditEncoding(const AuditEvent& event) {
  std::string out;
  AppendField(out, kEncodingTag);
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
}

Result<std::string> AuditEventHash(const AuditEvent& event) {
  return tessera::Sha256Hex(CanonicalAuditEncoding(event));
}

}  // namespace tessera::store::internal
