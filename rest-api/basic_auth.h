// HTTP basic authentication for the REST API from a credentials file of `user:hash` lines, where
// hash is a crypt(3) string such as `openssl passwd -6` or `mkpasswd -m yescrypt` prints. Plain
// text passwords are refused when the file is loaded.
#pragma once

#include <mutex>
#include <set>
#include <string>
#include <map>

namespace sentinel::connect {

class BasicAuth {
 public:
  // False with *error "credentials file F:3: expected user:$id$salt$hash" on a bad file.
  bool load(const std::string& path, std::string* error);
  // Checks an Authorization header value ("Basic dXNlcjpwYXNz").
  bool check(const std::string& authorization);
  size_t users() const { return hashes_.size(); }

 private:
  std::map<std::string, std::string> hashes_;
  std::mutex mu_;
  std::set<std::string> verified_;  // header values already checked, so crypt runs once per client
};

std::string base64_decode(const std::string& in, bool* ok);

}  // namespace sentinel::connect
