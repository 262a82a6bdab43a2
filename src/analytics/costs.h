// The late-intervention cost estimate (issue 7, part 5): counts of events by category priced
// with configurable unit costs, shown with the assumptions behind them. Unit costs are YAML
// (examples/synthetic/unit-costs.yaml is compiled in as the default; a hub's own file at
// HUB/analytics/unit-costs.yaml replaces it). Format: docs/formats/indicators.md,
// "Late-intervention cost".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace tessera::analytics {

struct UnitCost {
  std::string category;  // an event category ("child_protection_plan")
  std::string label;     // "Child protection plan"
  std::string unit;      // "per plan started"
  double unit_cost = 0;  // in the currency, at the price year
};

struct UnitCosts {
  std::string currency;    // "GBP"
  std::string price_year;  // "2024/25"
  std::string source;      // where the figures come from
  std::vector<std::string> assumptions;
  std::vector<UnitCost> costs;  // categories unique
  std::string origin;           // a path, or "built-in default"

  const UnitCost* Find(std::string_view category) const;

  // Errors are InvalidArgument "FILE:LINE: KEY: what": unknown keys, missing or empty fields,
  // a negative or non-numeric cost, a category given twice.
  static Result<UnitCosts> Parse(std::string_view yaml, const std::string& file);
  static std::string_view DefaultYaml();
  static Result<UnitCosts> Default();
  // HUB/analytics/unit-costs.yaml when the hub has one, else the default.
  static Result<UnitCosts> ForHub(const std::string& hub_dir);
};

// One category's line in the estimate.
struct CostLine {
  std::string category;
  std::optional<int64_t> count;     // nullopt: suppressed
  const UnitCost* price = nullptr;  // nullptr: unpriced
  std::optional<double> cost;       // count * unit cost, when both are known
};

struct CostEstimate {
  std::vector<CostLine> priced;    // in the unit costs' order
  std::vector<CostLine> unpriced;  // categories seen without a unit cost, by category
  double total = 0;                // of the priced lines not suppressed: a floor
  int64_t suppressed_lines = 0;    // priced lines left out of the total
};

// Prices `counts` ((category, count or nullopt when suppressed) pairs, each category once).
CostEstimate EstimateCost(
    const UnitCosts& costs,
    const std::vector<std::pair<std::string, std::optional<int64_t>>>& counts);

}  // namespace tessera::analytics
