// YAML config: typed look-ups, errors with file:line and key, unknown-key warnings.
#include "common/config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <future>
#include <memory>
#include <thread>

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
    for (const ConfigNode& job : r.items("jobs"))
      job.get_duration("every", std::chrono::seconds(1));
  });
  EXPECT_EQ(e,
            "config error: agent.yaml:3: jobs[1].every: \"later\": expected a duration like 10s, "
            "500ms or 1h30m");
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
  EXPECT_EQ(
      e,
      "config error: agent.yaml:2: interval: \"5x\": expected a duration like 10s, 500ms or 1h30m");
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

TEST(Config, TypedValuesAndDefaults) {
  ConfigFile f = ConfigFile::parse(
      "n: 42\nflag: yes\nsize: 16MB\nlist: [a, b]\nkafka:\n  bootstrap.servers: h:9092\n  acks: "
      "all\n",
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
  EXPECT_NE(error_of("key: other\n",
                     [](ConfigNode r) {
                       r.get_choice("key", "a", {"a", "b"});
                     })
                .find("expected one of a, b"),
            std::string::npos);
}

TEST(Config, UnknownKeysAreListedWithTheirLines) {
  ConfigFile f = ConfigFile::parse(
      "interval: 1s\nintervall: 2s\ncollectors:\n  cpux: {}\n  cpu: {}\n", "agent.yaml", no_env());
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
  ConfigFile f = ConfigFile::parse("kafka:\n  bootstrap.servers: ${BROKER}\nhost: ${H:-web-9}\n",
                                   "a.yaml", env);
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

// Runs `f` on a thread left behind if it hangs, so that the test fails (as hung) instead of
// waiting for ever.
std::string within_deadline(std::function<std::string()> f) {
  auto done = std::make_shared<std::promise<std::string>>();
  std::future<std::string> result = done->get_future();
  std::thread([done, f = std::move(f)] { done->set_value(f()); }).detach();
  if (result.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    ADD_FAILURE() << "hung";
    return "";
  }
  return result.get();
}

// Hostile YAML: every case is a ConfigError naming the file and the line, never a crash (a
// recursive alias made every walk recurse until the stack overflowed) and never a long walk (an
// alias bomb's shared nodes were expanded by every walk).
TEST(Config, RecursiveAliasIsAConfigErrorNamingFileAndLine) {
  EXPECT_EQ(error_of("a: &a [*a]\n", [](ConfigNode) {}),
            "config error: agent.yaml:1: alias *a refers to its own anchor &a (line 1), which "
            "contains it: a "
            "recursive alias cannot be expanded");
  EXPECT_NE(error_of("a: &a {k: *a}\n", [](ConfigNode) {})
                .find("agent.yaml:1: alias *a refers to its own anchor &a"),
            std::string::npos);
  EXPECT_NE(error_of("x: 1\nb: &b\n  c:\n    - [1, *b]\n", [](ConfigNode) {})
                .find("agent.yaml:4: alias *b refers to its own anchor &b (line 2)"),
            std::string::npos);
}

TEST(Config, AliasBombIsRefusedBeforeAnyWalk) {
  // 9 levels of 9 aliases: 387 420 489 values once expanded.
  std::string text = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  std::string prev = "a";
  for (std::string level : {"b", "c", "d", "e", "f", "g", "h", "i"}) {
    text += level + ": &" + level + " [";
    for (int i = 0; i < 9; ++i) text += (i ? ", *" : "*") + prev;
    text += "]\n";
    prev = level;
  }
  std::string e = within_deadline([text] { return error_of(text, [](ConfigNode) {}); });
  EXPECT_NE(
      e.find("config error: agent.yaml:6: alias *e makes the document larger than 100000 values"),
      std::string::npos)
      << e;
}

TEST(Config, DeepNestingIsRefused) {
  std::string e =
      error_of("a: " + std::string(200, '[') + std::string(200, ']') + "\n", [](ConfigNode) {});
  EXPECT_NE(e.find("config error: agent.yaml:1: this list nests deeper than 64 levels"),
            std::string::npos)
      << e;
}

// Also found by fuzz/yaml_config_fuzz.cc: yaml-cpp's BadConversion escaped ConfigFile::parse.
TEST(Config, ListOrMappingAsAKeyIsAConfigError) {
  EXPECT_NE(
      error_of("{[a, b]: 1}\n", [](ConfigNode) {}).find("agent.yaml:1: a list is a mapping key"),
      std::string::npos);
  EXPECT_NE(error_of("k: &k {x: 1}\nm:\n  *k : 2\n", [](ConfigNode) {})
                .find("agent.yaml:3: alias *k is a mapping key"),
            std::string::npos);
}

TEST(Config, AliasesWithinTheLimitsStillWork) {
  ConfigFile f = ConfigFile::parse(
      "base: &base {every: 5s}\njobs:\n  - *base\n  - *base\nlimit: &n 3\nalso: *n\n", "a.yaml",
      no_env());
  std::vector<ConfigNode> jobs = f.root().items("jobs");
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[1].get_duration("every", std::chrono::seconds(1)), std::chrono::seconds(5));
  EXPECT_EQ(f.root().get_int("also", 0, 0, 10), 3);
}

std::string load_error(const std::string& path) {
  try {
    ConfigFile::load(path, no_env());
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(Config, DirectoryFifoAndMissingFileAreClearErrors) {
  test::TempDir dir;
  EXPECT_EQ(load_error(dir.path()),
            "config error: " + dir.path() + ": cannot read: is a directory");
  EXPECT_EQ(load_error(dir.file("none.yaml")),
            "config error: " + dir.file("none.yaml") + ": cannot read: no such file");
  // A FIFO without a writer would block open() forever.
  ASSERT_EQ(mkfifo(dir.file("fifo").c_str(), 0600), 0);
  EXPECT_EQ(within_deadline([path = dir.file("fifo")] { return load_error(path); }),
            "config error: " + dir.file("fifo") + ": cannot read: is not a regular file (a FIFO)");
}

TEST(Config, MissingFileNamesPath) {
  try {
    ConfigFile::load("/nonexistent/agent.yaml");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/agent.yaml: cannot read"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace sentinel
