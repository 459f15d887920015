// The consumer-group tests' group view, archive connector and archive reader.
#include "tests/integration/groups/groups_support.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/kafka.h"

namespace sentinel::test {

using json = nlohmann::json;
namespace fs = std::filesystem;

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
