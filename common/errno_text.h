// Words for what a system call found, for error messages: an errno value as "No such file or
// directory (errno 2)", a file type as "a FIFO (named pipe)". Dependency-free (libc and the
// standard library), so the sink plugins link it too (sentinel_confined_fs, PIC).
#pragma once

#include <sys/types.h>

#include <string>

namespace sentinel {

// "strerror (errno N)": the text and the number, which names the cause unambiguously in a bug
// report whatever the locale.
std::string errno_text(int err);

// "a symbolic link", "a directory", "a FIFO (named pipe)", "a character device", "a block
// device", "a socket"; "not a regular file" for anything else that is not a regular file.
const char* file_type_name(mode_t mode);

}  // namespace sentinel
