// Parsing alerts.yaml into AlertsConfig, with every error naming file:line and key.
#include "alert-engine/rules.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <regex>
#include <set>

#include "alert-engine/locality.h"
#include "common/units.h"

namespace sentinel::alerts {
namespace {

constexpr std::pair<const char*, Agg> kAggs[] = {
    {"avg", Agg::kAvg}, {"min", Agg::kMin},     {"max", Agg::kMax},   {"last", Agg::kLast},
    {"sum", Agg::kSum}, {"count", Agg::kCount}, {"rate", Agg::kRate}, {"p50", Agg::kP50},
    {"p95", Agg::kP95}, {"p99", Agg::kP99}};

bool valid_name(const std::string& name) {
  if (name.empty()) return false;
  for (unsigned char c : name) {
    if (!std::isalnum(c) && c != '_' && c != '-' && c != '.') return false;
  }
  return true;
}

Rule parse_rule(const ConfigNode& node, const std::string& name) {
  Rule rule;
  rule.name = name;
  rule.where = node.where();
  if (!node.defined())
    node.fail("", "expected a mapping with resource, metric, window, agg, above or below");
  if (!valid_name(name)) {
    node.fail("", "rule name: expected letters, digits, '_', '-' or '.'");
  }
  rule.resource = node.get_string("resource", "");
  if (rule.resource.empty())
    node.fail("resource", "missing: expected a resource type like cpu or disk");
  rule.metric = node.get_string("metric", "");
  if (rule.metric.empty()) node.fail("metric", "missing: expected a metric name like usage_pct");
  for (const auto& [tag, value] : node.get_string_map("match")) rule.match.emplace_back(tag, value);
  rule.group_by = node.get_strings("group_by", {"host"});
  std::set<std::string> seen;
  for (const auto& g : rule.group_by) {
    if (g.empty() || g == "resource")
      node.fail("group_by", fmt::format("\"{}\": expected host or a tag name", g));
    if (!seen.insert(g).second) node.fail("group_by", fmt::format("\"{}\" appears twice", g));
  }

  auto window = node.get_duration("window", std::chrono::milliseconds(0));
  if (window.count() <= 0) node.fail("window", "missing: expected a window size like 60s");
  rule.window.size_ms = window.count();
  auto advance = node.get_duration("advance", window);
  if (advance.count() <= 0 || advance > window) {
    node.fail("advance", fmt::format("expected a duration above 0 and at most the window ({})",
                                     format_duration(window)));
  }
  rule.window.advance_ms = advance.count();

  std::string agg = node.get_choice(
      "agg", "avg", {"avg", "min", "max", "last", "sum", "count", "rate", "p50", "p95", "p99"});
  for (const auto& [n, a] : kAggs) {
    if (agg == n) rule.agg = a;
  }

  bool above = node.has("above"), below = node.has("below");
  if (above == below) {
    node.fail(above ? "below" : "", "expected exactly one of above: or below: with the threshold");
  }
  rule.op = above ? Op::kAbove : Op::kBelow;
  rule.threshold = node.get_double(above ? "above" : "below", 0);
  if (node.has("resolve")) {
    double r = node.get_double("resolve", 0);
    if (rule.op == Op::kAbove && r > rule.threshold) {
      node.fail("resolve", fmt::format("{} is above the threshold {}: a resolve threshold for "
                                       "above: must be at or below it",
                                       r, rule.threshold));
    }
    if (rule.op == Op::kBelow && r < rule.threshold) {
      node.fail("resolve", fmt::format("{} is below the threshold {}: a resolve threshold for "
                                       "below: must be at or above it",
                                       r, rule.threshold));
    }
    rule.resolve = r;
  }
  rule.for_windows = static_cast<int>(node.get_int("for", 1, 1, 1000));
  rule.keep_firing_for_ms =
      node.get_duration("keep_firing_for", std::chrono::milliseconds(0)).count();
  ConfigNode flap = node.child("flapping");
  if (flap.defined()) {
    rule.flap_max_firings = static_cast<int>(flap.get_int("max_firings", 3, 2, 1000));
    rule.flap_window_ms = flap.get_duration("window", std::chrono::minutes(30)).count();
    if (rule.flap_window_ms <= 0) flap.fail("window", "expected a duration above 0");
  }
  rule.severity = node.get_choice("severity", "warning", {"info", "warning", "critical"});
  rule.summary = node.get_string(
      "summary", "{resource} {metric} {agg} {value} {op} {threshold} over {window} on {labels}");
  return rule;
}

HttpConfig parse_http(const ConfigNode& node, const std::string& config_path) {
  HttpConfig h;
  h.enabled = node.get_bool("enabled", true);
  h.where = node.where();
  h.topic = node.get_string("topic", h.topic);
  h.thresholds_path = node.get_string("thresholds", "");
  if (h.thresholds_path.empty()) {
    node.fail("thresholds",
              "missing: expected the thresholds file, like /etc/sentinel/thresholds.json");
  }
  if (h.thresholds_path[0] != '/') {  // relative to the directory of alerts.yaml
    auto slash = config_path.rfind('/');
    if (slash != std::string::npos)
      h.thresholds_path = config_path.substr(0, slash + 1) + h.thresholds_path;
  }
  auto window = node.get_duration("window", std::chrono::milliseconds(h.window_ms));
  if (window.count() <= 0) node.fail("window", "expected a duration above 0");
  h.window_ms = window.count();
  ConfigNode min = node.child("min_requests");
  const char* dims[] = {"global", "ip", "url"};
  for (int i = 0; i < 3; ++i)
    h.min_requests[i] = min.get_int(dims[i], h.min_requests[i], 1, 1000000000);
  if (node.has("dimensions")) {
    h.dimensions.clear();
    for (const auto& d : node.get_strings("dimensions", {})) {
      if (d == "global")
        h.dimensions.push_back(Dimension::kGlobal);
      else if (d == "ip")
        h.dimensions.push_back(Dimension::kIp);
      else if (d == "url")
        h.dimensions.push_back(Dimension::kUrl);
      else
        node.fail("dimensions", fmt::format("\"{}\": expected global, ip or url", d));
    }
  }
  if (node.has("classes")) {
    h.classes.clear();
    for (const auto& c : node.get_strings("classes", {})) {
      if (c == "5xx")
        h.classes.push_back(StatusClass::k5xx);
      else if (c == "4xx")
        h.classes.push_back(StatusClass::k4xx);
      else
        node.fail("classes", fmt::format("\"{}\": expected 5xx or 4xx", c));
    }
  }
  h.for_windows = static_cast<int>(node.get_int("for", 1, 1, 1000));
  ConfigNode sev = node.child("severity");
  h.severity_5xx = sev.get_choice("5xx", h.severity_5xx, {"info", "warning", "critical"});
  h.severity_4xx = sev.get_choice("4xx", h.severity_4xx, {"info", "warning", "critical"});
  ConfigNode norm = node.child("normalize");
  h.normalize.ids = norm.get_bool("ids", true);
  h.normalize.uuids = norm.get_bool("uuids", true);
  h.normalize.hex = norm.get_bool("hex", true);
  h.normalize.max_segments = static_cast<int>(norm.get_int("max_segments", 8, 1, 1000));
  for (const auto& r : norm.items("rules")) {
    records::PathRule rule{r.get_string("pattern", ""), r.get_string("replace", "")};
    if (rule.pattern.empty()) r.fail("pattern", "missing: expected a regex for one path segment");
    if (rule.replace.empty())
      r.fail("replace", "missing: expected what the segment becomes, like {slug}");
    try {
      std::regex check(rule.pattern, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      r.fail("pattern", fmt::format("not a valid regex: {}", e.what()));
    }
    h.normalize.rules.push_back(std::move(rule));
  }
  return h;
}

}  // namespace

std::string http_rule_name(StatusClass c, Dimension d) {
  return fmt::format("http_{}_{}", status_class_name(c), dimension_name(d));
}

void apply_thresholds(AlertsConfig* config, const Thresholds& thresholds) {
  config->thresholds = thresholds;
  auto& rules = config->rules;
  rules.erase(std::remove_if(rules.begin(), rules.end(), [](const Rule& r) { return r.from_http; }),
              rules.end());
  const HttpConfig& h = config->http;
  if (!h.enabled) return;
  for (StatusClass c : h.classes) {
    for (Dimension d : h.dimensions) {
      Rule r;
      r.name = http_rule_name(c, d);
      r.from_http = true;
      r.where = h.where;
      r.resource = kHttpResource;
      r.metric = c == StatusClass::k5xx ? "err5xx" : "err4xx";
      r.window = {h.window_ms, h.window_ms};
      r.agg = Agg::kAvg;
      r.op = Op::kAbove;
      r.for_windows = h.for_windows;
      r.severity = c == StatusClass::k5xx ? h.severity_5xx : h.severity_4xx;
      r.min_count = h.min_requests[static_cast<int>(d)];
      const DimensionThresholds& dt = thresholds.of(d);
      r.threshold = dt.shares.get(c).value_or(std::numeric_limits<double>::infinity());
      const char* cls = status_class_name(c);
      switch (d) {
        case Dimension::kGlobal:
          r.group_by = {"host"};
          r.key_label = "host";
          r.summary = fmt::format(
              "{} share {{value}} {{cmp}} {{threshold}} of {{count}} requests over "
              "{{window}} on {{host}}",
              cls);
          break;
        case Dimension::kIp:
          r.group_by = {"client_ip"};
          r.key_label = "client_ip";
          r.summary = fmt::format(
              "{} share {{value}} {{cmp}} {{threshold}} of {{count}} requests over "
              "{{window}} from {{client_ip}}",
              cls);
          break;
        case Dimension::kUrl:
          r.group_by = {"host", "path"};
          r.key_label = "path";
          r.summary = fmt::format(
              "{} share {{value}} {{cmp}} {{threshold}} of {{count}} requests over "
              "{{window}} for {{path}} on {{host}}",
              cls);
          break;
      }
      for (const auto& [key, shares] : dt.keys) {
        if (auto v = shares.get(c)) r.key_thresholds[key] = *v;
      }
      rules.push_back(std::move(r));
    }
  }
  place_rules(config);
}

bool thresholds_file_exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

const char* agg_name(Agg agg) {
  for (const auto& [n, a] : kAggs) {
    if (a == agg) return n;
  }
  return "?";
}

AlertsConfig parse_alerts_config(const ConfigFile& file, const std::string& bootstrap_override) {
  AlertsConfig config;
  config.source = file.name();
  ConfigNode root = file.root();
  config.kafka = root.get_string_map("kafka");
  if (!bootstrap_override.empty()) config.kafka["bootstrap.servers"] = bootstrap_override;
  if (!config.kafka.count("bootstrap.servers")) {
    root.fail("kafka", "bootstrap.servers is missing: set it here or pass --bootstrap-servers");
  }
  ConfigNode input = root.child("input");
  config.input_topic = input.get_string("topic", config.input_topic);
  config.group = input.get_string("group", config.group);
  config.instance_id = input.get_string("instance_id", "");
  std::string key =
      input.get_choice("key", "resource", {"resource", "host", "host_resource", "other"});
  parse_input_key(key, &config.input_key);
  ConfigNode rep = root.child("repartition");
  RepartitionConfig& rc = config.repartition;
  rc.enabled = rep.get_bool("enabled", rc.enabled);
  rc.topic = rep.get_string("topic", rc.topic);
  if (rc.topic.empty()) rep.fail("topic", "expected a topic name");
  rc.partitions = static_cast<int>(rep.get_int("partitions", rc.partitions, 1, 10000));
  rc.replication_factor =
      static_cast<int>(rep.get_int("replication_factor", rc.replication_factor, -1, 100));
  if (rc.replication_factor == 0) {
    rep.fail("replication_factor", "expected at least 1, or -1 for the broker's default");
  }
  rc.retention_ms =
      rep.get_duration("retention", std::chrono::milliseconds(rc.retention_ms)).count();
  if (rc.retention_ms <= 0) rep.fail("retention", "expected a duration above 0, like 24h");
  config.output_topic = root.child("output").get_string("topic", config.output_topic);
  ConfigNode time = root.child("time");
  config.allowed_lateness_ms =
      time.get_duration("allowed_lateness", std::chrono::milliseconds(config.allowed_lateness_ms))
          .count();
  config.idle_timeout_ms =
      time.get_duration("idle_timeout", std::chrono::milliseconds(config.idle_timeout_ms)).count();
  if (config.idle_timeout_ms <= 0) time.fail("idle_timeout", "expected a duration above 0");
  config.commit_interval_ms =
      root.get_duration("commit_interval", std::chrono::milliseconds(config.commit_interval_ms))
          .count();
  if (config.commit_interval_ms <= 0) root.fail("commit_interval", "expected a duration above 0");

  ConfigNode rules = root.child("rules");
  for (const auto& name : rules.keys()) config.rules.push_back(parse_rule(rules.child(name), name));

  ConfigNode silent = root.child("host_silent");
  HostSilentRule& hs = config.host_silent;
  hs.enabled = silent.get_bool("enabled", true);
  hs.after_ms = silent.get_duration("after", std::chrono::milliseconds(hs.after_ms)).count();
  if (hs.after_ms <= 0) silent.fail("after", "expected a duration above 0");
  hs.severity = silent.get_choice("severity", hs.severity, {"info", "warning", "critical"});
  hs.summary = silent.get_string("summary", hs.summary);
  for (const auto& r : config.rules) {
    if (r.name == hs.name && hs.enabled) {
      rules.fail(r.name, "the name host_silent is taken by the absence rule");
    }
  }
  ConfigNode http = root.child("http");
  if (http.defined()) config.http = parse_http(http, file.name());
  if (config.http.enabled) {
    for (const auto& r : config.rules) {
      if (r.name.rfind("http_", 0) == 0 && r.resource == kHttpResource) {
        rules.fail(r.name,
                   "names http_* with resource http are taken by the rules of the http: section");
      }
    }
    if (config.http.topic == config.input_topic) {
      http.fail("topic", fmt::format("\"{}\" is the metrics input topic too", config.http.topic));
    }
  }
  config.warnings = file.unknown_keys();
  if (config.http.enabled) {
    Thresholds t;
    t.source = config.http.thresholds_path;
    if (thresholds_file_exists(config.http.thresholds_path)) {
      t = load_thresholds(config.http.thresholds_path);
    } else {
      config.warnings.push_back(fmt::format(
          "{}: http.thresholds: {} does not exist: the HTTP error-rate rules wait for it",
          config.http.where, config.http.thresholds_path));
    }
    apply_thresholds(&config, t);
  }
  if (config.rules.empty() && !hs.enabled) root.fail("rules", "no rules: nothing to evaluate");
  place_rules(&config);
  for (const std::string& t : {config.input_topic, config.output_topic, config.http.topic}) {
    if (config.repartition.enabled && t == config.repartition.topic) {
      rep.fail("topic", fmt::format("\"{}\" is an input or output topic too", t));
    }
  }
  return config;
}

AlertsConfig load_alerts_config(const std::string& path, const std::string& bootstrap_override) {
  return parse_alerts_config(ConfigFile::load(path), bootstrap_override);
}

}  // namespace sentinel::alerts
