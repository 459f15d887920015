// One static-membership identity per host (label integration, on sentinel-devkafka): a second
// sentinel-connect or sentinel-alerts started with the identity of a running one refuses to start
// (exit code 4) and names the process that has it, instead of joining the group and fencing it;
// processes with identities of their own run side by side.
#include <gtest/gtest.h>
#include <signal.h>

#include <string>

#include "tests/integration/groups/groups_support.h"
#include "tests/support/kafka_env.h"

namespace sentinel::test {
namespace {

using namespace std::chrono_literals;

const char* kWorker =
    "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
    "value.converter=org.apache.kafka.connect.storage.StringConverter\n";

TEST(Identity, SecondConnectWorkerWithTheSameIdentityRefusesToStartAndNamesTheFirst) {
  DevKafka kafka({"t:1"});
  TempDir a_dir, b_dir, c_dir;
  ConnectWorker a(a_dir, kafka.bootstrap(), std::string(kWorker) + "sentinel.worker.id=web-1\n");
  ASSERT_TRUE(a.up()) << a.process().err();
  ConnectWorker b(b_dir, kafka.bootstrap(), std::string(kWorker) + "sentinel.worker.id=web-1\n",
                  ConnectWorker::Options{.expect_exit = true});
  EXPECT_EQ(b.process().wait(10s), 4) << b.process().err();
  EXPECT_NE(b.process().err().find("another sentinel-connect (process " +
                                   std::to_string(a.process().pid()) +
                                   ") already runs as worker web-1 for the Kafka cluster at " +
                                   kafka.bootstrap() + " on this host"),
            std::string::npos)
      << b.process().err();
  // Another identity, or the default one (host name and REST port), runs beside it.
  ConnectWorker c(c_dir, kafka.bootstrap(), std::string(kWorker) + "sentinel.worker.id=web-2\n");
  ASSERT_TRUE(c.up()) << c.process().err();
  EXPECT_TRUE(c.process().running());
  TempDir d_dir;
  ConnectWorker d(d_dir, kafka.bootstrap(), kWorker);
  ASSERT_TRUE(d.up()) << d.process().err();
  EXPECT_TRUE(a.process().running());
}

std::unique_ptr<Process> alerts(const TempDir& dir, const std::string& bootstrap,
                                const std::string& instance) {
  std::string path = dir.file("alerts-" + instance + ".yaml");
  write_file(path,
             "kafka: {bootstrap.servers: \"" + bootstrap + "\"}\n" +
                 (instance.empty() ? std::string() : "input: {instance_id: " + instance + "}\n") +
                 "host_silent: {after: 60s}\n");
  return std::make_unique<Process>(
      std::vector<std::string>{bin("sentinel-alerts"), "--config", path});
}

TEST(Identity, SecondAlertsInstanceWithTheSameIdentityRefusesToStartAndNamesTheFirst) {
  DevKafka kafka({"system_metrics:1", "system_alerts:1"});
  TempDir dir;
  auto first = alerts(dir, kafka.bootstrap(), "");  // the default identity: the host name
  ASSERT_TRUE(wait_until(
      [&] { return first->err().find("consuming system_metrics") != std::string::npos; }, 20s))
      << first->err();
  auto second = alerts(dir, kafka.bootstrap(), "");
  EXPECT_EQ(second->wait(10s), 4) << second->err();
  EXPECT_NE(second->err().find("another sentinel-alerts (process " + std::to_string(first->pid()) +
                               ") already runs as instance "),
            std::string::npos)
      << second->err();
  EXPECT_NE(second->err().find("give this one its own input.instance_id"), std::string::npos)
      << second->err();
  auto third = alerts(dir, kafka.bootstrap(), "web-1-b");
  EXPECT_TRUE(wait_until(
      [&] { return third->err().find("consuming system_metrics") != std::string::npos; }, 20s))
      << third->err();
  EXPECT_TRUE(first->running());
  third->signal(SIGTERM);
  EXPECT_EQ(third->wait(20s), 0) << third->err();
  first->signal(SIGTERM);
  EXPECT_EQ(first->wait(20s), 0) << first->err();
}

}  // namespace
}  // namespace sentinel::test
