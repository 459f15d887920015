// sentinel-connect as a process against hostile input: a task that never stops (the hanging test
// plugin, stuck in start() or put()) must not block DELETE, other REST calls or SIGTERM, and is
// shown FAILED with the call it is stuck in; --check-config refuses exactly what the start
// refuses, with the same message and exit code (unusable files, paths that escape, a plain-text
// credentials file, TLS files that do not load or match); tasks.max is bounded by the worker.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>

#include "tests/support/build_paths.h"
#include "tests/support/connect_worker.h"
#include "tests/support/kafka_env.h"
#include "tests/support/process.h"

namespace sentinel::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

// Anything a healthy worker does in milliseconds; past this it counts as hung.
constexpr auto kHung = 30s;

const std::string kHostileWorker =
    "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
    "value.converter=org.apache.kafka.connect.storage.StringConverter\n"
    "offset.flush.interval.ms=300\n"
    "consumer.session.timeout.ms=6000\nconsumer.heartbeat.interval.ms=500\n"
    "plugin.path=" +
    built(hanging_plugin_dir()) + "\n";

size_t line_count(const std::string& path) {
  std::ifstream in(path);
  size_t n = 0;
  std::string line;
  while (std::getline(in, line)) ++n;
  return n;
}

// Every worker here is used once it has started its restored connectors (GET /health); its call()
// has a connection of its own and a read timeout of kHung.
const ConnectWorker::Options kHostileReady{.wait_ready = true};

std::string hanging_body(const TempDir& dir, const std::string& name, const std::string& topic,
                         const std::string& hang_in) {
  return json{{"name", name},
              {"config",
               {{"connector.class", "Hanging"},
                {"topics", topic},
                {"file", dir.file(name + ".log")},
                {"hang.in", hang_in},
                {"hang.marker", dir.file(name + ".stuck")},
                {"hang.release", dir.file(name + ".release")}}}}
      .dump();
}

std::string file_sink_body(const std::string& name, const std::string& topic,
                           const std::string& file, const std::string& tasks_max = "1") {
  return json{{"name", name},
              {"config",
               {{"connector.class", "FileStreamSink"},
                {"topics", topic},
                {"file", file},
                {"tasks.max", tasks_max}}}}
      .dump();
}

TEST(ConnectHostile, DeleteOfAStuckTaskAnswersWhileOtherCallsKeepAnswering) {
  DevKafka kafka({"h:1", "o:1"});
  TempDir dir;
  // A long deadline, so that the calls below happen while DELETE is still waiting.
  ConnectWorker w(dir, kafka.bootstrap(),
                  kHostileWorker + "task.shutdown.graceful.timeout.ms=10000\n", kHostileReady);
  ASSERT_EQ(w.call("POST", "/connectors", hanging_body(dir, "hang", "h", "put")).first, 201);
  ASSERT_EQ(w.call("POST", "/connectors", file_sink_body("ok", "o", dir.file("o.log"))).first, 201);
  ASSERT_TRUE(kcat_produce(kafka.bootstrap(), "h", {"x"}));
  ASSERT_TRUE(wait_until([&] { return fs::exists(dir.file("hang.stuck")); }, 20s))
      << "the task never got stuck";

  std::future<int> deleted =
      std::async(std::launch::async, [&] { return w.call("DELETE", "/connectors/hang").first; });
  // 409 for a change to the connector proves DELETE is inside its wait for the stuck task.
  ASSERT_TRUE(
      wait_until([&] { return w.call("PUT", "/connectors/hang/pause", "", 5s).first == 409; }, 20s))
      << "DELETE never reached its wait, or the herder is blocked";
  auto [listed, names] = w.call("GET", "/connectors", "", 5s);
  EXPECT_EQ(listed, 200);
  EXPECT_EQ(names, json::parse(R"(["hang","ok"])"));
  EXPECT_EQ(w.call("GET", "/connectors/ok/status", "", 5s).second["tasks"][0]["state"], "RUNNING");
  EXPECT_EQ(w.call("POST", "/connectors", file_sink_body("ok2", "o", dir.file("o2.log")), 5s).first,
            201);
  ASSERT_TRUE(kcat_produce(kafka.bootstrap(), "o", {"y"}));
  EXPECT_TRUE(wait_until([&] { return line_count(dir.file("o.log")) == 1; }, 20s));

  ASSERT_EQ(deleted.wait_for(kHung), std::future_status::ready) << "DELETE hung";
  EXPECT_EQ(deleted.get(), 204);
  EXPECT_EQ(w.get("/connectors/hang").first, 404);
  w.process().signal(SIGTERM);
  EXPECT_EQ(w.process().wait(kHung), 0) << w.process().err();
  write_file(dir.file("hang.release"), "");
}

TEST(ConnectHostile, StuckTaskIsAbandonedFailedWithItsTraceAndCommitsNothing) {
  DevKafka kafka({"h:1"});
  TempDir dir;
  ConnectWorker w(dir, kafka.bootstrap(),
                  kHostileWorker + "task.shutdown.graceful.timeout.ms=2000\n", kHostileReady);
  ASSERT_EQ(w.call("POST", "/connectors", hanging_body(dir, "hang", "h", "put")).first, 201);
  ASSERT_TRUE(kcat_produce(kafka.bootstrap(), "h", {"a", "b", "c"}));
  ASSERT_TRUE(wait_until([&] { return fs::exists(dir.file("hang.stuck")); }, 20s))
      << "the task never got stuck";

  EXPECT_EQ(w.call("PUT", "/connectors/hang/stop").first, 204);
  auto [s, status] = w.get("/connectors/hang/status");
  EXPECT_EQ(status["connector"]["state"], "STOPPED");
  ASSERT_EQ(status["tasks"].size(), 1u) << status;
  EXPECT_EQ(status["tasks"][0]["state"], "FAILED");
  std::string trace = status["tasks"][0].value("trace", "");
  EXPECT_NE(
      trace.find(
          "did not stop within task.shutdown.graceful.timeout.ms (2000 ms) and was abandoned"),
      std::string::npos)
      << trace;
  EXPECT_NE(trace.find("stuck in SinkTask.put()"), std::string::npos) << trace;
  EXPECT_EQ(w.committed_total("hang"), 0);

  // The stuck call returns: its thread leaves without a commit (its put() itself still finishes
  // writing the batch it had; nothing after that).
  write_file(dir.file("hang.release"), "");
  ASSERT_TRUE(wait_until(
      [&] {
        return w.process().err().find(
                   "the abandoned thread returned and exits without committing") !=
               std::string::npos;
      },
      20s));
  EXPECT_EQ(w.committed_total("hang"), 0);
  // Started again, the connector's new task gets the records again (at least once) and commits.
  EXPECT_EQ(w.call("PUT", "/connectors/hang/resume").first, 202);
  EXPECT_TRUE(wait_until([&] { return line_count(dir.file("hang.log")) == 6; }, 20s))
      << line_count(dir.file("hang.log"));
  EXPECT_TRUE(wait_until([&] { return w.committed_total("hang") == 3; }, 20s));
}

TEST(ConnectHostile, SigtermExitsWithinTheDeadlineWhileATaskIsStuckInStart) {
  DevKafka kafka({"h:1"});
  TempDir dir;
  ConnectWorker w(dir, kafka.bootstrap(),
                  kHostileWorker + "task.shutdown.graceful.timeout.ms=2000\n", kHostileReady);
  ASSERT_EQ(w.call("POST", "/connectors", hanging_body(dir, "hang", "h", "start")).first, 201);
  ASSERT_TRUE(wait_until([&] { return fs::exists(dir.file("hang.stuck")); }, 20s))
      << "the task never got stuck";
  w.process().signal(SIGTERM);
  EXPECT_EQ(w.process().wait(kHung), 0) << "SIGTERM did not end the worker: " << w.process().err();
  EXPECT_NE(w.process().err().find("stuck in SinkTask.start()"), std::string::npos)
      << w.process().err();
  write_file(dir.file("hang.release"), "");
}

TEST(ConnectHostile, TasksMaxAboveTheWorkerLimitIs400) {
  DevKafka kafka({"t:1"});
  TempDir dir;
  {
    ConnectWorker w(dir, kafka.bootstrap(), kHostileWorker, kHostileReady);  // default limit 64
    auto [status, body] =
        w.call("POST", "/connectors", file_sink_body("many", "t", dir.file("m.log"), "100000"));
    EXPECT_EQ(status, 400);
    EXPECT_NE(
        body["message"].get<std::string>().find("Invalid value 100000 for configuration tasks.max: "
                                                "Value must be at most 64 (this worker's "
                                                "sentinel.tasks.max.limit)"),
        std::string::npos)
        << body;
  }
  ConnectWorker w(dir, kafka.bootstrap(), kHostileWorker + "sentinel.tasks.max.limit=4\n",
                  kHostileReady);
  EXPECT_EQ(
      w.call("POST", "/connectors", file_sink_body("five", "t", dir.file("5.log"), "5")).first,
      400);
  auto [vs, infos] = w.call(
      "PUT", "/connector-plugins/FileStreamSink/config/validate",
      json{
          {"connector.class", "FileStreamSink"}, {"name", "v"}, {"topics", "t"}, {"tasks.max", "5"}}
          .dump());
  EXPECT_EQ(vs, 200);
  EXPECT_EQ(infos["error_count"], 1) << infos;
  EXPECT_EQ(
      w.call("POST", "/connectors", file_sink_body("four", "t", dir.file("4.log"), "4")).first,
      201);
  EXPECT_EQ(w.get("/connectors/four/status").second["tasks"].size(), 4u);
}

// --- check-config parity ----------------------------------------------------------------------

// What a run of the program came to: it started (and was stopped), or it exited with a code and
// an error line (the message after the log prefix).
struct Verdict {
  bool started = false;
  int code = 0;
  std::string error;
};

std::string last_error(const std::string& err) {
  std::string found;
  size_t pos = 0;
  while ((pos = err.find("error: ", pos)) != std::string::npos) {
    size_t end = err.find('\n', pos);
    found = err.substr(pos + 7, end == std::string::npos ? std::string::npos : end - pos - 7);
    pos = end == std::string::npos ? err.size() : end;
  }
  return found;
}

Verdict start_worker(const std::vector<std::string>& args) {
  Process p(args);
  Verdict v;
  bool decided = wait_until(
      [&] { return !p.running() || p.err().find(" started: state in ") != std::string::npos; },
      kHung);
  if (!decided) {
    ADD_FAILURE() << "the start neither ran nor failed: " << p.err();
    return v;
  }
  if (p.running()) {
    v.started = true;
    p.signal(SIGTERM);
    EXPECT_EQ(p.wait(kHung), 0);
    return v;
  }
  v.code = *p.wait(kHung);
  v.error = last_error(p.err());
  return v;
}

Verdict check_config(std::vector<std::string> args) {
  args.push_back("--check-config");
  std::string out, err;
  Verdict v;
  v.code = run(args, &out, kHung, &err);
  EXPECT_NE(v.code, -1) << "--check-config hung";
  v.started = v.code == 0;
  if (!v.started) v.error = last_error(err);
  return v;
}

struct Case {
  std::string name;
  std::string worker;                   // extra worker properties
  std::vector<std::string> connectors;  // connector files
  int code;                             // what the start exits with; 0: it runs
  std::string message;                  // a part of the error both print
};

TEST(ConnectHostile, CheckConfigRefusesExactlyWhatTheStartRefuses) {
  DevKafka kafka({"t:1"});
  TempDir dir;
  fs::create_directories(dir.file("archive"));
  fs::create_directories(dir.file("a-directory"));
  write_file(dir.file("plain-file"), "not a directory\n");
  auto connector = [&](const std::string& file, const std::string& text) {
    write_file(dir.file(file), text);
    return dir.file(file);
  };
  const std::string base = "name=c\nconnector.class=FileStreamSink\ntopics=t\n";
  std::string archive = "archive.root=" + dir.file("archive") + "\n";
  ASSERT_EQ(run({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                 dir.file("key.pem"), "-out", dir.file("cert.pem"), "-days", "1", "-subj",
                 "/CN=localhost"}),
            0);
  ASSERT_EQ(run({"openssl", "genpkey", "-algorithm", "RSA", "-out", dir.file("other-key.pem")}), 0);
  std::string https = "listeners.https.ssl.certificate.location=" + dir.file("cert.pem") +
                      "\nlisteners.https.ssl.key.location=";

  std::vector<Case> cases = {
      {"a file that runs", archive, {connector("ok.properties", base + "file=ok.log\n")}, 0, ""},
      {"file=../../etc/x",
       archive,
       {connector("dotdot.properties", base + "file=../../etc/x\n")},
       3,
       "path must not contain '..'"},
      {"file with a NUL",
       archive,
       {connector(
           "nul.json",
           R"({"name":"c","connector.class":"FileStreamSink","topics":"t","file":"a\u0000b"})")},
       3,
       "NUL"},
      {"name=a/b",
       archive,
       {connector("slash.properties", "name=a/b\nconnector.class=FileStreamSink\ntopics=t\n")},
       -1,
       ""},
      {"tasks.max=100000",
       "",
       {connector("many.properties", base + "tasks.max=100000\n")},
       3,
       "Value must be at most 64"},
      {"archive.root is a file",
       "archive.root=" + dir.file("plain-file") + "\n",
       {},
       1,
       "is not a directory"},
      {"plain-text credentials",
       "sentinel.rest.basic.auth.credentials.file=" + connector("creds", "admin:secret\n") + "\n",
       {},
       1,
       "plain text passwords are not accepted"},
      {"credentials file is a directory",
       "sentinel.rest.basic.auth.credentials.file=" + dir.file("a-directory") + "\n",
       {},
       1,
       "cannot read: is a directory"},
      {"certificate is not PEM",
       "listeners=https://127.0.0.1:0\nlisteners.https.ssl.certificate.location=" +
           connector("bad-cert.pem", "junk\n") +
           "\nlisteners.https.ssl.key.location=" + dir.file("key.pem") + "\n",
       {},
       1,
       "expected a PEM certificate"},
      {"key of another certificate",
       "listeners=https://127.0.0.1:0\n" + https + dir.file("other-key.pem") + "\n",
       {},
       1,
       "does not match the certificate"},
      {"certificate is a directory",
       "listeners=https://127.0.0.1:0\nlisteners.https.ssl.certificate.location=" +
           dir.file("a-directory") + "\nlisteners.https.ssl.key.location=" + dir.file("key.pem") +
           "\n",
       {},
       1,
       "cannot read: is a directory"},
      {"connector file is a directory",
       "",
       {dir.file("a-directory")},
       3,
       "cannot be read: is a directory"},
      {"connector file is missing",
       "",
       {dir.file("none.properties")},
       3,
       "cannot be read: no such file"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::string worker = dir.file("w-" + std::to_string(&c - cases.data()) + ".properties");
    // The listener line comes first so that a case's own listeners= wins.
    write_file(worker, "listeners=http://127.0.0.1:0\n" + kHostileWorker +
                           "sentinel.state.dir=" + dir.file("state") + "\n" + c.worker);
    std::vector<std::string> args = {bin("sentinel-connect"), worker};
    args.insert(args.end(), c.connectors.begin(), c.connectors.end());
    args.insert(args.end(), {"--bootstrap-servers", kafka.bootstrap()});
    Verdict start = start_worker(args);
    Verdict check = check_config(args);
    EXPECT_EQ(check.started, start.started)
        << "start: " << start.error << "\ncheck: " << check.error;
    EXPECT_EQ(check.code, start.code);
    EXPECT_EQ(check.error, start.error);
    if (c.code >= 0) {
      EXPECT_EQ(start.code, c.code) << start.error;
      EXPECT_NE(start.error.find(c.message), std::string::npos) << start.error;
    }
  }
  // The worker properties themselves.
  Verdict dir_worker = check_config({bin("sentinel-connect"), dir.file("a-directory")});
  EXPECT_EQ(dir_worker.code, 1);
  EXPECT_EQ(dir_worker.error,
            "config error: " + dir.file("a-directory") + ": cannot read: is a directory");
  Verdict dir_start = start_worker({bin("sentinel-connect"), dir.file("a-directory")});
  EXPECT_EQ(dir_start.code, 1);
  EXPECT_EQ(dir_start.error, dir_worker.error);
}

}  // namespace
}  // namespace sentinel::test
