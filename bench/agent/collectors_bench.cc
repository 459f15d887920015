// Runs every registered collector with default options against the real /proc for N ticks and
// prints CPU per tick: main thread (CLOCK_THREAD_CPUTIME_ID, RUSAGE_THREAD user/sys) and the whole
// process (RUSAGE_SELF, which adds the disk collector's statvfs workers).
#include <sys/resource.h>
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "agent/collectors/collector.h"
#include "common/config.h"

using namespace sentinel;
using namespace sentinel::agent;

static double tv(const timeval& t) { return t.tv_sec * 1e6 + t.tv_usec; }
static double thread_cpu_us() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int main(int argc, char** argv) {
  const int ticks = argc > 1 ? std::atoi(argv[1]) : 2000;
  const int pace_ms = argc > 2 ? std::atoi(argv[2]) : 0;  // sleep between ticks, like the agent
  ConfigFile file = ConfigFile::parse("{}", "bench.yaml");
  HostPaths paths;
  std::vector<std::unique_ptr<Collector>> collectors;
  for (const auto& e : collector_registry()) collectors.push_back(e.make(file.root(), paths));
  std::vector<Sample> samples;
  size_t records = 0;
  auto tick = [&] {
    samples.clear();
    const auto now = MonoClock::now();  // one time per round, as agent/main.cc does
    for (auto& c : collectors) c->collect(now, &samples);
    records += samples.size();
    if (pace_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(pace_ms));
  };
  for (int i = 0; i < 20; ++i) tick();  // warm up: baselines, buffers, worker thread
  records = 0;
  rusage st0, pr0, st1, pr1;
  getrusage(RUSAGE_THREAD, &st0);
  getrusage(RUSAGE_SELF, &pr0);
  double c0 = thread_cpu_us();
  for (int i = 0; i < ticks; ++i) tick();
  double c1 = thread_cpu_us();
  getrusage(RUSAGE_THREAD, &st1);
  getrusage(RUSAGE_SELF, &pr1);
  std::printf("ticks=%d pace=%dms records/tick=%.1f\n", ticks, pace_ms, double(records) / ticks);
  std::printf("main thread  cpu %.1f us/tick  (user %.1f, sys %.1f)  vol.ctxsw/tick %.2f\n",
              (c1 - c0) / ticks, (tv(st1.ru_utime) - tv(st0.ru_utime)) / ticks,
              (tv(st1.ru_stime) - tv(st0.ru_stime)) / ticks,
              double(st1.ru_nvcsw - st0.ru_nvcsw) / ticks);
  std::printf("whole proc   cpu %.1f us/tick  (user %.1f, sys %.1f)\n",
              (tv(pr1.ru_utime) - tv(pr0.ru_utime) + tv(pr1.ru_stime) - tv(pr0.ru_stime)) / ticks,
              (tv(pr1.ru_utime) - tv(pr0.ru_utime)) / ticks,
              (tv(pr1.ru_stime) - tv(pr0.ru_stime)) / ticks);
}
