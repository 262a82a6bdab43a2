#include "store/audit_chain.h"

#include <openssl/evp.h>

#include <array>
#include <cstdint>

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

Result<std::string> Sha256Hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1 ||
      size != 32) {
    return Status::Internal("SHA-256 of an audit event failed in libcrypto");
  }
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * size);
  for (unsigned int i = 0; i < size; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0x0F];
  }
  return hex;
}

Result<std::string> AuditEventHash(const AuditEvent& event) {
  return Sha256Hex(CanonicalAuditEncoding(event));
}

}  // namespace tessera::store::internal
