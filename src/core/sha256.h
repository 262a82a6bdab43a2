// SHA-256 through OpenSSL's libcrypto: content hashes for provenance (records, files) and the
// audit log's hash chain.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

struct evp_md_ctx_st;

namespace tessera {

// Hashes a stream of bytes fed in pieces.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(const void* data, size_t size);
  // Lower-case hex (64 characters). Internal if libcrypto failed at any step.
  Result<std::string> HexDigest();

 private:
  evp_md_ctx_st* ctx_;
  bool ok_;
};

// Lower-case hex SHA-256 of `bytes`.
Result<std::string> Sha256Hex(std::string_view bytes);

}  // namespace tessera
