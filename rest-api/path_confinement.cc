// Path confinement under archive.root.
#include "rest-api/path_confinement.h"

#include <filesystem>

namespace sentinel::connect {

namespace fs = std::filesystem;

namespace {

bool is_within(const fs::path& root, const fs::path& p) {
  auto r = root.begin();
  auto q = p.begin();
  for (; r != root.end(); ++r, ++q) {
    if (r->empty()) continue;  // trailing separator
    if (q == p.end() || *r != *q) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> confine_path(const std::string& root, const std::string& value,
                                        std::string* reason, bool root_pending) {
  if (root.empty()) return value;
  if (value.empty()) return value;  // standard output, no file
  if (value.find('\0') != std::string::npos) {
    *reason = "path contains a NUL character";
    return std::nullopt;
  }
  fs::path requested(value);
  for (const auto& part : requested) {
    if (part == "..") {
      *reason = "path must not contain '..' (it must stay under archive.root " + root + ")";
      return std::nullopt;
    }
  }
  std::error_code ec;
  fs::path real_root = root_pending ? fs::weakly_canonical(root, ec) : fs::canonical(root, ec);
  if (ec) {
    *reason = "archive.root " + root + " cannot be resolved: " + ec.message();
    return std::nullopt;
  }
  fs::path candidate = requested.is_absolute() ? requested.lexically_normal()
                                               : (fs::absolute(root) / requested).lexically_normal();
  fs::path lexical_root = fs::absolute(root).lexically_normal();
  if (!is_within(lexical_root, candidate) && !is_within(real_root, candidate)) {
    *reason = "path is outside archive.root " + root;
    return std::nullopt;
  }
  fs::path resolved = fs::weakly_canonical(candidate, ec);
  if (ec) {
    *reason = "path cannot be resolved: " + ec.message();
    return std::nullopt;
  }
  if (!is_within(real_root, resolved) || resolved == real_root) {
    *reason = resolved == real_root ? "path names archive.root itself, not a file in it"
                                    : "path escapes archive.root " + root + " through a symbolic link";
    return std::nullopt;
  }
  return resolved.string();
}

}  // namespace sentinel::connect
