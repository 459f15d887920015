// The worker's checks before it starts, shared by the start and --check-config: archive.root,
// credentials, TLS files, state and connector files, each refused with the file and the reason,
// and the same verdict whether archive.root exists yet or will be created by the start.
#include "connect-sink/runtime/worker_preflight.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "rest-api/tls_files.h"
#include "tests/support/connect_fakes.h"
#include "tests/support/process.h"

namespace sentinel::connect {
namespace {

namespace fs = std::filesystem;

struct Worker {
  Worker() {
    plugins.add(testing::memory_sink_plugin());
    validation.plugins = &plugins;
    config.state_dir = dir.file("state");
  }
  Preflight run(const std::vector<std::string>& files, bool start) {
    validation.archive_root = config.archive_root;
    return preflight(config, "w.properties", files, validation, start);
  }
  std::string connector(const std::string& name, const std::string& text) {
    test::write_file(dir.file(name), text);
    return dir.file(name);
  }

  test::TempDir dir;
  PluginRegistry plugins;
  ValidationContext validation;
  WorkerConfig config;
};

TEST(WorkerPreflight, ArchiveRootMustBeADirectoryOrCreatable) {
  test::TempDir dir;
  test::write_file(dir.file("file"), "x");
  EXPECT_EQ(prepare_archive_root(dir.file("file"), false), "is not a directory");
  EXPECT_EQ(prepare_archive_root(dir.file("file/below"), false),
            "a part of the path is not a directory");
  EXPECT_EQ(prepare_archive_root(dir.file("new/archive"), false), "");
  EXPECT_FALSE(fs::exists(dir.file("new")));  // checking creates nothing
  EXPECT_EQ(prepare_archive_root(dir.file("new/archive"), true), "");
  EXPECT_TRUE(fs::is_directory(dir.file("new/archive")));
}

TEST(WorkerPreflight, ConnectorFilesAreValidatedAlikeBeforeAndAfterTheRootExists) {
  Worker s;
  s.config.archive_root = s.dir.file("archive");  // not created yet
  const std::string base = "name=c\nconnector.class=Memory\ntopics=t\n";
  std::string ok = s.connector("ok.properties", base + "path=sub/ok.log\n");
  std::string dotdot = s.connector("dotdot.properties", base + "path=../../etc/x\n");
  std::string outside = s.connector("outside.properties", base + "path=/etc/x\n");
  std::string many = s.connector("many.properties", base + "path=a\ntasks.max=65\n");
  for (bool start : {false, true}) {
    SCOPED_TRACE(start ? "start" : "check-config");
    EXPECT_EQ(s.run({ok}, start).exit_code, 0) << s.run({ok}, start).error;
    EXPECT_EQ(fs::exists(s.config.archive_root), start);
    Preflight p = s.run({dotdot}, start);
    EXPECT_EQ(p.exit_code, 3);
    EXPECT_NE(p.error.find("connector file " + dotdot + ": Connector configuration is invalid"),
              std::string::npos)
        << p.error;
    EXPECT_NE(p.error.find("path must not contain '..'"), std::string::npos) << p.error;
    p = s.run({outside}, start);
    EXPECT_EQ(p.exit_code, 3);
    EXPECT_NE(p.error.find("path is outside archive.root"), std::string::npos) << p.error;
    p = s.run({many}, start);
    EXPECT_EQ(p.exit_code, 3);
    EXPECT_NE(p.error.find("Value must be at most 64"), std::string::npos) << p.error;
    p = s.run({ok, s.connector("again.properties", base + "path=b\n")}, start);
    EXPECT_EQ(p.exit_code, 3);
    EXPECT_NE(p.error.find("Connector c already exists"), std::string::npos) << p.error;
  }
}

TEST(WorkerPreflight, WorkerFilesAreRefusedWithTheFileAndTheReason) {
  Worker s;
  s.config.rest_credentials_file = s.connector("creds", "admin:secret\n");
  Preflight p = s.run({}, false);
  EXPECT_EQ(p.exit_code, 1);
  EXPECT_EQ(
      p.error,
      "config error: w.properties: sentinel.rest.basic.auth.credentials.file: credentials file " +
          s.dir.file("creds") +
          ":1: expected user:$id$salt$hash (a crypt(3) hash, e.g. from `openssl passwd -6`); plain "
          "text passwords are not accepted");
  s.config.rest_credentials_file = s.dir.path();
  EXPECT_NE(s.run({}, false).error.find(s.dir.path() + ": cannot read: is a directory"),
            std::string::npos);
  s.config.rest_credentials_file.clear();

  fs::create_directories(s.dir.file("state/connectors.json"));
  p = s.run({}, false);
  EXPECT_EQ(p.exit_code, 1);
  EXPECT_EQ(p.error,
            "state: cannot read " + s.dir.file("state/connectors.json") + ": is a directory");
}

TEST(WorkerPreflight, TlsFilesMustLoadAndMatch) {
  test::TempDir dir;
  ASSERT_EQ(test::run({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                       dir.file("key.pem"), "-out", dir.file("cert.pem"), "-days", "1", "-subj",
                       "/CN=localhost"}),
            0);
  ASSERT_EQ(test::run({"openssl", "genpkey", "-algorithm", "RSA", "-out", dir.file("other.pem")}),
            0);
  std::string error;
  EXPECT_TRUE(check_tls_files(dir.file("cert.pem"), dir.file("key.pem"), &error)) << error;
  EXPECT_FALSE(check_tls_files(dir.file("cert.pem"), dir.file("other.pem"), &error));
  EXPECT_EQ(error, "listeners.https.ssl.key.location " + dir.file("other.pem") +
                       ": does not match the certificate " + dir.file("cert.pem"));
  EXPECT_FALSE(check_tls_files(dir.file("key.pem"), dir.file("key.pem"), &error));
  EXPECT_NE(error.find("listeners.https.ssl.certificate.location " + dir.file("key.pem") +
                       ": expected a PEM certificate"),
            std::string::npos)
      << error;
  EXPECT_FALSE(check_tls_files(dir.file("cert.pem"), dir.file("cert.pem"), &error));
  EXPECT_NE(error.find("expected an unencrypted PEM private key"), std::string::npos) << error;
  EXPECT_FALSE(check_tls_files(dir.path(), dir.file("key.pem"), &error));
  EXPECT_EQ(error, "listeners.https.ssl.certificate.location " + dir.path() +
                       ": cannot read: is a directory");
}

}  // namespace
}  // namespace sentinel::connect
