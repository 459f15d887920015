/* Write-fault injection for the full-disk test, loaded with LD_PRELOAD into sentinel-connect.
 * While the file named by SENTINEL_ENOSPC_TRIGGER exists, writes to files whose path starts with
 * SENTINEL_ENOSPC_PREFIX behave like a filling disk: a large write is cut short (half of it
 * lands, as on a real disk running out of blocks mid-write), a small one fails with ENOSPC.
 * Removing the trigger file "frees space". Works unprivileged in any container. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static int disk_full_for(int fd) {
  const char* trigger = getenv("SENTINEL_ENOSPC_TRIGGER");
  const char* prefix = getenv("SENTINEL_ENOSPC_PREFIX");
  if (!trigger || !prefix || access(trigger, F_OK) != 0) return 0;
  char link[64], path[4096];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof path - 1);
  if (n <= 0) return 0;
  path[n] = '\0';
  return strncmp(path, prefix, strlen(prefix)) == 0;
}

ssize_t write(int fd, const void* buf, size_t count) {
  static ssize_t (*real_write)(int, const void*, size_t);
  if (!real_write) real_write = (ssize_t(*)(int, const void*, size_t))dlsym(RTLD_NEXT, "write");
  if (disk_full_for(fd)) {
    if (count > 64) return real_write(fd, buf, count / 2);
    errno = ENOSPC;
    return -1;
  }
  return real_write(fd, buf, count);
}
