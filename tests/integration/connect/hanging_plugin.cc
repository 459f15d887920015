// A sink plugin for tests that hangs on demand, like a task stuck on a FIFO, a dead NFS mount or a
// remote system that never answers. `hang.in` names the SinkTask call that does not return:
// `start`, `put` (the first call with records) or `stop`. It hangs once per `hang.marker` file,
// which it creates when the call begins (so a test knows the task is stuck), and returns when
// the file `hang.release` appears. Every value it is given is appended to `file`, one per line.
#include <sentinel/connect/sink.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

namespace {

using namespace sentinel::connect;

bool exists(const std::string& path) {
  struct stat st;
  return !path.empty() && ::stat(path.c_str(), &st) == 0;
}

std::string get(const Config& c, const std::string& key) {
  auto it = c.find(key);
  return it == c.end() ? "" : it->second;
}

class HangingTask : public SinkTask {
 public:
  std::string version() const override { return "0.1"; }
  Status start(const Config& c) override {
    config_ = c;
    out_.open(get(c, "file"), std::ios::app);
    if (!out_) return Status::Error("cannot open " + get(c, "file"));
    hang_if("start");
    return Status::Ok();
  }
  Status put(const std::vector<SinkRecord>& records) override {
    if (records.empty()) return Status::Ok();
    hang_if("put");
    for (const auto& r : records) out_ << r.value.value_or("null") << '\n';
    out_.flush();
    return Status::Ok();
  }
  void stop() override {
    hang_if("stop");
    out_.close();
  }

 private:
  void hang_if(const std::string& call) {
    std::string marker = get(config_, "hang.marker");
    if (get(config_, "hang.in") != call || exists(marker)) return;
    std::ofstream(marker) << call << '\n';
    while (!exists(get(config_, "hang.release"))) ::usleep(20000);
  }

  Config config_;
  std::ofstream out_;
};

class HangingSink : public SinkConnector {
 public:
  std::string version() const override { return "0.1"; }
  ConfigDef config_def() const override {
    auto key = [](const std::string& name, const std::string& doc) {
      ConfigKey k;
      k.name = name;
      k.default_value = "";
      k.importance = Importance::kLow;
      k.documentation = doc;
      return k;
    };
    return {key("file", "Where the values go"),
            key("hang.in", "start, put or stop: the call that hangs"),
            key("hang.marker", "Created when the call begins to hang; it hangs once per marker"),
            key("hang.release", "The call returns once this file exists")};
  }
  Status start(const Config& c) override {
    config_ = c;
    return Status::Ok();
  }
  std::vector<Config> task_configs(int max) const override {
    return std::vector<Config>(static_cast<size_t>(max), config_);
  }
  void stop() override {}
  std::unique_ptr<SinkTask> create_task() const override { return std::make_unique<HangingTask>(); }

 private:
  Config config_;
};

}  // namespace

extern "C" __attribute__((visibility("default"))) const SentinelConnectPlugin*
sentinel_connect_plugin() {
  static const char* const aliases[] = {"Hanging", nullptr};
  static const SentinelConnectPlugin plugin = {
      SENTINEL_CONNECT_API_VERSION,
      sizeof(SentinelConnectPlugin),
      "com.example.HangingSinkConnector",
      aliases,
      "0.1",
      [] { return static_cast<SinkConnector*>(new HangingSink); },
      nullptr};
  return &plugin;
}
