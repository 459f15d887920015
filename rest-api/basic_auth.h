// HTTP basic authentication for the REST API from a credentials file of `user:hash` lines, where
// hash is a crypt(3) string such as `openssl passwd -6` or `mkpasswd -m yescrypt` prints. Plain
// text passwords are refused when the file is loaded. The whole decoded password is checked (one
// with a NUL byte never matches: crypt(3) would see only the part before it), hashes are compared
// in constant time, an unknown user costs the same crypt(3) as a known one, and at most a few
// crypt(3) calls run at once (yescrypt takes megabytes each; the server runs up to
// sentinel.rest.max.connections requests at once).
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>

namespace sentinel::connect {

class BasicAuth {
 public:
  // False with *error "credentials file F:3: expected user:$id$salt$hash" on a bad file.
  bool load(const std::string& path, std::string* error);
  // Checks an Authorization header value ("Basic dXNlcjpwYXNz").
  bool check(const std::string& authorization);
  size_t users() const { return hashes_.size(); }

 private:
  bool crypt_matches(const std::string& password, const std::string& hash);

  std::map<std::string, std::string> hashes_;
  std::mutex mu_;
  // SHA-256 digests of header values already checked, so crypt runs once per client (digests, so
  // that looking one up tells nothing about the stored header values).
  std::set<std::string> verified_;
  std::condition_variable crypt_slot_;
  int crypt_running_ = 0;
};

std::string base64_decode(const std::string& in, bool* ok);

}  // namespace sentinel::connect
