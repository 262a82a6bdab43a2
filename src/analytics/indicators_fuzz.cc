// libFuzzer harness for the indicator rule reader: any bytes give a rule set or an
// InvalidArgument naming the file and line, never a crash, hang or escaping exception; a rule
// set that reads evaluates over a small timeline without failing.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "analytics/analytics.h"
#include "core/check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tessera;  // NOLINT(google-build-using-namespace): a fuzz harness
  if (size > 64 * 1024) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto set = analytics::IndicatorSet::Parse(text, "fuzz.yaml");
  if (!set.ok()) {
    CHECK(set.status().code() == StatusCode::kInvalidArgument);
    CHECK(set.status().message().starts_with("fuzz.yaml:"));
    return 0;
  }
  std::vector<analytics::TimelineEvent> events(3);
  for (size_t i = 0; i < events.size(); ++i) {
    analytics::TimelineEvent& e = events[i];
    e.id = static_cast<model::EventId>(i + 1);
    e.source_id = "police_missing";
    e.type = "missing_episode";
    e.category = "missing";
    e.date = CivilDate{2024, 12, static_cast<int>(10 + i)};
    e.nominals = {static_cast<model::NominalId>(1 + i % 2)};
    e.involvements = {{e.nominals[0], model::Role::kMissingPerson}};
  }
  for (analytics::Scope scope : {analytics::Scope::kNominal, analytics::Scope::kHousehold}) {
    for (const analytics::Flag& f : analytics::Evaluate(*set, scope, events, {2024, 12, 31})) {
      CHECK(f.rule != nullptr && f.rule->scope == scope);
      CHECK(f.events.size() <= events.size());
    }
  }
  return 0;
}
