// Connector and task statuses: Connect's rules, and the status topic read and written (see
// status_log.h).
#include "connect-sink/runtime/distributed/status_log.h"

#include <fmt/format.h>

#include "common/log.h"

namespace sentinel::connect::distributed {
void StatusLog::apply(const StatusRecord& r) {
  if (r.ignored) return;
  if (r.task) {
    if (r.status) {
      tasks_[r.connector][*r.task] = *r.status;
    } else if (auto it = tasks_.find(r.connector); it != tasks_.end()) {
      it->second.erase(*r.task);
      if (it->second.empty()) tasks_.erase(it);
    }
    return;
  }
  if (r.status) {
    connectors_[r.connector] = *r.status;
  } else {
    connectors_.erase(r.connector);
    tasks_.erase(r.connector);
  }
}

std::optional<Status> StatusLog::connector(const std::string& name) const {
  auto it = connectors_.find(name);
  if (it == connectors_.end()) return std::nullopt;
  return it->second;
}

std::optional<Status> StatusLog::task(const std::string& connector, int task) const {
  auto it = tasks_.find(connector);
  if (it == tasks_.end()) return std::nullopt;
  auto t = it->second.find(task);
  if (t == it->second.end()) return std::nullopt;
  return t->second;
}

std::map<int, Status> StatusLog::tasks(const std::string& connector) const {
  auto it = tasks_.find(connector);
  return it == tasks_.end() ? std::map<int, Status>{} : it->second;
}

std::set<std::string> StatusLog::connectors() const {
  std::set<std::string> out;
  for (const auto& [name, status] : connectors_) out.insert(name);
  return out;
}

bool StatusLog::can_write_safely(const std::string& connector, std::optional<int> task,
                                 const Status& status) const {
  std::optional<Status> held = task ? this->task(connector, *task) : this->connector(connector);
  return !held || held->worker_id == status.worker_id || held->generation <= status.generation;
}

StatusTopic::StatusTopic(kafka::Properties client, std::string topic)
    : kafka_(std::move(client), std::move(topic), [this](const LogRecord& r) { consume(r); }) {}

StatusTopic::~StatusTopic() { stop(); }

bool StatusTopic::start(std::chrono::milliseconds timeout, std::string* error) {
  std::string e;
  if (!kafka_.open(timeout, &e)) {
    *error = "status topic: " + e;
    return false;
  }
  kafka_.start_tailing();
  return read_to_end(timeout, error);
}

void StatusTopic::stop() { kafka_.stop(); }

bool StatusTopic::read_to_end(std::chrono::milliseconds timeout, std::string* error) {
  std::string e;
  if (!kafka_.read_to_end(timeout, &e)) {
    *error = "status topic: " + e;
    return false;
  }
  return true;
}

void StatusTopic::consume(const LogRecord& r) {
  StatusRecord record;
  std::string problem;
  bool ok = r.key.has_value();
  if (!ok) {
    problem = "no key";
  } else {
    ok = decode_status_record(*r.key, r.value, &record, &problem);
  }
  std::lock_guard lock(mutex_);
  if (!ok) {
    skipped_.add(kafka_.topic(), r, problem);
    return;
  }
  log_.apply(record);
}

StatusLog StatusTopic::snapshot() const {
  std::lock_guard lock(mutex_);
  return log_;
}

std::vector<std::string> StatusTopic::skipped() const {
  std::lock_guard lock(mutex_);
  return skipped_.list();
}

void StatusTopic::send(const std::string& key, const std::optional<std::string>& value) {
  kafka_.send({key, value}, [topic = kafka_.topic(), key](const std::string& e) {
    if (!e.empty()) log::error("status topic {}: writing {}: {}", topic, key, e);
  });
}

void StatusTopic::put(const std::string& connector, std::optional<int> task, const Status& status) {
  std::string key = task ? task_status_key(connector, *task) : connector_status_key(connector);
  send(key, status.state == "DESTROYED" ? std::nullopt : std::optional(encode_status(status)));
}

bool StatusTopic::put_safe(const std::string& connector, std::optional<int> task,
                           const Status& status) {
  {
    std::lock_guard lock(mutex_);
    if (!log_.can_write_safely(connector, task, status)) return false;
  }
  put(connector, task, status);
  return true;
}

void StatusTopic::delete_connector(const std::string& connector) {
  std::map<int, Status> tasks;
  {
    std::lock_guard lock(mutex_);
    tasks = log_.tasks(connector);
  }
  for (const auto& [id, status] : tasks) send(task_status_key(connector, id), std::nullopt);
  send(connector_status_key(connector), std::nullopt);
}

bool StatusTopic::flush(std::chrono::milliseconds timeout, std::string* error) {
  std::string e;
  if (!kafka_.flush(timeout, &e)) {
    *error = "status topic: " + e;
    return false;
  }
  return true;
}

}  // namespace sentinel::connect::distributed
