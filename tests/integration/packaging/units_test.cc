// The systemd units as the build configures them (build/systemd/*.service), checked with the
// installed systemd's own tools:
// - `systemd-analyze verify` on a copy of each unit whose program paths (/usr/bin/…) are
//   rewritten to the build tree's bin/, because verify requires every Exec*= command to exist
//   and the programs are not installed on the machine that runs the tests;
// - `systemd-analyze security --offline=true` on each unit as installed: the "Overall exposure
//   level" must be at most 2.0.
#include <gtest/gtest.h>

#include <cstdio>
#include <regex>
#include <sstream>
#include <string>

#include "tests/support/build_paths.h"
#include "tests/support/process.h"

namespace sentinel::test {
namespace {

using namespace std::chrono_literals;

const char* kUnits[] = {"sentinel-agent", "sentinel-alerts", "sentinel-connect",
                        "sentinel-dashboard"};

std::string unit_path(const std::string& unit) {
  return build_tree() + "/systemd/" + unit + ".service";
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

TEST(SystemdUnits, VerifyCleanWithTheProgramsAtTheirPaths) {
  TempDir dir;
  for (const std::string unit : kUnits) {
    std::string text = read_file(unit_path(unit));
    ASSERT_NE(text.find(std::string(SENTINEL_UNIT_BINDIR) + "/" + unit), std::string::npos) << text;
    std::string copy = dir.file(unit + ".service");
    write_file(copy, replace_all(text, std::string(SENTINEL_UNIT_BINDIR) + "/", bin_dir() + "/"));
    std::string out, err;
    int rc = run({"systemd-analyze", "verify", copy}, &out, 60s, &err);
    EXPECT_EQ(rc, 0) << unit << ":\n" << out << err;
    EXPECT_EQ(err, "") << unit << ": verify warned";
  }
}

TEST(SystemdUnits, EveryUnitIsNotifyWithWatchdogReloadAndConfigCheck) {
  for (const std::string unit : kUnits) {
    std::string text = read_file(unit_path(unit));
    for (const char* line :
         {"Type=notify\n", "Restart=on-failure\n", "ExecReload=/bin/kill -HUP $MAINPID\n",
          "User=sentinel\n", "UMask=0077\n", "CapabilityBoundingSet=\n"}) {
      EXPECT_NE(text.find(line), std::string::npos) << unit << " lacks " << line;
    }
    EXPECT_TRUE(std::regex_search(text, std::regex("\nWatchdogSec=\\d+s\n"))) << unit;
    EXPECT_TRUE(
        std::regex_search(text, std::regex("\nExecStartPre=\\S+/" + unit + " .*--check-config\n")))
        << unit;
    EXPECT_EQ(text.find("DynamicUser"), std::string::npos)
        << unit << ": the package creates the user";
  }
}

TEST(SystemdUnits, SecurityExposureAtMostTwo) {
  for (const std::string unit : kUnits) {
    std::string out, err;
    int rc =
        run({"systemd-analyze", "security", "--offline=true", unit_path(unit)}, &out, 60s, &err);
    EXPECT_EQ(rc, 0) << unit << ":\n" << err;
    std::smatch m;
    ASSERT_TRUE(
        std::regex_search(out, m, std::regex(R"(Overall exposure level for \S+: (\d+\.\d+))")))
        << unit << ":\n"
        << out << err;
    double score = std::stod(m[1]);
    EXPECT_LE(score, 2.0) << unit << ":\n" << out;
    std::printf("%s: exposure %.1f\n", unit.c_str(), score);
  }
}

// ExecStartPre= (the --check-config run) accepts the configs the package ships, and a broken one
// stops the unit from starting.
TEST(SystemdUnits, ExecStartPreAcceptsTheShippedConfigsAndRefusesBadOnes) {
  TempDir dir;
  for (const std::string unit : kUnits) {
    std::smatch m;
    std::string text = read_file(unit_path(unit));
    ASSERT_TRUE(std::regex_search(text, m, std::regex("\nExecStartPre=([^\n]+)\n"))) << unit;
    std::string line = replace_all(m[1], std::string(SENTINEL_UNIT_BINDIR) + "/", bin_dir() + "/");
    std::vector<std::string> argv, bad_argv;
    std::istringstream words(line);
    for (std::string w; words >> w;) {
      std::smatch c;
      if (std::regex_match(w, c, std::regex(R"(.*/sentinel/([a-z]+\.(yaml|properties)))"))) {
        argv.push_back(source_dir() + "/config/" + std::string(c[1]));
        bad_argv.push_back(dir.file(c[1]));
        // Not YAML at all; a flush interval that is not a number.
        write_file(bad_argv.back(),
                   c[2] == "yaml" ? "kafka: [\n" : "offset.flush.interval.ms=soon\n");
      } else {
        argv.push_back(w);
        bad_argv.push_back(w);
      }
    }
    std::string out, err;
    EXPECT_EQ(run(argv, &out, 30s, &err), 0) << line << "\n" << out << err;
    EXPECT_NE(out.find("ok"), std::string::npos) << out;
    EXPECT_NE(run(bad_argv, &out, 30s, &err), 0) << unit << " accepted a broken config";
  }
}

// The agent must see the host: /proc's system-wide files, adm's logs, and the mount table as it is
// (every sandboxing option that bind-mounts a directory onto itself would add a "disk").
TEST(SystemdUnits, AgentKeepsTheHostVisible) {
  std::string text = read_file(unit_path("sentinel-agent"));
  EXPECT_NE(text.find("\nSupplementaryGroups=adm\n"), std::string::npos);
  EXPECT_EQ(text.find("\nProcSubset=pid"), std::string::npos) << "hides /proc/stat, meminfo, …";
  for (const char* key : {"ProtectSystem=", "ProtectHome=", "PrivateTmp=", "ReadWritePaths=",
                          "ReadOnlyPaths=", "InaccessiblePaths=", "TemporaryFileSystem=",
                          "BindPaths=", "PrivateNetwork=", "PrivateUsers="}) {
    EXPECT_EQ(text.find(std::string("\n") + key), std::string::npos) << key;
  }
}

// sentinel-connect writes only below /var/lib/sentinel.
TEST(SystemdUnits, ConnectWritesOnlyUnderVarLibSentinel) {
  std::string text = read_file(unit_path("sentinel-connect"));
  EXPECT_NE(text.find("\nProtectSystem=strict\n"), std::string::npos);
  EXPECT_NE(text.find("\nStateDirectory=sentinel/connect sentinel/archive\n"), std::string::npos);
  EXPECT_EQ(text.find("\nReadWritePaths="), std::string::npos);
  std::string props = read_file(source_dir() + "/config/connect.properties");
  EXPECT_NE(props.find("\nsentinel.state.dir=/var/lib/sentinel/connect\n"), std::string::npos);
  EXPECT_NE(props.find("\narchive.root=/var/lib/sentinel/archive\n"), std::string::npos);
}

// sentinel-dashboard writes nothing and serves loopback unless its config says otherwise.
TEST(SystemdUnits, DashboardWritesNothingAndListensOnLoopback) {
  std::string text = read_file(unit_path("sentinel-dashboard"));
  EXPECT_NE(text.find("\nProtectSystem=strict\n"), std::string::npos);
  for (const char* key :
       {"StateDirectory=", "ReadWritePaths=", "LogsDirectory=", "CacheDirectory="}) {
    EXPECT_EQ(text.find(std::string("\n") + key), std::string::npos) << key;
  }
  std::string yaml = read_file(source_dir() + "/config/dashboard.yaml");
  EXPECT_NE(yaml.find("\nlisten: 127.0.0.1:8501\n"), std::string::npos);
}

}  // namespace
}  // namespace sentinel::test
