// FileStreamSink: Kafka Connect's example file sink with the same config and output (the record
// value and a newline, appended to `file`, or stdout when `file` is empty), except that write and
// fsync errors fail the task instead of being swallowed, pre_commit fsyncs the file so that
// committed offsets only cover data on disk, and the file is opened beneath the worker's
// archive.root at every task start (never through a link, never a FIFO, device or socket).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "common/confined_fs.h"
#include "common/errno_text.h"
#include "sentinel/connect/sink.h"

namespace {

using sentinel::errno_text;
using sentinel::connect::Config;
using sentinel::connect::ConfigDef;
using sentinel::connect::ConfigKey;
using sentinel::connect::ConfigType;
using sentinel::connect::Importance;
using sentinel::connect::OffsetMap;
using sentinel::connect::SinkRecord;
using sentinel::connect::Status;
using sentinel::connect::TopicPartition;

constexpr const char* kVersion = "1.0.0";
constexpr const char* kFileKey = "file";

class FileStreamSinkTask : public sentinel::connect::SinkTask {
 public:
  ~FileStreamSinkTask() override { stop(); }
  std::string version() const override { return kVersion; }

  Status start(const Config& config) override {
    auto it = config.find(kFileKey);
    filename_ = it == config.end() ? "" : it->second;
    if (filename_.empty()) {
      fd_ = STDOUT_FILENO;
      return Status::Ok();
    }
    // The worker's archive.root, opened for this start only: the file is resolved beneath it now,
    // whatever the tree looked like when the connector was validated.
    std::string error;
    auto root_it = config.find(sentinel::connect::kArchiveRootKey);
    auto root = root_it == config.end() ? sentinel::confined::Root::unconfined()
                                        : sentinel::confined::Root::open(root_it->second, &error);
    if (root) fd_ = root->open_file(filename_, O_WRONLY | O_CREAT | O_APPEND, 0644, &error);
    if (!root || fd_ < 0) {
      std::string message =
          "Couldn't find or create file '" + filename_ + "' for FileStreamSinkTask: " + error;
      return Status::Error(message, "ConnectException: " + message + "\nCaused by: " + error);
    }
    return Status::Ok();
  }

  Status put(const std::vector<SinkRecord>& records) override {
    std::string buffer;
    for (const SinkRecord& r : records) {
      buffer += r.value ? *r.value : std::string("null");
      buffer += '\n';
    }
    size_t done = 0;
    while (done < buffer.size()) {
      ssize_t n = ::write(fd_, buffer.data() + done, buffer.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return failure("write", errno);
      done += static_cast<size_t>(n);
    }
    return Status::Ok();
  }

  Status flush(const OffsetMap&) override {
    if (fd_ == STDOUT_FILENO || fd_ < 0) return Status::Ok();
    if (::fdatasync(fd_) != 0) return failure("fdatasync", errno);
    return Status::Ok();
  }

  void stop() override {
    if (fd_ > STDOUT_FILENO) ::close(fd_);
    fd_ = -1;
  }

 private:
  Status failure(const char* call, int err) const {
    std::string target = filename_.empty() ? std::string("standard output") : "'" + filename_ + "'";
    std::string message =
        "FileStreamSinkTask could not write to " + target + ": " + errno_text(err);
    return Status::Error(message, "ConnectException: " + message + "\nCaused by: " + call + "(" +
                                      target + "): " + errno_text(err));
  }

  std::string filename_;
  int fd_ = -1;
};

class FileStreamSinkConnector : public sentinel::connect::SinkConnector {
 public:
  std::string version() const override { return kVersion; }

  ConfigDef config_def() const override {
    ConfigKey file;
    file.name = kFileKey;
    file.type = ConfigType::kString;
    file.default_value = std::nullopt;
    file.required = false;
    file.importance = Importance::kHigh;
    file.documentation = "Destination filename. If not specified, the standard output will be used";
    file.is_output_path = true;
    return {file};
  }

  Status start(const Config& config) override {
    config_ = config;
    return Status::Ok();
  }

  // Like Connect: tasks.max identical copies (all append to the same file).
  std::vector<Config> task_configs(int max_tasks) const override {
    return std::vector<Config>(static_cast<size_t>(max_tasks), config_);
  }

  void stop() override {}

  std::unique_ptr<sentinel::connect::SinkTask> create_task() const override {
    return std::make_unique<FileStreamSinkTask>();
  }

  // Offsets live only in the consumer group; nothing else to change.
  bool alter_offsets(const Config&,
                     const std::map<TopicPartition, std::optional<int64_t>>&) override {
    return true;
  }

 private:
  Config config_;
};

}  // namespace

extern "C" __attribute__((visibility("default"))) const SentinelConnectPlugin*
sentinel_connect_plugin() {
  static const char* const aliases[] = {"FileStreamSinkConnector", "FileStreamSink", nullptr};
  static const SentinelConnectPlugin plugin = {
      SENTINEL_CONNECT_API_VERSION,
      sizeof(SentinelConnectPlugin),
      "org.apache.kafka.connect.file.FileStreamSinkConnector",
      aliases,
      kVersion,
      [] { return static_cast<sentinel::connect::SinkConnector*>(new FileStreamSinkConnector); },
      nullptr};
  return &plugin;
}
