// Path confinement under archive.root, on the worker's side (validation and every start).
#include "connect-sink/runtime/path_confinement.h"

#include <filesystem>

#include "common/confined_fs.h"

namespace sentinel::connect {

namespace fs = std::filesystem;

namespace {

bool is_within(const fs::path& root, const fs::path& p) {
  auto r = root.begin();
  auto q = p.begin();
  for (; r != root.end(); ++r, ++q) {
    if (r->empty()) continue;  // trailing separator
    if (q == p.end() || *r != *q) return false;
  }
  return true;
}

class RefusingTask : public SinkTask {
 public:
  explicit RefusingTask(std::string message) : message_(std::move(message)) {}
  std::string version() const override { return "0"; }
  Status start(const Config&) override {
    return Status::Error(message_, "ConnectException: " + message_);
  }
  Status put(const std::vector<SinkRecord>&) override { return Status::Error(message_); }
  void stop() override {}

 private:
  std::string message_;
};

}  // namespace

std::optional<std::string> confine_path(const std::string& root, const std::string& value,
                                        std::string* reason, bool root_pending) {
  if (root.empty()) return value;
  if (value.empty()) return value;  // standard output, no file
  if (value.find('\0') != std::string::npos) {
    *reason = "path contains a NUL character";
    return std::nullopt;
  }
  fs::path requested(value);
  for (const auto& part : requested) {
    if (part == "..") {
      *reason = "path must not contain '..' (it must stay under archive.root " + root + ")";
      return std::nullopt;
    }
  }
  std::error_code ec;
  fs::path real_root = root_pending ? fs::weakly_canonical(root, ec) : fs::canonical(root, ec);
  if (ec) {
    *reason = "archive.root " + root + " cannot be resolved: " + ec.message();
    return std::nullopt;
  }
  fs::path candidate = requested.is_absolute()
                           ? requested.lexically_normal()
                           : (fs::absolute(root) / requested).lexically_normal();
  fs::path lexical_root = fs::absolute(root).lexically_normal();
  fs::path relative;
  if (is_within(lexical_root, candidate)) {
    relative = candidate.lexically_relative(lexical_root);
  } else if (is_within(real_root, candidate)) {
    relative = candidate.lexically_relative(real_root);
  } else {
    *reason = "path is outside archive.root " + root;
    return std::nullopt;
  }
  if (relative.empty() || relative == ".") {
    *reason = "path names archive.root itself, not a file in it";
    return std::nullopt;
  }
  std::string confined_path = (real_root / relative).string();
  // A root still to be created holds nothing yet, so no link beneath it can lead out.
  if (root_pending && !fs::exists(real_root, ec)) return confined_path;
  auto dir = confined::Root::open(real_root.string(), reason);
  if (!dir || !dir->check_file_path(confined_path, reason)) return std::nullopt;
  return confined_path;
}

bool confine_output_paths(const std::string& root, const ConfigDef& def,
                          std::map<std::string, std::string>* config, std::string* error) {
  config->erase(kArchiveRootKey);
  if (root.empty()) return true;
  for (const ConfigKey& k : def) {
    auto it = config->find(k.name);
    if (!k.is_output_path || it == config->end()) continue;
    std::string reason;
    auto confined = confine_path(root, it->second, &reason);
    if (!confined) {
      *error = k.name + " \"" + it->second + "\": " + reason;
      return false;
    }
    it->second = *confined;
  }
  std::error_code ec;
  fs::path real_root = fs::canonical(root, ec);
  if (ec) {
    *error = "archive.root " + root + " cannot be resolved: " + ec.message();
    return false;
  }
  (*config)[kArchiveRootKey] = real_root.string();
  return true;
}

std::unique_ptr<SinkTask> refusing_task(const std::string& message) {
  return std::make_unique<RefusingTask>(message);
}

}  // namespace sentinel::connect
