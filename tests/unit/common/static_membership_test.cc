// group_instance_id: ids Kafka accepts, stable, and never shared by two identities.
#include "common/static_membership.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace sentinel::kafka {
namespace {

bool acceptable(const std::string& id) {
  if (id.empty() || id.size() > 249 || id == "." || id == "..") return false;
  for (char c : id) {
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) return false;
  }
  return true;
}

TEST(GroupInstanceId, AnAcceptableIdentityIsKeptAsItIs) {
  EXPECT_EQ(group_instance_id("web-1_8083-archive.1-0"), "web-1_8083-archive.1-0");
}

TEST(GroupInstanceId, RefusedCharactersBecomeUnderscoresPlusAHashOfTheOriginal) {
  std::string id = group_instance_id("web-1:8083-alerts archive-0");
  EXPECT_TRUE(acceptable(id)) << id;
  EXPECT_EQ(id.rfind("web-1_8083-alerts_archive-0-", 0), 0u) << id;
  EXPECT_EQ(id, group_instance_id("web-1:8083-alerts archive-0")) << "stable across calls";
}

TEST(GroupInstanceId, IdentitiesThatLookAlikeAfterReplacementStayDistinct) {
  std::set<std::string> ids = {
      group_instance_id("host:8083-c-0"), group_instance_id("host_8083-c-0"),
      group_instance_id("host/8083-c-0"), group_instance_id("hôst:8083-c-0")};
  EXPECT_EQ(ids.size(), 4u);
  for (const auto& id : ids) EXPECT_TRUE(acceptable(id)) << id;
}

TEST(GroupInstanceId, LongIdentitiesAreCutToKafkasLimitAndStayDistinct) {
  std::string a(400, 'a'), b = a + "b";
  EXPECT_TRUE(acceptable(group_instance_id(a)));
  EXPECT_EQ(group_instance_id(a).size(), 249u);
  EXPECT_NE(group_instance_id(a), group_instance_id(b));
}

TEST(GroupInstanceId, EmptyAndDotIdentitiesGetAnAcceptableId) {
  for (const char* s : {"", ".", ".."}) EXPECT_TRUE(acceptable(group_instance_id(s))) << s;
}

}  // namespace
}  // namespace sentinel::kafka
