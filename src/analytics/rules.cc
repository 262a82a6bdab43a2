// Reading and checking indicator rule files (docs/formats/indicators.md).
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "analytics/analytics.h"
#include "core/yaml_node.h"

// The default rules, compiled in with .incbin (CMakeLists.txt).
extern "C" const char tessera_default_indicators_begin[];
extern "C" const char tessera_default_indicators_end[];

namespace tessera::analytics {
namespace {

using Node = YamlNode;

constexpr int kMaxWindowMonths = 120;
constexpr int kMaxThreshold = 10'000;
constexpr std::string_view kBuiltIn = "built-in default";

bool IsCode(std::string_view code) {
  if (code.size() < 2 || code.size() > 64) return false;
  return std::all_of(code.begin(), code.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::vector<std::string> TextList(const Node& node) {
  std::vector<std::string> out;
  for (const Node& item : node.Items()) {
    std::string value = item.Text();
    if (std::find(out.begin(), out.end(), value) != out.end()) {
      item.Fail("lists '" + value + "' twice");
    }
    out.push_back(std::move(value));
  }
  return out;
}

EventMatch ParseMatch(const Node& node) {
  node.AllowOnly({"agencies", "sources", "categories", "types", "roles"});
  EventMatch m;
  bool any = false;
  if (auto n = node.Get("agencies")) {
    for (const Node& item : n->Items()) {
      const std::string name = item.Text();
      std::optional<model::Agency> agency = model::AgencyFromName(name);
      if (!agency) {
        item.Fail("unknown agency '" + name + "' (one of: " + model::AgencyNames() + ")");
      }
      m.agencies.push_back(*agency);
    }
    any = true;
  }
  if (auto n = node.Get("sources")) {
    for (const Node& item : n->Items()) {
      const std::string id = item.Text();
      if (!std::all_of(id.begin(), id.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
          })) {
        item.Fail("'" + id + "' is not a source id (a-z, 0-9, '_')");
      }
    }
    m.sources = TextList(*n);
    any = true;
  }
  if (auto n = node.Get("categories")) {
    m.categories = TextList(*n);
    any = true;
  }
  if (auto n = node.Get("types")) {
    m.types = TextList(*n);
    any = true;
  }
  if (auto n = node.Get("roles")) {
    for (const Node& item : n->Items()) {
      const std::string name = item.Text();
      std::optional<model::Role> role = model::RoleFromName(name);
      if (!role) item.Fail("unknown role '" + name + "' (one of: " + model::RoleNames() + ")");
      m.roles.push_back(*role);
    }
    any = true;
  }
  if (!any) node.Fail("a match needs at least one of agencies, sources, categories, types, roles");
  return m;
}

// Where a rule's component list and each component are, for errors found after parsing.
struct Where {
  Node rule;
  std::optional<Node> components;
};

IndicatorRule ParseRule(const Node& node, std::vector<Where>& where) {
  node.AllowOnly({"code", "title", "description", "scope", "window_months", "match", "threshold",
                  "any_member", "all_of", "at_least", "of"});
  IndicatorRule r;
  r.line = node.line();
  const Node code = node.Require("code");
  r.code = code.Text();
  if (!IsCode(r.code)) code.Fail("'" + r.code + "' must be 2 to 64 of a-z, 0-9 and '_'");
  r.title = node.Require("title").Text();
  r.description = node.Require("description").Text();
  const Node scope = node.Require("scope");
  const std::string scope_name = scope.Text();
  if (scope_name == "nominal") {
    r.scope = Scope::kNominal;
  } else if (scope_name == "household") {
    r.scope = Scope::kHousehold;
  } else {
    scope.Fail("must be nominal or household, not '" + scope_name + "'");
  }

  const bool composite = node.Has("all_of") || node.Has("at_least") || node.Has("of");
  Where w{node, std::nullopt};
  if (composite) {
    // A composite takes its windows and thresholds from its components.
    for (std::string_view key : {"window_months", "match", "threshold", "any_member"}) {
      if (auto n = node.Get(key)) {
        n->Fail("a composite rule (all_of, or at_least and of) takes no " + std::string(key) +
                ": its components have their own");
      }
    }
    r.composite = true;
    if (auto all = node.Get("all_of")) {
      if (node.Has("at_least") || node.Has("of")) {
        all->Fail("use either all_of, or at_least with of, not both");
      }
      r.of = TextList(*all);
      r.at_least = static_cast<int>(r.of.size());
      w.components.emplace(*all);
    } else {
      const Node of = node.Require("of");
      if (!node.Has("at_least")) of.Fail("of needs at_least: how many of these must be raised");
      r.of = TextList(of);
      w.components.emplace(of);
      const Node at_least = node.Require("at_least");
      r.at_least = at_least.WholeNumber(1, static_cast<int>(r.of.size()));
    }
    where.push_back(std::move(w));
    return r;
  }

  r.window_months = node.Require("window_months").WholeNumber(1, kMaxWindowMonths);
  const Node match = node.Require("match");
  if (match.IsSequence()) {
    for (const Node& item : match.Items()) r.match.push_back(ParseMatch(item));
  } else {
    r.match.push_back(ParseMatch(match));
  }
  if (auto t = node.Get("threshold")) {
    t->AllowOnly({"min_events", "min_distinct_days"});
    if (auto n = t->Get("min_events")) r.min_events = n->WholeNumber(1, kMaxThreshold);
    if (auto n = t->Get("min_distinct_days")) {
      r.min_distinct_days = n->WholeNumber(0, kMaxThreshold);
    }
  }
  if (auto n = node.Get("any_member")) {
    if (r.scope != Scope::kHousehold) n->Fail("is for household rules only");
    r.any_member = n->Bool();
  }
  where.push_back(std::move(w));
  return r;
}

struct Parsed {
  std::vector<IndicatorRule> rules;
  std::vector<size_t> order;
};

// Checks the components of composites: they exist, have the composite's scope, and no rule
// depends on itself. Gives the evaluation order (components first).
std::vector<size_t> CheckComposites(const std::vector<IndicatorRule>& rules,
                                    const std::vector<Where>& where) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < rules.size(); ++i) index[rules[i].code] = i;
  for (size_t i = 0; i < rules.size(); ++i) {
    const IndicatorRule& r = rules[i];
    if (!r.composite) continue;
    std::vector<Node> items = where[i].components->Items();
    for (size_t k = 0; k < r.of.size(); ++k) {
      auto it = index.find(r.of[k]);
      if (it == index.end()) items[k].Fail("no rule has the code '" + r.of[k] + "'");
      const IndicatorRule& component = rules[it->second];
      if (component.scope != r.scope) {
        items[k].Fail("'" + r.of[k] + "' is a " + std::string(ScopeName(component.scope)) +
                      " rule and this is a " + std::string(ScopeName(r.scope)) +
                      " rule: components must have the composite's scope");
      }
    }
  }
  // Depth-first, components first; a rule met again while still open closes a cycle.
  enum class Mark { kNew, kOpen, kDone };
  std::vector<Mark> mark(rules.size(), Mark::kNew);
  std::vector<size_t> order;
  std::vector<size_t> path;
  auto visit = [&](auto&& self, size_t i) -> void {
    if (mark[i] == Mark::kDone) return;
    if (mark[i] == Mark::kOpen) {
      std::string cycle;
      auto from = std::find(path.begin(), path.end(), i);
      for (auto it = from; it != path.end(); ++it) cycle += rules[*it].code + " -> ";
      cycle += rules[i].code;
      where[i].components->Fail("rules depend on themselves: " + cycle);
    }
    mark[i] = Mark::kOpen;
    path.push_back(i);
    for (const std::string& code : rules[i].of) self(self, index.at(code));
    path.pop_back();
    mark[i] = Mark::kDone;
    order.push_back(i);
  };
  for (size_t i = 0; i < rules.size(); ++i) visit(visit, i);
  return order;
}

Parsed ParseRules(const YAML::Node& root, const std::string& file) {
  const Node top(root, "", file);
  if (!root.IsMap()) top.Fail("an indicator file is a mapping with a list under indicators:");
  top.AllowOnly({"indicators"});
  const Node list = top.Require("indicators");
  if (!list.IsSequence()) list.Fail("expected a list of rules");
  Parsed out;
  std::vector<Where> where;
  std::map<std::string, int> first_line;
  for (const Node& item : list.Items()) {
    IndicatorRule rule = ParseRule(item, where);
    if (auto [it, added] = first_line.emplace(rule.code, rule.line); !added) {
      item.Require("code").Fail("'" + rule.code + "' is defined twice (first at line " +
                                std::to_string(it->second) + ")");
    }
    out.rules.push_back(std::move(rule));
  }
  out.order = CheckComposites(out.rules, where);
  return out;
}

}  // namespace

std::string_view ScopeName(Scope scope) {
  return scope == Scope::kNominal ? "nominal" : "household";
}

Result<IndicatorSet> IndicatorSet::Parse(std::string_view yaml, const std::string& file) {
  Parsed parsed;
  try {
    parsed = ParseRules(YAML::Load(std::string(yaml)), file);
  } catch (const YamlError& e) {
    return Status::InvalidArgument(e.message);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(file + ":0: " + e.what());
  }
  IndicatorSet set;
  set.rules_ = std::move(parsed.rules);
  set.order_ = std::move(parsed.order);
  set.origin_ = file;
  return set;
}

Result<IndicatorSet> IndicatorSet::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read indicator rules " + path);
  std::stringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path);
}

std::string_view IndicatorSet::DefaultYaml() {
  return std::string_view(tessera_default_indicators_begin,
                          tessera_default_indicators_end - tessera_default_indicators_begin);
}

Result<IndicatorSet> IndicatorSet::Default() {
  TRY_ASSIGN(IndicatorSet set, Parse(DefaultYaml(), "indicators.yaml (built in)"));
  set.origin_ = std::string(kBuiltIn);
  set.built_in_ = true;
  return set;
}

std::string IndicatorSet::HubRulesPath(const std::string& hub_dir) {
  return (std::filesystem::path(hub_dir) / "analytics" / "indicators.yaml").string();
}

Result<IndicatorSet> IndicatorSet::ForHub(const std::string& hub_dir) {
  const std::string path = HubRulesPath(hub_dir);
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return Load(path);
  return Default();
}

const IndicatorRule* IndicatorSet::Find(std::string_view code) const {
  for (const IndicatorRule& r : rules_) {
    if (r.code == code) return &r;
  }
  return nullptr;
}

}  // namespace tessera::analytics
