// The Debian package: built by the test with CPack from this build tree (cpack --config
// build/CPackConfig.cmake, into a temporary directory), checked with dpkg-deb (files and modes,
// control fields, conffiles, maintainer scripts), then really installed with dpkg into a
// throwaway root: `dpkg --root=<tmp> --force-not-root --force-script-chrootless --force-depends`
// (the empty root has none of the dependencies; the maintainer scripts honour DPKG_ROOT and run
// systemd-sysusers/systemd-tmpfiles/dpkg-statoverride with --root). Then removed and purged.
// Installing needs root for the chown of /var/lib/sentinel; as another user that part is skipped.
// Lintian runs on the package too, when it is installed.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "tests/support/build_paths.h"
#include "tests/support/process.h"

namespace sentinel::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The .deb, built once for every test here.
class Package : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    std::string out, err;
    int rc = run({"cpack", "--config", build_tree() + "/CPackConfig.cmake", "-B", dir_->path()},
                 &out, 280s, &err);
    ASSERT_EQ(rc, 0) << out << err;
    for (const auto& e : fs::directory_iterator(dir_->path())) {
      if (e.path().extension() == ".deb") deb_ = e.path().string();
    }
    ASSERT_FALSE(deb_.empty()) << "cpack made no .deb:\n" << out;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override { ASSERT_FALSE(deb_.empty()) << "no package"; }

  static std::string deb_info(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"dpkg-deb"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::string out, err;
    int rc = run(argv, &out, 60s, &err);
    EXPECT_EQ(rc, 0) << err;
    return out;
  }

  static TempDir* dir_;
  static std::string deb_;
};
TempDir* Package::dir_ = nullptr;
std::string Package::deb_;

TEST_F(Package, ControlHasComputedDependsAndScripts) {
  std::string depends = deb_info({"-f", deb_, "Depends"});
  EXPECT_NE(depends.find("libc6"), std::string::npos) << depends;
  EXPECT_NE(depends.find("librdkafka"), std::string::npos)
      << "shlibdeps should find librdkafka: " << depends;
  EXPECT_NE(depends.find("systemd"), std::string::npos) << depends;
  EXPECT_EQ(deb_info({"-f", deb_, "Package"}), "sentinel\n");

  std::string info = deb_info({"-I", deb_});
  for (const char* member : {"conffiles", "postinst", "prerm", "postrm"}) {
    EXPECT_TRUE(std::regex_search(info, std::regex(std::string("\\s") + member + "\\s")))
        << member << "\n"
        << info;
  }
  std::set<std::string> conffiles;
  for (const auto& l : lines(deb_info({"-I", deb_, "conffiles"}))) conffiles.insert(l);
  EXPECT_EQ(conffiles, (std::set<std::string>{
                           "/etc/sentinel/agent.yaml", "/etc/sentinel/alerts.yaml",
                           "/etc/sentinel/thresholds.json", "/etc/sentinel/connect.properties",
                           "/etc/sentinel/dashboard.yaml"}));

  std::string postinst = deb_info({"-I", deb_, "postinst"});
  EXPECT_NE(postinst.find("systemd-sysusers"), std::string::npos);
  EXPECT_NE(postinst.find("systemd-tmpfiles"), std::string::npos);
  EXPECT_NE(postinst.find("daemon-reload"), std::string::npos);
  EXPECT_FALSE(std::regex_search(postinst, std::regex(R"(\b(enable|start)\b\s+sentinel)")))
      << "enables nothing";
  EXPECT_NE(deb_info({"-I", deb_, "prerm"}).find("stop sentinel-agent.service"), std::string::npos);
  EXPECT_NE(deb_info({"-I", deb_, "postrm"}).find("daemon-reload"), std::string::npos);
}

TEST_F(Package, FilesAreWhereDebianWantsThem) {
  // "-rwxr-xr-x root/root 123 2026-01-01 00:00 ./usr/bin/sentinel-agent"
  std::map<std::string, std::string> mode;
  std::regex row(R"(^(\S+) (\S+)\s+\d+ \S+ \S+ \./(.*)$)");
  for (const auto& l : lines(deb_info({"-c", deb_}))) {
    std::smatch m;
    if (!std::regex_match(l, m, row)) continue;
    mode[m[3]] = m[1];
    EXPECT_EQ(m[2], "root/root") << l;
    std::string path = m[3];
    EXPECT_FALSE(path.rfind("usr/local", 0) == 0 || path.rfind("usr/etc", 0) == 0) << path;
  }
  std::map<std::string, std::string> want = {
      {"usr/bin/sentinel-agent", "-rwxr-xr-x"},
      {"usr/bin/sentinel-alerts", "-rwxr-xr-x"},
      {"usr/bin/sentinel-connect", "-rwxr-xr-x"},
      {"usr/bin/sentinel-devkafka", "-rwxr-xr-x"},
      {"usr/bin/sentinel-thresholds", "-rwxr-xr-x"},
      {"usr/bin/sentinel-dashboard", "-rwxr-xr-x"},
      {"usr/share/sentinel/dashboard/index.html", "-rw-r--r--"},
      {"usr/share/sentinel/dashboard/app.js", "-rw-r--r--"},
      {"usr/share/sentinel/dashboard/style.css", "-rw-r--r--"},
      {"usr/share/sentinel/dashboard/uPlot.iife.min.js", "-rw-r--r--"},
      {"usr/share/sentinel/dashboard/uPlot.min.css", "-rw-r--r--"},
      {"etc/sentinel/dashboard.yaml", "-rw-r--r--"},
      {"lib/systemd/system/sentinel-dashboard.service", "-rw-r--r--"},
      {"etc/sentinel/agent.yaml", "-rw-r--r--"},
      {"etc/sentinel/alerts.yaml", "-rw-r--r--"},
      {"etc/sentinel/thresholds.json", "-rw-r--r--"},
      {"etc/sentinel/connect.properties", "-rw-r--r--"},
      {"lib/systemd/system/sentinel-agent.service", "-rw-r--r--"},
      {"lib/systemd/system/sentinel-alerts.service", "-rw-r--r--"},
      {"lib/systemd/system/sentinel-connect.service", "-rw-r--r--"},
      {"usr/lib/sysusers.d/sentinel.conf", "-rw-r--r--"},
      {"usr/lib/tmpfiles.d/sentinel.conf", "-rw-r--r--"},
      {"usr/share/doc/sentinel/copyright", "-rw-r--r--"},
      {"usr/share/doc/sentinel/changelog.gz", "-rw-r--r--"},
      {"usr/share/doc/sentinel/examples/connect-distributed.properties", "-rw-r--r--"},
  };
  for (const auto& [path, m] : want) EXPECT_EQ(mode[path], m) << path;
  bool plugin = false;
  for (const auto& [path, m] : mode) {
    if (path.rfind("usr/lib/sentinel/plugins/", 0) == 0 && path.size() > 3 &&
        path.compare(path.size() - 3, 3, ".so") == 0) {
      plugin = true;
    }
  }
  EXPECT_TRUE(plugin) << "no sink plugin in /usr/lib/sentinel/plugins";
  for (const auto& [path, m] : mode) {
    if (path.rfind("lib/systemd/system/", 0) == 0 && path.back() != '/') {
      EXPECT_NE(path.find("sentinel-"), std::string::npos) << path;
    }
  }
}

// Lintian (Debian's package checker) finds no error or warning, apart from the overrides the
// package documents in /usr/share/lintian/overrides/sentinel.
TEST_F(Package, LintianFindsNoErrorOrWarning) {
  std::string out, err;
  if (run({"sh", "-c", "command -v lintian"}, &out) != 0)
    GTEST_SKIP() << "lintian is not installed";
  int rc = run({"lintian", "--fail-on", "error,warning", deb_}, &out, 280s, &err);
  EXPECT_EQ(rc, 0) << out << err;
}

std::string stat_summary(const std::string& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) return "missing";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04o %u:%u", st.st_mode & 07777, st.st_uid, st.st_gid);
  return buf;
}

// "name:x:uid:gid:…" lines of an /etc/passwd or /etc/group.
std::map<std::string, std::vector<std::string>> passwd_entries(const std::string& path) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& l : lines(read_file(path))) {
    std::vector<std::string> fields;
    std::stringstream in(l);
    for (std::string f; std::getline(in, f, ':');) fields.push_back(f);
    if (!fields.empty()) out[fields[0]] = fields;
  }
  return out;
}

TEST_F(Package, InstallsIntoAThrowawayRootAndRemovesCleanly) {
  if (geteuid() != 0) GTEST_SKIP() << "dpkg --root needs root to chown /var/lib/sentinel";
  TempDir tmp;
  std::string root = tmp.file("root");
  fs::create_directories(root + "/var/lib/dpkg/info");
  fs::create_directories(root + "/var/lib/dpkg/updates");
  write_file(root + "/var/lib/dpkg/status", "");
  std::vector<std::string> dpkg = {"dpkg",
                                   "--root=" + root,
                                   "--force-not-root",
                                   "--force-script-chrootless",
                                   "--force-depends",
                                   "--log=/dev/null"};
  auto dpkg_do = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = dpkg;
    argv.insert(argv.end(), args.begin(), args.end());
    std::string out, err;
    int rc = run(argv, &out, 120s, &err);
    EXPECT_EQ(rc, 0) << out << err;
  };
  dpkg_do({"-i", deb_});

  EXPECT_EQ(stat_summary(root + "/usr/bin/sentinel-agent"), "0755 0:0");
  EXPECT_EQ(stat_summary(root + "/usr/bin/sentinel-dashboard"), "0755 0:0");
  EXPECT_EQ(stat_summary(root + "/usr/share/sentinel/dashboard/uPlot.iife.min.js"), "0644 0:0");
  EXPECT_EQ(stat_summary(root + "/lib/systemd/system/sentinel-connect.service"), "0644 0:0");
  EXPECT_EQ(stat_summary(root + "/etc/sentinel/agent.yaml"), "0644 0:0");

  // sysusers.d: user sentinel, member of adm.
  std::string sysusers = read_file(root + "/usr/lib/sysusers.d/sentinel.conf");
  EXPECT_TRUE(std::regex_search(sysusers, std::regex(R"((^|\n)u sentinel )"))) << sysusers;
  EXPECT_TRUE(std::regex_search(sysusers, std::regex(R"((^|\n)m sentinel adm\n)"))) << sysusers;

  // postinst made the user (in adm), the state directories and the /etc/sentinel override.
  auto users = passwd_entries(root + "/etc/passwd");
  auto groups = passwd_entries(root + "/etc/group");
  ASSERT_TRUE(users.count("sentinel")) << read_file(root + "/etc/passwd");
  ASSERT_TRUE(groups.count("adm") && groups.count("sentinel")) << read_file(root + "/etc/group");
  EXPECT_NE(groups["adm"].back().find("sentinel"), std::string::npos) << "sentinel is not in adm";
  std::string owner = users["sentinel"][2] + ":" + groups["sentinel"][2];
  for (const char* d : {"", "/agent", "/connect", "/archive"}) {
    EXPECT_EQ(stat_summary(root + "/var/lib/sentinel" + d), "0750 " + owner) << d;
  }
  EXPECT_EQ(stat_summary(root + "/etc/sentinel"), "0750 0:" + groups["sentinel"][2]);

  // remove keeps the conffiles, purge removes them.
  dpkg_do({"-r", "sentinel"});
  EXPECT_FALSE(fs::exists(root + "/usr/bin/sentinel-agent"));
  EXPECT_FALSE(fs::exists(root + "/lib/systemd/system/sentinel-agent.service"));
  EXPECT_FALSE(fs::exists(root + "/usr/share/sentinel/dashboard/index.html"));
  EXPECT_TRUE(fs::exists(root + "/etc/sentinel/agent.yaml"));
  dpkg_do({"-P", "sentinel"});
  EXPECT_FALSE(fs::exists(root + "/etc/sentinel/agent.yaml"));
  EXPECT_TRUE(fs::exists(root + "/var/lib/sentinel/archive")) << "purge keeps the archives";
}

}  // namespace
}  // namespace sentinel::test
