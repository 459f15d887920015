// Off the hot path: compresses rotated files and applies retention, on one background thread per
// task. Work is described per stream (where its files are, how to recognise them) and is
// idempotent, so it is simply run again after a crash: stale ".partial" files are removed, a
// plain file whose compressed twin exists is removed, plain rotated files are compressed, then
// the oldest rotated files beyond the retention limits are deleted (never the active file). The
// scan lists directories through confined fds and never descends into a symbolic link.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "common/confined_fs.h"
#include "rotation.h"

namespace sentinel::archive {

struct MaintenanceSpec {
  std::string key;         // the stream
  std::string scan_root;   // directory under which all its files lie
  std::string path_regex;  // ECMAScript regex for its active path at any date
  std::string ext;         // compression: "", "gz" or "zst"
  RetentionPolicy retention;
  std::shared_ptr<const confined::Root>
      root;  // every listing and change beneath it (null: unconfined)
};

struct MaintenanceResult {
  int compressed = 0;
  int removed = 0;
};

// One pass over a stream's files. False with *error (the plain files stay) when a step failed.
bool maintain(const MaintenanceSpec& spec, int64_t now_ms, const std::atomic<bool>& stop,
              MaintenanceResult* result, std::string* error);

class Janitor {
 public:
  explicit Janitor(std::function<int64_t()> now_ms);
  ~Janitor();
  // Queues a pass for the stream (once, however often it is asked before the pass starts).
  void schedule(const MaintenanceSpec& spec);
  // Drops queued work for the stream and waits until no pass over it runs (a running
  // compression is abandoned): after this another owner may take the stream.
  void forget(const std::string& key);
  // The first failure since the last call, "" when none.
  std::string take_error();
  // Waits until the queue is empty and nothing runs (tests).
  void drain();

 private:
  void run();

  std::function<int64_t()> now_ms_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<MaintenanceSpec> queue_;
  std::string running_;  // key of the pass under way
  std::atomic<bool> abort_{false};
  bool stop_ = false;
  std::string error_;
  std::thread thread_;
};

}  // namespace sentinel::archive
