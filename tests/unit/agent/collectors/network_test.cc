// network collector: /proc/net/dev rates, counter resets, interface filters, real /proc.
#include "agent/collectors/network.h"

#include <gtest/gtest.h>

#include <map>

#include "agent/collectors/factories.h"
#include "tests/support/process.h"

namespace sentinel::agent {
namespace {

using namespace std::chrono_literals;
using Metrics = std::map<std::string, double>;

ConfigNode network_options(const std::string& yaml) {
  return ConfigFile::parse(yaml, "agent.yaml").root();
}

Metrics network_metrics_of(const Sample& s) { return Metrics(s.metrics.begin(), s.metrics.end()); }

const Sample* find_interface(const std::vector<Sample>& samples, const std::string& name) {
  for (const auto& s : samples) {
    if (s.tags.size() == 1 && s.tags[0].first == "interface" && s.tags[0].second == name) return &s;
  }
  return nullptr;
}

const char* kHeader =
    "Inter-|   Receive                                                |  Transmit\n"
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs "
    "drop fifo colls carrier compressed\n";

// One /proc/net/dev line: rx bytes packets errs drop, tx bytes packets errs drop.
std::string dev_line(const std::string& name, uint64_t rxb, uint64_t rxp, uint64_t rxe,
                     uint64_t rxd, uint64_t txb, uint64_t txp, uint64_t txe, uint64_t txd) {
  return "  " + name + ": " + std::to_string(rxb) + " " + std::to_string(rxp) + " " +
         std::to_string(rxe) + " " + std::to_string(rxd) + " 0 0 0 0 " + std::to_string(txb) + " " +
         std::to_string(txp) + " " + std::to_string(txe) + " " + std::to_string(txd) + " 0 0 0 0\n";
}

class NetworkTest : public ::testing::Test {
 protected:
  std::unique_ptr<Collector> make(const std::string& yaml = "{}") {
    return make_network_collector(network_options(yaml), HostPaths{dir.path(), dir.path()});
  }
  void write_dev(const std::string& lines) {
    test::write_file(dir.file("net/dev"), kHeader + lines);
  }
  std::vector<Sample> tick(Collector& c, std::chrono::milliseconds at) {
    std::vector<Sample> out;
    EXPECT_EQ(c.collect(MonoClock::time_point(at), &out), "");
    return out;
  }
  test::TempDir dir;
};

TEST_F(NetworkTest, Network_RatesAreCounterDeltasOverElapsedTime) {
  write_dev(dev_line("lo", 100, 1, 0, 0, 100, 1, 0, 0) +
            dev_line("eth0", 1000, 10, 0, 0, 2000, 20, 0, 0));
  auto c = make();
  EXPECT_TRUE(tick(*c, 10s).empty());  // first tick: no baseline
  write_dev(dev_line("lo", 900, 9, 0, 0, 900, 9, 0, 0) +
            dev_line("eth0", 5000, 30, 2, 4, 3000, 24, 1, 6));
  auto out = tick(*c, 12s);   // 2 s later
  ASSERT_EQ(out.size(), 1u);  // lo excluded by default
  EXPECT_EQ(out[0].resource, "network");
  EXPECT_EQ(out[0].tags, (std::vector<std::pair<std::string, std::string>>{{"interface", "eth0"}}));
  const std::vector<std::pair<std::string, double>> expected = {
      {"rx_bytes_per_s", 2000}, {"tx_bytes_per_s", 500}, {"rx_packets_per_s", 10},
      {"tx_packets_per_s", 2},  {"rx_errors_per_s", 1},  {"tx_errors_per_s", 0.5},
      {"rx_drops_per_s", 2},    {"tx_drops_per_s", 3}};
  EXPECT_EQ(out[0].metrics, expected);
}

TEST_F(NetworkTest, Network_CounterResetGivesNoRate) {
  write_dev(dev_line("eth0", 1000000, 1000, 0, 0, 1000000, 1000, 0, 0));
  auto c = make();
  tick(*c, 1s);
  write_dev(dev_line("eth0", 500, 5, 0, 0, 1000500, 1005, 0, 0));  // driver reset rx
  EXPECT_TRUE(tick(*c, 2s).empty());
  write_dev(dev_line("eth0", 1500, 15, 0, 0, 1001500, 1015, 0, 0));
  auto out = tick(*c, 3s);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(network_metrics_of(out[0])["rx_bytes_per_s"],
            1000.0);  // against the post-reset baseline
  EXPECT_EQ(network_metrics_of(out[0])["tx_packets_per_s"], 10.0);
}

TEST_F(NetworkTest, Network_IncludeAndExcludeRegexes) {
  const std::string lines =
      dev_line("lo", 0, 0, 0, 0, 0, 0, 0, 0) + dev_line("eth0", 0, 0, 0, 0, 0, 0, 0, 0) +
      dev_line("eth1", 0, 0, 0, 0, 0, 0, 0, 0) + dev_line("docker0", 0, 0, 0, 0, 0, 0, 0, 0);
  write_dev(lines);
  auto c = make("include_interfaces: ['^eth', '^lo$']\nexclude_interfaces: ['^eth1$']\n");
  tick(*c, 1s);
  auto out = tick(*c, 2s);
  ASSERT_EQ(out.size(), 2u);  // the explicit exclude list replaced the default ^lo$
  EXPECT_NE(find_interface(out, "lo"), nullptr);
  EXPECT_NE(find_interface(out, "eth0"), nullptr);
}

TEST_F(NetworkTest, Network_NameGluedToCounterParses) {
  std::string_view name;
  NetCounters n;
  ASSERT_TRUE(
      parse_net_dev_line("  eth0:12345678901 10 1 2 0 0 0 0 987 11 3 4 0 0 0 0", &name, &n));
  EXPECT_EQ(name, "eth0");
  EXPECT_EQ(n.rx_bytes, 12345678901u);
  EXPECT_EQ(n.rx_drops, 2u);
  EXPECT_EQ(n.tx_packets, 11u);
  EXPECT_EQ(n.tx_drops, 4u);
  EXPECT_FALSE(parse_net_dev_line(" face |bytes    packets errs drop", &name, &n));
}

TEST_F(NetworkTest, Network_BadRegexIsAConfigErrorNamingTheKey) {
  try {
    make("exclude_interfaces: ['(']");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("agent.yaml:1: exclude_interfaces: \"(\""),
              std::string::npos)
        << e.what();
  }
}

TEST_F(NetworkTest, Network_UnreadableFileReturnsErrorNamingPath) {
  auto c = make();
  std::vector<Sample> out;
  EXPECT_EQ(c->collect(MonoClock::now(), &out),
            "cannot read " + dir.file("net/dev") + ": No such file or directory");
}

TEST(NetworkRealProc, Network_RealProcRatesAreNonNegative) {
  auto c = make_network_collector(network_options("exclude_interfaces: []"), HostPaths{});
  std::vector<Sample> out;
  auto t0 = MonoClock::now();
  ASSERT_EQ(c->collect(t0, &out), "");
  EXPECT_TRUE(out.empty());
  ASSERT_EQ(c->collect(t0 + 1s, &out), "");
  ASSERT_NE(find_interface(out, "lo"), nullptr);  // every Linux host has lo
  for (const auto& s : out) {
    ASSERT_EQ(s.metrics.size(), 8u);
    for (const auto& [name, value] : s.metrics) EXPECT_GE(value, 0.0) << name;
  }
}

}  // namespace
}  // namespace sentinel::agent
