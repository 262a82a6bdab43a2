#include "serve/web_files.h"

#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/ascii.h"
#include "core/sha256.h"
#include "serve/serve.h"

namespace tessera::serve {

namespace fs = std::filesystem;

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Vite names what it content-hashes into assets/; anything else (index.html, favicon.svg) may
// change under the same name and must be revalidated.
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kRevalidate = "no-cache";

bool Inside(const fs::path& path, const fs::path& root) {
  auto p = path.begin();
  for (auto r = root.begin(); r != root.end(); ++r, ++p) {
    if (p == path.end() || *p != *r) return false;
  }
  return p != path.end();
}

Result<std::string> ReadWhole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot read " + path.string());
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Status::IoError("cannot read " + path.string());
  return body;
}

}  // namespace

std::string_view WebContentType(std::string_view name) {
  const size_t slash = name.rfind('/');
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  const size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  const std::string ext = ascii::LowerCase(name.substr(dot + 1));
  static const std::map<std::string, std::string_view, std::less<>> kTypes = {
      {"html", "text/html; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"svg", "image/svg+xml"},
      {"json", "application/json"},
      {"geojson", "application/geo+json"},
      {"png", "image/png"},
      {"ico", "image/vnd.microsoft.icon"},
      {"woff2", "font/woff2"},
      {"txt", "text/plain; charset=utf-8"},
      {"map", "application/json"},
      {"webmanifest", "application/manifest+json"},
  };
  auto it = kTypes.find(ext);
  return it == kTypes.end() ? std::string_view("application/octet-stream") : it->second;
}

std::optional<std::string> DecodeWebPath(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] != '%') {
      out += path[i];
      continue;
    }
    if (i + 2 >= path.size()) return std::nullopt;
    const int hi = HexDigit(path[i + 1]), lo = HexDigit(path[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  if (out.find("..") != std::string::npos || out.find('\0') != std::string::npos ||
      out.find('\\') != std::string::npos) {
    return std::nullopt;
  }
  return out;
}

bool EtagMatches(std::string_view if_none_match, std::string_view etag) {
  auto opaque = [](std::string_view tag) {
    tag = ascii::TrimBlanks(tag);
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    return tag;
  };
  std::string_view rest = if_none_match;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    const std::string_view tag = opaque(rest.substr(0, comma));
    if (tag == "*" || tag == opaque(etag)) return true;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return false;
}

Result<WebFiles> WebFiles::Load(const std::string& root, size_t max_bytes,
                                std::vector<std::string>* skipped) {
  std::error_code ec;
  const fs::path base = fs::canonical(root, ec);
  if (ec || !fs::is_directory(base, ec)) {
    return Status::InvalidArgument("web root " + root + " is not a readable directory");
  }
  WebFiles out;
  fs::recursive_directory_iterator it(base, fs::directory_options::none, ec);
  if (ec) return Status::InvalidArgument("cannot read web root " + root + ": " + ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return Status::IoError("cannot read web root " + root + ": " + ec.message());
    const fs::directory_entry& entry = *it;
    fs::path file = entry.path();
    if (entry.is_symlink(ec)) {
      // Followed only to a regular file inside the root: a link must not publish /etc.
      const fs::path target = fs::canonical(file, ec);
      if (ec || !Inside(target, base) || !fs::is_regular_file(target, ec)) {
        if (skipped) skipped->push_back(file.string());
        ec.clear();
        continue;
      }
      file = target;
    } else if (!entry.is_regular_file(ec)) {
      continue;  // directories are walked; sockets and devices are not web files
    }
    const uintmax_t size = fs::file_size(file, ec);
    if (ec) return Status::IoError("cannot read " + file.string() + ": " + ec.message());
    if (size > max_bytes || out.bytes_ + size > max_bytes) {
      return Status::ResourceExhausted("web root " + root + " holds more than " +
                                       std::to_string(max_bytes >> 20) + " MiB");
    }
    TRY_ASSIGN(std::string body, ReadWhole(file));
    if (out.bytes_ + body.size() > max_bytes) {
      return Status::ResourceExhausted("web root " + root + " holds more than " +
                                       std::to_string(max_bytes >> 20) + " MiB");
    }
    const std::string key = "/" + entry.path().lexically_relative(base).generic_string();
    WebFile web;
    TRY_ASSIGN(std::string digest, Sha256Hex(body));
    web.etag = "\"" + digest.substr(0, 32) + "\"";
    web.content_type = std::string(WebContentType(key));
    web.cache_control = std::string(key.starts_with("/assets/") ? kImmutable : kRevalidate);
    out.bytes_ += body.size();
    web.body = std::move(body);
    out.files_[key] = std::move(web);
  }
  if (ec) return Status::IoError("cannot read web root " + root + ": " + ec.message());
  if (out.Find("/index.html") == nullptr) {
    return Status::InvalidArgument("web root " + root + " has no index.html");
  }
  return out;
}

std::string DefaultWebRoot(std::string_view env_web_root, const std::string& exe_dir,
                           const std::string& cwd) {
  if (!env_web_root.empty()) return std::string(env_web_root);
  std::vector<fs::path> candidates;
  if (!exe_dir.empty()) candidates.push_back(fs::path(exe_dir) / ".." / ".." / "web" / "dist");
  if (!cwd.empty()) candidates.push_back(fs::path(cwd) / "web" / "dist");
  for (const fs::path& dist : candidates) {
    std::error_code ec;
    if (fs::is_regular_file(dist / "index.html", ec)) return dist.lexically_normal().string();
  }
  return "";
}

const WebFile* WebFiles::Find(std::string_view key) const {
  auto it = files_.find(key);
  return it == files_.end() ? nullptr : &it->second;
}

}  // namespace tessera::serve
