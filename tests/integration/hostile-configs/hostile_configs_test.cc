// Every program as a process, given hostile files where it expects a config: YAML with a
// recursive alias or an alias bomb (sentinel-agent, sentinel-alerts, sentinel-dashboard and
// sentinel-loggen's scenario all load YAML through common/config), and a directory, a missing file
// or an unreadable file for every file each program reads. Each exits non-zero with one error that
// names the file and what is wrong; a run that takes longer than kHung counts as hung (before the
// fix, the alias bomb ran for minutes and the recursive alias crashed with SIGSEGV).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "tests/support/build_paths.h"
#include "tests/support/process.h"

namespace sentinel::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr auto kHung = 30s;

struct Result {
  int code = 0;
  std::string out, err;
};

Result run_program(const std::vector<std::string>& argv) {
  Result r;
  r.code = run(argv, &r.out, kHung, &r.err);
  EXPECT_NE(r.code, -1) << "hung: " << argv[0] << " did not exit within " << kHung.count() << " s";
  EXPECT_NE(r.code, 128 + SIGSEGV) << "crashed: " << r.err;
  EXPECT_NE(r.code, 128 + SIGABRT) << "crashed: " << r.err;
  return r;
}

// 9 levels of 9 aliases: 387 420 489 values once expanded, in 10 lines.
std::string alias_bomb(const std::string& first_line) {
  std::string text = first_line + "lol: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  std::string prev = "a";
  for (std::string level : {"b", "c", "d", "e", "f", "g", "h", "i"}) {
    text += "l" + level + ": &" + level + " [";
    for (int i = 0; i < 9; ++i) text += (i ? ", *" : "*") + prev;
    text += "]\n";
    prev = level;
  }
  return text;
}

// How each YAML-reading program is asked to check a config and nothing else.
struct YamlProgram {
  std::string name;
  std::vector<std::string> args;  // the config path goes after these
  std::vector<std::string> after;
  int code;  // its exit code for an invalid config
};

std::vector<YamlProgram> yaml_programs() {
  return {
      {"sentinel-agent", {bin("sentinel-agent"), "--check-config", "--config"}, {}, 1},
      {"sentinel-alerts", {bin("sentinel-alerts"), "--check-config", "--config"}, {}, 1},
      {"sentinel-dashboard", {bin("sentinel-dashboard"), "--check-config", "--config"}, {}, 1},
      {"sentinel-loggen", {bin("sentinel-loggen"), "--expected-alerts", "--scenario"}, {}, 2},
  };
}

Result check_yaml(const YamlProgram& p, const std::string& path) {
  std::vector<std::string> argv = p.args;
  argv.push_back(path);
  argv.insert(argv.end(), p.after.begin(), p.after.end());
  return run_program(argv);
}

TEST(HostileConfigs, RecursiveAliasIsAConfigErrorInEveryYamlProgram) {
  TempDir dir;
  write_file(dir.file("r.yaml"), "a: &a [*a]\n");
  write_file(dir.file("m.yaml"), "x: 1\na: &a {k: *a}\n");
  for (const YamlProgram& p : yaml_programs()) {
    SCOPED_TRACE(p.name);
    Result r = check_yaml(p, dir.file("r.yaml"));
    EXPECT_EQ(r.code, p.code) << r.err;
    EXPECT_NE(r.err.find(dir.file("r.yaml") + ":1: alias *a refers to its own anchor &a"),
              std::string::npos)
        << r.err;
    r = check_yaml(p, dir.file("m.yaml"));
    EXPECT_EQ(r.code, p.code) << r.err;
    EXPECT_NE(r.err.find(dir.file("m.yaml") + ":2: alias *a refers to its own anchor &a"),
              std::string::npos)
        << r.err;
  }
}

TEST(HostileConfigs, AliasBombIsRefusedAtOnceByEveryYamlProgram) {
  TempDir dir;
  write_file(dir.file("lol.yaml"), alias_bomb(""));
  for (const YamlProgram& p : yaml_programs()) {
    SCOPED_TRACE(p.name);
    Result r = check_yaml(p, dir.file("lol.yaml"));
    EXPECT_EQ(r.code, p.code) << r.err;
    EXPECT_NE(r.err.find(dir.file("lol.yaml") +
                         ":6: alias *e makes the document larger than 100000 values"),
              std::string::npos)
        << r.err;
  }
}

// The command lines for "read this file as your config" of every program, for the path cases.
struct FileUse {
  std::string what;
  std::vector<std::string> argv;  // "{}" stands for the path
  int code;
  std::string message;  // before the path's problem; "{}" stands for the path
};

std::vector<FileUse> file_uses(const TempDir& dir) {
  // sentinel-alerts reads thresholds.json beside alerts.yaml.
  fs::create_directories(dir.file("alerts"));
  write_file(dir.file("alerts/alerts.yaml"), read_file(source_dir() + "/config/alerts.yaml"));
  write_file(dir.file("alerts.properties"),
             "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
             "value.converter=org.apache.kafka.connect.storage.StringConverter\n"
             "listeners=http://127.0.0.1:0\nsentinel.state.dir=" +
                 dir.file("state") + "\n");
  write_file(dir.file("archive.jsonl"), "");
  return {
      {"agent config",
       {bin("sentinel-agent"), "--check-config", "--config", "{}"},
       1,
       "config error: {}: cannot read: "},
      {"alerts config",
       {bin("sentinel-alerts"), "--check-config", "--config", "{}"},
       1,
       "config error: {}: cannot read: "},
      {"dashboard config",
       {bin("sentinel-dashboard"), "--check-config", "--config", "{}"},
       1,
       "config error: {}: cannot read: "},
      {"loggen scenario",
       {bin("sentinel-loggen"), "--expected-alerts", "--scenario", "{}"},
       2,
       "scenario error: {}: cannot read: "},
      {"connect worker properties",
       {bin("sentinel-connect"), "{}", "--check-config"},
       1,
       "config error: {}: cannot read: "},
      {"connect connector file",
       {bin("sentinel-connect"), dir.file("alerts.properties"), "{}", "--check-config"},
       3,
       "Connector configuration at '{}' cannot be read: "},
      {"thresholds archive input",
       {bin("sentinel-thresholds"), "--archive", "{}", "--dry-run"},
       1,
       "{}: "},
      {"thresholds output",
       {bin("sentinel-thresholds"), "--archive", dir.file("archive.jsonl"), "--output", "{}"},
       2,
       "--output {}: "},
  };
}

std::string with_path(std::string text, const std::string& path) {
  for (size_t at; (at = text.find("{}")) != std::string::npos;) text.replace(at, 2, path);
  return text;
}

Result use_file(const FileUse& u, const std::string& path,
                const std::vector<std::string>& prefix = {}) {
  std::vector<std::string> argv = prefix;
  for (const auto& a : u.argv) argv.push_back(with_path(a, path));
  return run_program(argv);
}

TEST(HostileConfigs, ADirectoryWhereAFileIsExpectedIsAClearErrorInEveryProgram) {
  TempDir dir;
  fs::create_directories(dir.file("a-directory"));
  for (const FileUse& u : file_uses(dir)) {
    SCOPED_TRACE(u.what);
    if (u.what == "thresholds archive input") continue;  // a directory is walked for files there
    Result r = use_file(u, dir.file("a-directory"));
    EXPECT_EQ(r.code, u.code) << r.err;
    EXPECT_NE(r.err.find(with_path(u.message, dir.file("a-directory")) + "is a directory"),
              std::string::npos)
        << r.err;
  }
  // sentinel-alerts' thresholds file, named by the config.
  fs::create_directories(dir.file("alerts/thresholds.json"));
  Result r = run_program({bin("sentinel-alerts"), "--check-config", "--config",
                          dir.file("alerts/alerts.yaml"), "--bootstrap-servers", "127.0.0.1:9"});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find(dir.file("alerts/thresholds.json") + ": cannot read: is a directory"),
            std::string::npos)
      << r.err;
}

TEST(HostileConfigs, AMissingFileIsAClearErrorInEveryProgram) {
  TempDir dir;
  for (const FileUse& u : file_uses(dir)) {
    SCOPED_TRACE(u.what);
    if (u.what == "thresholds output") continue;  // a new file is what it makes
    Result r = use_file(u, dir.file("none"));
    EXPECT_EQ(r.code, u.code) << r.err;
    std::string expected =
        u.what == "thresholds archive input" ? "No such file or directory" : "no such file";
    EXPECT_NE(r.err.find(with_path(u.message, dir.file("none")) + expected), std::string::npos)
        << r.err;
  }
}

// Root reads every file, so the programs run as nobody (setpriv) when the test runs as root.
TEST(HostileConfigs, AnUnreadableFileIsPermissionDeniedInEveryProgram) {
  TempDir dir;
  ASSERT_EQ(chmod(dir.path().c_str(), 0755), 0);
  std::vector<std::string> prefix;
  if (geteuid() == 0) prefix = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
  write_file(dir.file("secret"), "x: 1\n");
  ASSERT_EQ(chmod(dir.file("secret").c_str(), 0), 0);
  for (const FileUse& u : file_uses(dir)) {
    SCOPED_TRACE(u.what);
    if (u.what == "thresholds output") continue;  // written, not read
    Result r = use_file(u, dir.file("secret"), prefix);
    EXPECT_EQ(r.code, u.code) << r.err;
    std::string expected =
        u.what == "thresholds archive input" ? "open: Permission denied" : "permission denied";
    EXPECT_NE(r.err.find(with_path(u.message, dir.file("secret")) + expected), std::string::npos)
        << r.err;
  }
}

}  // namespace
}  // namespace sentinel::test
