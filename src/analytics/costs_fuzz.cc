// libFuzzer harness for the unit-cost reader: any bytes give unit costs or an InvalidArgument
// naming the file and line, never a crash, hang or escaping exception; costs that read price a
// count table without failing, with a total that is a finite sum of the lines shown.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analytics/costs.h"
#include "core/check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tessera;  // NOLINT(google-build-using-namespace): a fuzz harness
  if (size > 64 * 1024) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto costs = analytics::UnitCosts::Parse(text, "fuzz.yaml");
  if (!costs.ok()) {
    CHECK(costs.status().code() == StatusCode::kInvalidArgument);
    CHECK(costs.status().message().starts_with("fuzz.yaml:"));
    return 0;
  }
  CHECK(!costs->costs.empty());
  std::vector<std::pair<std::string, std::optional<int64_t>>> counts;
  for (const analytics::UnitCost& c : costs->costs) {
    CHECK(c.unit_cost >= 0 && std::isfinite(c.unit_cost));
    counts.emplace_back(c.category, counts.size() % 2 ? std::nullopt : std::optional<int64_t>(7));
  }
  counts.emplace_back("not priced anywhere \x01", 3);
  const analytics::CostEstimate e = analytics::EstimateCost(*costs, counts);
  CHECK(e.priced.size() == costs->costs.size());
  double sum = 0;
  for (const analytics::CostLine& line : e.priced) sum += line.cost.value_or(0);
  CHECK(sum == e.total);
  return 0;
}
