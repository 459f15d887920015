// Confined filesystem calls under a root directory fd: openat2 resolution with a component-walk
// fallback, and the regular-file rules (see confined_fs.h).
#include "common/confined_fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "common/errno_text.h"

namespace sentinel::confined {
namespace {

std::atomic<bool> openat2_missing{false};  // openat2 answered ENOSYS once
std::atomic<bool> walk_forced{false};

bool walk_from_env() {
  static const bool on = [] {
    const char* v = std::getenv("SENTINEL_TEST_CONFINED_FS_WALK");
    return v && std::strcmp(v, "1") == 0;
  }();
  return on;
}

// Keeps errno across the string building that follows a failed call.
struct SavedErrno {
  int err;
  SavedErrno() : err(errno) {}
  ~SavedErrno() { errno = err; }
};

struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int release() {
    int f = fd;
    fd = -1;
    return f;
  }
};

// The errno a refused non-regular entry reports.
int refusal_errno(mode_t mode) {
  if (S_ISLNK(mode)) return ELOOP;
  if (S_ISDIR(mode)) return EISDIR;
  return ENXIO;
}

std::string refusal(const char* call, const std::string& shown, mode_t mode) {
  std::string head =
      std::string(call) + "(\"" + shown + "\"): refused: it is " + file_type_name(mode);
  if (S_ISLNK(mode)) return head + " (archive files are never opened through a link)";
  return head + ", not a regular file";
}

// An fd opened O_NONBLOCK: a regular file gets its blocking mode back, anything else is closed
// and refused.
int finish_regular(int fd, int flags, const char* call, const std::string& shown,
                   std::string* error) {
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    SavedErrno saved;
    ::close(fd);
    *error = std::string("fstat(\"") + shown + "\"): " + errno_text(saved.err);
    return -1;
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    *error = refusal(call, shown, st.st_mode);
    errno = refusal_errno(st.st_mode);
    return -1;
  }
  if (!(flags & O_NONBLOCK)) {
    int fl = ::fcntl(fd, F_GETFL);
    if (fl < 0 || ::fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
      SavedErrno saved;
      ::close(fd);
      *error = std::string("fcntl(\"") + shown + "\", F_SETFL): " + errno_text(saved.err);
      return -1;
    }
  }
  return fd;
}

std::vector<std::string> components(const std::string& rel) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= rel.size() && !rel.empty()) {
    size_t slash = rel.find('/', start);
    out.push_back(
        rel.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

// "a/b/c" → ("a/b", "c"); "c" → ("", "c"); unconfined "/c" → ("/", "c").
void split_last(const std::string& rel, std::string* dir, std::string* base) {
  size_t slash = rel.rfind('/');
  if (slash == std::string::npos) {
    dir->clear();
    *base = rel;
    return;
  }
  *dir = slash == 0 ? "/" : rel.substr(0, slash);
  *base = rel.substr(slash + 1);
}

}  // namespace

bool using_openat2() { return !openat2_missing && !walk_forced && !walk_from_env(); }

void force_walk_for_testing(bool walk) { walk_forced = walk; }

std::shared_ptr<const Root> Root::open(const std::string& path, std::string* error) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  if (p.empty()) {
    *error = "archive.root is empty";
    return nullptr;
  }
  int fd = ::open(p.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    *error = "open(archive.root \"" + p + "\"): " + errno_text(errno);
    return nullptr;
  }
  return std::shared_ptr<const Root>(new Root(fd, p));
}

std::shared_ptr<const Root> Root::unconfined() {
  static const std::shared_ptr<const Root> none(new Root(-1, ""));
  return none;
}

Root::~Root() {
  if (fd_ >= 0) ::close(fd_);
}

bool Root::to_relative(const std::string& path, std::string* rel, std::string* error) const {
  if (!confined()) {
    *rel = path;
    if (path.empty()) {
      *error = "an empty path";
      errno = ENOENT;
      return false;
    }
    return true;
  }
  if (path.find('\0') != std::string::npos) {
    *error = "\"" + path + "\": the path contains a NUL character";
    errno = EINVAL;
    return false;
  }
  if (!path.empty() && path[0] == '/') {
    std::string prefix = path_ == "/" ? "/" : path_ + "/";
    if (path == path_) {
      rel->clear();
      return true;
    }
    if (path.compare(0, prefix.size(), prefix) != 0) {
      *error = "\"" + path + "\" is outside archive.root " + path_;
      errno = EXDEV;
      return false;
    }
    *rel = path.substr(prefix.size());
  } else {
    *rel = path == "." ? std::string() : path;
  }
  for (const std::string& c : components(*rel)) {
    if (c.empty() || c == "." || c == "..") {
      *error = "\"" + path + "\": the path component \"" + c +
               "\" is not allowed under archive.root " + path_ +
               " (expected names of directories and files beneath it)";
      errno = EXDEV;
      return false;
    }
  }
  return true;
}

int Root::resolve(const std::string& rel, int flags, mode_t mode, Failure* failure) const {
  const char* p = rel.empty() ? "." : rel.c_str();
  if (!confined()) {
    int fd = ::openat(AT_FDCWD, p, flags, mode);
    if (fd < 0) failure->err = errno;
    return fd;
  }
  if (using_openat2()) {
    struct open_how how;
    std::memset(&how, 0, sizeof how);
    how.flags = static_cast<uint64_t>(flags);
    how.mode = (flags & O_CREAT) ? mode : 0;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    for (int attempt = 0;; ++attempt) {
      long fd = ::syscall(SYS_openat2, fd_, p, &how, sizeof how);
      if (fd >= 0) return static_cast<int>(fd);
      // EAGAIN: the kernel could not rule out a racing ".." escape; it asks for a retry.
      if ((errno == EINTR || errno == EAGAIN) && attempt < 16) continue;
      if (errno != ENOSYS) {
        failure->err = errno;
        return -1;
      }
      openat2_missing = true;
      break;
    }
  }
  return walk(rel, flags, mode, failure);
}

// Without openat2: from the root fd one component at a time, never through a link.
int Root::walk(const std::string& rel, int flags, mode_t mode, Failure* failure) const {
  std::vector<std::string> parts = components(rel);
  if (parts.empty()) {
    int fd = ::openat(fd_, ".", flags, mode);
    if (fd < 0) failure->err = errno;
    return fd;
  }
  Fd held;
  int dir = fd_;
  std::string so_far;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    so_far += (i ? "/" : "") + parts[i];
    int next = ::openat(dir, parts[i].c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0) {
      failure->err = errno;
      failure->component = so_far;
      return -1;
    }
    Fd step(next);
    struct stat st;
    if (::fstat(next, &st) != 0) {
      failure->err = errno;
      failure->component = so_far;
      return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
      failure->err = S_ISLNK(st.st_mode) ? ELOOP : ENOTDIR;
      failure->component = so_far;
      return -1;
    }
    if (held.fd >= 0) ::close(held.fd);
    held.fd = step.release();
    dir = held.fd;
  }
  int fd = ::openat(dir, parts.back().c_str(), flags | O_NOFOLLOW, mode);
  if (fd < 0) {
    failure->err = errno;
    // O_DIRECTORY | O_NOFOLLOW on a link answers ENOTDIR: say it is a link.
    struct stat st;
    if ((errno == ELOOP || errno == ENOTDIR) &&
        ::fstatat(dir, parts.back().c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISLNK(st.st_mode)) {
      failure->err = ELOOP;
      failure->component = rel;
    }
    return -1;
  }
  if (flags & O_PATH) {
    // O_PATH | O_NOFOLLOW opens a link itself: a directory was asked for, so refuse it here.
    struct stat st {};
    if ((flags & O_DIRECTORY) && (::fstat(fd, &st) != 0 || !S_ISDIR(st.st_mode))) {
      bool link = S_ISLNK(st.st_mode);
      ::close(fd);
      failure->err = link ? ELOOP : ENOTDIR;
      failure->component = rel;
      return -1;
    }
  }
  return fd;
}

// "open(\"/r/x\"): refused: it leads outside …" for a call; "\"/r/x\" leads outside …" for a
// check (call == nullptr).
std::string Root::describe(const char* call, const std::string& path, const Failure& f) const {
  std::string quoted = "\"" + path + "\"";
  std::string head = call ? std::string(call) + "(" + quoted + "): " : quoted + ": ";
  std::string refused = call ? head + "refused: it " : quoted + " ";
  switch (f.err) {
    case EXDEV:
      return refused + "leads outside archive.root " + path_ +
             " through a symbolic link (only relative links that stay beneath it are followed)";
    case ELOOP:
      if (!f.component.empty() && !using_openat2()) {
        return head + "refused: \"" + f.component +
               "\" is a symbolic link, and without openat2 (Linux < 5.6) no link is followed under "
               "archive.root " +
               path_;
      }
      return refused +
             "goes through a symbolic link that is not followed (the file itself, or a /proc magic "
             "link)";
    case ENOTDIR:
      if (!f.component.empty()) return head + "\"" + f.component + "\" is not a directory";
      return head + errno_text(f.err);
    default:
      return head + errno_text(f.err);
  }
}

int Root::open_parent(const std::string& path, std::string* base, const char* call,
                      std::string* error) const {
  std::string rel, dir;
  if (!to_relative(path, &rel, error)) return -1;
  if (confined() && rel.empty()) {
    *error = std::string(call) + "(\"" + path + "\"): the path names archive.root itself";
    errno = EISDIR;
    return -1;
  }
  split_last(rel, &dir, base);
  Failure f;
  int fd = resolve(dir, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, &f);
  if (fd < 0) {
    *error = describe(call, path, f);
    errno = f.err;
  }
  return fd;
}

int Root::open_file(const std::string& path, int flags, mode_t mode, std::string* error) const {
  std::string rel;
  if (!to_relative(path, &rel, error)) return -1;
  if (confined() && rel.empty()) {
    *error = "open(\"" + path + "\"): refused: it is archive.root itself, a directory";
    errno = EISDIR;
    return -1;
  }
  // 1. A look without opening: a FIFO, device or socket is refused before any open of it.
  Failure f;
  int probe = resolve(rel, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0, &f);
  if (probe >= 0) {
    struct stat st;
    int rc = ::fstat(probe, &st);
    ::close(probe);
    if (rc == 0 && !S_ISREG(st.st_mode)) {
      *error = refusal("open", path, st.st_mode);
      errno = refusal_errno(st.st_mode);
      return -1;
    }
  } else if (f.err != ENOENT) {
    *error = describe("open", path, f);
    errno = f.err;
    return -1;
  }
  // 2. The open itself cannot block either (something swapped in meanwhile), and is checked again.
  f = Failure{};
  int fd = resolve(rel, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, mode, &f);
  if (fd < 0) {
    *error = describe("open", path, f);
    errno = f.err;
    return -1;
  }
  return finish_regular(fd, flags, "open", path, error);
}

int open_regular_at(int dir_fd, const std::string& name, int flags, mode_t mode, std::string* error,
                    const std::string& shown_as) {
  const std::string& shown = shown_as.empty() ? name : shown_as;
  struct stat st;
  if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode)) {
    *error = refusal("open", shown, st.st_mode);
    errno = refusal_errno(st.st_mode);
    return -1;
  }
  int fd =
      ::openat(dir_fd, name.c_str(), flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, mode);
  if (fd < 0) {
    SavedErrno saved;
    *error = "open(\"" + shown + "\"): " + errno_text(saved.err);
    return -1;
  }
  return finish_regular(fd, flags, "open", shown, error);
}

int Root::open_dir(const std::string& path, std::string* error) const {
  std::string rel;
  if (!to_relative(path, &rel, error)) return -1;
  Failure f;
  int fd = resolve(rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0, &f);
  if (fd < 0) {
    *error = describe("open", path, f);
    errno = f.err;
  }
  return fd;
}

bool Root::make_dirs(const std::string& dir, std::string* error) const {
  std::string rel;
  if (!to_relative(dir, &rel, error)) return false;
  return make_dirs_rel(rel, dir, error);
}

bool Root::make_dirs_rel(const std::string& rel, const std::string& shown,
                         std::string* error) const {
  Failure f;
  int fd = resolve(rel, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, &f);
  if (fd >= 0) {
    ::close(fd);
    return true;
  }
  if (f.err != ENOENT || rel.empty() || rel == "/") {
    *error = describe("mkdir", shown, f);
    errno = f.err;
    return false;
  }
  std::string parent, base;
  split_last(rel, &parent, &base);
  if (!make_dirs_rel(parent, shown, error)) return false;
  Failure pf;
  Fd pfd(resolve(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0, &pf));
  if (pfd.fd < 0) {
    *error = describe("mkdir", shown, pf);
    errno = pf.err;
    return false;
  }
  if (::mkdirat(pfd.fd, base.c_str(), 0755) == 0) {
    if (::fsync(pfd.fd) != 0) {
      SavedErrno saved;
      *error = "fsync(directory holding \"" + shown + "\"): " + errno_text(saved.err);
      return false;
    }
  } else if (errno != EEXIST) {
    SavedErrno saved;
    *error = "mkdir(\"" + shown + "\"): " + errno_text(saved.err);
    return false;
  }
  // Whatever is there now must resolve beneath the root as a directory (not a link out).
  Failure cf;
  int check = resolve(rel, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, &cf);
  if (check < 0) {
    *error = describe("mkdir", shown, cf);
    errno = cf.err;
    return false;
  }
  ::close(check);
  return true;
}

bool Root::rename(const std::string& from, const std::string& to, std::string* error) const {
  std::string from_base, to_base, why;
  Fd from_dir(open_parent(from, &from_base, "rename", &why));
  if (from_dir.fd < 0) {
    *error = why;
    return false;
  }
  Fd to_dir(open_parent(to, &to_base, "rename", &why));
  if (to_dir.fd < 0) {
    *error = why;
    return false;
  }
  if (::renameat(from_dir.fd, from_base.c_str(), to_dir.fd, to_base.c_str()) != 0) {
    SavedErrno saved;
    *error = "rename(\"" + from + "\", \"" + to + "\"): " + errno_text(saved.err);
    return false;
  }
  return true;
}

bool Root::unlink(const std::string& path, std::string* error) const {
  std::string base;
  Fd dir(open_parent(path, &base, "unlink", error));
  if (dir.fd < 0) return false;
  if (::unlinkat(dir.fd, base.c_str(), 0) != 0) {
    SavedErrno saved;
    *error = "unlink(\"" + path + "\"): " + errno_text(saved.err);
    return false;
  }
  return true;
}

bool Root::rmdir(const std::string& path) const {
  std::string base, why;
  Fd dir(open_parent(path, &base, "rmdir", &why));
  if (dir.fd < 0) return false;
  return ::unlinkat(dir.fd, base.c_str(), AT_REMOVEDIR) == 0;
}

bool Root::stat(const std::string& path, struct stat* st, std::string* error) const {
  std::string rel;
  if (!to_relative(path, &rel, error)) return false;
  if (confined() && rel.empty()) {
    if (::fstat(fd_, st) == 0) return true;
    SavedErrno saved;
    *error = "stat(\"" + path + "\"): " + errno_text(saved.err);
    return false;
  }
  std::string base;
  Fd dir(open_parent(path, &base, "stat", error));
  if (dir.fd < 0) return false;
  if (::fstatat(dir.fd, base.c_str(), st, AT_SYMLINK_NOFOLLOW) != 0) {
    SavedErrno saved;
    *error = "stat(\"" + path + "\"): " + errno_text(saved.err);
    return false;
  }
  return true;
}

bool Root::exists(const std::string& path) const {
  struct stat st;
  std::string error;
  return stat(path, &st, &error);
}

bool Root::truncate(const std::string& path, off_t length, std::string* error) const {
  Fd fd(open_file(path, O_WRONLY, 0, error));
  if (fd.fd < 0) return false;
  if (::ftruncate(fd.fd, length) != 0) {
    SavedErrno saved;
    *error = "truncate(\"" + path + "\", " + std::to_string(length) + "): " + errno_text(saved.err);
    return false;
  }
  return true;
}

bool Root::fsync_dir(const std::string& dir, std::string* error) const {
  Fd fd(open_dir(dir, error));
  if (fd.fd < 0) {
    *error = "fsync(directory) " + *error;
    return false;
  }
  if (::fsync(fd.fd) != 0) {
    SavedErrno saved;
    *error = "fsync(directory \"" + dir + "\"): " + errno_text(saved.err);
    return false;
  }
  return true;
}

bool Root::list(const std::string& dir, std::vector<Entry>* entries, std::string* error) const {
  int fd = open_dir(dir, error);
  if (fd < 0) return false;
  DIR* d = ::fdopendir(fd);
  if (!d) {
    SavedErrno saved;
    ::close(fd);
    *error = "fdopendir(\"" + dir + "\"): " + errno_text(saved.err);
    return false;
  }
  errno = 0;
  while (struct dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    Entry entry;
    entry.name = e->d_name;
    if (::fstatat(::dirfd(d), e->d_name, &entry.st, AT_SYMLINK_NOFOLLOW) == 0)
      entries->push_back(std::move(entry));
    errno = 0;
  }
  int err = errno;
  ::closedir(d);
  if (err != 0) {
    *error = "readdir(\"" + dir + "\"): " + errno_text(err);
    errno = err;
    return false;
  }
  return true;
}

bool Root::check_file_path(const std::string& path, std::string* error) const {
  std::string rel, dir, base;
  if (!to_relative(path, &rel, error)) return false;
  if (confined() && rel.empty()) {
    *error = "\"" + path + "\" names archive.root itself, not a file in it";
    return false;
  }
  split_last(rel, &dir, &base);
  // The longest existing directory prefix must resolve beneath the root; what does not exist yet
  // is created later one component at a time, each checked again.
  std::string existing = dir;
  for (;;) {
    Failure f;
    Fd fd(resolve(existing, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, &f));
    if (fd.fd >= 0) {
      if (existing != dir) return true;
      struct stat st;
      if (::fstatat(fd.fd, base.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode)) {
        *error = "\"" + path + "\" is " + file_type_name(st.st_mode) +
                 (S_ISLNK(st.st_mode) ? " (archive files are never opened through a link)"
                                      : ", not a regular file");
        return false;
      }
      return true;
    }
    if (f.err != ENOENT || existing.empty() || existing == "/") {
      *error = describe(nullptr, path, f);
      return false;
    }
    std::string up, name;
    split_last(existing, &up, &name);
    existing = up;
  }
}

}  // namespace sentinel::confined
