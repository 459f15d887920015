// YAML config: typed look-ups, errors with file:line and key, unknown-key warnings.
#include "common/config.h"

#include <gtest/gtest.h>

#include "tests/support/process.h"

namespace sentinel {
namespace {

EnvLookup no_env() {
  return [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
}

std::string error_of(const std::string& text, const std::function<void(ConfigNode)>& read) {
  try {
    ConfigFile f = ConfigFile::parse(text, "agent.yaml", no_env());
    read(f.root());
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(Config, ItemsOfAListNameTheirIndexInErrors) {
  std::string e = error_of("jobs:\n  - every: 5s\n  - every: later\n", [](ConfigNode r) {
    for (const ConfigNode& job : r.items("jobs")) job.get_duration("every", std::chrono::seconds(1));
  });
  EXPECT_EQ(e, "config error: agent.yaml:3: jobs[1].every: \"later\": expected a duration like 10s, 500ms or 1h30m");
  EXPECT_EQ(error_of("jobs: 3\n", [](ConfigNode r) { r.items("jobs"); }),
            "config error: agent.yaml:1: jobs: expected a list");
  EXPECT_EQ(error_of("jobs:\n  - 3\n", [](ConfigNode r) { r.items("jobs"); }),
            "config error: agent.yaml:2: jobs[0]: expected a mapping of keys");
  EXPECT_EQ(error_of("other: 1\n", [](ConfigNode r) { EXPECT_TRUE(r.items("jobs").empty()); }), "");
}

TEST(Config, BadDurationNamesFileLineKeyAndExpectation) {
  std::string e = error_of("host: a\ninterval: 5x\n", [](ConfigNode r) {
    r.get_duration("interval", std::chrono::seconds(10));
  });
  EXPECT_EQ(e, "config error: agent.yaml:2: interval: \"5x\": expected a duration like 10s, 500ms or 1h30m");
}

TEST(Config, NestedKeyErrorGivesDottedPath) {
  std::string e = error_of("collectors:\n  disk:\n    timeout: soon\n", [](ConfigNode r) {
    r.child("collectors").child("disk").get_duration("timeout", std::chrono::seconds(2));
  });
  EXPECT_NE(e.find("agent.yaml:3: collectors.disk.timeout:"), std::string::npos) << e;
}

TEST(Config, YamlSyntaxErrorHasLine) {
  std::string e = error_of("a: 1\nb: [1, 2\nc: 3\n", [](ConfigNode) {});
  EXPECT_NE(e.find("config error: agent.yaml:"), std::string::npos) << e;
}

// Found by fuzz/yaml_config_fuzz.cc: a list or mapping as a key made yaml-cpp's BadConversion
// escape ConfigFile::parse instead of a ConfigError naming the line.
TEST(Config, ListOrMappingAsAKeyIsAConfigError) {
  EXPECT_EQ(error_of("a: 1\n? [complex, key]\n: value\n", [](ConfigNode r) { r.keys(); }),
            "config error: agent.yaml:2: top level: expected a name as key, not a list");
  EXPECT_EQ(
      error_of("kafka:\n  ? {x: 1}\n  : v\n", [](ConfigNode r) { r.get_string_map("kafka"); }),
      "config error: agent.yaml:2: kafka: expected a name as key, not a mapping");
}

TEST(Config, TypedValuesAndDefaults) {
  ConfigFile f = ConfigFile::parse(
      "n: 42\nflag: yes\nsize: 16MB\nlist: [a, b]\nkafka:\n  bootstrap.servers: h:9092\n  acks: all\n",
      "t.yaml", no_env());
  ConfigNode r = f.root();
  EXPECT_EQ(r.get_int("n", 0, 0, 100), 42);
  EXPECT_TRUE(r.get_bool("flag", false));
  EXPECT_EQ(r.get_bytes("size", 0), 16u * 1024 * 1024);
  EXPECT_EQ(r.get_strings("list", {}), (std::vector<std::string>{"a", "b"}));
  auto kafka = r.get_string_map("kafka");
  EXPECT_EQ(kafka.at("bootstrap.servers"), "h:9092");
  EXPECT_EQ(r.get_string("missing", "dflt"), "dflt");
  EXPECT_EQ(r.child("absent").child("deeper").get_int("x", 5, 0, 10), 5);
  EXPECT_TRUE(r.child("absent").get_string_map("m").empty());
  EXPECT_TRUE(f.unknown_keys().empty());
}

TEST(Config, OutOfRangeAndWrongTypeAreErrors) {
  EXPECT_NE(error_of("n: 500\n", [](ConfigNode r) { r.get_int("n", 0, 1, 100); })
                .find("out of range: expected 1 to 100"),
            std::string::npos);
  EXPECT_NE(error_of("flag: maybe\n", [](ConfigNode r) { r.get_bool("flag", false); })
                .find("expected true or false"),
            std::string::npos);
  EXPECT_NE(error_of("key: [1]\n", [](ConfigNode r) { r.get_string("key", ""); })
                .find("expected a single value"),
            std::string::npos);
  EXPECT_NE(error_of("key: other\n", [](ConfigNode r) { r.get_choice("key", "a", {"a", "b"}); })
                .find("expected one of a, b"),
            std::string::npos);
}

TEST(Config, UnknownKeysAreListedWithTheirLines) {
  ConfigFile f = ConfigFile::parse("interval: 1s\nintervall: 2s\ncollectors:\n  cpux: {}\n  cpu: {}\n",
                                   "agent.yaml", no_env());
  ConfigNode r = f.root();
  r.get_duration("interval", std::chrono::seconds(1));
  r.child("collectors").child("cpu");
  auto unknown = f.unknown_keys();
  ASSERT_EQ(unknown.size(), 2u);
  EXPECT_EQ(unknown[0], "agent.yaml:2: unknown key intervall");
  EXPECT_EQ(unknown[1], "agent.yaml:4: unknown key collectors.cpux");
}

TEST(Config, EnvironmentIsSubstitutedBeforeParsing) {
  EnvLookup env = [](const std::string& n) -> std::optional<std::string> {
    if (n == "BROKER") return std::string("k1:9092");
    return std::nullopt;
  };
  ConfigFile f = ConfigFile::parse("kafka:\n  bootstrap.servers: ${BROKER}\nhost: ${H:-web-9}\n", "a.yaml", env);
  EXPECT_EQ(f.root().get_string_map("kafka").at("bootstrap.servers"), "k1:9092");
  EXPECT_EQ(f.root().get_string("host", ""), "web-9");
  try {
    ConfigFile::parse("a: 1\nb: ${NOPE}\n", "a.yaml", env);
    FAIL() << "expected an error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("a.yaml:2: b: environment variable NOPE is not set"),
              std::string::npos)
        << e.what();
  }
}

TEST(Config, CommentsAreNotSubstituted) {
  ConfigFile f = ConfigFile::parse("# use ${VAR} here\nhost: a # ${OTHER}\n", "a.yaml", no_env());
  EXPECT_EQ(f.root().get_string("host", ""), "a");
}

TEST(Config, MissingFileNamesPath) {
  try {
    ConfigFile::load("/nonexistent/agent.yaml");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/agent.yaml: cannot read"), std::string::npos);
  }
}

}  // namespace
}  // namespace sentinel
