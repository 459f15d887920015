// Static membership ids, the host name, and leaving a group on a clean stop.
#include "common/static_membership.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdint>
#include <set>
#include <utility>

#include "common/clock.h"
#include "common/log.h"

namespace sentinel::kafka {
namespace {

constexpr size_t kMaxIdLength = 249;  // Kafka's limit (the same as for topic names)

bool legal(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

std::string group_instance_id(std::string_view identity) {
  std::string id;
  bool changed = false;
  for (char c : identity) {
    changed |= !legal(c);
    id += legal(c) ? c : '_';
  }
  if (id.empty() || id == "." || id == "..") changed = true;
  std::string suffix = fmt::format("-{:012x}", fnv1a(identity) & 0xffffffffffffull);
  if (!changed && id.size() <= kMaxIdLength) return id;
  if (id.size() > kMaxIdLength - suffix.size()) id.resize(kMaxIdLength - suffix.size());
  return id + suffix;
}

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

bool is_static_member(rd_kafka_t* consumer) {
  const rd_kafka_conf_t* conf = rd_kafka_conf(consumer);
  char value[512];
  size_t size = sizeof value;
  return rd_kafka_conf_get(conf, "group.instance.id", value, &size) == RD_KAFKA_CONF_OK &&
         value[0] != '\0';
}

bool leave_group(rd_kafka_t* consumer, std::chrono::milliseconds timeout) {
  // Unsubscribing (unlike closing) sends LeaveGroup for static members too, once the
  // revocation is done; the member id is cleared when it is sent.
  if (rd_kafka_unsubscribe(consumer) != RD_KAFKA_RESP_ERR_NO_ERROR) return false;
  auto deadline = MonoClock::now() + timeout;
  for (;;) {
    if (rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer, 50)) rd_kafka_message_destroy(m);
    rd_kafka_topic_partition_list_t* assignment = nullptr;
    bool assigned = rd_kafka_assignment(consumer, &assignment) == RD_KAFKA_RESP_ERR_NO_ERROR &&
                    assignment && assignment->cnt > 0;
    if (assignment) rd_kafka_topic_partition_list_destroy(assignment);
    char* member = rd_kafka_memberid(consumer);
    bool member_left = !member || member[0] == '\0';
    if (member) rd_kafka_mem_free(consumer, member);
    if (!assigned && member_left) return true;
    if (MonoClock::now() >= deadline) return false;
  }
}

bool is_dev_broker_cluster(const std::string& cluster_id) {
  return cluster_id.rfind("mockCluster", 0) == 0;
}

namespace {

// What the broker says of `group`: stable, and which partitions its members own. False with
// *error when it gave no usable answer in time.
bool owned_partitions(rd_kafka_t* rk, const std::string& group, std::chrono::milliseconds timeout,
                      bool* stable, std::set<std::pair<std::string, int32_t>>* owned,
                      std::string* error) {
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
  rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_ANY);
  char errstr[256];
  rd_kafka_AdminOptions_set_request_timeout(options, static_cast<int>(timeout.count()), errstr,
                                            sizeof errstr);
  const char* groups[] = {group.c_str()};
  rd_kafka_DescribeConsumerGroups(rk, groups, 1, options, queue);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(queue, static_cast<int>(timeout.count()) + 1000);
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_queue_destroy(queue);
  if (!ev) {
    *error = "no answer to DescribeConsumerGroups";
    return false;
  }
  bool ok = false;
  size_t count = 0;
  const rd_kafka_ConsumerGroupDescription_t** descriptions =
      rd_kafka_event_error(ev) ? nullptr
                               : rd_kafka_DescribeConsumerGroups_result_groups(
                                     rd_kafka_event_DescribeConsumerGroups_result(ev), &count);
  if (!descriptions || count != 1) {
    *error = rd_kafka_event_error(ev) ? rd_kafka_event_error_string(ev) : "no group described";
  } else if (const rd_kafka_error_t* e = rd_kafka_ConsumerGroupDescription_error(descriptions[0])) {
    *error = rd_kafka_error_string(e);
  } else {
    const rd_kafka_ConsumerGroupDescription_t* d = descriptions[0];
    *stable = rd_kafka_ConsumerGroupDescription_state(d) == RD_KAFKA_CONSUMER_GROUP_STATE_STABLE;
    for (size_t i = 0; i < rd_kafka_ConsumerGroupDescription_member_count(d); ++i) {
      const rd_kafka_MemberDescription_t* m = rd_kafka_ConsumerGroupDescription_member(d, i);
      const rd_kafka_topic_partition_list_t* parts =
          rd_kafka_MemberAssignment_partitions(rd_kafka_MemberDescription_assignment(m));
      for (int p = 0; parts && p < parts->cnt; ++p) {
        owned->insert({parts->elems[p].topic, parts->elems[p].partition});
      }
    }
    ok = true;
  }
  rd_kafka_event_destroy(ev);
  return ok;
}

}  // namespace

std::vector<std::pair<std::string, int32_t>> unowned_partitions(
    const rd_kafka_topic_partition_list_t* expected,
    const std::set<std::pair<std::string, int32_t>>& owned) {
  std::vector<std::pair<std::string, int32_t>> out;
  for (int i = 0; expected && i < expected->cnt; ++i) {
    std::pair<std::string, int32_t> tp{expected->elems[i].topic, expected->elems[i].partition};
    if (!owned.count(tp)) out.push_back(std::move(tp));
  }
  return out;
}

void UnownedPartitionsWatch::assigned(rd_kafka_t* consumer, int partitions) {
  if (partitions > 0 || !is_static_member(consumer)) {
    due_.reset();
    return;
  }
  // The leader's SyncGroup has been stored when this member hears of its assignment; a second
  // later the description is settled.
  due_ = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  checks_ = 0;
}

void UnownedPartitionsWatch::poll(rd_kafka_t* consumer, const std::string& group,
                                  const std::function<TopicPartitionList()>& expected,
                                  const rd_kafka_topic_partition_list_t* subscription) {
  if (!due_ || std::chrono::steady_clock::now() < *due_) return;
  due_.reset();
  char* cluster = rd_kafka_clusterid(consumer, 2000);
  bool dev = !cluster || is_dev_broker_cluster(cluster);
  if (cluster) rd_kafka_mem_free(consumer, cluster);
  if (dev) return;
  bool stable = false;
  std::set<std::pair<std::string, int32_t>> owned;
  std::string error;
  if (!owned_partitions(consumer, group, std::chrono::seconds(5), &stable, &owned, &error)) {
    log::debug("{}: cannot describe group {}: {}", who_, group, error);
    return;
  }
  if (!stable) {
    // Rebalancing: this member's next assignment re-arms the check if it is empty again; look
    // once more meanwhile, in case the rebalance brings it nothing new.
    if (++checks_ < 10) due_ = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    return;
  }
  TopicPartitionList all = expected();
  std::vector<std::pair<std::string, int32_t>> nobody = unowned_partitions(all.get(), owned);
  if (nobody.empty()) return;
  size_t missing = nobody.size();
  std::string unowned;
  for (size_t i = 0; i < missing && i < 8; ++i) {
    unowned +=
        fmt::format("{}{}[{}]", unowned.empty() ? "" : " ", nobody[i].first, nobody[i].second);
  }
  log::warning(
      "{}: group {} is stable but {} partition(s) have no owner ({}{}), while this member has "
      "none: the broker lost them when this static member rejoined during a rebalance (Kafka "
      "2.4); leaving and rejoining so that the group assigns them again",
      who_, group, missing, unowned, missing > 8 ? " …" : "");
  if (!leave_group(consumer, std::chrono::seconds(10))) {
    log::warning("{}: could not leave group {} within 10 s", who_, group);
  }
  rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer, subscription);
  if (err) log::error("{}: subscribing again failed: {}", who_, rd_kafka_err2str(err));
}

}  // namespace sentinel::kafka
