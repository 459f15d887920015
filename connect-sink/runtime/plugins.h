// Loading sink connector plugins: every shared object under the worker's plugin.path is dlopen()ed
// once at start, its sentinel_connect_plugin() entry checked (API version, struct size) and its
// connectors registered by class name, simple name, pruned name (without "Connector") and aliases,
// as Connect resolves connector.class. A bad plugin is reported and skipped, never fatal.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sentinel/connect/sink.h"

namespace sentinel::connect {

struct PluginInfo {
  std::string class_name;
  std::vector<std::string> aliases;
  std::string version;
  std::string path;  // the shared object it came from
  SinkConnector* (*create)() = nullptr;

  std::unique_ptr<SinkConnector> instantiate() const {
    return std::unique_ptr<SinkConnector>(create());
  }
};

class PluginRegistry {
 public:
  // Scans each entry of `plugin_path`: a shared object itself, or a directory whose *.so files (and
  // those one directory below) are loaded. Problems are appended to *errors, one line each, e.g.
  // "plugin /p/libx.so: built for plugin API version 2, this worker supports 1: rebuild it ...".
  void load(const std::vector<std::string>& plugin_path, std::vector<std::string>* errors);
  // Loads one shared object; false with *error when it is not a usable plugin.
  bool load_file(const std::string& path, std::string* error);
  // Registers a connector compiled into the program (tests).
  void add(PluginInfo info);

  // By class name, simple name, simple name without "Connector", or alias; nullptr if unknown.
  const PluginInfo* find(const std::string& name) const;
  const std::vector<PluginInfo>& plugins() const { return plugins_; }
  // "org.a.XConnector, org.b.YConnector" for error messages.
  std::string names() const;

 private:
  std::vector<PluginInfo> plugins_;
};

// "org.apache.kafka.connect.file.FileStreamSinkConnector" → "FileStreamSinkConnector".
std::string simple_class_name(const std::string& class_name);
// "FileStreamSinkConnector" → "FileStreamSink".
std::string pruned_class_name(const std::string& class_name);

}  // namespace sentinel::connect
