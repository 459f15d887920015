// Answers and request bodies shared by the REST resource groups.
#include "rest-api/rest_json.h"

#include <fmt/format.h>

#include <algorithm>

#include "connect-sink/runtime/json_depth.h"

namespace sentinel::connect {
namespace {

constexpr int kMaxJsonDepth = 64;

bool is_json_content_type(const std::string& ct) {
  if (ct.empty()) return true;  // like Jersey, a body without a type is accepted
  std::string t = ct.substr(0, ct.find(';'));
  t.erase(std::remove_if(t.begin(), t.end(), ::isspace), t.end());
  std::transform(t.begin(), t.end(), t.begin(), ::tolower);
  return t == "application/json" || t == "*/*" ||
         (t.ends_with("+json") && t.rfind("application/", 0) == 0);
}

}  // namespace

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

HttpResponse ok_json(int status, const json& body) {
  HttpResponse r;
  r.status = status;
  r.body = dump(body);
  return r;
}

HttpResponse empty_response(int status) {
  HttpResponse r;
  r.status = status;
  r.content_type.clear();
  return r;
}

HttpResponse error_response(int status, const std::string& message) {
  HttpResponse r;
  r.status = status;
  r.body = dump(json{{"error_code", status}, {"message", message}});
  return r;
}

HttpResponse error_from(const Outcome& o) { return error_response(o.status, o.message); }

bool parse_body(const HttpRequest& req, json* out, HttpResponse* error) {
  if (!is_json_content_type(req.content_type)) {
    *error = error_response(415, "HTTP 415 Unsupported Media Type");
    return false;
  }
  if (req.body.find_first_not_of(" \t\r\n") == std::string::npos) {
    *error = error_response(400, "Request body is empty: expected a JSON document");
    return false;
  }
  if (!json_depth_within(req.body, kMaxJsonDepth)) {
    *error = error_response(
        400, fmt::format("Request body is nested more than {} levels deep", kMaxJsonDepth));
    return false;
  }
  try {
    *out = json::parse(req.body);
  } catch (const json::exception& e) {
    *error = error_response(400, std::string("Malformed JSON in request body: ") + e.what());
    return false;
  }
  return true;
}

bool to_config(const json& j, const std::string& what, RawConfig* out, HttpResponse* error) {
  if (!j.is_object()) {
    *error = error_response(400, what + " must be a JSON object of string values");
    return false;
  }
  for (const auto& [k, v] : j.items()) {
    if (v.is_string())
      (*out)[k] = v.get<std::string>();
    else if (v.is_null())
      (*out)[k] = std::nullopt;
    else if (v.is_boolean() || v.is_number())
      (*out)[k] = dump(v);
    else {
      *error = error_response(
          400, fmt::format("{}: value of \"{}\" must be a string, number, boolean or null, "
                           "not {}",
                           what, k, v.type_name()));
      return false;
    }
  }
  return true;
}

bool query_flag(const HttpRequest& req, const std::string& name) {
  auto it = req.query.find(name);
  if (it == req.query.end()) return false;
  std::string v = it->second;
  std::transform(v.begin(), v.end(), v.begin(), ::tolower);
  return v == "true";
}

bool parse_int(const json& v, int64_t* out) {
  if (v.is_number_integer()) {
    *out = v.get<int64_t>();
    return true;
  }
  if (v.is_number_unsigned()) {
    if (v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(v.get<uint64_t>());
    return true;
  }
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    try {
      size_t used = 0;
      long long n = std::stoll(s, &used);
      if (used != s.size() || s.empty()) return false;
      *out = n;
      return true;
    } catch (...) {
      return false;
    }
  }
  return false;
}

}  // namespace sentinel::connect
