// sentinel-connect as a child process driven over its REST API: the one fixture every test that
// starts a worker uses (tests/integration/{connect,archive,groups,realbroker,tools,dashboard}).
// All state is per instance, so one test can run several workers side by side.
#pragma once

#include <httplib.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/process.h"

namespace sentinel::test {

// A TCP port free on 127.0.0.1 now (a restarted worker binds the same one).
int free_port();

// Every member has a default initializer, so that a designated initializer may name only some
// (GCC warns of the others under -Wextra otherwise).
struct ConnectWorkerOptions {
  // Connector files given on the command line after the worker file.
  std::vector<std::string> connector_files{};
  // The state directory, a name under the test's directory.
  std::string state_dir = "state";
  // The REST port (0: any free one, read from the worker's "listening" line).
  int port = 0;
  // "https": the listener is TLS (the properties name the certificate and key); the client then
  // speaks TLS without checking the certificate.
  std::string scheme = "http";
  // Added to the worker's environment (LD_PRELOAD of a fault injector, test switches).
  std::map<std::string, std::string> env{};
  // The worker is expected to refuse to start: don't wait for it to listen.
  bool expect_exit = false;
  // After it listens, wait until GET /health says the worker has started the connectors it
  // restored (200, or 401 behind basic auth).
  bool wait_ready = false;
  // How long the worker may take to print its listening line.
  std::chrono::milliseconds start_timeout = std::chrono::seconds(10);
};

class ConnectWorker {
 public:
  using Options = ConnectWorkerOptions;
  // Writes `properties` plus the listener and state dir (under `dir`) to a new file in `dir` and
  // starts sentinel-connect on it against `bootstrap`. Unless options.expect_exit, waits for its
  // listening line (and for readiness with options.wait_ready); a worker that does not come up
  // in time is a test failure that names its stderr, and up() is false.
  ConnectWorker(const TempDir& dir, const std::string& bootstrap, const std::string& properties,
                const Options& options = Options());
  ConnectWorker(const ConnectWorker&) = delete;
  ConnectWorker& operator=(const ConnectWorker&) = delete;

  bool up() const { return client_ != nullptr; }
  Process& process() { return *process_; }
  int port() const { return port_; }
  // The kept-alive client of send()/get() (read timeout 30 s), for headers, basic auth or a
  // shorter timeout. Only when up().
  httplib::Client& client() { return *client_; }

  // The status and JSON body of a call (0 and null when there is no answer; a body that is not
  // JSON is a discarded value).
  std::pair<int, nlohmann::json> get(const std::string& path);
  std::pair<int, nlohmann::json> send(const std::string& method, const std::string& path,
                                      const std::string& body = "",
                                      const std::string& content_type = "application/json");
  // The same on a connection of its own, so that calls can run side by side (one stuck in the
  // worker does not hold the others), with its own read timeout.
  std::pair<int, nlohmann::json> call(const std::string& method, const std::string& path,
                                      const std::string& body = "",
                                      std::chrono::seconds timeout = std::chrono::seconds(30));

  // Task `task` of `connector` as GET /connectors/{name}/status shows it (null when unknown),
  // its state and its trace ("" when unknown).
  nlohmann::json task(const std::string& connector, int task = 0);
  std::string task_state(const std::string& connector, int task = 0);
  std::string task_trace(const std::string& connector, int task = 0);
  // Committed offsets by partition, through GET /connectors/{name}/offsets ({-1: -1} when the
  // call fails), and their sum (-1 when it fails).
  std::map<int, int64_t> offsets(const std::string& connector);
  int64_t committed_total(const std::string& connector);
  // Partitions each task of `connector` holds now, from the log: "assigned N partition(s)" adds,
  // "revoked N partition(s)" (or lost) takes away.
  std::map<int, int> assigned(const std::string& connector);
  int assigned_total(const std::string& connector);
  // True when every one of the `tasks` tasks holds partitions and they add up to `partitions`:
  // the group has settled.
  bool settled(const std::string& connector, int tasks, int partitions);

 private:
  std::unique_ptr<httplib::Client> new_client() const;

  std::string scheme_;
  std::unique_ptr<Process> process_;
  std::unique_ptr<httplib::Client> client_;
  int port_ = 0;
};

}  // namespace sentinel::test
