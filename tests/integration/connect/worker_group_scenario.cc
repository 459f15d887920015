// The worker-group scenarios and the member program they run (see the header).
#include "tests/integration/connect/worker_group_scenario.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <vector>

#include "connect-sink/runtime/distributed/task_assignment.h"
#include "connect-sink/runtime/distributed/worker_group.h"
#include "tests/support/process.h"

namespace sentinel::test {

using namespace sentinel::connect::distributed;
using namespace std::chrono_literals;

namespace {

constexpr int kSlots = 25;  // offset.storage.topic's default partitions
const std::map<std::string, int> kTaskCounts = {{"a-archive", 4}, {"b-archive", 2}};

std::string join(const std::set<int32_t>& slots) {
  std::string out;
  for (int32_t s : slots) out += (out.empty() ? "" : ",") + std::to_string(s);
  return out;
}

std::mutex say_mu;
void say(const std::string& line) {
  std::lock_guard<std::mutex> lock(say_mu);
  std::fputs((line + "\n").c_str(), stdout);
  std::fflush(stdout);
}

}  // namespace

int worker_group_member_main(int argc, char** argv) {
  if (argc != 7) {
    std::fprintf(stderr, "usage: %s %s BOOTSTRAP GROUP SLOT_TOPIC WORKER_ID SESSION_TIMEOUT_MS\n",
                 argv[0], kWorkerGroupMemberFlag);
    return 2;
  }
  // SIGTERM is taken by sigwait below, on this thread, before any other thread exists.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  WorkerGroupSettings settings;
  settings.client = {{"bootstrap.servers", argv[2]}};
  settings.group_id = argv[3];
  settings.slot_topic = argv[4];
  settings.worker_id = argv[5];
  settings.session_timeout_ms = std::stoi(argv[6]);
  GroupListener listener;
  listener.revoking = [](const GroupView& before, bool lost) {
    say("revoking generation=" + std::to_string(before.generation) +
        " slots=" + join(before.slots) + " lost=" + (lost ? "1" : "0"));
  };
  listener.assigned = [](const GroupView& now) {
    WorkAssignment work = assign_work(kTaskCounts, now.slot_count, now.slots);
    std::string tasks;
    for (const TaskRef& t : work.tasks) {
      tasks += (tasks.empty() ? "" : ",") + t.connector + "-" + std::to_string(t.task);
    }
    say("assigned generation=" + std::to_string(now.generation) + " slots=" + join(now.slots) +
        " leader=" + (now.leader ? "1" : "0") + " tasks=" + tasks);
  };
  listener.failed = [](const std::string& error) { say("failed " + error); };
  std::string error;
  auto group = WorkerGroup::start(settings, listener, 30s, &error);
  if (!group) {
    say("error " + error);
    return 1;
  }
  int signal = 0;
  sigwait(&signals, &signal);
  group->stop();
  say("stopped");
  return 0;
}

int worker_group_test_main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == kWorkerGroupMemberFlag) {
    return worker_group_member_main(argc, argv);
  }
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

namespace {

// What a member said last.
struct Said {
  std::string kind;  // "assigned", "revoking", "stopped", "failed", "error" or "" (nothing yet)
  int generation = -1;
  std::set<int32_t> slots;
  bool leader = false;
  std::vector<std::string> tasks;
  std::string line;
};

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, sep)) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

Said parse_said(const std::string& line) {
  Said said;
  said.line = line;
  std::vector<std::string> words = split(line, ' ');
  if (words.empty()) return said;
  said.kind = words[0];
  for (size_t i = 1; i < words.size(); ++i) {
    size_t eq = words[i].find('=');
    if (eq == std::string::npos) continue;
    std::string key = words[i].substr(0, eq), value = words[i].substr(eq + 1);
    if (key == "generation") said.generation = std::stoi(value);
    if (key == "leader") said.leader = value == "1";
    if (key == "slots") {
      for (const std::string& s : split(value, ',')) said.slots.insert(std::stoi(s));
    }
    if (key == "tasks") said.tasks = split(value, ',');
  }
  return said;
}

class Members {
 public:
  Members(const GroupBroker& broker, std::string group, int session_timeout_ms)
      : broker_(broker), group_(std::move(group)), session_ms_(session_timeout_ms) {
    topic_ = group_ + "-slots";
    char self[4096] = {};
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self_ = n > 0 ? std::string(self, static_cast<size_t>(n)) : "";
  }

  bool create_slot_topic(std::string* error) { return broker_.create_topic(topic_, kSlots, error); }

  // Worker ids as a distributed worker has them: the advertised host:port.
  static std::string worker_id(int i) { return "127.0.0.1:" + std::to_string(18083 + i); }

  // Member `i` with the worker id of member `id_of` (by default its own).
  void start(int i, int id_of = -1) {
    processes_[i] = std::make_unique<Process>(
        std::vector<std::string>{self_, kWorkerGroupMemberFlag, broker_.bootstrap, group_, topic_,
                                 worker_id(id_of < 0 ? i : id_of), std::to_string(session_ms_)});
  }
  std::string out(int i) { return processes_.at(i)->out(); }
  Process& process(int i) { return *processes_.at(i); }

  Said said(int i) {
    std::vector<std::string> lines = split(processes_.at(i)->out(), '\n');
    return lines.empty() ? Said{} : parse_said(lines.back());
  }

  // Every one of `live` has its assignment of one generation, and together they own every slot
  // exactly once.
  bool settled(const std::vector<int>& live) {
    std::set<int32_t> owned;
    size_t count = 0;
    int generation = -2;
    for (int i : live) {
      Said s = said(i);
      if (s.kind != "assigned") return false;
      if (generation != -2 && s.generation != generation) return false;
      generation = s.generation;
      owned.insert(s.slots.begin(), s.slots.end());
      count += s.slots.size();
    }
    return owned.size() == kSlots && count == kSlots;
  }

  bool wait_settled(const std::vector<int>& live, std::chrono::milliseconds timeout) {
    return wait_until([&] { return settled(live); }, timeout, 100ms);
  }

  std::string describe() {
    std::string out;
    for (auto& [i, p] : processes_) {
      out += "member " + worker_id(i) + " said: " + said(i).line + "\n";
    }
    for (auto& [i, p] : processes_) {
      std::string err = p->err();
      if (err.size() > 1500) err = "…" + err.substr(err.size() - 1500);
      out += "member " + worker_id(i) + " stderr:\n" + err + "\n";
    }
    return out;
  }

 private:
  const GroupBroker& broker_;
  std::string group_;
  std::string topic_;
  int session_ms_;
  std::string self_;
  std::map<int, std::unique_ptr<Process>> processes_;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

void three_workers_share_the_slots_and_tasks_evenly(const GroupBroker& broker,
                                                    const std::string& group) {
  Members members(broker, group, 10000);
  std::string error;
  ASSERT_TRUE(members.create_slot_topic(&error)) << error;
  for (int i = 0; i < 3; ++i) members.start(i);
  ASSERT_TRUE(members.wait_settled({0, 1, 2}, 60s)) << members.describe();
  int leaders = 0;
  std::set<std::string> tasks;
  for (int i = 0; i < 3; ++i) {
    Said s = members.said(i);
    EXPECT_EQ(s.leader, s.slots.count(0) > 0) << s.line;
    leaders += s.leader;
    EXPECT_EQ(s.tasks.size(), 2u) << s.line;
    tasks.insert(s.tasks.begin(), s.tasks.end());
    // roundrobin: 25 slots over 3 members, 9, 8 and 8.
    EXPECT_GE(s.slots.size(), 8u) << s.line;
    EXPECT_LE(s.slots.size(), 9u) << s.line;
  }
  EXPECT_EQ(leaders, 1) << members.describe();
  EXPECT_EQ(tasks.size(), 6u) << members.describe();
}

void a_cleanly_stopped_workers_slots_go_to_the_others_at_once(const GroupBroker& broker,
                                                              const std::string& group) {
  // On a real broker only a LeaveGroup hands over within 15 s: without one, the member's slots
  // wait for its session (30 s) to time out. The mock waits session.timeout.ms - 1 s after a
  // member leaves before it rebalances, and a rebalance right after another can take two such
  // waits: there the handover is checked, not its promptness.
  int session_ms = broker.rebalance_waits_session ? 10000 : 30000;
  auto handover = broker.rebalance_waits_session ? 60s : 15s;
  Members members(broker, group, session_ms);
  std::string error;
  ASSERT_TRUE(members.create_slot_topic(&error)) << error;
  for (int i = 0; i < 3; ++i) members.start(i);
  ASSERT_TRUE(members.wait_settled({0, 1, 2}, 60s)) << members.describe();
  Said before = members.said(1);
  auto start = std::chrono::steady_clock::now();
  members.process(1).signal(SIGTERM);
  ASSERT_EQ(members.process(1).wait(15s), 0) << members.describe();
  // It gave up its slots (its tasks would stop there) before it went.
  std::vector<std::string> lines = split(members.out(1), '\n');
  ASSERT_GE(lines.size(), 2u) << members.out(1);
  EXPECT_EQ(lines.back(), "stopped");
  EXPECT_EQ(lines[lines.size() - 2], "revoking generation=" + std::to_string(before.generation) +
                                         " slots=" + join(before.slots) + " lost=0");
  ASSERT_TRUE(members.wait_settled({0, 2}, handover))
      << "the others did not own every slot within " << handover.count()
      << " s of the stop (session.timeout.ms " << session_ms << ")\n"
      << members.describe();
  std::cout << "[ " << broker.name
            << " ] SIGTERM → every slot owned by the two others: " << seconds_since(start)
            << " s (session.timeout.ms " << session_ms << ")" << std::endl;
}

void a_killed_workers_slots_go_to_the_others_after_the_session_timeout(const GroupBroker& broker,
                                                                       const std::string& group) {
  // Sentinel's default (DistributedSettings), chosen so that a killed worker's work moves within
  // 10 s; librdkafka's own default session timeout (45 s) would not make it.
  const int session_ms = sentinel::connect::DistributedSettings{}.session_timeout_ms;
  Members members(broker, group, session_ms);
  std::string error;
  ASSERT_TRUE(members.create_slot_topic(&error)) << error;
  for (int i = 0; i < 3; ++i) members.start(i);
  ASSERT_TRUE(members.wait_settled({0, 1, 2}, 60s)) << members.describe();
  auto start = std::chrono::steady_clock::now();
  members.process(2).signal(SIGKILL);
  members.process(2).wait(10s);
  ASSERT_TRUE(members.wait_settled({0, 1}, 35s)) << members.describe();
  std::cout << "[ " << broker.name
            << " ] SIGKILL → every slot owned by the two others: " << seconds_since(start)
            << " s (session.timeout.ms " << session_ms << ")" << std::endl;
}

void a_restarted_worker_with_the_same_id_owns_slots_again(const GroupBroker& broker,
                                                          const std::string& group) {
  Members members(broker, group, 10000);
  std::string error;
  ASSERT_TRUE(members.create_slot_topic(&error)) << error;
  for (int i = 0; i < 3; ++i) members.start(i);
  ASSERT_TRUE(members.wait_settled({0, 1, 2}, 60s)) << members.describe();
  Said before = members.said(2);
  Said other_before = members.said(0);
  auto start = std::chrono::steady_clock::now();
  members.process(2).signal(SIGKILL);
  members.process(2).wait(10s);
  members.start(2);  // the same worker id
  ASSERT_TRUE(members.wait_settled({0, 1, 2}, 60s)) << members.describe();
  Said after = members.said(2);
  EXPECT_FALSE(after.slots.empty()) << members.describe();
  std::cout << "[ " << broker.name << " ] SIGKILL and restart → the worker owns "
            << after.slots.size() << " slot(s) again: " << seconds_since(start) << " s"
            << std::endl;
  if (broker.static_membership) {
    // Its old place: the same slots, and the others were not rebalanced.
    EXPECT_EQ(after.slots, before.slots) << members.describe();
    EXPECT_EQ(members.said(0).generation, other_before.generation) << members.describe();
  }
}

void a_second_worker_with_the_same_id_fences_the_first(const GroupBroker& broker,
                                                       const std::string& group) {
  Members members(broker, group, 10000);
  std::string error;
  ASSERT_TRUE(members.create_slot_topic(&error)) << error;
  for (int i = 0; i < 2; ++i) members.start(i);
  ASSERT_TRUE(members.wait_settled({0, 1}, 60s)) << members.describe();
  Said before = members.said(1);
  members.start(2, 1);  // a misconfigured copy of worker 1
  ASSERT_TRUE(wait_until([&] { return members.said(1).kind == "failed"; }, 60s))
      << members.describe();
  EXPECT_NE(members.said(1).line.find("fenced"), std::string::npos) << members.said(1).line;
  EXPECT_NE(members.out(1).find("revoking generation=" + std::to_string(before.generation) +
                                " slots=" + join(before.slots) + " lost=1"),
            std::string::npos)
      << members.out(1);
  // The newcomer holds worker 1's place.
  ASSERT_TRUE(members.wait_settled({0, 2}, 60s)) << members.describe();
}

}  // namespace sentinel::test
