// Basic auth against crypt(3) hashes.
#include "rest-api/basic_auth.h"

#include <crypt.h>
#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstring>
#include <memory>
#include <optional>
#include <sstream>

#include "common/whole_file.h"

namespace sentinel::connect {
namespace {

// crypt(3) calls allowed at once; the others wait their turn.
constexpr int kMaxConcurrentCrypt = 2;

std::string sha256(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), digest, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), len);
}

}  // namespace

std::string base64_decode(const std::string& in, bool* ok) {
  static const std::string chars =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
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
      *error = fmt::format(
          "credentials file {}:{}: expected user:$id$salt$hash (a crypt(3) hash, e.g. from "
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

bool BasicAuth::crypt_matches(const std::string& password, const std::string& hash) {
  {
    std::unique_lock lock(mu_);
    crypt_slot_.wait(lock, [&] { return crypt_running_ < kMaxConcurrentCrypt; });
    ++crypt_running_;
  }
  auto data = std::make_unique<crypt_data>();  // ~32 KiB: not on a connection thread's stack
  std::memset(data.get(), 0, sizeof *data);
  const char* result = crypt_r(password.c_str(), hash.c_str(), data.get());
  bool ok = result && result[0] != '*' && std::strlen(result) == hash.size() &&
            CRYPTO_memcmp(result, hash.data(), hash.size()) == 0;
  {
    std::lock_guard lock(mu_);
    --crypt_running_;
  }
  crypt_slot_.notify_one();
  return ok;
}

bool BasicAuth::check(const std::string& authorization) {
  if (authorization.rfind("Basic ", 0) != 0) return false;
  std::string digest = sha256(authorization);
  {
    std::lock_guard lock(mu_);
    if (verified_.count(digest)) return true;
  }
  bool ok = false;
  std::string decoded = base64_decode(authorization.substr(6), &ok);
  size_t colon = decoded.find(':');
  if (!ok || colon == std::string::npos) return false;
  std::string user = decoded.substr(0, colon);
  std::string password = decoded.substr(colon + 1);
  if (hashes_.empty()) return false;
  auto it = hashes_.find(user);
  bool known = it != hashes_.end();
  // crypt(3) reads a C string: "s3cret\0anything" would be checked as "s3cret".
  bool whole = password.find('\0') == std::string::npos;
  // An unknown user is hashed too (against another user's hash), so the answer takes as long.
  const std::string& hash = known ? it->second : hashes_.begin()->second;
  bool match = crypt_matches(whole ? password : std::string(), hash);
  if (!(known && whole && match)) return false;
  std::lock_guard lock(mu_);
  if (verified_.size() > 256) verified_.clear();
  verified_.insert(digest);
  return true;
}

}  // namespace sentinel::connect
