// http_logs records as engine samples: resource "http", the site as host, tags client_ip and
// path (normalised: the URL key), metrics err5xx and err4xx as 0 or 1 — so a window's avg is the
// share of 5xx (4xx) responses and its count the number of requests.
#pragma once

#include <string>
#include <string_view>

#include "records/http_logs.h"
#include "records/system_metrics.h"
#include "records/url_key.h"

namespace sentinel::alerts {

class HttpSampler {
 public:
  explicit HttpSampler(const records::PathNormalization& normalization)
      : normalizer_(normalization) {}
  // Parses one http_logs value into *out (valid until the next call); false with *error.
  bool parse(std::string_view json, records::MetricRecord* out, std::string* error);

 private:
  records::HttpRecordParser parser_;
  records::PathNormalizer normalizer_;
  records::HttpRecord record_;
  std::string path_;
};

}  // namespace sentinel::alerts
