#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

#include "serve/serve.h"

namespace tessera::serve {
namespace {

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 1;  // after the leading '/'
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool IsParam(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding of a path parameter; nothing for a broken escape or a decoded NUL or '/'.
std::optional<std::string> Decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    const int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    const char c = static_cast<char>(hi * 16 + lo);
    if (c == '\0' || c == '/') return std::nullopt;
    out += c;
    i += 2;
  }
  return out;
}

bool ValidId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '_' || c == '.';
  });
}

bool ValidMethod(std::string_view method) {
  return !method.empty() &&
         std::all_of(method.begin(), method.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

}  // namespace

std::string_view Request::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() &&
        std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return value;
    }
  }
  return {};
}

Response Response::Json(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response Response::Problem(int status, std::string_view title, std::string_view detail,
                           std::string_view type) {
  nlohmann::json j = {{"type", type}, {"title", title}, {"status", status}, {"detail", detail}};
  Response r;
  r.status = status;
  r.content_type = "application/problem+json";
  r.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Status Router::Add(Route route) {
  if (!ValidId(route.id)) {
    return Status::InvalidArgument("route id '" + route.id + "' must be 1 to 64 of [a-z0-9_.]");
  }
  if (!ValidMethod(route.method)) {
    return Status::InvalidArgument("route " + route.id + ": method must be upper-case letters");
  }
  if (!route.handler) return Status::InvalidArgument("route " + route.id + " has no handler");
  const std::string& p = route.pattern;
  if (p.empty() || p.front() != '/' || p.find_first_of("?# ") != std::string::npos) {
    return Status::InvalidArgument("route " + route.id + ": pattern must be a path: " + p);
  }
  std::set<std::string_view> names;
  std::string shape;  // the pattern with parameter names erased, for equivalence
  const auto segments = Segments(p);
  for (std::string_view s : segments) {
    if (s.empty() && !(segments.size() == 1)) {
      return Status::InvalidArgument("route " + route.id + ": empty segment in " + p);
    }
    const bool braces = s.find_first_of("{}") != std::string_view::npos;
    if (braces && !IsParam(s)) {
      return Status::InvalidArgument("route " + route.id +
                                     ": a parameter is a whole segment {name}: " + p);
    }
    if (IsParam(s)) {
      std::string_view name = s.substr(1, s.size() - 2);
      if (!ValidId(name) || !names.insert(name).second) {
        return Status::InvalidArgument("route " + route.id + ": bad or repeated parameter in " + p);
      }
      shape += "/{}";
    } else {
      shape += "/" + std::string(s);
    }
  }
  for (const Route& r : routes_) {
    if (r.id == route.id) return Status::AlreadyExists("route id " + route.id + " is taken");
    if (r.method != route.method) continue;
    std::string other;
    for (std::string_view s : Segments(r.pattern))
      other += IsParam(s) ? "/{}" : "/" + std::string(s);
    if (other == shape) {
      return Status::AlreadyExists(route.method + " " + p + " is taken by route " + r.id);
    }
  }
  routes_.push_back(std::move(route));
  return Status::Ok();
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match best;
  if (path.empty() || path.front() != '/') return best;
  const auto segments = Segments(path);
  std::vector<int> best_rank;  // per segment: 1 literal, 0 parameter; higher wins
  std::set<std::string> allowed;
  for (const Route& r : routes_) {
    const auto pattern = Segments(r.pattern);
    if (pattern.size() != segments.size()) continue;
    std::vector<int> rank;
    std::map<std::string, std::string> params;
    bool matched = true;
    for (size_t i = 0; i < pattern.size() && matched; ++i) {
      if (IsParam(pattern[i])) {
        auto value = Decode(segments[i]);
        if (!value || value->empty()) {
          matched = false;
        } else {
          params[std::string(pattern[i].substr(1, pattern[i].size() - 2))] = std::move(*value);
          rank.push_back(0);
        }
      } else {
        matched = pattern[i] == segments[i];
        rank.push_back(1);
      }
    }
    if (!matched) continue;
    allowed.insert(r.method);
    if (r.method != method) continue;
    if (best.route == nullptr || rank > best_rank) {
      best.route = &r;
      best.status = 200;
      best.params = std::move(params);
      best_rank = std::move(rank);
    }
  }
  if (best.route == nullptr && !allowed.empty()) {
    best.status = 405;
    best.allowed.assign(allowed.begin(), allowed.end());
  }
  return best;
}

}  // namespace tessera::serve
