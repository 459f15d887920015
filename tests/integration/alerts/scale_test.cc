// Several sentinel-alerts instances in one group give the alerts one instance gives (docs/
// alerts.md, Several instances), on sentinel-devkafka: the demo HTTP scenario plus host metrics
// keyed by host with rules grouped without host, every alert read back with kcat. Once with one
// instance (the reference), then with three; with one of three SIGKILLed mid-run; scaled from
// one to three and back to one while records flow. Each must publish exactly the reference's
// alerts — ids, states, windows — so no firing twice and none lost.
#include <gtest/gtest.h>
#include <signal.h>

#include "tests/integration/alerts/scale_scenario.h"
#include "tests/support/kafka_env.h"

namespace sentinel::test {
namespace {

using namespace std::chrono_literals;

class AlertsScale : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    kafka_ = new DevKafka({});
    scenario_ = new ScaleScenario(
        kafka_->bootstrap(), [](const std::string& name, int partitions, std::string* error) {
          bool ok = kafka_->control("topic " + name + ":" + std::to_string(partitions));
          if (!ok) *error = "devkafka could not create " + name;
          return ok;
        });
    scenario_->prepare();
    // The reference: one instance, every record in Kafka before it starts.
    auto run = scenario_->new_run("one");
    kafka_->control("topic " + run->repartition + ":6");
    scenario_->produce(*run);
    auto daemon = scenario_->start(*run, "solo");
    std::string why;
    reference_ = new std::vector<ScaleAlert>(scenario_->wait_settled(*run, 120s, &why));
    daemon->signal(SIGTERM);
    daemon->wait(20s);
    reference_error_ = why.empty() ? "" : why + daemon->err().substr(0, 3000);
  }
  static void TearDownTestSuite() {
    delete reference_;
    delete scenario_;
    delete kafka_;
  }
  void SetUp() override {
    ASSERT_TRUE(reference_error_.empty()) << reference_error_;
    ASSERT_TRUE(ScaleScenario::check_alternating(*reference_).empty())
        << ScaleScenario::check_alternating(*reference_) << describe(*reference_);
  }

  std::unique_ptr<ScaleRun> run(const std::string& name) {
    auto r = scenario_->new_run(name);
    kafka_->control("topic " + r->repartition + ":6");
    return r;
  }
  // Waits until the run published what the reference did, then for it to stay so.
  void expect_reference(const ScaleRun& r, const std::vector<Process*>& daemons) {
    std::vector<ScaleAlert> got;
    bool same = wait_until(
        [&] {
          got = scenario_->published(r);
          return got == *reference_;
        },
        120s, 1000ms);
    std::string why;
    auto settled = scenario_->wait_settled(r, 60s, &why);
    std::string logs;
    for (Process* d : daemons) {
      if (d) logs += "---\n" + d->err();
    }
    EXPECT_TRUE(same) << "published:\n"
                      << describe(got) << "reference:\n"
                      << describe(*reference_) << logs;
    EXPECT_EQ(ScaleScenario::check_alternating(settled), "") << logs;
    EXPECT_EQ(settled, *reference_) << why << logs;
  }

  static DevKafka* kafka_;
  static ScaleScenario* scenario_;
  static std::vector<ScaleAlert>* reference_;
  static std::string reference_error_;
};

DevKafka* AlertsScale::kafka_ = nullptr;
ScaleScenario* AlertsScale::scenario_ = nullptr;
std::vector<ScaleAlert>* AlertsScale::reference_ = nullptr;
std::string AlertsScale::reference_error_;

TEST_F(AlertsScale, TheReferenceHasEveryKindOfRule) {
  for (const auto& id : scenario_->expected_ids()) {
    int firing = 0;
    for (const auto& a : *reference_) firing += a.id == id && a.state == "firing";
    EXPECT_GE(firing, 1) << id << "\n" << describe(*reference_);
  }
  // The fleet's CPU: hot from 40 s to 70 s, `for: 2` → fires at the end of [50 s, 60 s).
  ScaleAlert fleet{"cpu_fleet/", "firing", scenario_->t0() + 50000, scenario_->t0() + 60000};
  EXPECT_NE(std::find(reference_->begin(), reference_->end(), fleet), reference_->end());
  ScaleAlert var{"disk_by_mount/mount=/var", "resolved", scenario_->t0() + 110000,
                 scenario_->t0() + 120000};
  EXPECT_NE(std::find(reference_->begin(), reference_->end(), var), reference_->end());
}

TEST_F(AlertsScale, ThreeInstancesPublishTheAlertsOfOne) {
  auto r = run("three");
  scenario_->produce(*r);
  auto a = scenario_->start(*r, "a");
  auto b = scenario_->start(*r, "b");
  auto c = scenario_->start(*r, "c");
  expect_reference(*r, {a.get(), b.get(), c.get()});
  for (auto* d : {a.get(), b.get(), c.get()}) {
    EXPECT_NE(d->err().find("assigned"), std::string::npos) << d->err();
    d->signal(SIGTERM);
    EXPECT_EQ(d->wait(30s), 0) << d->err();
  }
}

TEST_F(AlertsScale, SigkillOfOneOfThreeMidRunLosesAndRepeatsNothing) {
  auto r = run("kill");
  auto a = scenario_->start(*r, "a");
  auto b = scenario_->start(*r, "b");
  auto c = scenario_->start(*r, "c");
  scenario_->produce(
      *r,
      [&](int slice) {
        if (slice != scenario_->slices() / 2) return;
        // Mid-run: the instances have published some alerts, more are to come.
        ASSERT_TRUE(wait_until([&] { return !scenario_->published(*r).empty(); }, 60s))
            << a->err() << b->err() << c->err();
        b->signal(SIGKILL);
        b->wait(10s);
      },
      150ms);
  expect_reference(*r, {a.get(), c.get(), b.get()});
}

// --drain (the benchmarks' mode) with re-keyed rules: the instance stops once every partition
// was read to its end and every source's end reached stage 2, and publishes only alerts of the
// reference. Before, reading its own end marks back flipped them, so it never stopped.
TEST_F(AlertsScale, DrainWithReKeyedRulesEndsOnceEverythingWasRead) {
  auto r = run("drain");
  scenario_->produce(*r);
  auto d = scenario_->start(*r, "drain", {"--drain"});
  EXPECT_EQ(d->wait(120s), 0) << d->err();
  EXPECT_NE(d->out().find("\"records\":"), std::string::npos) << d->out();
  for (const auto& a : scenario_->published(*r)) {
    EXPECT_NE(std::find(reference_->begin(), reference_->end(), a), reference_->end())
        << "not in the reference: " << a.id << " " << a.state << " [" << a.start << ", " << a.end
        << ")";
  }
}

TEST_F(AlertsScale, ScalingFromOneToThreeAndBackToOneWhileRecordsFlow) {
  auto r = run("scale");
  auto a = scenario_->start(*r, "a");
  std::unique_ptr<Process> b, c;
  scenario_->produce(
      *r,
      [&](int slice) {
        if (slice == scenario_->slices() / 4) {
          b = scenario_->start(*r, "b");
          c = scenario_->start(*r, "c");
        }
        if (slice == scenario_->slices() * 2 / 3) {
          // The scale-down starts once b has partitions: the dev broker delays a rebalance by the
          // session timeout less 1 s, so on a busy machine b may not have joined yet; records keep
          // flowing after the wait.
          EXPECT_TRUE(
              wait_until([&] { return b->err().find("assigned") != std::string::npos; }, 60s))
              << "b never took part:\n"
              << b->err();
          b->signal(SIGTERM);
          c->signal(SIGTERM);
          EXPECT_EQ(b->wait(30s), 0) << b->err();
          EXPECT_EQ(c->wait(30s), 0) << c->err();
        }
      },
      150ms);
  expect_reference(*r, {a.get(), b.get(), c.get()});
  EXPECT_NE(b->err().find("assigned"), std::string::npos) << "b never took part:\n" << b->err();
  a->signal(SIGTERM);
  EXPECT_EQ(a->wait(30s), 0) << a->err();
}

}  // namespace
}  // namespace sentinel::test
