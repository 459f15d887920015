// What a connector name may be, for every way a connector comes to exist: REST (POST, PUT
// …/config), connector files on the command line and --check-config (through
// validate_connector_config), and the state file (refused at load). Connect asks only for a
// non-empty name without ASCII control characters; Sentinel also needs valid UTF-8 (the state file
// and every answer are JSON), at most 249 characters like a Kafka topic name (every REST call
// carries it in its URL), no C1 control characters, no '/' and not "." or ".." (a name is one
// segment of the REST paths: /connectors/{name}/config).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sentinel::connect {

constexpr size_t kMaxConnectorNameLength = 249;

// "" when `name` is acceptable; otherwise why not, worded like Connect's validators
// ("String may not be empty").
std::string connector_name_problem(std::string_view name);

// `name` fit for a message: control characters and bytes that are not UTF-8 as \xNN, cut to 64
// characters with the size added ("aaaa… (10000 bytes)").
std::string printable_name(std::string_view name);

}  // namespace sentinel::connect
