// sentinel-logs-bench: the helpers bench/logs/run.sh drives around the agent and rsyslog.
//
//   parse    — reads an access log into memory, then times the agent's own parser
//              (AccessLogFormat::parse) over every line, alone and followed by the http_logs
//              JSON encoding (append_http_record) exactly as the agent's shipper does, on the
//              calling thread (run.sh pins it to one core).
//   rewrite  — turns combined-format lines (sentinel-loggen's) into the bench's custom nginx
//              log_format (kCustomFormat), so both formats carry the same requests.
//   ship     — the end-to-end clock: appends a pre-generated file to the followed file in
//              blocks, as fast as the file takes them, then polls the topic's high watermarks
//              (summed over partitions) until N records are in Kafka. Also samples the shipper's
//              CPU time (/proc/PID/stat) over that window and its peak RSS (VmHWM), and keeps
//              polling a little longer to see whether more than N records arrive.
// Each mode prints one JSON line.
#include <fcntl.h>
#include <fmt/format.h>
#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "agent/logs/access_log_format.h"
#include "agent/logs/http_record.h"
#include "common/cli.h"
#include "common/kafka.h"

namespace {

using namespace sentinel;
using Clock = std::chrono::steady_clock;

// A typical custom nginx log_format: ISO 8601 time first, the virtual host, timings, and the
// upstream's response time after the user agent.
constexpr std::string_view kCustomFormat =
    R"(nginx:$time_iso8601 $remote_addr $host "$request" $status $body_bytes_sent $request_time "$http_referer" "$http_user_agent" urt=$upstream_response_time)";

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

bool read_file(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  *out = std::move(s).str();
  return true;
}

std::vector<std::string_view> split_lines(const std::string& text) {
  std::vector<std::string_view> lines;
  size_t p = 0;
  while (p < text.size()) {
    size_t nl = text.find('\n', p);
    if (nl == std::string::npos) nl = text.size();
    lines.emplace_back(text.data() + p, nl - p);
    p = nl + 1;
  }
  return lines;
}

std::optional<agent::AccessLogFormat> compile_or_complain(const std::string& spec) {
  std::string error;
  auto format =
      agent::AccessLogFormat::compile(spec == "custom" ? std::string(kCustomFormat) : spec, &error);
  if (!format) std::fprintf(stderr, "%s\n", error.c_str());
  return format;
}

int parse_mode(const std::string& spec, const std::string& path, double min_seconds) {
  auto format = compile_or_complain(spec);
  if (!format) return 2;
  std::string text;
  if (!read_file(path, &text)) {
    std::fprintf(stderr, "%s: cannot read\n", path.c_str());
    return 1;
  }
  const std::vector<std::string_view> lines = split_lines(text);
  agent::AccessLogEntry entry;
  std::string why, value;
  const std::string host = "web-1", source = "/var/log/nginx/access.log";
  uint64_t invalid = 0, json_bytes = 0;

  // One pass over every line; `serialize` adds the record encoding the shipper does next.
  auto pass = [&](bool serialize) {
    invalid = 0;
    json_bytes = 0;
    for (std::string_view line : lines) {
      if (!format->parse(line, &entry, &why)) {
        ++invalid;
        continue;
      }
      if (serialize) {
        value.clear();
        agent::append_http_record(&value, host, source, entry.ts_ms, entry);
        json_bytes += value.size();
      }
    }
  };
  // Repeats whole passes until min_seconds have passed; the figure is the median pass.
  auto timed = [&](bool serialize) {
    pass(serialize);  // warm-up: caches, allocator, branch predictors
    std::vector<double> secs;
    auto start = Clock::now();
    while (secs.size() < 3 || seconds_since(start) < min_seconds) {
      auto t0 = Clock::now();
      pass(serialize);
      secs.push_back(seconds_since(t0));
    }
    std::sort(secs.begin(), secs.end());
    return std::pair{secs[secs.size() / 2], secs.size()};
  };
  auto [parse_s, parse_passes] = timed(false);
  auto [full_s, full_passes] = timed(true);
  const double n = static_cast<double>(lines.size());
  std::printf(
      "%s\n",
      fmt::format(
          R"({{"format":"{}","lines":{},"bytes":{},"invalid":{},"json_bytes":{},)"
          R"("parse_s":{:.6f},"parse_passes":{},"parse_lines_per_s":{:.0f},"parse_mb_per_s":{:.1f},)"
          R"("serialize_s":{:.6f},"serialize_passes":{},"serialize_lines_per_s":{:.0f},)"
          R"("serialize_mb_per_s":{:.1f}}})",
          spec, lines.size(), text.size(), invalid, json_bytes, parse_s, parse_passes, n / parse_s,
          text.size() / parse_s / 1e6, full_s, full_passes, n / full_s, text.size() / full_s / 1e6)
          .c_str());
  return invalid == 0 ? 0 : 1;
}

// Fields are written back as parsed, without re-escaping: loggen's traffic has no quote or
// backslash in them (the parse mode checks that every rewritten line parses).
int rewrite_mode() {
  auto combined = compile_or_complain("combined");
  if (!combined) return 2;
  agent::AccessLogEntry e;
  std::string why, line, out;
  uint64_t n = 0;
  while (std::getline(std::cin, line)) {
    if (!combined->parse(line, &e, &why)) {
      std::fprintf(stderr, "line %llu: %s\n", static_cast<unsigned long long>(n + 1), why.c_str());
      return 1;
    }
    time_t secs = e.ts_ms / 1000;
    struct tm tm;
    gmtime_r(&secs, &tm);
    char iso[32];
    std::strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
    std::string request = e.request.empty() ? fmt::format("{} {}{}{}", e.method, e.path,
                                                          e.protocol.empty() ? "" : " ", e.protocol)
                                            : e.request;
    double request_time = static_cast<double>((e.bytes * 7919 + n) % 2500) / 1000.0;
    out.clear();
    fmt::format_to(std::back_inserter(out),
                   "{} {} web-1 \"{}\" {} {} {:.3f} \"{}\" \"{}\" urt={:.3f}\n", iso, e.client_ip,
                   request, e.status, e.bytes, request_time, e.referer, e.user_agent,
                   request_time * 0.9);
    std::fwrite(out.data(), 1, out.size(), stdout);
    ++n;
  }
  return 0;
}

// utime + stime of `pid` in seconds; -1 when the process is gone.
double cpu_seconds(int pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  std::string stat;
  if (!std::getline(in, stat)) return -1;
  // Fields after the command name (which may hold spaces), which ends at the last ')'.
  std::istringstream rest(stat.substr(stat.rfind(')') + 2));
  std::string field;
  uint64_t utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// Peak resident set (VmHWM) of `pid` in kB.
long peak_rss_kb(int pid) {
  std::ifstream in(fmt::format("/proc/{}/status", pid));
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("VmHWM:")) return std::stol(line.substr(6));
  }
  return -1;
}

// Sums the high watermarks of every partition of a topic with one ListOffsets request per poll.
class Watermarks {
 public:
  bool open(const std::string& bootstrap, const std::string& topic, std::string* error) {
    kafka::Conf conf =
        kafka::make_conf({{"bootstrap.servers", bootstrap}, {"log_level", "3"}}, error);
    if (!conf) return false;
    rk_ = kafka::make_handle(RD_KAFKA_CONSUMER, std::move(conf), error);
    if (!rk_) return false;
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_topic_t* t = rd_kafka_topic_new(rk_.get(), topic.c_str(), nullptr);
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk_.get(), 0, t, &md, 10000);
    rd_kafka_topic_destroy(t);
    if (err || md->topic_cnt != 1 || md->topics[0].err || md->topics[0].partition_cnt == 0) {
      *error = fmt::format("topic {}: no metadata ({})", topic,
                           err             ? rd_kafka_err2str(err)
                           : md->topic_cnt ? rd_kafka_err2str(md->topics[0].err)
                                           : "none");
      if (md) rd_kafka_metadata_destroy(md);
      return false;
    }
    topic_ = topic;
    partitions_ = md->topics[0].partition_cnt;
    rd_kafka_metadata_destroy(md);
    return true;
  }
  int partitions() const { return partitions_; }
  // -1 on error.
  int64_t sum() {
    kafka::TopicPartitionList list(rd_kafka_topic_partition_list_new(partitions_));
    for (int p = 0; p < partitions_; ++p) {
      rd_kafka_topic_partition_list_add(list.get(), topic_.c_str(), p)->offset =
          RD_KAFKA_OFFSET_END;
    }
    if (rd_kafka_offsets_for_times(rk_.get(), list.get(), 5000) != RD_KAFKA_RESP_ERR_NO_ERROR)
      return -1;
    int64_t total = 0;
    for (int i = 0; i < list->cnt; ++i) {
      if (list->elems[i].err || list->elems[i].offset < 0) return -1;
      total += list->elems[i].offset;
    }
    return total;
  }

 private:
  kafka::Handle rk_;
  std::string topic_;
  int partitions_ = 0;
};

int ship_mode(const std::string& source, const std::string& target, size_t block,
              const std::string& bootstrap, const std::string& topic, int64_t records, int pid,
              int broker_pid, double timeout_s, double settle_s) {
  std::string error;
  Watermarks wm;
  if (!wm.open(bootstrap, topic, &error)) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  int64_t before = wm.sum();
  int in = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
  int out = ::open(target.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (in < 0 || out < 0 || before < 0) {
    std::fprintf(stderr, "cannot open %s or %s, or read the watermarks of %s\n", source.c_str(),
                 target.c_str(), topic.c_str());
    return 1;
  }
  std::vector<char> buf(block);
  double cpu0 = cpu_seconds(pid), broker_cpu0 = broker_pid ? cpu_seconds(broker_pid) : 0;
  auto t0 = Clock::now();
  // The clock: a thread polls the watermarks from the first append on, so that the first
  // record's arrival is seen while the file still grows.
  std::atomic<bool> stop{false};
  int64_t seen = 0;
  double first_s = -1, done_s = -1, cpu1 = -1, broker_cpu1 = 0;
  long rss_kb = -1;
  std::thread clock([&] {
    for (;;) {
      int64_t s = wm.sum();
      if (s >= 0) seen = s - before;
      if (first_s < 0 && seen > 0) first_s = seconds_since(t0);
      if (seen >= records || seconds_since(t0) > timeout_s || stop) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    done_s = seconds_since(t0);
    cpu1 = cpu_seconds(pid);
    if (broker_pid) broker_cpu1 = cpu_seconds(broker_pid);
    rss_kb = peak_rss_kb(pid);
  });
  uint64_t appended = 0;
  bool write_failed = false;
  for (;;) {
    ssize_t n = ::read(in, buf.data(), buf.size());
    if (n <= 0) break;
    for (ssize_t off = 0; off < n && !write_failed;) {
      ssize_t w = ::write(out, buf.data() + off, static_cast<size_t>(n - off));
      if (w <= 0) {
        std::perror("write");
        write_failed = true;
      }
      off += w;
    }
    if (write_failed) break;
    appended += static_cast<uint64_t>(n);
  }
  ::close(in);
  ::close(out);
  double append_s = seconds_since(t0);
  if (write_failed) stop = true;
  clock.join();
  if (write_failed) return 1;
  // Anything beyond N (a shipper publishing a line twice) shows up after the count was reached.
  auto settle_until = Clock::now() + std::chrono::duration<double>(settle_s);
  int64_t final_count = seen;
  while (Clock::now() < settle_until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    int64_t s = wm.sum();
    if (s >= 0) final_count = s - before;
  }
  bool complete = seen >= records;
  std::printf(
      "%s\n",
      fmt::format(R"({{"topic":"{}","partitions":{},"expected":{},"records":{},"final_records":{},)"
                  R"("complete":{},"appended_bytes":{},"append_s":{:.4f},"first_record_s":{:.4f},)"
                  R"("seconds":{:.4f},"cpu_s":{:.3f},"rss_kb":{},"broker_cpu_s":{:.3f}}})",
                  topic, wm.partitions(), records, seen, final_count, complete, appended, append_s,
                  first_s, done_s, cpu1 - cpu0, rss_kb, broker_cpu1 - broker_cpu0)
          .c_str());
  return complete ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  sentinel::cli::App app{"sentinel-logs-bench: helpers for bench/logs/run.sh"};
  app.require_subcommand(1);
  std::string format = "combined", file, source, target, bootstrap, topic = "http_logs";
  double min_seconds = 2, timeout_s = 300, settle_s = 2;
  size_t block = 1 << 20;
  int64_t records = 0;
  int pid = 0, broker_pid = 0;
  auto* p = app.add_subcommand("parse",
                               "Time the agent's parser (and record encoding) over a file's lines");
  p->add_option("--format", format,
                "combined, common, custom (the bench's nginx log_format) or nginx:/apache:…");
  p->add_option("--file", file)->required();
  p->add_option("--min-seconds", min_seconds,
                "Repeat passes at least this long (median pass reported)");
  auto* r =
      app.add_subcommand("rewrite", "Combined lines on stdin to the custom nginx format on stdout");
  auto* s = app.add_subcommand(
      "ship", "Append a file to the followed one, time until N records are in Kafka");
  s->add_option("--source", source)->required();
  s->add_option("--target", target)->required();
  s->add_option("--block", block, "Bytes per append (lines are cut across blocks, as dd would)");
  s->add_option("--bootstrap-servers", bootstrap)->required();
  s->add_option("--topic", topic);
  s->add_option("--records", records)->required();
  s->add_option("--pid", pid, "The shipper, for CPU time and peak RSS")->required();
  s->add_option("--broker-pid", broker_pid, "The broker, for its CPU time over the same window");
  s->add_option("--timeout", timeout_s, "Seconds");
  s->add_option("--settle", settle_s, "Seconds to keep counting after N records arrived");
  if (auto rc = app.parse(argc, argv)) return *rc;
  if (*p) return parse_mode(format, file, min_seconds);
  if (*r) return rewrite_mode();
  return ship_mode(source, target, block, bootstrap, topic, records, pid, broker_pid, timeout_s,
                   settle_s);
}
