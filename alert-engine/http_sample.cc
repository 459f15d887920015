// http_logs record → engine sample.
#include "alert-engine/http_sample.h"

#include "alert-engine/rules.h"

namespace sentinel::alerts {

bool HttpSampler::parse(std::string_view json, records::MetricRecord* out, std::string* error) {
  if (!parser_.parse(json, &record_, error)) return false;
  normalizer_.normalize(record_.path, &path_);
  out->host = record_.host;
  out->resource = kHttpResource;
  out->ts = record_.ts;
  out->tags.clear();
  out->tags.emplace_back("client_ip", record_.client_ip);
  out->tags.emplace_back("path", path_);
  out->metrics.clear();
  out->metrics.emplace_back("err5xx", record_.status >= 500 && record_.status <= 599 ? 1.0 : 0.0);
  out->metrics.emplace_back("err4xx", record_.status >= 400 && record_.status <= 499 ? 1.0 : 0.0);
  return true;
}

}  // namespace sentinel::alerts
