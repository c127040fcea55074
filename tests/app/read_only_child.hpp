// Running a piece of a test where the data directory cannot be written (issue 12/10: the reading
// subcommands and the terminal's engine on a read-only data directory), shared by the app tests.
#pragma once

#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <functional>

namespace pos::testing {

// A copy of the assets the unprivileged child of inReadOnlyChild can read wherever the
// checkout lives (a clone in a private 0700 folder is out of "nobody"'s reach).
inline std::filesystem::path readableAssets(const std::filesystem::path& under) {
  namespace fs = std::filesystem;
  const auto to = under / "assets";
  fs::copy(POS_ASSETS_DIR, to, fs::copy_options::recursive);
  for (const auto& e : fs::recursive_directory_iterator(to))
    fs::permissions(e.path(), e.is_directory() ? fs::perms(0755) : fs::perms(0644));
  fs::permissions(to, fs::perms(0755));
  return to;
}

// Runs `body` in a child that cannot write `dir` (made read-only; as root, the child drops to
// "nobody" after the tree is given to it). The child's exit status is the test's verdict. The
// files inside stay writable by their owner: what runs in the child must not write them (a test
// may compare their bytes).
inline int inReadOnlyChild(const std::filesystem::path& dir, const std::function<int()>& body) {
  namespace fs = std::filesystem;
  const passwd* nobody = ::getpwnam("nobody");
  if (::geteuid() == 0) {
    if (!nobody) return 99;
    for (const auto& e : fs::recursive_directory_iterator(dir))
      (void)::chown(e.path().c_str(), nobody->pw_uid, nobody->pw_gid);
    (void)::chown(dir.c_str(), nobody->pw_uid, nobody->pw_gid);
    (void)::chown(dir.parent_path().c_str(), nobody->pw_uid, nobody->pw_gid);
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::geteuid() == 0 && (::setgid(nobody->pw_gid) != 0 || ::setuid(nobody->pw_uid) != 0))
      ::_exit(98);
    ::chmod(dir.c_str(), 0500);
    ::_exit(body());
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::chmod(dir.c_str(), 0700);
  if (::geteuid() == 0) {
    (void)::chown(dir.parent_path().c_str(), 0, 0);
    for (const auto& e : fs::recursive_directory_iterator(dir))
      (void)::chown(e.path().c_str(), 0, 0);
    (void)::chown(dir.c_str(), 0, 0);
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 97;
}

}  // namespace pos::testing
