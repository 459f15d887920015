// Basic auth against crypt(3) hashes.
#include "rest-api/basic_auth.h"

#include <crypt.h>
#include <fmt/format.h>

#include <cstring>
#include <optional>
#include <sstream>

#include "common/whole_file.h"

namespace sentinel::connect {

std::string base64_decode(const std::string& in, bool* ok) {
  static const std::string chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int val = 0, bits = -8;
  *ok = true;
  for (char c : in) {
    if (c == '=') break;
    size_t pos = chars.find(c);
    if (pos == std::string::npos) {
      *ok = false;
      return "";
    }
    val = (val << 6) + static_cast<int>(pos);
    bits += 6;
    if (bits >= 0) {
      out += static_cast<char>((val >> bits) & 0xFF);
      bits -= 8;
    }
  }
  return out;
}

bool BasicAuth::load(const std::string& path, std::string* error) {
  std::string why;
  std::optional<std::string> text = read_whole_file(path, &why);
  if (!text) {
    *error = fmt::format("credentials file {}: cannot read: {}", path, why);
    return false;
  }
  std::istringstream in(*text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    size_t colon = line.find(':');
    std::string hash = colon == std::string::npos ? "" : line.substr(colon + 1);
    if (colon == 0 || colon == std::string::npos || hash.size() < 4 || hash[0] != '$') {
      *error = fmt::format("credentials file {}:{}: expected user:$id$salt$hash (a crypt(3) hash, e.g. from "
                           "`openssl passwd -6`); plain text passwords are not accepted",
                           path, n);
      return false;
    }
    hashes_[line.substr(0, colon)] = hash;
  }
  if (hashes_.empty()) {
    *error = fmt::format("credentials file {}: no users", path);
    return false;
  }
  return true;
}

bool BasicAuth::check(const std::string& authorization) {
  if (authorization.rfind("Basic ", 0) != 0) return false;
  {
    std::lock_guard lock(mu_);
    if (verified_.count(authorization)) return true;
  }
  bool ok = false;
  std::string decoded = base64_decode(authorization.substr(6), &ok);
  size_t colon = decoded.find(':');
  if (!ok || colon == std::string::npos) return false;
  auto it = hashes_.find(decoded.substr(0, colon));
  if (it == hashes_.end()) return false;
  struct crypt_data data;
  std::memset(&data, 0, sizeof data);
  const char* result = crypt_r(decoded.substr(colon + 1).c_str(), it->second.c_str(), &data);
  if (!result || result[0] == '*' || it->second != result) return false;
  std::lock_guard lock(mu_);
  if (verified_.size() > 256) verified_.clear();
  verified_.insert(authorization);
  return true;
}

}  // namespace sentinel::connect
