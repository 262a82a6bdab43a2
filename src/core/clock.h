// Time as an injectable dependency, so that tests and servers are hermetic.
#pragma once

#include <cstdint>
#include <string>

namespace tessera {

class Clock {
 public:
  virtual ~Clock() = default;
  // Microseconds since the Unix epoch, UTC.
  virtual int64_t NowMicros() const = 0;
};

// The real wall clock.
class SystemClock final : public Clock {
 public:
  int64_t NowMicros() const override;
  // A process-wide instance, for wiring in main().
  static const SystemClock& Instance();
};

// A clock that only moves when told to: for tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t now_micros) : now_(now_micros) {}
  int64_t NowMicros() const override { return now_; }
  void Set(int64_t now_micros) { now_ = now_micros; }
  void Advance(int64_t micros) { now_ += micros; }

 private:
  int64_t now_;
};

// A time as ISO 8601 in UTC: "2026-11-24T16:54:14Z", or with milliseconds
// "2026-11-24T16:54:14.123Z" (logs).
std::string FormatUtc(int64_t micros_since_epoch, bool with_millis = false);

}  // namespace tessera
