// /connectors/{connector}/offsets: a sink connector's committed offsets — read, altered (PATCH,
// a partition → offset list where null resets) and reset (DELETE), as Connect's KIP-875 API.
#include <map>
#include <optional>

#include "rest-api/rest_json.h"
#include "rest-api/route.h"

namespace sentinel::connect {
namespace {

// The PATCH body → partition → offset (nullopt resets).
bool parse_offsets(const json& body, std::map<TopicPartition, std::optional<int64_t>>* out,
                   HttpResponse* error) {
  auto bad = [&](const std::string& m) {
    *error = error_response(400, m);
    return false;
  };
  if (!body.is_object())
    return bad("The request body must be a JSON object with an \"offsets\" array");
  for (const auto& [k, v] : body.items()) {
    if (k != "offsets")
      return bad("Unrecognized field \"" + k + "\" in the request body: expected \"offsets\"");
  }
  if (!body.contains("offsets") || body["offsets"].is_null() ||
      (body["offsets"].is_array() && body["offsets"].empty())) {
    return bad("Partitions / offsets need to be provided for an alter offsets request");
  }
  if (!body["offsets"].is_array())
    return bad("\"offsets\" must be an array of {\"partition\":…,\"offset\":…} objects");
  for (const json& e : body["offsets"]) {
    if (!e.is_object() || !e.contains("partition") || !e["partition"].is_object()) {
      return bad(
          "The partition for a sink connector offset must contain the keys 'kafka_topic' and "
          "'kafka_partition'");
    }
    const json& p = e["partition"];
    if (!p.contains("kafka_topic") || !p.contains("kafka_partition")) {
      return bad(
          "The partition for a sink connector offset must contain the keys 'kafka_topic' and "
          "'kafka_partition'");
    }
    if (!p["kafka_topic"].is_string() || p["kafka_topic"].get<std::string>().empty()) {
      return bad("Kafka topic names must be valid strings, but '" + dump(p["kafka_topic"]) +
                 "' is not");
    }
    int64_t partition = 0;
    if (!parse_int(p["kafka_partition"], &partition) || partition < 0 || partition > INT32_MAX) {
      return bad("Failed to parse the following Kafka partition value in the provided offsets: '" +
                 dump(p["kafka_partition"]) +
                 "'. Partition values for sink connectors need to be integers.");
    }
    TopicPartition tp{p["kafka_topic"].get<std::string>(), static_cast<int32_t>(partition)};
    if (!e.contains("offset") || e["offset"].is_null()) {
      (*out)[tp] = std::nullopt;
      continue;
    }
    const json& o = e["offset"];
    if (!o.is_object() || !o.contains("kafka_offset")) {
      return bad(
          "The offset for a sink connector should either be null or contain the key "
          "'kafka_offset'");
    }
    int64_t offset = 0;
    if (!parse_int(o["kafka_offset"], &offset) || offset < 0) {
      return bad("Failed to parse the following Kafka offset value in the provided offsets: '" +
                 dump(o["kafka_offset"]) +
                 "'. Offset values for sink connectors need to be non-negative integers.");
    }
    (*out)[tp] = offset;
  }
  return true;
}

HttpResponse get_offsets(const RouteCall& c) {
  std::vector<PartitionOffset> offsets;
  Outcome o = c.herder.offsets(c.params[0], &offsets);
  if (!o.ok()) return error_from(o);
  json list = json::array();
  for (const auto& p : offsets) {
    list.push_back(json{{"partition", {{"kafka_topic", p.topic}, {"kafka_partition", p.partition}}},
                        {"offset", {{"kafka_offset", p.offset}}}});
  }
  return ok_json(200, json{{"offsets", list}});
}

HttpResponse alter_offsets(const RouteCall& c) {
  json body;
  HttpResponse error;
  if (!parse_body(c.request, &body, &error)) return error;
  std::map<TopicPartition, std::optional<int64_t>> offsets;
  if (!parse_offsets(body, &offsets, &error)) return error;
  std::string message;
  Outcome o = c.herder.alter_offsets(c.params[0], offsets, &message);
  return o.ok() ? ok_json(200, json{{"message", message}}) : error_from(o);
}

HttpResponse reset_offsets(const RouteCall& c) {
  std::string message;
  Outcome o = c.herder.reset_offsets(c.params[0], &message);
  return o.ok() ? ok_json(200, json{{"message", message}}) : error_from(o);
}

}  // namespace

std::vector<Route> offset_routes() {
  return {
      {"PATCH", "/connectors/{connector}/offsets", alter_offsets},
      {"DELETE", "/connectors/{connector}/offsets", reset_offsets},
      {"GET", "/connectors/{connector}/offsets", get_offsets},
  };
}

}  // namespace sentinel::connect
