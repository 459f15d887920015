// The sentinel-connect test fixture: start, REST calls, task states, offsets, assignments.
#include "tests/support/connect_worker.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <regex>

namespace sentinel::test {

using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

std::pair<int, json> answer(const httplib::Result& r) {
  if (!r) return {0, json()};
  return {r->status, r->body.empty() ? json() : json::parse(r->body, nullptr, false)};
}

std::pair<int, json> request(httplib::Client& client, const std::string& method,
                             const std::string& path, const std::string& body,
                             const std::string& content_type) {
  const char* p = path.c_str();
  const char* type = content_type.c_str();
  if (method == "GET") return answer(client.Get(p));
  if (method == "POST") return answer(client.Post(p, body, type));
  if (method == "PUT") return answer(client.Put(p, body, type));
  if (method == "PATCH") return answer(client.Patch(p, body, type));
  if (method == "DELETE") return answer(client.Delete(p));
  ADD_FAILURE() << "ConnectWorker: HTTP method \"" << method
                << "\" is not one of GET, POST, PUT, PATCH, DELETE";
  return {0, json()};
}

}  // namespace

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
                             const std::string& properties, const Options& options)
    : scheme_(options.scheme) {
  // Only for unique file names: several workers may share one directory (restarts, a cluster).
  static std::atomic<int> files{0};
  std::string path = dir.file("worker-" + std::to_string(files++) + ".properties");
  write_file(path, properties + "\nlisteners=" + scheme_ +
                       "://127.0.0.1:" + std::to_string(options.port) +
                       "\nsentinel.state.dir=" + dir.file(options.state_dir) + "\n");
  std::vector<std::string> argv = {bin("sentinel-connect"), path};
  argv.insert(argv.end(), options.connector_files.begin(), options.connector_files.end());
  argv.push_back("--bootstrap-servers");
  argv.push_back(bootstrap);
  Process::Options process_options;
  process_options.env = options.env;
  process_ = std::make_unique<Process>(argv, process_options);
  if (options.expect_exit) return;

  const std::regex listening("listening " + scheme_ + "://127.0.0.1:(\\d+)");
  bool listens = wait_until(
      [&] {
        std::string out = process_->out();  // the match must not outlive this string
        std::smatch m;
        if (!std::regex_search(out, m, listening)) return !process_->running();
        port_ = std::stoi(m[1]);
        return true;
      },
      options.start_timeout);
  if (!listens || port_ == 0) {
    ADD_FAILURE() << "sentinel-connect (" << path << ") did not print \"listening " << scheme_
                  << "://127.0.0.1:PORT\" within " << options.start_timeout.count()
                  << " ms; its stderr:\n"
                  << process_->err();
    return;
  }
  client_ = new_client();
  if (options.wait_ready) {
    bool ready = wait_until(
        [&] {
          int status = get("/health").first;
          return status == 200 || status == 401;
        },
        std::max<std::chrono::milliseconds>(10s, options.start_timeout));
    if (!ready) {
      ADD_FAILURE() << "sentinel-connect on port " << port_
                    << ": GET /health did not answer 200 (or 401) in time; its stderr:\n"
                    << process_->err();
    }
  }
}

std::unique_ptr<httplib::Client> ConnectWorker::new_client() const {
  auto client =
      std::make_unique<httplib::Client>(scheme_ + "://127.0.0.1:" + std::to_string(port_));
  client->enable_server_certificate_verification(false);  // a test's self-signed certificate
  client->set_read_timeout(30, 0);  // above the worker's own bound on offsets calls (10 s)
  return client;
}

std::pair<int, json> ConnectWorker::get(const std::string& path) { return send("GET", path); }

std::pair<int, json> ConnectWorker::send(const std::string& method, const std::string& path,
                                         const std::string& body, const std::string& content_type) {
  if (!client_) return {0, json()};
  return request(*client_, method, path, body, content_type);
}

std::pair<int, json> ConnectWorker::call(const std::string& method, const std::string& path,
                                         const std::string& body, std::chrono::seconds timeout) {
  if (!client_) return {0, json()};
  std::unique_ptr<httplib::Client> client = new_client();
  client->set_read_timeout(timeout.count(), 0);
  return request(*client, method, path, body, "application/json");
}

json ConnectWorker::task(const std::string& connector, int task) {
  auto [status, body] = get("/connectors/" + connector + "/status");
  if (status != 200 || !body.is_object() || !body["tasks"].is_array()) return json();
  for (const auto& t : body["tasks"]) {
    if (t["id"] == task) return t;
  }
  return json();
}

std::string ConnectWorker::task_state(const std::string& connector, int task) {
  json t = this->task(connector, task);
  return t.is_object() ? t.value("state", "") : "";
}

std::string ConnectWorker::task_trace(const std::string& connector, int task) {
  json t = this->task(connector, task);
  return t.is_object() ? t.value("trace", "") : "";
}

std::map<int, int64_t> ConnectWorker::offsets(const std::string& connector) {
  std::map<int, int64_t> out;
  auto [status, body] = get("/connectors/" + connector + "/offsets");
  if (status != 200 || !body.is_object() || !body["offsets"].is_array()) return {{-1, -1}};
  for (const auto& o : body["offsets"]) {
    out[o["partition"]["kafka_partition"].get<int>()] = o["offset"]["kafka_offset"].get<int64_t>();
  }
  return out;
}

int64_t ConnectWorker::committed_total(const std::string& connector) {
  std::map<int, int64_t> by_partition = offsets(connector);
  if (by_partition.count(-1)) return -1;
  int64_t sum = 0;
  for (const auto& [partition, offset] : by_partition) sum += offset;
  return sum;
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

int ConnectWorker::assigned_total(const std::string& connector) {
  int total = 0;
  for (const auto& [task, n] : assigned(connector)) total += n;
  return total;
}

bool ConnectWorker::settled(const std::string& connector, int tasks, int partitions) {
  int total = 0, holding = 0;
  for (const auto& [task, n] : assigned(connector)) {
    total += n;
    holding += n > 0;
  }
  return holding == tasks && total == partitions;
}

}  // namespace sentinel::test
