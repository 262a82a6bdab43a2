// A YAML node with the key path that led to it: the hub's YAML files (mapping specs, indicator
// rules, unit costs) report every error as "FILE:LINE: PATH: what" through it. Errors are thrown
// as YamlError and caught by each parser's entry point, which turns them into InvalidArgument.
// Header-only; its users link yaml-cpp.
#pragma once

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tessera {

// Thrown by YamlNode and caught by the parser's entry point: the first error ends the parse.
struct YamlError {
  std::string message;
};

// A YAML node with the key path that led to it, so that every error says where it is.
class YamlNode {
 public:
  YamlNode(YAML::Node node, std::string path, const std::string& file)
      : node_(std::move(node)), path_(std::move(path)), file_(file) {}

  [[noreturn]] void Fail(const std::string& what) const {
    throw YamlError{file_ + ":" + std::to_string(line()) + ": " +
                    (path_.empty() ? "" : path_ + ": ") + what};
  }

  int line() const { return node_.Mark().line >= 0 ? node_.Mark().line + 1 : 0; }
  // "FILE:LINE", for messages given after the parse.
  std::string Where() const { return file_ + ":" + std::to_string(line()); }
  const std::string& path() const { return path_; }
  bool IsMap() const { return node_.IsMap(); }
  bool IsSequence() const { return node_.IsSequence(); }
  bool IsScalar() const { return node_.IsScalar(); }
  bool Has(std::string_view key) const { return Get(key).has_value(); }

  // Refuses keys outside `allowed`: a misspelt key must not be silently ignored.
  void AllowOnly(std::initializer_list<std::string_view> allowed) const {
    if (!node_.IsMap()) Fail("expected a mapping of keys");
    for (const auto& kv : node_) {
      const std::string key = kv.first.as<std::string>();
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      std::string list;
      for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      YamlNode(kv.first, Join(key), file_)
          .Fail("unknown key '" + key + "' (expected one of: " + list + ")");
    }
  }

  std::optional<YamlNode> Get(std::string_view key) const {
    if (!node_.IsMap()) return std::nullopt;
    YAML::Node child = node_[std::string(key)];
    if (!child.IsDefined() || child.IsNull()) return std::nullopt;
    return YamlNode(child, Join(key), file_);
  }

  YamlNode Require(std::string_view key) const {
    std::optional<YamlNode> child = Get(key);
    if (!child) {
      Fail("missing required key '" + std::string(key) + "'");
    }
    return *child;
  }

  // A single value, possibly empty.
  std::string Scalar() const {
    if (!node_.IsScalar()) Fail("expected a single value");
    return node_.Scalar();
  }

  // A single value that is not blank.
  std::string Text() const {
    if (!node_.IsScalar()) Fail("expected text");
    std::string value = node_.Scalar();
    if (value.find_first_not_of(" \t\r\n") == std::string::npos) Fail("is blank");
    return value;
  }

  int WholeNumber(int min, int max) const {
    if (!node_.IsScalar()) Fail("expected a whole number");
    const std::string& v = node_.Scalar();
    int out = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc() || end != v.data() + v.size()) {
      Fail("expected a whole number, not '" + v + "'");
    }
    if (out < min || out > max) {
      Fail("must be " + std::to_string(min) + " to " + std::to_string(max) + ", not " + v);
    }
    return out;
  }

  // A number, zero or more ("12.5", "3000").
  double NonNegativeNumber() const {
    std::optional<double> n = FiniteNumber();
    if (!n || *n < 0) Fail(Expected("must be a number, zero or more"));
    return *n;
  }

  // Any finite number ("-3", "0.25", "1e3").
  double Number() const {
    std::optional<double> n = FiniteNumber();
    if (!n) Fail(Expected("expected a number"));
    return *n;
  }

  bool Bool() const {
    if (!node_.IsScalar()) Fail("expected true or false");
    const std::string& v = node_.Scalar();
    if (v == "true" || v == "yes") return true;
    if (v == "false" || v == "no") return false;
    Fail("expected true or false, not '" + v + "'");
  }

  // A list of items, or one item written on its own. An empty list is refused: it is a mistake
  // more often than a way of saying "none".
  std::vector<YamlNode> Items() const {
    std::vector<YamlNode> out;
    if (!node_.IsSequence()) {
      out.push_back(*this);
      return out;
    }
    if (node_.size() == 0) Fail("is an empty list");
    for (size_t i = 0; i < node_.size(); ++i) {
      out.emplace_back(node_[i], path_ + "[" + std::to_string(i) + "]", file_);
    }
    return out;
  }

  // The keys of a mapping, each with its value.
  std::vector<std::pair<std::string, YamlNode>> Entries() const {
    if (!node_.IsMap()) Fail("expected a mapping");
    std::vector<std::pair<std::string, YamlNode>> out;
    for (const auto& kv : node_) {
      const std::string key = kv.first.as<std::string>();
      out.emplace_back(key, YamlNode(kv.second, Join(key), file_));
    }
    return out;
  }

 private:
  // The scalar as a finite number; nullopt if it is not one.
  std::optional<double> FiniteNumber() const {
    if (!node_.IsScalar()) return std::nullopt;
    const std::string& v = node_.Scalar();
    double out = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc() || end != v.data() + v.size() || !std::isfinite(out)) return std::nullopt;
    return out;
  }

  // "`what`, not '<the value>'", or just `what` when the node is not a single value.
  std::string Expected(const std::string& what) const {
    return node_.IsScalar() ? what + ", not '" + node_.Scalar() + "'" : what;
  }

  std::string Join(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

  YAML::Node node_;
  std::string path_;
  const std::string& file_;
};

}  // namespace tessera
