// Basic auth against a crypt(3) credentials file: the whole decoded password is checked (a NUL
// byte does not cut it short), unknown users and wrong passwords are refused, and a verified
// header is remembered without being stored in clear.
#include "rest-api/basic_auth.h"

#include <crypt.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "tests/support/process.h"

namespace sentinel::connect {
namespace {

std::string basic(const std::string& user_pass) {
  std::string out(4 * ((user_pass.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(user_pass.data()),
                          static_cast<int>(user_pass.size()));
  out.resize(static_cast<size_t>(n));
  return "Basic " + out;
}

struct Auth {
  Auth() {
    crypt_data data{};
    std::string hash = crypt_r("s3cret", "$6$saltsalt$", &data);
    sentinel::test::write_file(dir.file("creds"), "# users\nadmin:" + hash + "\n");
    std::string error;
    EXPECT_TRUE(auth.load(dir.file("creds"), &error)) << error;
  }
  sentinel::test::TempDir dir;
  BasicAuth auth;
};

TEST(BasicAuth, TheWholePasswordIsChecked) {
  Auth a;
  EXPECT_TRUE(a.auth.check(basic("admin:s3cret")));
  EXPECT_TRUE(a.auth.check(basic("admin:s3cret")));  // remembered
  EXPECT_FALSE(a.auth.check(basic(std::string("admin:s3cret\0anything", 21))));
  EXPECT_FALSE(a.auth.check(basic(std::string("admin:s3cret\0", 13))));
  EXPECT_FALSE(a.auth.check(basic("admin:s3cre")));
  EXPECT_FALSE(a.auth.check(basic("admin:s3cretX")));
  EXPECT_FALSE(a.auth.check(basic("nobody:s3cret")));
  EXPECT_FALSE(a.auth.check(basic("admins3cret")));
  EXPECT_FALSE(a.auth.check("Bearer x"));
  EXPECT_FALSE(a.auth.check(""));
}

TEST(BasicAuth, PlainTextPasswordsAreRefusedAtLoad) {
  sentinel::test::TempDir dir;
  sentinel::test::write_file(dir.file("creds"), "admin:s3cret\n");
  BasicAuth auth;
  std::string error;
  EXPECT_FALSE(auth.load(dir.file("creds"), &error));
  EXPECT_NE(error.find("creds:1: expected user:$id$salt$hash"), std::string::npos) << error;
}

}  // namespace
}  // namespace sentinel::connect
