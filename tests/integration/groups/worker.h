// sentinel-connect and sentinel-alerts as child processes for the consumer-group tests: a worker
// driven over REST, the tasks' assignments read from its log, a free port that a restart keeps.
#pragma once

#include <httplib.h>

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

class ConnectWorker {
 public:
  // Writes `properties` plus listeners=http://127.0.0.1:<port> (0: any) and the state dir under
  // `dir` to a new file and starts sentinel-connect on it; waits for its listening line.
  ConnectWorker(const TempDir& dir, const std::string& bootstrap, const std::string& properties,
                int port = 0);
  bool up() const { return client_ != nullptr; }
  Process& process() { return *process_; }
  int port() const { return port_; }

  std::pair<int, nlohmann::json> get(const std::string& path);
  std::pair<int, nlohmann::json> send(const std::string& method, const std::string& path,
                                      const std::string& body = "");
  // The state of task `task` of `connector` ("" when unknown), and its trace.
  std::string task_state(const std::string& connector, int task = 0);
  std::string task_trace(const std::string& connector, int task = 0);
  // Committed offsets by partition, through GET /connectors/{name}/offsets.
  std::map<int, int64_t> offsets(const std::string& connector);
  // Partitions each task of `connector` holds now, from the log: "assigned N partition(s)" adds,
  // "revoked N partition(s)" (or lost) takes away.
  std::map<int, int> assigned(const std::string& connector);
  int assigned_total(const std::string& connector);
  // True when every one of the `tasks` tasks holds partitions and they add up to `partitions`:
  // the group has settled.
  bool settled(const std::string& connector, int tasks, int partitions);

 private:
  std::unique_ptr<Process> process_;
  std::unique_ptr<httplib::Client> client_;
  int port_ = 0;
};

// A consumer group as the broker describes it (DescribeConsumerGroups): its state
// ("PreparingRebalance", "CompletingRebalance", "Stable", "Empty", "Dead", "" when unknown) and
// how many members it has.
struct GroupView {
  std::string state;
  int members = 0;
};
GroupView describe_group(const std::string& bootstrap, const std::string& group);

// A RotatingFileSink connector that archives `topic` as envelopes, one plain file per partition
// (under `subdir` of the archive root when given).
std::string archive_connector(const std::string& name, const std::string& topic, int tasks,
                              const std::string& subdir = "");

// Every (partition, offset) in the envelope files under `root` with how often it is there, and
// the values; *problems gets lines that are not whole envelopes.
struct Archived {
  std::map<std::pair<int, int64_t>, int> count;
  std::map<std::pair<int, int64_t>, std::string> value;
  std::vector<std::string> problems;
};
Archived read_archive(const std::string& root);

}  // namespace sentinel::test
