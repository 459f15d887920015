// sentinel-devkafka and kcat for tests.
#include "tests/support/kafka_env.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace sentinel::test {

DevKafka::DevKafka(const std::vector<std::string>& topics, int brokers) {
  std::vector<std::string> argv = {bin("sentinel-devkafka"), "--brokers", std::to_string(brokers)};
  for (const auto& t : topics) {
    argv.push_back("--topic");
    argv.push_back(t);
  }
  Process::Options options;
  options.stdin_pipe = true;
  process_ = std::make_unique<Process>(argv, options);
  bool up = wait_until(
      [&] {
        std::string out = process_->out();
        size_t nl = out.find('\n');
        if (nl == std::string::npos) return false;
        bootstrap_ = out.substr(0, nl);
        return true;
      },
      std::chrono::seconds(20));
  if (!up) throw std::runtime_error("sentinel-devkafka did not start: " + process_->err());
}

DevKafka::~DevKafka() {
  process_->signal(SIGTERM);
  process_->wait(std::chrono::seconds(10));
  // sentinel-devkafka reports every partition it trimmed (after a last look when stopping).
  if (trims_allowed_) return;
  std::istringstream err(process_->err());
  std::string trims;
  for (std::string line; std::getline(err, line);) {
    if (line.find("sentinel-devkafka: trimmed ") != std::string::npos) trims += line + "\n";
  }
  if (!trims.empty()) {
    ADD_FAILURE() << "sentinel-devkafka dropped records: this test exceeds the mock's limits "
                     "(shrink it, or move it to the real broker, tests/support/real_kafka.h):\n"
                  << trims;
  }
}

bool DevKafka::control(const std::string& command) {
  process_->write_stdin(command + "\n");
  return wait_until(
      [&] { return process_->out().find("ok " + command + "\n") != std::string::npos; },
      std::chrono::seconds(10));
}

std::vector<KafkaRecord> kcat_consume(const std::string& bootstrap, const std::string& topic) {
  std::string out;
  // -J prints one JSON envelope a record; -e exits at the end of every partition.
  int rc = run({"kcat", "-C", "-b", bootstrap, "-t", topic, "-e", "-q", "-J", "-o", "beginning"},
               &out, std::chrono::seconds(60));
  if (rc != 0) throw std::runtime_error("kcat -C failed with " + std::to_string(rc));
  std::vector<KafkaRecord> records;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) continue;
    KafkaRecord r;
    if (j.contains("key") && j["key"].is_string()) r.key = j["key"];
    if (j.contains("payload") && j["payload"].is_string()) r.value = j["payload"];
    r.partition = j.value("partition", -1);
    r.offset = j.value("offset", -1LL);
    r.timestamp = j.value("ts", -1LL);
    records.push_back(std::move(r));
  }
  return records;
}

bool kcat_produce(const std::string& bootstrap, const std::string& topic,
                  const std::vector<std::string>& lines, bool keyed) {
  TempDir dir;
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  write_file(dir.file("input"), text);
  std::vector<std::string> argv = {"kcat", "-P",  "-b", bootstrap,
                                   "-t",   topic, "-l", dir.file("input")};
  if (keyed) {
    argv.push_back("-K");
    argv.push_back("\t");
  }
  return run(argv) == 0;
}

}  // namespace sentinel::test
