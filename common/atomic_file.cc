// Atomic, durable replacement of a file's contents (see atomic_file.h).
#include "common/atomic_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/errno_text.h"

namespace sentinel {
namespace {

// Far more than contention needs: a retry means another writer finished with the temporary file
// this one had opened (renamed it into place, or removed it).
constexpr int kMaxAttempts = 1000;

struct Names {
  int dir;            // every call works under this directory fd
  std::string name;   // the file, one component
  std::string tmp;    // name + ".tmp"
  std::string shown;  // the file, the temporary file and the directory in messages
  std::string shown_tmp;
  std::string shown_dir;
};

bool fail(const Names& n, const std::string& call, const std::string& file, int err,
          std::string* error) {
  if (error) *error = n.shown + ": " + call + " " + file + ": " + std::strerror(err);
  return false;
}

bool refuse(const Names& n, const std::string& what, mode_t mode, std::string* error) {
  if (error)
    *error =
        n.shown + ": " + what + "refused: it is " + file_type_name(mode) + ", not a regular file";
  return false;
}

// The temporary file, open for writing and locked: one this call created (so it has new_mode
// less the umask) and that is still the one at n.tmp. A temporary file that is there already
// belongs to a writer at work (its lock is waited for) or was left by one that died: it is
// removed and the creation tried again. -1 with *error otherwise.
int open_temporary(const Names& n, mode_t new_mode, std::string* error) {
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    struct stat st;
    if (::fstatat(n.dir, n.tmp.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode)) {
      refuse(n, "open " + n.shown_tmp + ": ", st.st_mode, error);
      return -1;
    }
    bool created = true;
    int fd = ::openat(n.dir, n.tmp.c_str(),
                      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, new_mode);
    if (fd < 0 && errno == EEXIST) {
      created = false;
      // O_NONBLOCK: something swapped in since the look above must not block the open.
      fd =
          ::openat(n.dir, n.tmp.c_str(), O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
      if (fd < 0 && errno == ENOENT) continue;  // its writer finished meanwhile
    }
    if (fd < 0) {
      fail(n, "open", n.shown_tmp, errno, error);
      return -1;
    }
    struct stat mine;
    if (::fstat(fd, &mine) != 0) {
      int err = errno;
      ::close(fd);
      fail(n, "fstat", n.shown_tmp, err, error);
      return -1;
    }
    if (!S_ISREG(mine.st_mode)) {
      ::close(fd);
      refuse(n, "open " + n.shown_tmp + ": ", mine.st_mode, error);
      return -1;
    }
    while (::flock(fd, LOCK_EX) != 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      fail(n, "flock", n.shown_tmp, err, error);
      return -1;
    }
    // Whoever held the lock before may have renamed or removed the file meanwhile.
    struct stat there;
    bool current = ::fstatat(n.dir, n.tmp.c_str(), &there, AT_SYMLINK_NOFOLLOW) == 0 &&
                   there.st_dev == mine.st_dev && there.st_ino == mine.st_ino;
    if (current && created) return fd;
    if (current && ::unlinkat(n.dir, n.tmp.c_str(), 0) != 0) {
      int err = errno;
      ::close(fd);
      fail(n, "unlink", n.shown_tmp + " (left by an earlier writer)", err, error);
      return -1;
    }
    ::close(fd);
  }
  if (error) {
    *error = n.shown + ": open " + n.shown_tmp + ": other writers kept replacing it (" +
             std::to_string(kMaxAttempts) + " attempts)";
  }
  return -1;
}

// The temporary file while this call owns it: removed unless it was renamed into place; the lock
// is held, through a second descriptor, until the rename is done.
struct Temporary {
  const Names& n;
  int fd = -1;
  int lock = -1;
  bool renamed = false;
  ~Temporary() {
    if (!renamed && (fd >= 0 || lock >= 0)) ::unlinkat(n.dir, n.tmp.c_str(), 0);
    if (fd >= 0) ::close(fd);
    if (lock >= 0) ::close(lock);
  }
};

// `confined`: the file at n.name must be a regular file when it exists (never a link); otherwise
// a link there is followed for the permission bits and replaced.
bool replace(const Names& n, std::string_view text, mode_t new_mode, bool confined,
             std::string* error) {
  int fd = open_temporary(n, new_mode, error);
  if (fd < 0) return false;
  Temporary t{n, fd};
  auto failed = [&](const char* call, const std::string& file) {
    int err = errno;
    return fail(n, call, file, err, error);
  };
  struct stat old;
  bool exists = ::fstatat(n.dir, n.name.c_str(), &old, confined ? AT_SYMLINK_NOFOLLOW : 0) == 0;
  if (exists && confined && !S_ISREG(old.st_mode)) return refuse(n, "", old.st_mode, error);
  // A file being replaced keeps its permissions.
  if (exists && S_ISREG(old.st_mode) && ::fchmod(t.fd, old.st_mode & 07777) != 0) {
    return failed("fchmod", n.shown_tmp);
  }
  const char* p = text.data();
  size_t left = text.size();
  while (left > 0) {
    ssize_t w = ::write(t.fd, p, left);
    if (w < 0) {
      if (errno == EINTR) continue;
      return failed("write", n.shown_tmp);
    }
    p += w;
    left -= static_cast<size_t>(w);
  }
  if (::fsync(t.fd) != 0) return failed("fsync", n.shown_tmp);
  t.lock = ::fcntl(t.fd, F_DUPFD_CLOEXEC, 0);
  if (t.lock < 0) return failed("dup", n.shown_tmp);
  int rc = ::close(t.fd);
  t.fd = -1;
  if (rc != 0) return failed("close", n.shown_tmp);
  if (::renameat(n.dir, n.tmp.c_str(), n.dir, n.name.c_str()) != 0) {
    return failed("rename", n.shown_tmp);
  }
  t.renamed = true;
  if (::fsync(n.dir) != 0) return failed("fsync directory", n.shown_dir);
  return true;
}

}  // namespace

bool write_file_atomically(const std::string& path, std::string_view text, mode_t new_mode,
                           std::string* error) {
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  if (base.empty() || base == "." || base == "..") {
    if (error) *error = path + ": open: " + std::strerror(EISDIR);
    return false;
  }
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) {
    if (error) *error = path + ": open directory " + dir + ": " + std::strerror(errno);
    return false;
  }
  Names n{dir_fd, base, base + ".tmp", path, path + ".tmp", dir};
  bool ok = replace(n, text, new_mode, false, error);
  ::close(dir_fd);
  return ok;
}

bool write_file_atomically_at(int dir_fd, const std::string& name, std::string_view text,
                              mode_t new_mode, std::string* error, const std::string& shown) {
  const std::string& s = shown.empty() ? name : shown;
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) {
    if (error) *error = s + ": expected one file name under a directory, not \"" + name + "\"";
    return false;
  }
  size_t slash = s.rfind('/');
  std::string dir =
      slash == std::string::npos ? "of " + s : (slash == 0 ? "/" : s.substr(0, slash));
  Names n{dir_fd, name, name + ".tmp", s, s + ".tmp", dir};
  return replace(n, text, new_mode, true, error);
}

}  // namespace sentinel
