// libFuzzer harness for the cohort definition reader: any bytes give a definition or an
// InvalidArgument, never a crash, hang or escaping exception; a definition that reads writes
// itself back canonically (reading that gives the same text) and judges a small input.
#include <cstddef>
#include <cstdint>
#include <string>

#include "analytics/cohort.h"
#include "core/check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tessera;  // NOLINT(google-build-using-namespace): a fuzz harness
  if (size > 64 * 1024) return 0;
  static const analytics::IndicatorSet* rules = [] {
    auto set = analytics::IndicatorSet::Default();
    CHECK(set.ok());
    return new analytics::IndicatorSet(std::move(*set));
  }();
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto definition = analytics::CohortDefinition::Parse(text, *rules);
  if (!definition.ok()) {
    CHECK(definition.status().code() == StatusCode::kInvalidArgument);
    return 0;
  }
  const std::string canonical = definition->ToJson();
  auto again = analytics::CohortDefinition::Parse(canonical, *rules);
  CHECK(again.ok());
  CHECK(again->ToJson() == canonical);
  analytics::CohortInputs in;
  in.raised = {"repeat_missing"};
  in.probability = 0.3;
  in.rank = 7;
  in.districts = {"M11"};
  in.events = {{model::Agency::kPolice, {2024, 12, 1}}, {model::Agency::kHousing, {2024, 6, 1}}};
  in.dob = CivilDate{2010, 2, 28};
  analytics::CohortVerdict v = analytics::EvaluateCohort(*definition, in, {2024, 12, 31});
  CHECK(!v.member || v.reasons.size() == definition->criteria.size());
  CHECK(v.member == !v.key.empty());
  (void)analytics::CsvCell(text);
  return 0;
}
