// A plugin that claims a future API version; the worker must refuse it with a clear message.
#include "sentinel/connect/sink.h"

extern "C" __attribute__((visibility("default"))) const SentinelConnectPlugin*
sentinel_connect_plugin() {
  static const SentinelConnectPlugin plugin = {SENTINEL_CONNECT_API_VERSION + 98,
                                               sizeof(SentinelConnectPlugin),
                                               "com.example.FutureSinkConnector",
                                               nullptr,
                                               "9.9.9",
                                               nullptr,
                                               nullptr};
  return &plugin;
}
