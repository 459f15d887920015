// Test-only fault injection: SENTINEL_TEST_HANG_AFTER_MS (see test_hooks.h).
#include "common/test_hooks.h"

#include <chrono>
#include <cstdlib>
#include <optional>
#include <thread>

#include "common/clock.h"
#include "common/log.h"

namespace sentinel {

void hang_main_loop_if_asked() {
  // Read once, on the first call, from the thread that runs the main loop.
  static const std::optional<MonoClock::time_point> hang_at =
      []() -> std::optional<MonoClock::time_point> {
    const char* value = std::getenv("SENTINEL_TEST_HANG_AFTER_MS");
    if (!value || !*value) return std::nullopt;
    char* end = nullptr;
    long long ms = std::strtoll(value, &end, 10);
    if (*end != '\0' || ms < 0) {
      log::warning("SENTINEL_TEST_HANG_AFTER_MS=\"{}\": expected milliseconds; ignored", value);
      return std::nullopt;
    }
    return MonoClock::now() + std::chrono::milliseconds(ms);
  }();
  if (!hang_at || MonoClock::now() < *hang_at) return;
  log::warning("SENTINEL_TEST_HANG_AFTER_MS: the main loop hangs now (test hook)");
  for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
}

}  // namespace sentinel
