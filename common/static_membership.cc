// Static membership ids, the host name, and leaving a group on a clean stop.
#include "common/static_membership.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdint>

#include "common/clock.h"

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

}  // namespace sentinel::kafka
