// http_logs records as engine samples: resource "http", the site as host, tags client_ip and
// path (normalised: the URL key), metrics err5xx and err4xx as 0 or 1 — so a window's avg is the
// share of 5xx (4xx) responses and its count the number of requests.
#pragma once

#include <string>
#include <string_view>

#include "alert-engine/http_traffic.h"
#include "alert-engine/metric_record.h"

namespace sentinel::alerts {

class HttpSampler {
 public:
  explicit HttpSampler(const PathNormalization& normalization) : normalizer_(normalization) {}
  // Parses one http_logs value into *out (valid until the next call); false with *error.
  bool parse(std::string_view json, MetricRecord* out, std::string* error);

 private:
  HttpRecordParser parser_;
  PathNormalizer normalizer_;
  HttpRecord record_;
  std::string path_;
};

}  // namespace sentinel::alerts
