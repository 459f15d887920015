// URL path → key: query and fragment dropped, ids/uuids/hex replaced, custom rules, depth cap.
#include "records/url_key.h"

#include <gtest/gtest.h>

#include <regex>

namespace sentinel::records {
namespace {

TEST(PathNormalizer, QueryStringAndFragmentAreDropped) {
  PathNormalizer n;
  EXPECT_EQ(n.normalize("/api/orders?id=7&x=1"), "/api/orders");
  EXPECT_EQ(n.normalize("/docs/page#section-2"), "/docs/page");
  EXPECT_EQ(n.normalize("/docs/page?x=1#y"), "/docs/page");
  EXPECT_EQ(n.normalize("/?q=1"), "/");
}

TEST(PathNormalizer, RootAndEmptyPathAreSlash) {
  PathNormalizer n;
  EXPECT_EQ(n.normalize("/"), "/");
  EXPECT_EQ(n.normalize(""), "/");
  EXPECT_EQ(n.normalize("?only=query"), "/");
  EXPECT_EQ(n.normalize("///"), "/");
}

TEST(PathNormalizer, IdsUuidsAndLongHexAreReplaced) {
  PathNormalizer n;
  EXPECT_EQ(n.normalize("/api/orders/123"), "/api/orders/{id}");
  EXPECT_EQ(n.normalize("/api/orders/123/items/4"), "/api/orders/{id}/items/{id}");
  EXPECT_EQ(n.normalize("/u/0b5e3c7a-12ab-4cde-8f00-0123456789AB/profile"), "/u/{uuid}/profile");
  EXPECT_EQ(n.normalize("/blob/deadbeefdeadbeef"), "/blob/{hex}");
  EXPECT_EQ(n.normalize("/blob/deadbeefdeadbee"), "/blob/deadbeefdeadbee");  // 15: a word
  EXPECT_EQ(n.normalize("/v2/orders"), "/v2/orders");
  EXPECT_EQ(n.normalize("/a12"), "/a12");
  // Not quite a uuid (a dash out of place), not all hex either.
  EXPECT_EQ(n.normalize("/u/0b5e3c7a12-ab-4cde-8f00-0123456789ab"),
            "/u/0b5e3c7a12-ab-4cde-8f00-0123456789ab");
}

TEST(PathNormalizer, BuiltInsCanBeSwitchedOff) {
  PathNormalization config;
  config.ids = false;
  config.uuids = false;
  config.hex = false;
  PathNormalizer n(config);
  EXPECT_EQ(n.normalize("/api/orders/123"), "/api/orders/123");
  EXPECT_EQ(n.normalize("/blob/deadbeefdeadbeef"), "/blob/deadbeefdeadbeef");
}

TEST(PathNormalizer, CustomRulesApplyAfterBuiltInsInOrder) {
  PathNormalization config;
  config.rules = {{"[a-z]+-[0-9]+", "{slug}"}, {"user-.*", "{never}"}, {"@.+", "{user}"}};
  PathNormalizer n(config);
  EXPECT_EQ(n.normalize("/p/shoe-42"), "/p/{slug}");
  EXPECT_EQ(n.normalize("/p/user-42"), "/p/{slug}");  // the first matching rule wins
  EXPECT_EQ(n.normalize("/@alice/posts/9"), "/{user}/posts/{id}");
  EXPECT_EQ(n.normalize("/p/shoe-42x"), "/p/shoe-42x");  // the whole segment must match
}

TEST(PathNormalizer, BadRuleThrowsRegexError) {
  PathNormalization config;
  config.rules = {{"(unclosed", "x"}};
  EXPECT_THROW(PathNormalizer{config}, std::regex_error);
}

TEST(PathNormalizer, DeepPathsAreCutAtMaxSegments) {
  PathNormalization config;
  config.max_segments = 3;
  PathNormalizer n(config);
  EXPECT_EQ(n.normalize("/a/b/c"), "/a/b/c");
  EXPECT_EQ(n.normalize("/a/b/c/d/e"), "/a/b/c/\xE2\x80\xA6");
  EXPECT_EQ(n.normalize("/a/1/c/2?x"), "/a/{id}/c/\xE2\x80\xA6");
  PathNormalizer defaults;
  EXPECT_EQ(defaults.normalize("/1/2/3/4/5/6/7/8"), "/{id}/{id}/{id}/{id}/{id}/{id}/{id}/{id}");
  EXPECT_EQ(defaults.normalize("/1/2/3/4/5/6/7/8/9"),
            "/{id}/{id}/{id}/{id}/{id}/{id}/{id}/{id}/\xE2\x80\xA6");
}

TEST(PathNormalizer, PercentEncodingIsLeftAlone) {
  PathNormalizer n;
  EXPECT_EQ(n.normalize("/files/a%20b/%2Fetc"), "/files/a%20b/%2Fetc");
  EXPECT_EQ(n.normalize("/search/caf%C3%A9?q=1"), "/search/caf%C3%A9");
}

TEST(PathNormalizer, SlashesRunTogetherAndATrailingSlashIsKept) {
  PathNormalizer n;
  EXPECT_EQ(n.normalize("//api///orders//7"), "/api/orders/{id}");
  EXPECT_EQ(n.normalize("/api/orders/"), "/api/orders/");
}

TEST(PathNormalizer, AbsoluteFormTargetsKeepThePath) {
  PathNormalizer n;
  EXPECT_EQ(n.normalize("http://example.com/api/orders/9?x=1"), "/api/orders/{id}");
  EXPECT_EQ(n.normalize("https://example.com"), "/");
}

TEST(PathNormalizer, TheOutputStringIsReused) {
  PathNormalizer n;
  std::string out = "left over from before";
  n.normalize("/a/1", &out);
  EXPECT_EQ(out, "/a/{id}");
  out.reserve(256);
  const char* data = out.data();
  n.normalize("/api/orders/123/items/456/and/more", &out);
  EXPECT_EQ(out, "/api/orders/{id}/items/{id}/and/more");
  EXPECT_EQ(out.data(), data);  // no reallocation once grown
}

}  // namespace
}  // namespace sentinel::records
