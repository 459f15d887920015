// Group commit off the hot path: one background thread per task that runs the archive streams'
// syncs (fdatasync of the active file, then the state file) while the task goes on writing the
// next lines. Jobs run in the order they were submitted.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace sentinel::archive {

class Syncer {
 public:
  Syncer();
  ~Syncer();  // runs what is queued, then stops
  void submit(std::function<void()> job);

 private:
  void run();
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace sentinel::archive
