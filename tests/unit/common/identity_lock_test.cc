// IdentityLock: one holder per name, the holder named to whoever is refused, released with the
// holder (here the object; in production the process, however it ends).
#include "common/identity_lock.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

namespace sentinel {
namespace {

std::string unique_name(const std::string& what) {
  return "identity-lock-test " + what + " " + std::to_string(getpid());
}

TEST(IdentityLock, ASecondHolderIsRefusedAndToldWhoHoldsIt) {
  int holder = -1;
  std::string error;
  auto first = IdentityLock::acquire(unique_name("a"), &holder, &error);
  ASSERT_TRUE(first) << error;
  auto second = IdentityLock::acquire(unique_name("a"), &holder, &error);
  EXPECT_FALSE(second);
  EXPECT_EQ(holder, getpid());
  EXPECT_EQ(error, "held by process " + std::to_string(getpid()));
  auto other = IdentityLock::acquire(unique_name("b"), &holder, &error);
  EXPECT_TRUE(other) << "another name is another lock: " << error;
}

TEST(IdentityLock, ReleasedWithItsHolder) {
  int holder = 0;
  std::string error;
  {
    auto lock = IdentityLock::acquire(unique_name("c"), &holder, &error);
    ASSERT_TRUE(lock);
  }
  EXPECT_TRUE(IdentityLock::acquire(unique_name("c"), &holder, &error)) << error;
}

TEST(IdentityLock, AProcessKilledWhileHoldingItReleasesIt) {
  const std::string name = unique_name("d");  // the parent's pid, in both processes
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t child = fork();
  if (child == 0) {
    int h = 0;
    std::string e;
    auto lock = IdentityLock::acquire(name, &h, &e);
    char ok = lock ? 'y' : 'n';
    (void)!write(fds[1], &ok, 1);
    pause();  // until SIGKILL
    _exit(0);
  }
  char ok = 0;
  ASSERT_EQ(read(fds[0], &ok, 1), 1);
  ASSERT_EQ(ok, 'y');
  int holder = 0;
  std::string error;
  EXPECT_FALSE(IdentityLock::acquire(name, &holder, &error));
  EXPECT_EQ(holder, child);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  EXPECT_TRUE(IdentityLock::acquire(name, &holder, &error)) << error;
  close(fds[0]);
  close(fds[1]);
}

TEST(IdentityLock, NamesLongerThanASocketPathStillLock) {
  std::string name = unique_name(std::string(300, 'x'));
  int holder = 0;
  std::string error;
  auto first = IdentityLock::acquire(name, &holder, &error);
  ASSERT_TRUE(first) << error;
  EXPECT_FALSE(IdentityLock::acquire(name, &holder, &error));
  EXPECT_TRUE(IdentityLock::acquire(name + "y", &holder, &error)) << "distinct long names";
}

}  // namespace
}  // namespace sentinel
