// Several sentinel-alerts instances in one group on the real broker (tests/integration/alerts/
// scale_test.cc has the same on sentinel-devkafka): the demo HTTP scenario plus host metrics
// keyed by host with fleet-wide and per-mount rules. One instance gives the reference; three
// instances, one of three SIGKILLed mid-run, and 1 → 3 → 1 while records flow must each publish
// exactly its alerts (ids, states, windows), read back with kcat. Here sentinel-alerts creates
// the repartition topic itself, with the configured partitions and retention.
#include <gtest/gtest.h>
#include <signal.h>

#include "tests/integration/alerts/scale_scenario.h"
#include "tests/support/real_kafka.h"

namespace sentinel::test {
namespace {

using namespace std::chrono_literals;

class AlertsScaleOnRealBroker : public ::testing::Test {
 protected:
  void SetUp() override {
    SENTINEL_REQUIRE_REAL_KAFKA();
    if (!scenario_) {
      RealKafka& kafka = RealKafka::instance();
      scenario_ = new ScaleScenario(
          kafka.bootstrap(), [](const std::string& name, int partitions, std::string* error) {
            return RealKafka::instance().create_topics({{name, partitions, 1, {}}}, error);
          });
      scenario_->prepare();
      auto run = scenario_->new_run("one");
      scenario_->produce(*run);
      auto daemon = scenario_->start(*run, "solo");
      std::string why;
      reference_ = new std::vector<ScaleAlert>(scenario_->wait_settled(*run, 120s, &why));
      reference_error_ = why.empty() ? "" : why + daemon->err().substr(0, 3000);
      // Made by sentinel-alerts at start, as configured (partitions: 6, retention 24 h).
      EXPECT_EQ(kafka.partition_count(run->repartition), 6);
      std::string error;
      auto config = kafka.topic_config(run->repartition, &error);
      EXPECT_EQ(config["retention.ms"], "86400000") << error;
      daemon->signal(SIGTERM);
      EXPECT_EQ(daemon->wait(30s), 0) << daemon->err();
    }
    ASSERT_TRUE(reference_error_.empty()) << reference_error_;
    ASSERT_TRUE(ScaleScenario::check_alternating(*reference_).empty())
        << ScaleScenario::check_alternating(*reference_) << describe(*reference_);
    for (const auto& id : scenario_->expected_ids()) {
      bool fired = false;
      for (const auto& a : *reference_) fired |= a.id == id && a.state == "firing";
      ASSERT_TRUE(fired) << id << "\n" << describe(*reference_);
    }
  }

  void expect_reference(const ScaleRun& r, const std::vector<Process*>& daemons) {
    std::vector<ScaleAlert> got;
    bool same = wait_until(
        [&] {
          got = scenario_->published(r);
          return got == *reference_;
        },
        150s, 1000ms);
    std::string why;
    auto settled = scenario_->wait_settled(r, 60s, &why);
    std::string logs;
    for (Process* d : daemons) {
      if (d) logs += "---\n" + d->err().substr(0, 6000);
    }
    EXPECT_TRUE(same) << "published:\n"
                      << describe(got) << "reference:\n"
                      << describe(*reference_) << logs;
    EXPECT_EQ(ScaleScenario::check_alternating(settled), "") << logs;
    EXPECT_EQ(settled, *reference_) << why << logs;
  }

  static ScaleScenario* scenario_;
  static std::vector<ScaleAlert>* reference_;
  static std::string reference_error_;
};

ScaleScenario* AlertsScaleOnRealBroker::scenario_ = nullptr;
std::vector<ScaleAlert>* AlertsScaleOnRealBroker::reference_ = nullptr;
std::string AlertsScaleOnRealBroker::reference_error_;

TEST_F(AlertsScaleOnRealBroker, ThreeInstancesPublishTheAlertsOfOne) {
  auto r = scenario_->new_run("three");
  scenario_->produce(*r);
  auto a = scenario_->start(*r, "a");
  auto b = scenario_->start(*r, "b");
  auto c = scenario_->start(*r, "c");
  expect_reference(*r, {a.get(), b.get(), c.get()});
  for (auto* d : {a.get(), b.get(), c.get()}) {
    d->signal(SIGTERM);
    EXPECT_EQ(d->wait(30s), 0) << d->err();
  }
}

TEST_F(AlertsScaleOnRealBroker, SigkillOfOneOfThreeMidRunLosesAndRepeatsNothing) {
  auto r = scenario_->new_run("kill");
  auto a = scenario_->start(*r, "a");
  auto b = scenario_->start(*r, "b");
  auto c = scenario_->start(*r, "c");
  scenario_->produce(
      *r,
      [&](int slice) {
        if (slice != scenario_->slices() / 2) return;
        ASSERT_TRUE(wait_until([&] { return !scenario_->published(*r).empty(); }, 60s))
            << a->err() << b->err() << c->err();
        b->signal(SIGKILL);
        b->wait(10s);
      },
      150ms);
  expect_reference(*r, {a.get(), c.get(), b.get()});
  for (auto* d : {a.get(), c.get()}) {
    d->signal(SIGTERM);
    EXPECT_EQ(d->wait(30s), 0) << d->err();
  }
}

TEST_F(AlertsScaleOnRealBroker, ScalingFromOneToThreeAndBackToOneWhileRecordsFlow) {
  auto r = scenario_->new_run("scale");
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
