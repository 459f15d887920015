// ${VAR} / ${VAR:-default} substitution.
#include "common/env_subst.h"

#include <gtest/gtest.h>

#include <map>

namespace sentinel {
namespace {

EnvLookup fake(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(EnvSubst, ReplacesSetVariable) {
  std::string error;
  auto out = substitute_env("a: ${HOST}\n", fake({{"HOST", "web-1"}}), &error);
  ASSERT_TRUE(out) << error;
  EXPECT_EQ(*out, "a: web-1\n");
}

TEST(EnvSubst, DefaultUsedWhenUnsetOrEmpty) {
  std::string error;
  EXPECT_EQ(*substitute_env("${A:-x}", fake({}), &error), "x");
  EXPECT_EQ(*substitute_env("${A:-x}", fake({{"A", ""}}), &error), "x");
  EXPECT_EQ(*substitute_env("${A:-x}", fake({{"A", "y"}}), &error), "y");
  EXPECT_EQ(*substitute_env("${A:-}", fake({}), &error), "");
}

TEST(EnvSubst, UnsetWithoutDefaultNamesVariableAndLine) {
  std::string error;
  int line = 0;
  auto out = substitute_env("a: 1\nb: ${SECRET}\n", fake({}), &error, &line);
  EXPECT_FALSE(out);
  EXPECT_EQ(line, 2);
  EXPECT_NE(error.find("SECRET is not set"), std::string::npos) << error;
}

TEST(EnvSubst, DollarDollarIsLiteralAndLoneDollarKept) {
  std::string error;
  EXPECT_EQ(*substitute_env("p: $$5 and $x", fake({}), &error), "p: $5 and $x");
}

TEST(EnvSubst, UnclosedAndInvalidNamesAreErrors) {
  std::string error;
  EXPECT_FALSE(substitute_env("a: ${OPEN\n", fake({}), &error));
  EXPECT_NE(error.find("without a closing"), std::string::npos) << error;
  EXPECT_FALSE(substitute_env("a: ${1BAD}", fake({}), &error));
  EXPECT_NE(error.find("expected ${NAME}"), std::string::npos) << error;
}

}  // namespace
}  // namespace sentinel
