// Unit costs and the late-intervention cost estimate (costs.h).
#include "analytics/costs.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/yaml_node.h"

extern "C" {
extern const char tessera_default_unit_costs_begin[];
extern const char tessera_default_unit_costs_end[];
}

namespace tessera::analytics {

namespace {

using Node = YamlNode;

constexpr std::string_view kBuiltIn = "built-in default";

UnitCosts ParseCosts(const YAML::Node& root, const std::string& file) {
  const Node top(root, "", file);
  top.AllowOnly({"currency", "price_year", "source", "assumptions", "costs"});
  UnitCosts out;
  out.origin = file;
  out.currency = top.Require("currency").Text();
  out.price_year = top.Require("price_year").Text();
  out.source = top.Require("source").Text();
  if (std::optional<Node> assumptions = top.Get("assumptions")) {
    if (!assumptions->IsSequence()) assumptions->Fail("must be a list");
    for (const Node& a : assumptions->Items()) out.assumptions.push_back(a.Text());
  }
  const Node costs = top.Require("costs");
  if (!costs.IsSequence()) costs.Fail("must be a non-empty list");
  std::set<std::string> seen;
  for (const Node& c : costs.Items()) {
    c.AllowOnly({"category", "label", "unit", "unit_cost"});
    UnitCost cost;
    const Node category = c.Require("category");
    cost.category = category.Text();
    cost.label = c.Require("label").Text();
    cost.unit = c.Require("unit").Text();
    cost.unit_cost = c.Require("unit_cost").NonNegativeNumber();
    if (!seen.insert(cost.category).second) {
      category.Fail("category '" + cost.category + "' is priced twice");
    }
    out.costs.push_back(std::move(cost));
  }
  return out;
}

}  // namespace

const UnitCost* UnitCosts::Find(std::string_view category) const {
  for (const UnitCost& c : costs) {
    if (c.category == category) return &c;
  }
  return nullptr;
}

Result<UnitCosts> UnitCosts::Parse(std::string_view yaml, const std::string& file) {
  try {
    return ParseCosts(YAML::Load(std::string(yaml)), file);
  } catch (const YamlError& e) {
    return Status::InvalidArgument(e.message);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(file + ":" + std::to_string(e.mark.line + 1) +
                                   ": not valid YAML: " + e.msg);
  }
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
