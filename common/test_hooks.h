// Test-only fault injection for the daemons' main loops; does nothing unless its environment
// variable is set, and must never be set in production.
//
// SENTINEL_TEST_HANG_AFTER_MS=N: hang_main_loop_if_asked() blocks the calling thread for good once
// N ms have passed since its first call. Each daemon calls it once per turn of its main loop, the
// loop that also sends WATCHDOG=1, so an integration test can hang that loop alone (SIGSTOP would
// stop every thread, librdkafka's and the HTTP server's too) and see that the watchdog pings stop.
#pragma once

namespace sentinel {

void hang_main_loop_if_asked();

}  // namespace sentinel
