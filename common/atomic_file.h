// Replacing a file's contents atomically and durably: a reader sees the old bytes or the new ones,
// never a mixture, and once the call returns true the new bytes survive a crash.
//
// How: the text goes to `<path>.tmp` in the same directory, which is fsynced, closed (checked)
// and renamed over `path`, and the directory is fsynced. A replaced file keeps its permission
// bits; a new one gets `new_mode` (less the umask). The temporary file is removed when anything
// fails after it was created. Writers of the same path, threads or processes, take turns: each
// holds an flock on its temporary file until the rename, so no two interleave, and a temporary
// file a crash left behind is removed by the next writer (the name is always the same, so
// crashes never accumulate files). The temporary file is never followed through a symbolic link
// nor written when it is not a regular file (a FIFO, a directory... someone put there).
//
// Errors name the path, the call and the file: "<path>: rename <path>.tmp: Is a directory".
//
// Dependency-free (libc and the standard library), position-independent: the sink plugins link
// it statically (sentinel_confined_fs).
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

namespace sentinel {

// Replaces the file `path` (absolute, or relative to the working directory) with `text`. A
// symbolic link at `path` itself is replaced by the file (the link is not followed to write).
bool write_file_atomically(const std::string& path, std::string_view text, mode_t new_mode,
                           std::string* error);

// The same for the file `name`, one path component, in the directory `dir_fd` (opened O_RDONLY,
// e.g. confined beneath a root): only names under `dir_fd` are looked up, so nothing outside it
// is reached whatever links appear, and the file at `name` must be a regular file when it exists
// (a symbolic link, FIFO, device, socket or directory there is refused, not replaced). Messages
// show the file as `shown` (default: `name`).
bool write_file_atomically_at(int dir_fd, const std::string& name, std::string_view text,
                              mode_t new_mode, std::string* error, const std::string& shown = {});

}  // namespace sentinel
