// RotatingFileSink's configuration (sink_config.h): every key's documented default and the
// setting it gives, Connect-style sentences for values out of range or unknown ("Invalid value X
// for configuration K: …"), file/path exclusivity and the tasks.max rules.
#include "sink_config.h"

#include <gtest/gtest.h>

#include <set>

namespace sentinel::archive {
namespace {

using connect::Config;

// The one sentence check_sink_config gives for `key`, or "" when it has none or several.
std::string only_error(const Config& config, const std::string& key) {
  auto errors = check_sink_config(config);
  auto it = errors.find(key);
  if (it == errors.end() || it->second.size() != 1) return "";
  return it->second.front();
}

Config with_file(Config extra = {}) {
  extra.emplace("file", "/archive/alerts.log");
  return extra;
}

const connect::ConfigKey* find_key(const connect::ConfigDef& def, const std::string& name) {
  for (const auto& k : def) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

TEST(SinkConfig, DefinesEveryKeyOnceWithItsDocumentedDefault) {
  std::map<std::string, std::optional<std::string>> expected = {
      {"file", std::nullopt},        {"path", std::nullopt},
      {"format", "value"},           {"rotate.max.bytes", "104857600"},
      {"rotate.interval.ms", "-1"},  {"rotate.at.midnight", "false"},
      {"retention.max.files", "-1"}, {"retention.max.age.ms", "-1"},
      {"retention.max.bytes", "-1"}, {"compression", "gzip"},
      {"flush.interval.ms", "1000"}, {"flush.max.records", "50000"},
  };
  auto def = sink_config_def();
  std::set<std::string> seen;
  for (const auto& k : def) {
    EXPECT_TRUE(seen.insert(k.name).second) << k.name << " defined twice";
    ASSERT_TRUE(expected.count(k.name)) << "unexpected key " << k.name;
    EXPECT_EQ(k.default_value, expected[k.name]) << k.name;
    EXPECT_FALSE(k.documentation.empty()) << k.name;
  }
  EXPECT_EQ(seen.size(), expected.size());
  EXPECT_TRUE(find_key(def, "file")->is_output_path);
  EXPECT_TRUE(find_key(def, "path")->is_output_path);
  EXPECT_EQ(find_key(def, "format")->recommended_values,
            (std::vector<std::string>{"value", "envelope"}));
  EXPECT_EQ(find_key(def, "compression")->recommended_values,
            (std::vector<std::string>{"none", "gzip", "zstd"}));
}

TEST(SinkConfig, SettingsOfKeysLeftOutAreTheDefaults) {
  std::string error;
  auto s = parse_sink_settings(with_file(), &error);
  ASSERT_TRUE(s) << error;
  EXPECT_EQ(s->path.text(), "/archive/alerts.log");
  EXPECT_EQ(s->format, RecordFormat::kValue);
  EXPECT_EQ(s->rotation.max_bytes, 104857600);
  EXPECT_EQ(s->rotation.interval_ms, -1);
  EXPECT_FALSE(s->rotation.at_midnight);
  EXPECT_EQ(s->retention.max_files, -1);
  EXPECT_EQ(s->retention.max_age_ms, -1);
  EXPECT_EQ(s->retention.max_bytes, -1);
  EXPECT_EQ(s->compression, "gzip");
  EXPECT_EQ(s->flush_interval_ms, 1000);
  EXPECT_EQ(s->flush_max_records, 50000);
}

TEST(SinkConfig, EveryDefaultWrittenOutGivesTheSameSettingsAsLeavingItOut) {
  Config explicit_defaults = with_file();
  for (const auto& k : sink_config_def()) {
    if (k.default_value) explicit_defaults[k.name] = *k.default_value;
  }
  EXPECT_TRUE(check_sink_config(explicit_defaults).empty());
  std::string error;
  auto a = parse_sink_settings(with_file(), &error);
  auto b = parse_sink_settings(explicit_defaults, &error);
  ASSERT_TRUE(a && b) << error;
  EXPECT_EQ(a->format, b->format);
  EXPECT_EQ(a->rotation.max_bytes, b->rotation.max_bytes);
  EXPECT_EQ(a->rotation.interval_ms, b->rotation.interval_ms);
  EXPECT_EQ(a->rotation.at_midnight, b->rotation.at_midnight);
  EXPECT_EQ(a->retention.max_files, b->retention.max_files);
  EXPECT_EQ(a->retention.max_age_ms, b->retention.max_age_ms);
  EXPECT_EQ(a->retention.max_bytes, b->retention.max_bytes);
  EXPECT_EQ(a->compression, b->compression);
  EXPECT_EQ(a->flush_interval_ms, b->flush_interval_ms);
  EXPECT_EQ(a->flush_max_records, b->flush_max_records);
}

TEST(SinkConfig, EveryKeyIsParsedIntoItsSetting) {
  std::string error;
  auto s = parse_sink_settings(with_file({{"format", "envelope"},
                                          {"rotate.max.bytes", " 2048 "},
                                          {"rotate.interval.ms", "60000"},
                                          {"rotate.at.midnight", "true"},
                                          {"retention.max.files", "0"},
                                          {"retention.max.age.ms", "86400000"},
                                          {"retention.max.bytes", "9000000000"},
                                          {"compression", "zstd"},
                                          {"flush.interval.ms", "5"},
                                          {"flush.max.records", "1"}}),
                               &error);
  ASSERT_TRUE(s) << error;
  EXPECT_EQ(s->format, RecordFormat::kEnvelope);
  EXPECT_EQ(s->rotation.max_bytes, 2048);
  EXPECT_EQ(s->rotation.interval_ms, 60000);
  EXPECT_TRUE(s->rotation.at_midnight);
  EXPECT_EQ(s->retention.max_files, 0);
  EXPECT_EQ(s->retention.max_age_ms, 86400000);
  EXPECT_EQ(s->retention.max_bytes, 9000000000);
  EXPECT_EQ(s->compression, "zstd");
  EXPECT_EQ(s->flush_interval_ms, 5);
  EXPECT_EQ(s->flush_max_records, 1);
}

TEST(SinkConfig, NumbersBelowTheirMinimumAreNamedWithKeyAndValue) {
  struct Case {
    const char* key;
    const char* value;
    const char* expected;
  } cases[] = {
      {"rotate.max.bytes", "0",
       "Invalid value 0 for configuration rotate.max.bytes: Value must be at least 1 (or -1 to "
       "disable)"},
      {"rotate.interval.ms", "-2",
       "Invalid value -2 for configuration rotate.interval.ms: Value must be at least 1 (or -1 to "
       "disable)"},
      {"retention.max.files", "-5",
       "Invalid value -5 for configuration retention.max.files: Value must be at least 0 (or -1 to "
       "disable)"},
      {"retention.max.age.ms", "-3",
       "Invalid value -3 for configuration retention.max.age.ms: Value must be at least 0 (or -1 "
       "to disable)"},
      {"retention.max.bytes", "-9",
       "Invalid value -9 for configuration retention.max.bytes: Value must be at least 0 (or -1 to "
       "disable)"},
      {"flush.interval.ms", "0",
       "Invalid value 0 for configuration flush.interval.ms: Value must be at least 1"},
      {"flush.max.records", "-1",
       "Invalid value -1 for configuration flush.max.records: Value must be at least 1"},
  };
  for (const auto& c : cases) {
    Config config = with_file({{c.key, c.value}});
    EXPECT_EQ(only_error(config, c.key), c.expected);
    EXPECT_EQ(check_sink_config(config).size(), 1u) << c.key << ": only the key at fault is named";
    std::string error;
    EXPECT_FALSE(parse_sink_settings(config, &error));
    EXPECT_EQ(error, std::string(c.key) + ": " + c.expected);
  }
}

TEST(SinkConfig, MinusOneDisablesOnlyWhereDocumented) {
  for (const char* k : {"rotate.max.bytes", "rotate.interval.ms", "retention.max.files",
                        "retention.max.age.ms", "retention.max.bytes"}) {
    EXPECT_TRUE(check_sink_config(with_file({{k, "-1"}})).empty()) << k;
  }
  for (const char* k : {"flush.interval.ms", "flush.max.records"}) {
    EXPECT_FALSE(check_sink_config(with_file({{k, "-1"}})).empty()) << k;
  }
}

TEST(SinkConfig, NumbersThatAreNotLongsAreRefused) {
  for (const char* v : {"ten", "10x", "1.5", "", "99999999999999999999"}) {
    EXPECT_EQ(only_error(with_file({{"flush.max.records", v}}), "flush.max.records"),
              std::string("Invalid value ") + v +
                  " for configuration flush.max.records: Not a number of type LONG")
        << v;
  }
}

TEST(SinkConfig, UnknownFormatIsRefused) {
  EXPECT_EQ(only_error(with_file({{"format", "avro"}}), "format"),
            "Invalid value avro for configuration format: expected value or envelope");
  EXPECT_EQ(only_error(with_file({{"format", "Envelope"}}), "format"),
            "Invalid value Envelope for configuration format: expected value or envelope");
}

TEST(SinkConfig, UnknownCompressionIsRefused) {
  EXPECT_EQ(only_error(with_file({{"compression", "lz4"}}), "compression"),
            "Invalid value lz4 for configuration compression: expected none, gzip or zstd");
  std::string error;
  EXPECT_FALSE(parse_sink_settings(with_file({{"compression", "snappy"}}), &error));
  EXPECT_EQ(error,
            "compression: Invalid value snappy for configuration compression: expected none, gzip "
            "or zstd");
  for (const char* c : {"none", "gzip", "zstd"}) {
    EXPECT_TRUE(check_sink_config(with_file({{"compression", c}})).empty()) << c;
  }
}

TEST(SinkConfig, RotateAtMidnightIsABoolean) {
  EXPECT_EQ(only_error(with_file({{"rotate.at.midnight", "yes"}}), "rotate.at.midnight"),
            "Invalid value yes for configuration rotate.at.midnight: Expected value to be either "
            "true or false");
}

TEST(SinkConfig, ExactlyOneOfFileAndPathIsRequired) {
  auto neither = check_sink_config({});
  ASSERT_EQ(neither["file"].size(), 1u);
  EXPECT_EQ(neither["file"][0],
            "Missing required configuration: set file (one active file) or path (a template)");
  EXPECT_EQ(neither["path"], neither["file"]);
  EXPECT_FALSE(check_sink_config({{"file", "  "}}).empty()) << "a blank file is not a file";

  auto both = check_sink_config({{"file", "a.log"}, {"path", "{topic}.log"}});
  ASSERT_EQ(both["file"].size(), 1u);
  EXPECT_NE(both["file"][0].find("mutually exclusive"), std::string::npos) << both["file"][0];
  EXPECT_EQ(both["path"], both["file"]);
}

TEST(SinkConfig, FileIsTakenLiterallyAndRefusesBraces) {
  EXPECT_EQ(only_error({{"file", "/a/{topic}.log"}}, "file"),
            "Invalid value /a/{topic}.log for configuration file: '{' and '}' are not allowed in "
            "file (use path "
            "for a template)");
  std::string error;
  auto s = parse_sink_settings({{"file", "/a/100%-%Y.log"}}, &error);
  ASSERT_TRUE(s) << error;
  EXPECT_FALSE(s->path.has_date()) << "a '%' in file is not a date part";
}

TEST(SinkConfig, PathIsATemplate) {
  std::string error;
  auto s = parse_sink_settings({{"path", "/a/{topic}/%Y/{topic}-{partition}.log"}}, &error);
  ASSERT_TRUE(s) << error;
  EXPECT_TRUE(s->path.has_topic());
  EXPECT_TRUE(s->path.has_partition());
  EXPECT_TRUE(s->path.has_date());
  auto errors = check_sink_config({{"path", "/a/{host}.log"}});
  ASSERT_EQ(errors["path"].size(), 1u);
  EXPECT_EQ(errors["path"][0].rfind("Invalid value /a/{host}.log for configuration path: ", 0), 0u)
      << errors["path"][0];
}

TEST(SinkConfig, SeveralTasksNeedAFilePerPartition) {
  EXPECT_EQ(only_error({{"file", "/a/x.log"}, {"tasks.max", "2"}}, "tasks.max"),
            "Invalid value 2 for configuration tasks.max: with file, all partitions go to one "
            "file, which only "
            "one task may write: use tasks.max=1, or path with {partition}");
  EXPECT_EQ(
      only_error({{"path", "/a/{topic}.log"}, {"tasks.max", "3"}}, "path"),
      "Invalid value /a/{topic}.log for configuration path: with tasks.max=3 the path must contain "
      "{partition}, so that no two tasks write the same file");
  EXPECT_EQ(
      only_error({{"path", "/a/{partition}.log"}, {"tasks.max", "2"}, {"topics", "a,b"}}, "path"),
      "Invalid value /a/{partition}.log for configuration path: with tasks.max=2 the path must "
      "contain "
      "{partition} and {topic}, so that no two tasks write the same file");
  EXPECT_TRUE(
      check_sink_config({{"path", "/a/{partition}.log"}, {"tasks.max", "2"}, {"topics", "a"}})
          .empty());
  EXPECT_TRUE(check_sink_config({{"file", "/a/x.log"}, {"tasks.max", "1"}}).empty());
}

TEST(SinkConfig, AListedTopicThatWouldRenderAsDotDotIsRefused) {
  auto errors = check_sink_config({{"path", "/a/{topic}/x.log"}, {"topics", "alerts, .."}});
  ASSERT_EQ(errors["path"].size(), 1u);
  EXPECT_EQ(errors["path"][0].rfind("Invalid value /a/{topic}/x.log for configuration path: ", 0),
            0u)
      << errors["path"][0];
}

}  // namespace
}  // namespace sentinel::archive
