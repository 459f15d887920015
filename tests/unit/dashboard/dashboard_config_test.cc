// sentinel-dashboard's settings: defaults without a file, the file's keys, command-line
// overrides, and errors that name the file, the line and the key.
#include "dashboard/dashboard_config.h"

#include <gtest/gtest.h>

namespace sentinel::dashboard {
namespace {

using namespace std::chrono_literals;

TEST(DashboardConfig, DefaultsNeedOnlyTheBootstrapServers) {
  Overrides o;
  o.bootstrap = "k:9092";
  DashboardConfig c = parse_dashboard_config(nullptr, o);
  EXPECT_EQ(c.kafka.at("bootstrap.servers"), "k:9092");
  EXPECT_EQ(c.listen_host, "127.0.0.1");  // loopback by default
  EXPECT_EQ(c.listen_port, 8501);
  EXPECT_EQ(c.connect_url, "http://127.0.0.1:8083");
  EXPECT_EQ(c.backfill, 15min);
  EXPECT_THROW(parse_dashboard_config(nullptr, Overrides{}), ConfigError);
}

TEST(DashboardConfig, FileKeysAndCommandLineOverrides) {
  ConfigFile f = ConfigFile::parse(
      "kafka:\n  bootstrap.servers: a:1\n  security.protocol: SSL\nlisten: 0.0.0.0:9000\n"
      "connect:\n  url: http://c:8083/prefix\n  poll_interval: 5s\nbackfill: 5m\nhistory: 30m\n"
      "limits:\n  max_hosts: 500\nnonsense: 1\n",
      "dashboard.yaml", [](const std::string&) { return std::nullopt; });
  DashboardConfig c = parse_dashboard_config(&f, Overrides{});
  EXPECT_EQ(c.kafka.at("security.protocol"), "SSL");
  EXPECT_EQ(c.listen_host, "0.0.0.0");
  EXPECT_EQ(c.listen_port, 9000);
  EXPECT_EQ(c.connect_url, "http://c:8083/prefix");
  EXPECT_EQ(c.connect_poll_interval, 5s);
  EXPECT_EQ(c.backfill, 5min);
  EXPECT_EQ(c.limits.history, 30min);
  EXPECT_EQ(c.limits.max_hosts, 500u);
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_NE(c.warnings[0].find("nonsense"), std::string::npos);

  Overrides o;
  o.bootstrap = "b:2";
  o.listen = "127.0.0.1:0";
  o.connect_url = "http://127.0.0.1:1";
  c = parse_dashboard_config(&f, o);
  EXPECT_EQ(c.kafka.at("bootstrap.servers"), "b:2");
  EXPECT_EQ(c.listen_port, 0);
  EXPECT_EQ(c.connect_url, "http://127.0.0.1:1");
}

TEST(DashboardConfig, BadValuesNameFileLineAndKey) {
  auto error_of = [](const std::string& text) {
    try {
      ConfigFile f =
          ConfigFile::parse("kafka:\n  bootstrap.servers: a:1\n" + text, "dashboard.yaml",
                            [](const std::string&) { return std::nullopt; });
      parse_dashboard_config(&f, Overrides{});
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error_of("listen: localhost\n").find("dashboard.yaml:3: listen"), std::string::npos);
  EXPECT_NE(error_of("listen: 1.2.3.4:99999\n").find("port \"99999\""), std::string::npos);
  EXPECT_NE(error_of("push_interval: 5s\n").find("push_interval"), std::string::npos);
  EXPECT_NE(error_of("backfill: soon\n").find("dashboard.yaml:3: backfill"), std::string::npos);
  EXPECT_NE(error_of("connect:\n  url: ftp://x\n").find("connect.url"), std::string::npos);
}

TEST(DashboardConfig, ListenAddresses) {
  std::string host, error;
  int port = -1;
  EXPECT_TRUE(parse_listen("[::1]:8501", &host, &port, &error));
  EXPECT_EQ(host, "::1");
  EXPECT_TRUE(parse_listen(":8501", &host, &port, &error));
  EXPECT_EQ(host, "0.0.0.0");
  EXPECT_FALSE(parse_listen("8501", &host, &port, &error));
  EXPECT_NE(error.find("expected host:port"), std::string::npos);
}

}  // namespace
}  // namespace sentinel::dashboard
