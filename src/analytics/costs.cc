// Unit costs and the late-intervention cost estimate (costs.h).
#include "analytics/costs.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

extern "C" {
extern const char tessera_default_unit_costs_begin[];
extern const char tessera_default_unit_costs_end[];
}

namespace tessera::analytics {

namespace {

constexpr std::string_view kBuiltIn = "built-in default";

Status Error(const std::string& file, const YAML::Node& node, const std::string& key,
             const std::string& what) {
  const int line = node.Mark().line >= 0 ? node.Mark().line + 1 : 0;
  return Status::InvalidArgument(file + ":" + std::to_string(line) + ": " + key + ": " + what);
}

Result<std::string> Text(const std::string& file, const YAML::Node& map, const std::string& key,
                         const std::string& path) {
  const YAML::Node node = map[key];
  if (!node || !node.IsScalar() || node.Scalar().empty()) {
    return Error(file, node ? node : map, path, "must be given as text");
  }
  return node.Scalar();
}

Status CheckKeys(const std::string& file, const YAML::Node& map, const std::set<std::string>& keys,
                 const std::string& path) {
  for (const auto& kv : map) {
    const std::string key = kv.first.Scalar();
    if (!keys.contains(key)) {
      return Error(file, kv.first, path.empty() ? key : path + "." + key, "unknown key");
    }
  }
  return Status::Ok();
}

}  // namespace

const UnitCost* UnitCosts::Find(std::string_view category) const {
  for (const UnitCost& c : costs) {
    if (c.category == category) return &c;
  }
  return nullptr;
}

Result<UnitCosts> UnitCosts::Parse(std::string_view yaml, const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(file + ":" + std::to_string(e.mark.line + 1) +
                                   ": not valid YAML: " + e.msg);
  }
  if (!root.IsMap()) return Status::InvalidArgument(file + ":1: the file must be a mapping");
  TRY(CheckKeys(file, root, {"currency", "price_year", "source", "assumptions", "costs"}, ""));
  UnitCosts out;
  out.origin = file;
  TRY_ASSIGN(out.currency, Text(file, root, "currency", "currency"));
  TRY_ASSIGN(out.price_year, Text(file, root, "price_year", "price_year"));
  TRY_ASSIGN(out.source, Text(file, root, "source", "source"));
  const YAML::Node assumptions = root["assumptions"];
  if (assumptions) {
    if (!assumptions.IsSequence()) return Error(file, assumptions, "assumptions", "must be a list");
    for (size_t i = 0; i < assumptions.size(); ++i) {
      if (!assumptions[i].IsScalar() || assumptions[i].Scalar().empty()) {
        return Error(file, assumptions[i], "assumptions[" + std::to_string(i) + "]",
                     "must be text");
      }
      out.assumptions.push_back(assumptions[i].Scalar());
    }
  }
  const YAML::Node costs = root["costs"];
  if (!costs || !costs.IsSequence() || costs.size() == 0) {
    return Error(file, costs ? costs : root, "costs", "must be a non-empty list");
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < costs.size(); ++i) {
    const std::string path = "costs[" + std::to_string(i) + "]";
    const YAML::Node c = costs[i];
    if (!c.IsMap()) return Error(file, c, path, "must be a mapping");
    TRY(CheckKeys(file, c, {"category", "label", "unit", "unit_cost"}, path));
    UnitCost cost;
    TRY_ASSIGN(cost.category, Text(file, c, "category", path + ".category"));
    TRY_ASSIGN(cost.label, Text(file, c, "label", path + ".label"));
    TRY_ASSIGN(cost.unit, Text(file, c, "unit", path + ".unit"));
    const YAML::Node amount = c["unit_cost"];
    bool parsed = false;
    if (amount && amount.IsScalar()) {
      std::istringstream in(amount.Scalar());
      in >> cost.unit_cost;
      parsed = !in.fail() && in.eof();
    }
    if (!parsed || cost.unit_cost < 0) {
      return Error(file, amount ? amount : c, path + ".unit_cost",
                   "must be a number, zero or more");
    }
    if (!seen.insert(cost.category).second) {
      return Error(file, c["category"], path + ".category",
                   "category '" + cost.category + "' is priced twice");
    }
    out.costs.push_back(std::move(cost));
  }
  return out;
}

std::string_view UnitCosts::DefaultYaml() {
  return std::string_view(tessera_default_unit_costs_begin,
                          tessera_default_unit_costs_end - tessera_default_unit_costs_begin);
}

Result<UnitCosts> UnitCosts::Default() {
  TRY_ASSIGN(UnitCosts costs, Parse(DefaultYaml(), "unit-costs.yaml (built in)"));
  costs.origin = std::string(kBuiltIn);
  return costs;
}

Result<UnitCosts> UnitCosts::ForHub(const std::string& hub_dir) {
  const std::filesystem::path path =
      std::filesystem::path(hub_dir) / "analytics" / "unit-costs.yaml";
  if (!std::filesystem::exists(path)) return Default();
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path.string());
}

CostEstimate EstimateCost(
    const UnitCosts& costs,
    const std::vector<std::pair<std::string, std::optional<int64_t>>>& counts) {
  std::map<std::string, std::optional<int64_t>> by_category(counts.begin(), counts.end());
  CostEstimate out;
  for (const UnitCost& price : costs.costs) {
    CostLine line;
    line.category = price.category;
    line.price = &price;
    auto it = by_category.find(price.category);
    line.count = it == by_category.end() ? std::optional<int64_t>(0) : it->second;
    if (line.count) {
      line.cost = static_cast<double>(*line.count) * price.unit_cost;
      out.total += *line.cost;
    } else {
      ++out.suppressed_lines;
    }
    out.priced.push_back(std::move(line));
  }
  for (const auto& [category, count] : by_category) {
    if (costs.Find(category) != nullptr) continue;
    out.unpriced.push_back({category, count, nullptr, std::nullopt});
  }
  return out;
}

}  // namespace tessera::analytics
