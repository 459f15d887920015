// Fuzz target: http_logs records through their reader (records/http_logs.h,
// HttpRecordParser), the sampler that turns them into engine samples (http_sample.h) and the URL
// normalisation of their path. Input: one record's bytes, as a Kafka value.
// Invariants beyond "no crash":
//  - a refused record says why ("not JSON", "expected a JSON object" or "field <name>: …");
//  - an accepted record has a host and a status in 0–999, and written back as JSON it reads back
//    to the same values;
//  - the sampler accepts exactly the records the reader accepts, with resource "http" and
//    err5xx/err4xx of 0 or 1 matching the status;
//  - the URL key has no query string, and normalising a key again gives the same key.
#include <string>

#include "alert-engine/http_sample.h"
#include "fuzz/fuzz_check.h"
#include "records/http_logs.h"
#include "records/url_key.h"

namespace sentinel::fuzz {
namespace {

std::string write_back(const records::HttpRecord& r) {
  return "{\"host\":" + json_quote(r.host) + ",\"client_ip\":" + json_quote(r.client_ip) +
         ",\"path\":" + json_quote(r.path) + ",\"status\":" + std::to_string(r.status) +
         ",\"ts\":" + std::to_string(r.ts) + "}";
}

records::PathNormalization with_rule() {
  records::PathNormalization n;
  n.rules.push_back({"[a-z]+-[0-9]+", "{slug}"});
  n.max_segments = 4;
  return n;
}

}  // namespace
}  // namespace sentinel::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sentinel::fuzz;
  using namespace sentinel::alerts;
  using namespace sentinel::records;
  static HttpRecordParser parser, reparser;
  static HttpSampler sampler{PathNormalization{}}, sampler_with_rule{with_rule()};
  static const PathNormalizer normalizer;
  std::string_view json = as_text(data, size);
  HttpRecord r;
  std::string error;
  bool ok = parser.parse(json, &r, &error);
  MetricRecord sample;
  std::string sample_error;
  bool sampled = sampler.parse(json, &sample, &sample_error);
  FUZZ_CHECK(ok == sampled, "record {:?}: reader says {} ({}), sampler says {} ({})", json, ok,
             error, sampled, sample_error);
  sampler_with_rule.parse(json, &sample, &sample_error);
  if (!ok) {
    FUZZ_CHECK(
        error == "not JSON" || error == "expected a JSON object" || error.starts_with("field "),
        "record {:?} refused with {:?}", json, error);
    return 0;
  }
  FUZZ_CHECK(!r.host.empty() && r.status >= 0 && r.status <= 999,
             "record {:?} accepted as host {:?} "
             "status {}",
             json, r.host, r.status);
  std::string again = write_back(r);
  HttpRecord r2;
  FUZZ_CHECK(reparser.parse(again, &r2, &error), "record {:?} written back as {} is refused: {}",
             json, again, error);
  FUZZ_CHECK(r2.host == r.host && r2.client_ip == r.client_ip && r2.path == r.path &&
                 r2.status == r.status && r2.ts == r.ts,
             "record {:?} written back as {} reads differently", json, again);

  sampler.parse(json, &sample, &sample_error);
  const double* e5 = sample.metric("err5xx");
  const double* e4 = sample.metric("err4xx");
  FUZZ_CHECK(sample.resource == "http" && e5 && e4 && *e5 == (r.status / 100 == 5 ? 1 : 0) &&
                 *e4 == (r.status / 100 == 4 ? 1 : 0),
             "record {:?}: sample resource {:?} err5xx {} err4xx {}", json, sample.resource,
             e5 ? *e5 : -1, e4 ? *e4 : -1);
  std::string key = normalizer.normalize(r.path);
  FUZZ_CHECK(!key.empty() && key.find_first_of("?#") == std::string::npos,
             "path {:?} gives the key {:?}", r.path, key);
  std::string key2 = normalizer.normalize(key);
  FUZZ_CHECK(key2 == key, "path {:?} gives the key {:?}, which gives {:?}", r.path, key, key2);
  return 0;
}
