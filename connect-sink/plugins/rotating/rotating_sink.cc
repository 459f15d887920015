// RotatingFileSink (sentinel.connect.RotatingFileSinkConnector): the connector and the plugin's
// exported entry point. The work is in rotating_sink_task.cc and the files it uses.
#include "rotating_sink_task.h"
#include "sentinel/connect/sink.h"
#include "sink_config.h"

namespace {

using sentinel::connect::Config;
using sentinel::connect::ConfigDef;
using sentinel::connect::ConfigValue;
using sentinel::connect::Status;

constexpr const char* kVersion = "1.0.0";

class RotatingFileSinkConnector : public sentinel::connect::SinkConnector {
 public:
  std::string version() const override { return kVersion; }
  ConfigDef config_def() const override { return sentinel::archive::sink_config_def(); }

  std::vector<ConfigValue> validate(const Config& config) const override {
    std::vector<ConfigValue> out;
    for (auto& [key, errors] : sentinel::archive::check_sink_config(config)) {
      ConfigValue v;
      v.name = key;
      auto it = config.find(key);
      if (it != config.end()) v.value = it->second;
      v.errors = errors;
      out.push_back(std::move(v));
    }
    return out;
  }

  Status start(const Config& config) override {
    std::string error;
    if (!sentinel::archive::parse_sink_settings(config, &error)) {
      return Status::Error("RotatingFileSink configuration: " + error,
                           "ConnectException: " + error);
    }
    config_ = config;
    return Status::Ok();
  }

  // Identical copies: the consumer group spreads the partitions; validation made sure that with
  // several tasks every partition has its own file.
  std::vector<Config> task_configs(int max_tasks) const override {
    return std::vector<Config>(static_cast<size_t>(max_tasks), config_);
  }

  void stop() override {}

  std::unique_ptr<sentinel::connect::SinkTask> create_task() const override {
    return std::make_unique<sentinel::archive::RotatingFileSinkTask>();
  }

 private:
  Config config_;
};

}  // namespace

extern "C" __attribute__((visibility("default"))) const SentinelConnectPlugin*
sentinel_connect_plugin() {
  static const char* const aliases[] = {"RotatingFileSink", nullptr};
  static const SentinelConnectPlugin plugin = {
      SENTINEL_CONNECT_API_VERSION,
      sizeof(SentinelConnectPlugin),
      "sentinel.connect.RotatingFileSinkConnector",
      aliases,
      kVersion,
      [] { return static_cast<sentinel::connect::SinkConnector*>(new RotatingFileSinkConnector); },
      nullptr};
  return &plugin;
}
