#include "core/clock.h"

#include <gtest/gtest.h>

namespace tessera {
namespace {

TEST(FormatUtc, WritesIso8601InUtcWithOrWithoutMilliseconds) {
  const int64_t at = int64_t{1'714'979'289} * 1'000'000 + 123'456;  // 2024-05-06T07:08:09.123456Z
  EXPECT_EQ(FormatUtc(at), "2024-05-06T07:08:09Z");
  EXPECT_EQ(FormatUtc(at, /*with_millis=*/true), "2024-05-06T07:08:09.123Z");
  EXPECT_EQ(FormatUtc(0), "1970-01-01T00:00:00Z");
}

TEST(ManualClock, MovesOnlyWhenTold) {
  ManualClock clock(5);
  EXPECT_EQ(clock.NowMicros(), 5);
  clock.Advance(10);
  EXPECT_EQ(clock.NowMicros(), 15);
  clock.Set(1);
  EXPECT_EQ(clock.NowMicros(), 1);
}

}  // namespace
}  // namespace tessera
