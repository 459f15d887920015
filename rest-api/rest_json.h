// What the REST resource groups share: answers (JSON, empty, Connect's error envelope), reading a
// JSON request body (media type, depth bound, parse errors as 4xx), Connect config maps, query
// flags and integer parameters.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "rest-api/rest_api.h"

namespace sentinel::connect {

using json = nlohmann::ordered_json;

// Compact JSON; invalid UTF-8 in strings is replaced rather than thrown on.
std::string dump(const json& j);

HttpResponse ok_json(int status, const json& body);
// A response without a body (202, 204, OPTIONS).
HttpResponse empty_response(int status);
// A herder outcome that is not ok() as Connect's error envelope.
HttpResponse error_from(const Outcome& o);

// Parses a JSON body; on failure *error is the response to send (415, or 400 naming the problem).
bool parse_body(const HttpRequest& req, json* out, HttpResponse* error);

// A Connect config map: string values; numbers and booleans are taken as their text (Jackson's
// coercion); null is kept so validation can name it. `what` names the map in the 400 message.
bool to_config(const json& j, const std::string& what, RawConfig* out, HttpResponse* error);

// ?name=true (any case).
bool query_flag(const HttpRequest& req, const std::string& name);

// An integer given as a JSON number or as the text of one.
bool parse_int(const json& v, int64_t* out);

}  // namespace sentinel::connect
