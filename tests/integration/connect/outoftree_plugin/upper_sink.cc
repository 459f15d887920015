// An out-of-tree sink plugin, compiled by the integration test against sentinel/connect/sink.h
// alone (c++ -shared -fPIC -I connect-sink/api): writes each value upper-cased to `file`.
#include <sentinel/connect/sink.h>

#include <cctype>
#include <fstream>

namespace {

using namespace sentinel::connect;

class UpperTask : public SinkTask {
 public:
  std::string version() const override { return "0.1"; }
  Status start(const Config& c) override {
    out_.open(c.at("file"), std::ios::app);
    return out_ ? Status::Ok() : Status::Error("cannot open " + c.at("file"));
  }
  Status put(const std::vector<SinkRecord>& records) override {
    for (const auto& r : records) {
      std::string v = r.value.value_or("null");
      for (char& ch : v) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      out_ << v << '\n';
    }
    out_.flush();
    return out_ ? Status::Ok() : Status::Error("write failed");
  }
  void stop() override { out_.close(); }

 private:
  std::ofstream out_;
};

class UpperSink : public SinkConnector {
 public:
  std::string version() const override { return "0.1"; }
  ConfigDef config_def() const override {
    ConfigKey file;
    file.name = "file";
    file.required = true;
    file.importance = Importance::kHigh;
    file.documentation = "Where upper-cased values go";
    file.is_output_path = true;
    return {file};
  }
  Status start(const Config& c) override {
    config_ = c;
    return Status::Ok();
  }
  std::vector<Config> task_configs(int max) const override {
    return std::vector<Config>(static_cast<size_t>(max), config_);
  }
  void stop() override {}
  std::unique_ptr<SinkTask> create_task() const override { return std::make_unique<UpperTask>(); }

 private:
  Config config_;
};

}  // namespace

extern "C" const SentinelConnectPlugin* sentinel_connect_plugin() {
  static const char* const aliases[] = {"Upper", nullptr};
  static const SentinelConnectPlugin plugin = {
      SENTINEL_CONNECT_API_VERSION,
      sizeof(SentinelConnectPlugin),
      "com.example.UpperSinkConnector",
      aliases,
      "0.1",
      [] { return static_cast<SinkConnector*>(new UpperSink); },
      nullptr};
  return &plugin;
}
