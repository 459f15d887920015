// Plugin discovery and loading with dlopen.
#include "connect-sink/runtime/plugins.h"

#include <dlfcn.h>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

namespace sentinel::connect {

namespace fs = std::filesystem;

std::string simple_class_name(const std::string& class_name) {
  size_t dot = class_name.rfind('.');
  return dot == std::string::npos ? class_name : class_name.substr(dot + 1);
}

std::string pruned_class_name(const std::string& class_name) {
  std::string simple = simple_class_name(class_name);
  const std::string suffix = "Connector";
  if (simple.size() > suffix.size() && simple.ends_with(suffix)) {
    return simple.substr(0, simple.size() - suffix.size());
  }
  return simple;
}

void PluginRegistry::load(const std::vector<std::string>& plugin_path,
                          std::vector<std::string>* errors) {
  auto is_so = [](const fs::path& p) {
    return p.extension() == ".so" || p.filename().string().find(".so.") != std::string::npos;
  };
  for (const std::string& entry : plugin_path) {
    std::error_code ec;
    std::vector<fs::path> files;
    if (fs::is_regular_file(entry, ec)) {
      files.push_back(entry);
    } else if (fs::is_directory(entry, ec)) {
      for (const auto& d : fs::directory_iterator(entry, ec)) {
        if (d.is_regular_file(ec) && is_so(d.path())) files.push_back(d.path());
        if (d.is_directory(ec)) {
          for (const auto& inner : fs::directory_iterator(d.path(), ec)) {
            if (inner.is_regular_file(ec) && is_so(inner.path())) files.push_back(inner.path());
          }
        }
      }
    } else {
      errors->push_back(fmt::format("plugin.path entry {}: no such file or directory", entry));
      continue;
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      std::string error;
      if (!load_file(f.string(), &error)) errors->push_back(error);
    }
  }
}

bool PluginRegistry::load_file(const std::string& path, std::string* error) {
  // RTLD_LOCAL keeps plugins from seeing each other's symbols; handles stay open for the
  // process's lifetime because connector objects point into them.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    *error = fmt::format("plugin {}: cannot load shared object: {}", path, dlerror());
    return false;
  }
  auto entry =
      reinterpret_cast<SentinelConnectPluginEntry>(dlsym(handle, SENTINEL_CONNECT_PLUGIN_SYMBOL));
  if (!entry) {
    *error = fmt::format(
        "plugin {}: no exported symbol {}: not a Sentinel connector plugin (see "
        "sentinel/connect/sink.h)",
        path, SENTINEL_CONNECT_PLUGIN_SYMBOL);
    dlclose(handle);
    return false;
  }
  const SentinelConnectPlugin* plugin = entry();
  if (!plugin) {
    *error =
        fmt::format("plugin {}: {}() returned no plugin", path, SENTINEL_CONNECT_PLUGIN_SYMBOL);
    return false;
  }
  if (plugin->api_version != kApiVersion) {
    *error = fmt::format(
        "plugin {}: built for plugin API version {}, this worker supports {}: rebuild it against "
        "this worker's sentinel/connect/sink.h",
        path, plugin->api_version, kApiVersion);
    return false;
  }
  std::vector<PluginInfo> found;
  for (const SentinelConnectPlugin* p = plugin; p; p = p->next) {
    if (p->struct_size != sizeof(SentinelConnectPlugin)) {
      *error = fmt::format(
          "plugin {}: plugin descriptor is {} bytes, this worker expects {}: rebuild it against "
          "this "
          "worker's sentinel/connect/sink.h",
          path, p->struct_size, sizeof(SentinelConnectPlugin));
      return false;
    }
    if (!p->class_name || !*p->class_name || !p->create) {
      *error = fmt::format("plugin {}: descriptor without class_name or create function", path);
      return false;
    }
    PluginInfo info;
    info.class_name = p->class_name;
    for (const char* const* a = p->aliases; a && *a; ++a) info.aliases.emplace_back(*a);
    info.version = p->version ? p->version : "undefined";
    info.path = path;
    info.create = p->create;
    if (find(info.class_name)) {
      *error =
          fmt::format("plugin {}: connector {} is already loaded from {}; this copy is ignored",
                      path, info.class_name, find(info.class_name)->path);
      return false;
    }
    found.push_back(std::move(info));
  }
  for (auto& f : found) plugins_.push_back(std::move(f));
  return true;
}

void PluginRegistry::add(PluginInfo info) { plugins_.push_back(std::move(info)); }

const PluginInfo* PluginRegistry::find(const std::string& name) const {
  for (const PluginInfo& p : plugins_) {
    if (p.class_name == name || simple_class_name(p.class_name) == name ||
        pruned_class_name(p.class_name) == name ||
        std::find(p.aliases.begin(), p.aliases.end(), name) != p.aliases.end()) {
      return &p;
    }
  }
  return nullptr;
}

std::string PluginRegistry::names() const {
  std::string out;
  for (const PluginInfo& p : plugins_) {
    if (!out.empty()) out += ", ";
    out += p.class_name;
  }
  return out;
}

}  // namespace sentinel::connect
