// Path templates: placeholders, date parts, stream keys and the patterns retention scans with.
#include "path_template.h"

#include <gtest/gtest.h>

#include <regex>

namespace sentinel::archive {
namespace {

std::tm day(int y, int m, int d) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = m - 1;
  tm.tm_mday = d;
  tm.tm_hour = 7;
  tm.tm_min = 5;
  tm.tm_sec = 9;
  return tm;
}

TEST(PathTemplate, RendersTopicPartitionAndDateParts) {
  std::string error;
  auto t = PathTemplate::parse("/a/{topic}/%Y/%m-%d/{topic}-{partition}.%H%M%S.log", &error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->render("alerts", 3, day(2024, 5, 1), &error),
            "/a/alerts/2024/05-01/alerts-3.070509.log");
  EXPECT_TRUE(t->has_topic());
  EXPECT_TRUE(t->has_partition());
  EXPECT_TRUE(t->has_date());
  EXPECT_EQ(t->stream_key("alerts", 3, &error), "/a/alerts/%Y/%m-%d/alerts-3.%H%M%S.log");
  EXPECT_EQ(t->state_root(), "/a");
  EXPECT_EQ(t->scan_root("alerts", 3), "/a/alerts");
}

TEST(PathTemplate, PercentPercentIsALiteralPercent) {
  std::string error;
  auto t = PathTemplate::parse("/a/100%%.log", &error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->render("x", 0, day(2024, 1, 1), &error), "/a/100%.log");
  EXPECT_FALSE(t->has_date());
  EXPECT_EQ(t->state_root(), "/a");
  EXPECT_EQ(t->scan_root("x", 0), "/a");
}

TEST(PathTemplate, UnknownPlaceholderAndDatePartAreNamedWithTheirPosition) {
  std::string error;
  EXPECT_FALSE(PathTemplate::parse("/a/{host}.log", &error));
  EXPECT_EQ(error, "unknown placeholder {host} at character 4: expected {topic} or {partition}");
  EXPECT_FALSE(PathTemplate::parse("/a/%A.log", &error));
  EXPECT_NE(error.find("unsupported date part %A at character 4"), std::string::npos) << error;
  EXPECT_FALSE(PathTemplate::parse("/a/{topic", &error));
  EXPECT_NE(error.find("unknown placeholder {topic at character 4"), std::string::npos) << error;
  EXPECT_FALSE(PathTemplate::parse("/a/dir/", &error));
  EXPECT_NE(error.find("must name a file"), std::string::npos);
}

TEST(PathTemplate, RegexMatchesEveryDateButNotOtherPartitions) {
  std::string error;
  auto t = PathTemplate::parse("/a/x.y-{partition}-%F.log", &error);
  ASSERT_TRUE(t);
  std::regex re(t->path_regex("t", 1));
  EXPECT_TRUE(std::regex_match("/a/x.y-1-2024-05-01.log", re));
  EXPECT_FALSE(std::regex_match("/a/x.y-11-2024-05-01.log", re));
  EXPECT_FALSE(std::regex_match("/a/xzy-1-2024-05-01.log", re));  // '.' is literal
}

// A topic named ".." (the dev broker accepts it) rendered into {topic} twice would climb two
// levels above the archive root; ".", an empty topic and '/' would leave their directory too.
TEST(PathTemplate, PlaceholdersNeverRenderDotDotDotOrEmptyComponents) {
  std::string error;
  auto t = PathTemplate::parse("/r/{topic}/{topic}/x-{partition}.log", &error);
  ASSERT_TRUE(t) << error;
  EXPECT_FALSE(t->render("..", 0, day(2024, 5, 1), &error));
  EXPECT_NE(error.find("topic \"..\" partition 0 has the path component \"..\""), std::string::npos)
      << error;
  EXPECT_FALSE(t->stream_key("..", 0, &error));
  EXPECT_FALSE(t->stream_key(".", 0, &error));
  EXPECT_FALSE(t->stream_key("", 0, &error));
  EXPECT_FALSE(t->stream_key("a/b", 0, &error));
  EXPECT_NE(error.find("holds '/'"), std::string::npos) << error;
  EXPECT_EQ(t->stream_key("...", 0, &error), "/r/.../.../x-0.log") << error;  // a legal topic name
  EXPECT_EQ(t->stream_key("..", 0, &error), std::nullopt);
  // Within one component the rest of the name keeps it harmless: "..-0.log" stays in /r.
  auto whole = PathTemplate::parse("/r/{topic}-{partition}.log", &error);
  ASSERT_TRUE(whole) << error;
  EXPECT_EQ(whole->stream_key("..", 0, &error), "/r/..-0.log");
  // A component of placeholders alone: "{topic}{partition}" cannot be "." or "..".
  auto glued = PathTemplate::parse("/r/{topic}.{topic}/x.log", &error);
  ASSERT_TRUE(glued) << error;
  EXPECT_FALSE(glued->stream_key("", 0, &error)) << "renders \".\"";
  // Literal dots are the template author's: "./x" is not a rendered component.
  auto literal = PathTemplate::parse("/r/./{topic}.log", &error);
  ASSERT_TRUE(literal) << error;
  EXPECT_TRUE(literal->stream_key("a", 0, &error)) << error;
}

}  // namespace
}  // namespace sentinel::archive
