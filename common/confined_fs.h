// Filesystem calls confined beneath one directory (a sink's archive.root), checked at every call
// rather than once at validation: each path is resolved under a directory fd of the root, so no
// symbolic link (dangling, to a directory, to /, a /proc magic link), no ".." and no absolute path
// leads outside it, whatever was swapped in since the connector was validated.
//
// Resolution: Linux >= 5.6 uses openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS), which follows a
// relative link that stays beneath the root and refuses every other one. When openat2 answers
// ENOSYS (older kernels), a walk opens one component at a time with openat(O_NOFOLLOW) from the
// root fd and follows no link at all (stricter). Everywhere the last component of a path is never
// followed, and only regular files are opened as files: a FIFO, device, socket or directory is
// refused (O_PATH probe, then O_NONBLOCK open and fstat) before anything can block on it.
//
// Every other call works on a confined parent directory fd plus one name (mkdirat, renameat,
// unlinkat, fstatat, fdopendir), so none of them follows a link either. Dependency-free (libc and
// the standard library): sink plugins link it statically (sentinel_confined_fs, PIC).
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

namespace sentinel::confined {

class Root {
 public:
  // The directory `path` as the root. Opened once: renaming or replacing `path` later changes
  // nothing for this object. nullptr with *error naming the directory and the cause.
  static std::shared_ptr<const Root> open(const std::string& path, std::string* error);
  // No root (a worker without archive.root): paths are used as given, relative ones from the
  // working directory; the rules for the last component and for non-regular files still apply.
  static std::shared_ptr<const Root> unconfined();

  ~Root();
  Root(const Root&) = delete;
  Root& operator=(const Root&) = delete;

  bool confined() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }

  // Paths given to the calls below are absolute under path() or relative to it ("." is the root).
  // Components "", "." and ".." are refused, as is an absolute path outside the root. On failure
  // the calls set *error ("open(\"/r/a/x.log\"): refused: …") and leave errno at the cause
  // (ENOENT for a missing file, ELOOP for a link, EXDEV for an escape, ENXIO for a non-regular
  // file, EISDIR for a directory).

  // Opens a regular file (O_RDONLY / O_WRONLY / O_RDWR with O_CREAT, O_EXCL, O_TRUNC, O_APPEND);
  // O_CLOEXEC, O_NOFOLLOW and O_NOCTTY are always added. Returns the fd (blocking mode) or -1.
  int open_file(const std::string& path, int flags, mode_t mode, std::string* error) const;
  // Opens a directory (O_RDONLY | O_DIRECTORY) for fsync, fdopendir or *at calls; -1 on failure.
  int open_dir(const std::string& path, std::string* error) const;
  // Creates `dir` and its missing parents one component at a time (mkdirat under a confined
  // parent fd), fsyncing each directory that gained an entry.
  bool make_dirs(const std::string& dir, std::string* error) const;
  bool rename(const std::string& from, const std::string& to, std::string* error) const;
  bool unlink(const std::string& path, std::string* error) const;
  // Removes an empty directory; false (errno set) when it is not empty or cannot be removed.
  bool rmdir(const std::string& path) const;
  // lstat: the entry itself, never what a link points to.
  bool stat(const std::string& path, struct stat* st, std::string* error) const;
  bool exists(const std::string& path) const;
  bool truncate(const std::string& path, off_t length, std::string* error) const;
  bool fsync_dir(const std::string& dir, std::string* error) const;

  struct Entry {
    std::string name;
    struct stat st;  // lstat of the entry
  };
  // The entries of a directory ("." and ".." left out; entries that vanish while listed too).
  bool list(const std::string& dir, std::vector<Entry>* entries, std::string* error) const;

  // For validation, before anything is created: the existing part of `path` resolves beneath the
  // root, and the file, if it exists, is a regular file (not a link, FIFO, device, socket or
  // directory). The message names what is wrong ("… leads outside archive.root /r through a
  // symbolic link").
  bool check_file_path(const std::string& path, std::string* error) const;

 private:
  struct Failure {
    int err = 0;
    std::string component;  // the component a walk stopped at, when known
  };
  Root(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  bool to_relative(const std::string& path, std::string* rel, std::string* error) const;
  int resolve(const std::string& rel, int flags, mode_t mode, Failure* failure) const;
  int walk(const std::string& rel, int flags, mode_t mode, Failure* failure) const;
  int open_parent(const std::string& path, std::string* base, const char* call,
                  std::string* error) const;
  bool make_dirs_rel(const std::string& rel, const std::string& shown, std::string* error) const;
  std::string describe(const char* call, const std::string& path, const Failure& failure) const;

  int fd_ = -1;       // O_PATH directory fd of the root; -1 unconfined
  std::string path_;  // as opened, without a trailing '/'
};

// Opens the regular file `name` under the directory fd `dir_fd` (AT_FDCWD: from the working
// directory) with the rules of Root::open_file; messages show `shown` (default: `name`). For a
// confined dir_fd, `name` must be one component: it is not checked for '/' here.
int open_regular_at(int dir_fd, const std::string& name, int flags, mode_t mode, std::string* error,
                    const std::string& shown = {});

// True while openat2 is used (false after it answered ENOSYS, or while the walk is forced).
bool using_openat2();
// Tests: forces the component walk, as on a kernel without openat2. Process-wide. The
// environment variable SENTINEL_TEST_CONFINED_FS_WALK=1 does the same for a whole process (for
// integration tests; never set it in production — the walk is stricter, not weaker).
void force_walk_for_testing(bool walk);

}  // namespace sentinel::confined
