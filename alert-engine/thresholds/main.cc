// sentinel-thresholds: learns the HTTP error-rate thresholds (thresholds.json) from http_logs
// history — a time range read from Kafka, or the archive sink's files — from the distribution of
// per-window error shares of each dimension (global, ip, url) and status class (5xx, 4xx).
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <regex>

#include "alert-engine/thresholds/archive_files.h"
#include "alert-engine/thresholds/kafka_history.h"
#include "alert-engine/thresholds/statistics.h"
#include "alert-engine/thresholds/window_aggregator.h"
#include "alert-engine/thresholds_file.h"
#include "common/atomic_file.h"
#include "common/cli.h"
#include "common/log.h"
#include "common/time_arg.h"
#include "common/units.h"
#include "common/whole_file.h"
#include "records/http_logs.h"
#include "records/url_key.h"

namespace {

using namespace sentinel;

// What stops `path` from being replaced by write_file_atomically (a directory in its place, a
// missing or unwritable directory), checked before hours of history are read; "" when nothing.
std::string output_problem(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return "is a directory";
    if (!S_ISREG(st.st_mode)) return "is not a regular file";
  } else if (errno != ENOENT) {
    return file_error_text(errno);
  }
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  if (slash == path.size() - 1) return "names a directory, not a file";
  if (::stat(dir.c_str(), &st) != 0) return "directory " + dir + ": " + file_error_text(errno);
  if (!S_ISDIR(st.st_mode)) return dir + " is not a directory";
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    return "directory " + dir + ": " + file_error_text(errno);
  return "";
}
using alerts::Dimension;
using alerts::StatusClass;

constexpr Dimension kDimensions[] = {Dimension::kGlobal, Dimension::kIp, Dimension::kUrl};
constexpr StatusClass kClasses[] = {StatusClass::k5xx, StatusClass::k4xx};

struct Result {
  thresholds::Summary summary;
  size_t keys = 0;
  double threshold = 0;
  bool has = false;
};

// The "prop=value" of --kafka / -X.
bool split_property(const std::string& text, std::string* key, std::string* value) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  *key = text.substr(0, eq);
  *value = text.substr(eq + 1);
  return true;
}

// Thresholds are written with 4 decimals, rounded up so that the learned bound still holds.
double round_up(double share) { return std::min(1.0, std::ceil(share * 1e4 - 1e-9) / 1e4); }

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int main(int argc, char** argv) {
  sentinel::cli::App app{
      "sentinel-thresholds: learns HTTP error-rate thresholds (thresholds.json) from http_logs\n"
      "history: per window and key of each dimension (global: host, ip: client IP, url: the\n"
      "normalised path) the share of 5xx and 4xx responses; the threshold of a dimension and\n"
      "class comes from the distribution of those shares (a quantile, mean + k·σ or median +\n"
      "k·MAD), raised to --floor and capped at 1. Input: a time range of a Kafka topic, or the\n"
      "archive sink's files (plain, .gz, .zst; value or envelope lines) and JSON-lines files.\n"
      "Prints a summary table; writes the file atomically (see docs/thresholds.md).\n"
      "Exit codes: 0 ok, 1 no records, Kafka, file or write error, 2 bad arguments."};
  std::string bootstrap, topic = "http_logs", from_text, to_text, output;
  std::vector<std::string> kafka_props, archives, url_rules;
  std::string window_text = "60s", lateness_text, timeout_text = "30s", method_text = "quantile";
  std::optional<uint32_t> min_all;
  uint32_t min_global = 20, min_ip = 10, min_url = 10;
  double quantile = 0.99, floor_share = 0.05;
  std::optional<double> k;
  uint32_t per_key_min_windows = 0;
  int max_segments = records::PathNormalization{}.max_segments;
  bool dry_run = false;

  auto* kafka_group = app.add_option_group("Kafka input");
  kafka_group->add_option("--bootstrap-servers", bootstrap, "Kafka bootstrap servers");
  kafka_group->add_option("--topic", topic, "Topic to read (default http_logs)");
  kafka_group->add_option("--kafka,-X", kafka_props,
                          "librdkafka property as prop=value, repeatable (SASL, SSL, …)");
  app.add_option("--from", from_text,
                 "Start of the history: ISO 8601 (2026-11-22T00:00:00Z), epoch ms, or -24h "
                 "(before now); required with Kafka");
  app.add_option("--to", to_text,
                 "End of the history (exclusive), same forms; default: the end of the topic at "
                 "start (Kafka) or of the files");
  auto* archive_opt = app.add_option(
      "--archive", archives,
      "Archive files or directories (rotating sink: plain, .gz, .zst; value or envelope lines) "
      "or JSON-lines files, instead of Kafka");
  app.add_option("--window", window_text, "Window length, epoch-aligned tumbling (default 60s)");
  app.add_option("--lateness", lateness_text,
                 "How far behind the inputs' time a record may be and still count (default: one "
                 "window); later ones are counted as late and left out");
  app.add_option("--min-requests", min_all,
                 "Fewest requests in a key's window for it to be a sample, for every dimension");
  app.add_option("--min-requests-global", min_global, "… for global (default 20)");
  app.add_option("--min-requests-ip", min_ip, "… for ip (default 10)");
  app.add_option("--min-requests-url", min_url, "… for url (default 10)");
  app.add_option("--method", method_text, "quantile (default), mean-stddev or median-mad");
  app.add_option("--quantile", quantile, "Quantile for --method quantile (default 0.99)")
      ->check_range(0.0, 1.0);
  app.add_option("--k", k, "k for mean-stddev (default 3) or median-mad (default 5)")
      ->check_non_negative();
  app.add_option("--floor", floor_share, "Lowest threshold written (default 0.05)")
      ->check_range(0.0, 1.0);
  app.add_option("--per-key-min-windows", per_key_min_windows,
                 "Keys with at least this many sample windows whose own threshold is higher "
                 "than their dimension's get an override (0: off, the default)");
  app.add_option("--url-rule", url_rules,
                 "Extra URL segment rule PATTERN=REPLACEMENT (ECMAScript regex, whole segment), "
                 "repeatable, after the built-in {id} {uuid} {hex}; use the alert engine's rules");
  app.add_option("--max-segments", max_segments,
                 "URL segments kept before \"/…\" (default 8, as the alert engine)");
  app.add_option("--output,-o", output, "The thresholds file to write (atomically)");
  app.add_flag("--dry-run", dry_run, "Print the summary only; write nothing");
  app.add_option("--timeout", timeout_text,
                 "Give up when Kafka does not answer or sends nothing for this long (default 30s)");
  app.set_version_flag("--version", SENTINEL_VERSION);
  if (auto rc = app.parse(argc, argv)) return *rc == 0 ? 0 : 2;  // help, version or the error

  auto usage_error = [](const std::string& what) {
    std::cerr << "sentinel-thresholds: " << what << "\n";
    return 2;
  };
  const bool use_archive = archive_opt->count() > 0;
  if (use_archive && (!bootstrap.empty() || !kafka_props.empty())) {
    return usage_error("--archive reads files: do not combine it with --bootstrap-servers/--kafka");
  }
  std::string why;
  std::map<std::string, std::string> props;
  for (const auto& p : kafka_props) {
    std::string key, value;
    if (!split_property(p, &key, &value)) {
      return usage_error("--kafka \"" + p + "\": expected prop=value");
    }
    props[key] = value;
  }
  if (!bootstrap.empty()) props["bootstrap.servers"] = bootstrap;
  if (!use_archive && !props.count("bootstrap.servers")) {
    return usage_error("no input: give --bootstrap-servers (with --from) or --archive PATH…");
  }
  auto window = parse_duration(window_text, &why);
  if (!window || window->count() <= 0)
    return usage_error("--window \"" + window_text + "\": " + why);
  std::chrono::milliseconds lateness = *window;
  if (!lateness_text.empty()) {
    auto l = parse_duration(lateness_text, &why);
    if (!l) return usage_error("--lateness \"" + lateness_text + "\": " + why);
    lateness = *l;
  }
  auto timeout = parse_duration(timeout_text, &why);
  if (!timeout || timeout->count() <= 0)
    return usage_error("--timeout \"" + timeout_text + "\": " + why);
  auto method = thresholds::parse_method(method_text);
  if (!method) {
    return usage_error("--method \"" + method_text +
                       "\": expected quantile, mean-stddev or median-mad");
  }
  const int64_t started = now_ms();
  std::optional<int64_t> from, to;
  if (!from_text.empty()) {
    from = parse_time_arg(from_text, started, &why);
    if (!from) return usage_error("--from " + why);
  } else if (!use_archive) {
    return usage_error("--from is required with Kafka (e.g. --from -24h)");
  }
  if (!to_text.empty()) {
    to = parse_time_arg(to_text, started, &why);
    if (!to) return usage_error("--to " + why);
    if (from && *to <= *from) return usage_error("--to must be after --from");
  }
  if (output.empty() && !dry_run) return usage_error("give --output FILE, or --dry-run");
  if (!dry_run) {
    if (std::string problem = output_problem(output); !problem.empty()) {
      return usage_error("--output " + output + ": " + problem);
    }
  }
  if (min_all) min_global = min_ip = min_url = *min_all;
  records::PathNormalization norm;
  norm.max_segments = max_segments;
  for (const auto& r : url_rules) {
    std::string pattern, replace;
    if (!split_property(r, &pattern, &replace)) {
      return usage_error("--url-rule \"" + r + "\": expected PATTERN=REPLACEMENT");
    }
    norm.rules.push_back({pattern, replace});
  }
  std::unique_ptr<records::PathNormalizer> normalizer;
  try {
    normalizer = std::make_unique<records::PathNormalizer>(norm);
  } catch (const std::regex_error& e) {
    return usage_error(std::string("--url-rule: bad regular expression: ") + e.what());
  }
  thresholds::MethodParams params;
  params.method = *method;
  params.quantile = quantile;
  params.k = k.value_or(*method == thresholds::Method::kMedianMad ? 5.0 : 3.0);
  params.floor = floor_share;

  thresholds::AggregatorOptions agg_options;
  agg_options.window_ms = window->count();
  agg_options.lateness_ms = lateness.count();
  agg_options.min_requests[0] = min_global;
  agg_options.min_requests[1] = min_ip;
  agg_options.min_requests[2] = min_url;
  agg_options.per_key = per_key_min_windows > 0;
  thresholds::WindowAggregator aggregator(agg_options);

  uint64_t records = 0, out_of_range = 0, lines = 0, invalid = 0;
  int64_t first_ts = INT64_MAX, last_ts = INT64_MIN;
  int reported_invalid = 0;
  std::string url_key;
  int64_t next_advance = INT64_MIN;
  auto take = [&](const records::HttpRecord& r) {
    if ((from && r.ts < *from) || (to && r.ts >= *to)) {
      ++out_of_range;
      return;
    }
    ++records;
    first_ts = std::min(first_ts, r.ts);
    last_ts = std::max(last_ts, r.ts);
    if (r.path.empty()) {
      url_key.clear();
    } else {
      normalizer->normalize(r.path, &url_key);
    }
    aggregator.add(r.ts, r.host, r.client_ip, url_key, r.status);
  };
  auto report_invalid = [&](const std::string& where_what) {
    if (++reported_invalid <= 5) log::warning("invalid record: {}", where_what);
  };

  std::string source_desc;
  if (use_archive) {
    std::vector<std::string> files;
    if (!thresholds::list_archive_files(archives, &files, &why)) {
      log::error("{}", why);
      return 1;
    }
    if (files.empty()) {
      log::error("no files under {}", fmt::join(archives, ", "));
      return 1;
    }
    source_desc =
        fmt::format("archive: {} file(s) under {}", files.size(), fmt::join(archives, ", "));
    thresholds::ArchiveProgress progress;
    bool ok = thresholds::read_archive(
        files,
        [&](const records::HttpRecord& r) {
          take(r);
          if (r.ts >= next_advance) {  // the merged stream's time: windows behind it close
            aggregator.advance(r.ts);
            next_advance = r.ts + agg_options.window_ms;
          }
        },
        report_invalid, &progress, &why);
    lines = progress.lines;
    invalid = progress.invalid;
    if (!ok) {
      log::error("{}", why);
      return 1;
    }
  } else {
    thresholds::KafkaHistoryRange range;
    range.topic = topic;
    range.properties = props;
    range.from_ms = *from;
    range.to_ms = to;
    range.timeout = *timeout;
    source_desc = fmt::format("kafka: {} topic {}", props["bootstrap.servers"], topic);
    records::HttpRecordParser parser;
    records::HttpRecord record;
    std::string reason;
    thresholds::KafkaHistoryStats stats;
    bool ok = thresholds::read_kafka_history(
        range,
        [&](std::string_view value, int32_t partition, int64_t offset) -> int64_t {
          ++lines;
          if (!parser.parse(value, &record, &reason)) {
            ++invalid;
            report_invalid(fmt::format("{}[{}]@{}: {}", topic, partition, offset, reason));
            return INT64_MIN;
          }
          take(record);
          return record.ts;
        },
        [&](int64_t watermark) { aggregator.advance(watermark); }, &stats, &why);
    if (!ok) {
      log::error("{}", why);
      return 1;
    }
  }
  if (reported_invalid > 5) log::warning("{} invalid records in all", reported_invalid);
  aggregator.finish();
  if (records == 0) {
    log::error(
        "no http_logs records in range{}{} ({}; {} lines read, {} invalid, {} outside the "
        "range)",
        from ? " from " + format_time_ms(*from) : "", to ? " to " + format_time_ms(*to) : "",
        source_desc, lines, invalid, out_of_range);
    return 1;
  }

  // Thresholds per dimension and class.
  alerts::Thresholds learned;
  Result results[3][2];
  for (Dimension d : kDimensions) {
    thresholds::DimensionSamples& s = aggregator.samples(d);
    alerts::DimensionThresholds& out = learned.of(d);
    for (StatusClass c : kClasses) {
      std::vector<double>& v = c == StatusClass::k5xx ? s.share5xx : s.share4xx;
      Result& r = results[static_cast<int>(d)][static_cast<int>(c)];
      if (v.empty()) continue;
      r.summary = thresholds::summarize(&v);
      r.keys = s.keys.size();
      r.threshold = round_up(thresholds::threshold_of(v, r.summary, params));
      r.has = true;
      (c == StatusClass::k5xx ? out.shares.err5xx : out.shares.err4xx) = r.threshold;
    }
    if (!results[static_cast<int>(d)][0].has) {
      log::warning("{}: no window with enough requests (min {}): no threshold written",
                   alerts::dimension_name(d), agg_options.min_requests[static_cast<int>(d)]);
    }
    if (per_key_min_windows == 0) continue;
    for (auto& [key, samples] : s.per_key) {
      if (samples.size() < per_key_min_windows) continue;
      for (StatusClass c : kClasses) {
        std::vector<double> v;
        v.reserve(samples.size());
        for (auto [s5, s4] : samples) v.push_back(c == StatusClass::k5xx ? s5 : s4);
        thresholds::Summary ks = thresholds::summarize(&v);
        double t = round_up(thresholds::threshold_of(v, ks, params));
        auto dim_t = out.shares.get(c);
        if (dim_t && t > *dim_t) {
          (c == StatusClass::k5xx ? out.keys[key].err5xx : out.keys[key].err4xx) = t;
        }
      }
    }
  }

  // The summary table.
  std::printf("%-7s %-5s %9s %8s %8s %8s %8s %8s %8s %8s %9s %9s\n", "dim", "class", "samples",
              "keys", "p50", "p99", "mean", "sigma", "median", "MAD", "threshold", "overrides");
  for (Dimension d : kDimensions) {
    for (StatusClass c : kClasses) {
      const Result& r = results[static_cast<int>(d)][static_cast<int>(c)];
      size_t overrides = 0;
      for (const auto& [key, cs] : learned.of(d).keys) overrides += cs.get(c).has_value();
      if (!r.has) {
        std::printf("%-7s %-5s %9d %8s %8s %8s %8s %8s %8s %8s %9s %9s\n",
                    alerts::dimension_name(d), alerts::status_class_name(c), 0, "-", "-", "-", "-",
                    "-", "-", "-", "none", "-");
        continue;
      }
      std::printf("%-7s %-5s %9zu %8zu %8.4f %8.4f %8.4f %8.4f %8.4f %8.4f %9.4f %9zu\n",
                  alerts::dimension_name(d), alerts::status_class_name(c), r.summary.count, r.keys,
                  r.summary.p50, r.summary.p99, r.summary.mean, r.summary.stddev, r.summary.median,
                  r.summary.mad, r.threshold, overrides);
    }
  }
  std::printf("%" PRIu64 " lines, %" PRIu64 " invalid, %" PRIu64 " outside the range, %" PRIu64
              " late; %" PRIu64 " windows of %s; method %s; data %s .. %s\n",
              lines, invalid, out_of_range, aggregator.late(), aggregator.windows_closed(),
              format_duration(*window).c_str(), thresholds::method_name(params.method),
              format_time_ms(first_ts).c_str(), format_time_ms(last_ts).c_str());
  std::fflush(stdout);
  if (dry_run) return 0;

  nlohmann::ordered_json meta;
  meta["generated_by"] = "sentinel-thresholds";
  meta["version"] = SENTINEL_VERSION;
  meta["generated_at"] = format_time_ms(started);
  meta["source"] = source_desc;
  meta["method"] = thresholds::method_name(params.method);
  nlohmann::ordered_json p;
  if (params.method == thresholds::Method::kQuantile) {
    p["quantile"] = params.quantile;
  } else {
    p["k"] = params.k;
  }
  p["floor"] = params.floor;
  p["min_requests"] = {{"global", min_global}, {"ip", min_ip}, {"url", min_url}};
  p["per_key_min_windows"] = per_key_min_windows;
  meta["params"] = p;
  meta["window"] = format_duration(*window);
  meta["window_ms"] = window->count();
  nlohmann::ordered_json range;
  if (from) range["from"] = format_time_ms(*from);
  if (to) range["to"] = format_time_ms(*to);
  range["first_record"] = format_time_ms(first_ts);
  range["last_record"] = format_time_ms(last_ts);
  range["first_record_ms"] = first_ts;
  range["last_record_ms"] = last_ts;
  meta["range"] = range;
  meta["lines_read"] = lines;
  meta["invalid_lines"] = invalid;
  meta["records"] = records;
  meta["outside_range"] = out_of_range;
  meta["late"] = aggregator.late();
  nlohmann::ordered_json samples;
  for (Dimension d : kDimensions) {
    samples[alerts::dimension_name(d)] = {{"samples", aggregator.samples(d).share5xx.size()},
                                          {"keys", aggregator.samples(d).keys.size()},
                                          {"below_min_requests", aggregator.samples(d).below_min}};
  }
  meta["samples"] = samples;
  std::string text = alerts::thresholds_to_json(learned, meta.dump());
  if (!write_file_atomically(output, text, 0644, &why)) {
    log::error("cannot write the thresholds: {}", why);
    return 1;
  }
  log::info("wrote {}", output);
  return 0;
}
