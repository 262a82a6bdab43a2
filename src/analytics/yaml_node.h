// A YAML node with the key path that led to it (private to src/analytics): the rule and unit-cost
// files report every error as "FILE:LINE: PATH: what" through it. Errors are thrown as YamlError
// and caught by each parser's entry point, which turns them into InvalidArgument.
#pragma once

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::analytics::internal {

// Thrown by Node and caught by the parser's entry point: the first error ends the parse.
struct YamlError {
  std::string message;
};

// A YAML node with the key path that led to it, so that every error says where it is.
class Node {
 public:
  Node(YAML::Node node, std::string path, const std::string& file)
      : node_(std::move(node)), path_(std::move(path)), file_(file) {}

  [[noreturn]] void Fail(const std::string& what) const {
    throw YamlError{file_ + ":" + std::to_string(line()) + ": " +
                    (path_.empty() ? "" : path_ + ": ") + what};
  }

  int line() const { return node_.Mark().line >= 0 ? node_.Mark().line + 1 : 0; }
  const std::string& path() const { return path_; }
  bool IsMap() const { return node_.IsMap(); }
  bool IsSequence() const { return node_.IsSequence(); }
  bool Has(std::string_view key) const { return Get(key).has_value(); }

  // Refuses keys outside `allowed`: a misspelt key must not be silently ignored.
  void AllowOnly(std::initializer_list<std::string_view> allowed) const {
    if (!node_.IsMap()) Fail("expected a mapping of keys");
    for (const auto& kv : node_) {
      const std::string key = kv.first.as<std::string>();
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      std::string list;
      for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      Node(kv.first, Join(key), file_).Fail("unknown key (expected one of: " + list + ")");
    }
  }

  std::optional<Node> Get(std::string_view key) const {
    if (!node_.IsMap()) return std::nullopt;
    YAML::Node child = node_[std::string(key)];
    if (!child.IsDefined() || child.IsNull()) return std::nullopt;
    return Node(child, Join(key), file_);
  }

  Node Require(std::string_view key) const {
    std::optional<Node> child = Get(key);
    if (!child) {
      Fail("missing required key '" + std::string(key) + "'");
    }
    return *child;
  }

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
    if (!node_.IsScalar()) Fail("must be a number, zero or more");
    const std::string& v = node_.Scalar();
    double out = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc() || end != v.data() + v.size() || !std::isfinite(out) || out < 0) {
      Fail("must be a number, zero or more, not '" + v + "'");
    }
    return out;
  }

  bool Bool() const {
    if (!node_.IsScalar()) Fail("expected true or false");
    const std::string& v = node_.Scalar();
    if (v == "true" || v == "yes") return true;
    if (v == "false" || v == "no") return false;
    Fail("expected true or false, not '" + v + "'");
  }

  // A list of items, or one item written on its own.
  std::vector<Node> Items() const {
    std::vector<Node> out;
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

 private:
  std::string Join(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

  YAML::Node node_;
  std::string path_;
  const std::string& file_;
};

}  // namespace tessera::analytics::internal
