// Fuzz target: system_metrics records through their reader
// (records/system_metrics.h, MetricParser). Input: one record's bytes, as a Kafka value.
// Invariants beyond "no crash":
//  - a refused record says why ("not JSON", "expected a JSON object" or "field <name>: …");
//  - an accepted record has a host, a resource and a time, and written back as JSON (tags and
//    metrics in the same order, duplicates kept) it reads back to the same values.
#include <fmt/format.h>

#include <cmath>
#include <string>

#include "fuzz/fuzz_check.h"
#include "records/system_metrics.h"

namespace sentinel::fuzz {
namespace {

std::string write_back(const records::MetricRecord& r) {
  std::string out = "{\"host\":" + json_quote(r.host) + ",\"resource\":" + json_quote(r.resource) +
                    ",\"ts\":" + std::to_string(r.ts) + ",\"tags\":{";
  for (size_t i = 0; i < r.tags.size(); ++i) {
    out += fmt::format("{}{}:{}", i ? "," : "", json_quote(r.tags[i].first),
                       json_quote(r.tags[i].second));
  }
  out += "},\"metrics\":{";
  for (size_t i = 0; i < r.metrics.size(); ++i) {
    // fmt's shortest form reads back as the same double.
    out +=
        fmt::format("{}{}:{}", i ? "," : "", json_quote(r.metrics[i].first), r.metrics[i].second);
  }
  return out + "}}";
}

}  // namespace
}  // namespace sentinel::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sentinel::fuzz;
  static sentinel::records::MetricParser parser, reparser;
  std::string_view json = as_text(data, size);
  sentinel::records::MetricRecord r;
  std::string error;
  if (!parser.parse(json, &r, &error)) {
    FUZZ_CHECK(
        error == "not JSON" || error == "expected a JSON object" || error.starts_with("field "),
        "record {:?} refused with {:?}", json, error);
    return 0;
  }
  FUZZ_CHECK(!r.host.empty() && !r.resource.empty(),
             "record {:?} accepted without host or resource", json);
  for (const auto& [name, value] : r.metrics) {
    FUZZ_CHECK(std::isfinite(value), "record {:?}: metric {} is {}", json, name, value);
  }
  std::string again = write_back(r);
  sentinel::records::MetricRecord r2;
  FUZZ_CHECK(reparser.parse(again, &r2, &error), "record {:?} written back as {} is refused: {}",
             json, again, error);
  FUZZ_CHECK(r2.host == r.host && r2.resource == r.resource && r2.ts == r.ts && r2.tags == r.tags &&
                 r2.metrics == r.metrics,
             "record {:?} written back as {} reads differently", json, again);
  return 0;
}
