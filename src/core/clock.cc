#include "core/clock.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace tessera {

int64_t SystemClock::NowMicros() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string FormatUtc(int64_t micros, bool with_millis) {
  const std::time_t seconds = static_cast<std::time_t>(micros / 1'000'000);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char text[40];
  size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  if (with_millis) {
    std::snprintf(text + n, sizeof text - n, ".%03dZ",
                  static_cast<int>((micros % 1'000'000) / 1000));
  } else {
    std::snprintf(text + n, sizeof text - n, "Z");
  }
  return text;
}

const SystemClock& SystemClock::Instance() {
  static const SystemClock clock;
  return clock;
}

}  // namespace tessera
