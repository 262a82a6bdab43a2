// Private to src/serve: the built web app (web/dist), held in memory and looked up by exact URL
// path, so that no request can name a file the server did not load at start.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace tessera::serve {

struct WebFile {
  std::string body;
  std::string content_type;
  std::string etag;           // strong: "\"<first 32 hex of SHA-256>\""
  std::string cache_control;  // immutable under /assets/, else no-cache
};

class WebFiles {
 public:
  // Reads every regular file under `root` (recursively) into memory, keyed by "/" + its path
  // relative to the root. A symbolic link is followed only to a regular file inside the root;
  // anything else it names is skipped and listed in `skipped`. InvalidArgument if the root is
  // not a readable directory or has no index.html; ResourceExhausted beyond `max_bytes` in all.
  static Result<WebFiles> Load(const std::string& root, size_t max_bytes,
                               std::vector<std::string>* skipped = nullptr);

  // The file at `key` ("/assets/index-3f9a1c2b.js"), or null.
  const WebFile* Find(std::string_view key) const;
  size_t files() const { return files_.size(); }
  size_t bytes() const { return bytes_; }

 private:
  std::map<std::string, WebFile, std::less<>> files_;
  size_t bytes_ = 0;
};

// The media type for a file name, by extension (case-insensitive); application/octet-stream
// when unknown.
std::string_view WebContentType(std::string_view name);

// The percent-decoded URL path, or nothing when it has a broken escape or decodes to something
// no web file can be named by: "..", NUL or a backslash.
std::optional<std::string> DecodeWebPath(std::string_view path);

// True if `if_none_match` (an If-None-Match header) matches `etag` (weak comparison, as RFC
// 9110 13.1.2 requires: a W/ prefix is ignored; "*" matches).
bool EtagMatches(std::string_view if_none_match, std::string_view etag);

}  // namespace tessera::serve
