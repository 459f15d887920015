// The consumer-group tests' processes and archive reader.
#include "tests/integration/groups/worker.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <regex>
#include <sstream>

#include "common/kafka.h"

namespace sentinel::test {

using json = nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  close(fd);
  return port;
}

ConnectWorker::ConnectWorker(const TempDir& dir, const std::string& bootstrap,
                             const std::string& properties, int port) {
  static int counter = 0;
  std::string path = dir.file("worker-" + std::to_string(counter++) + ".properties");
  write_file(path, properties + "\nlisteners=http://127.0.0.1:" + std::to_string(port) +
                       "\nsentinel.state.dir=" + dir.file("state") + "\n");
  process_ = std::make_unique<Process>(
      std::vector<std::string>{bin("sentinel-connect"), path, "--bootstrap-servers", bootstrap});
  wait_until(
      [&] {
        std::string out = process_->out();
        std::smatch m;
        if (!std::regex_search(out, m, std::regex("listening http://127.0.0.1:(\\d+)"))) {
          return !process_->running();  // refused to start: no need to wait
        }
        port_ = std::stoi(m[1]);
        return true;
      },
      10s);
  if (port_ == 0) return;
  client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
  client_->set_read_timeout(15, 0);  // above the worker's own bound on offsets calls (10 s)
}

std::pair<int, json> ConnectWorker::get(const std::string& path) { return send("GET", path); }

std::pair<int, json> ConnectWorker::send(const std::string& method, const std::string& path,
                                         const std::string& body) {
  if (!client_) return {0, json()};
  httplib::Result r = method == "GET"     ? client_->Get(path.c_str())
                      : method == "POST"  ? client_->Post(path.c_str(), body, "application/json")
                      : method == "PUT"   ? client_->Put(path.c_str(), body, "application/json")
                      : method == "PATCH" ? client_->Patch(path.c_str(), body, "application/json")
                                          : client_->Delete(path.c_str());
  if (!r) return {0, json()};
  return {r->status, r->body.empty() ? json() : json::parse(r->body, nullptr, false)};
}

std::string ConnectWorker::task_state(const std::string& connector, int task) {
  auto [status, body] = get("/connectors/" + connector + "/status");
  if (status != 200) return "";
  for (const auto& t : body["tasks"]) {
    if (t["id"] == task) return t["state"];
  }
  return "";
}

std::string ConnectWorker::task_trace(const std::string& connector, int task) {
  auto [status, body] = get("/connectors/" + connector + "/status");
  for (const auto& t : body["tasks"]) {
    if (t["id"] == task) return t.value("trace", "");
  }
  return "";
}

std::map<int, int64_t> ConnectWorker::offsets(const std::string& connector) {
  std::map<int, int64_t> out;
  auto [status, body] = get("/connectors/" + connector + "/offsets");
  if (status != 200) return {{-1, -1}};
  for (const auto& o : body["offsets"]) {
    out[o["partition"]["kafka_partition"].get<int>()] = o["offset"]["kafka_offset"].get<int64_t>();
  }
  return out;
}

std::map<int, int> ConnectWorker::assigned(const std::string& connector) {
  std::map<int, int> held;
  std::string err = process_->err();
  std::regex line("connector " + connector +
                  " task (\\d+): (assigned|revoked|lost) (\\d+) partition");
  for (auto it = std::sregex_iterator(err.begin(), err.end(), line); it != std::sregex_iterator();
       ++it) {
    int n = std::stoi((*it)[3]);
    held[std::stoi((*it)[1])] += (*it)[2] == "assigned" ? n : -n;
  }
  return held;
}

bool ConnectWorker::settled(const std::string& connector, int tasks, int partitions) {
  std::map<int, int> held = assigned(connector);
  int total = 0, holding = 0;
  for (const auto& [task, n] : held) {
    total += n;
    holding += n > 0;
  }
  return holding == tasks && total == partitions;
}

int ConnectWorker::assigned_total(const std::string& connector) {
  int total = 0;
  for (const auto& [task, n] : assigned(connector)) total += n;
  return total;
}

GroupView describe_group(const std::string& bootstrap, const std::string& group) {
  GroupView view;
  std::string error;
  kafka::Conf conf = kafka::make_conf({{"bootstrap.servers", bootstrap}}, &error);
  kafka::Handle rk =
      conf ? kafka::make_handle(RD_KAFKA_PRODUCER, std::move(conf), &error) : nullptr;
  if (!rk) return view;
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk.get());
  const char* groups[] = {group.c_str()};
  rd_kafka_DescribeConsumerGroups(rk.get(), groups, 1, nullptr, queue);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(queue, 10000);
  rd_kafka_queue_destroy(queue);
  if (!ev) return view;
  size_t n = 0;
  const rd_kafka_ConsumerGroupDescription_t** d =
      rd_kafka_event_error(ev) ? nullptr
                               : rd_kafka_DescribeConsumerGroups_result_groups(
                                     rd_kafka_event_DescribeConsumerGroups_result(ev), &n);
  if (d && n == 1 && !rd_kafka_ConsumerGroupDescription_error(d[0])) {
    switch (rd_kafka_ConsumerGroupDescription_state(d[0])) {
      case RD_KAFKA_CONSUMER_GROUP_STATE_PREPARING_REBALANCE:
        view.state = "PreparingRebalance";
        break;
      case RD_KAFKA_CONSUMER_GROUP_STATE_COMPLETING_REBALANCE:
        view.state = "CompletingRebalance";
        break;
      case RD_KAFKA_CONSUMER_GROUP_STATE_STABLE:
        view.state = "Stable";
        break;
      case RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY:
        view.state = "Empty";
        break;
      case RD_KAFKA_CONSUMER_GROUP_STATE_DEAD:
        view.state = "Dead";
        break;
      default:
        break;
    }
    view.members = static_cast<int>(rd_kafka_ConsumerGroupDescription_member_count(d[0]));
  }
  rd_kafka_event_destroy(ev);
  return view;
}

std::string archive_connector(const std::string& name, const std::string& topic, int tasks,
                              const std::string& subdir) {
  std::string path = (subdir.empty() ? "" : subdir + "/") + "{topic}-{partition}.log";
  json config = {{"connector.class", "RotatingFileSink"},
                 {"tasks.max", std::to_string(tasks)},
                 {"topics", topic},
                 {"path", path},
                 {"format", "envelope"},
                 {"compression", "none"},
                 {"flush.interval.ms", "200"}};
  return json{{"name", name}, {"config", config}}.dump();
}

Archived read_archive(const std::string& root) {
  Archived a;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (it->is_directory() && name[0] == '.') {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file() || name[0] == '.') continue;
    std::istringstream in(read_file(it->path().string()));
    std::string line;
    while (std::getline(in, line)) {
      json j = json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.contains("partition") || !j.contains("offset")) {
        a.problems.push_back(it->path().string() + ": " + line.substr(0, 100));
        continue;
      }
      auto key = std::make_pair(j["partition"].get<int>(), j["offset"].get<int64_t>());
      a.count[key]++;
      a.value[key] = j["value"].is_string() ? j["value"].get<std::string>() : "null";
    }
  }
  return a;
}

}  // namespace sentinel::test
