// Child processes for tests that cross process boundaries: start a program with arguments and
// environment, read its stdout/stderr as they grow, send it signals, wait for it with a deadline.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sentinel::test {

// Waits for `condition` to hold, checking every `step`, until `timeout` passes.
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds step = std::chrono::milliseconds(50));

// The path of a program built into the build tree's bin/ folder. With $SENTINEL_TEST_BUILD_DIR
// set, that build tree's instead (scripts/test.sh: the normal build's integration tests drive the
// sanitized programs of build-asan/).
std::string bin(const std::string& program);
// `path`, a file the build made (a plugin folder, a test shim), moved to $SENTINEL_TEST_BUILD_DIR's
// tree when that is set and `path` is in this build tree; otherwise `path` unchanged.
std::string built(const std::string& path);
// A new empty directory under $TMPDIR, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& text);

class Process {
 public:
  struct Options {
    std::map<std::string, std::string> env;  // added to (or replacing in) the parent's environment
    std::vector<std::string> unset_env;
    bool stdin_pipe = false;  // write_stdin() works only with this
  };
  Process(const std::vector<std::string>& argv, const Options& options);
  explicit Process(const std::vector<std::string>& argv) : Process(argv, Options{}) {}
  ~Process();  // SIGKILLs a child still running
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  std::string out();  // everything written to stdout so far
  std::string err();  // everything written to stderr so far
  void write_stdin(const std::string& text);
  void close_stdin();
  void signal(int sig);
  bool running();
  // Waits for exit; returns the exit code (128+signal when killed) or nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  std::string out_path_, err_path_;
  std::optional<int> status_;
};

// Runs a command to completion; returns its exit code, stdout in *out (if given).
int run(const std::vector<std::string>& argv, std::string* out = nullptr,
        std::chrono::milliseconds timeout = std::chrono::seconds(60), std::string* err = nullptr);

}  // namespace sentinel::test
