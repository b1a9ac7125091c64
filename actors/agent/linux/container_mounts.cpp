// container_mounts.hpp: overlayfs root, /proc, /dev, /sys, bind mounts and pivot_root.
#include "actors/agent/linux/container_mounts.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace craton::agent::linux_driver {
namespace fs = std::filesystem;
namespace {

Error failure(const std::string& what) {
  return Error{"create_failed", what + ": " + std::strerror(errno)};
}

Status mount_at(const char* source, const std::string& target, const char* type,
                unsigned long flags, const char* data) {
  std::error_code ec;
  fs::create_directories(target, ec);
  if (::mount(source, target.c_str(), type, flags, data) != 0)
    return failure(std::string("mount ") + (type ? type : source) + " on " + target);
  return Ok{};
}

/// A file to bind a device or a file over (bind mounts need an existing target).
Status touch(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return failure("create " + path);
  ::close(fd);
  return Ok{};
}

Status bind(const std::string& source, const std::string& target, bool read_only) {
  std::error_code ec;
  if (fs::is_directory(source, ec)) {
    fs::create_directories(target, ec);
  } else {
    fs::create_directories(fs::path(target).parent_path(), ec);
    if (auto s = touch(target); !s) return s;
  }
  if (::mount(source.c_str(), target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
    return failure("bind " + source + " on " + target);
  if (read_only &&
      ::mount(nullptr, target.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr) != 0)
    return failure("remount read-only " + target);
  return Ok{};
}

Status build_dev(const std::string& rootfs) {
  std::string dev = rootfs + "/dev";
  if (auto s = mount_at("tmpfs", dev, "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
      !s)
    return s;
  // Bound from the host rather than mknod'ed: the same nodes, and it works in user namespaces.
  for (const char* node : {"null", "zero", "full", "random", "urandom", "tty"}) {
    if (auto s = bind(std::string("/dev/") + node, dev + "/" + node, false); !s) return s;
  }
  if (auto s = mount_at("devpts", dev + "/pts", "devpts", MS_NOSUID | MS_NOEXEC,
                        "newinstance,ptmxmode=0666,mode=0620");
      !s)
    return s;
  if (auto s = mount_at("shm", dev + "/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                        "mode=1777,size=65536k");
      !s)
    return s;
  const std::pair<const char*, const char*> links[] = {{"pts/ptmx", "ptmx"},
                                                       {"/proc/self/fd", "fd"},
                                                       {"/proc/self/fd/0", "stdin"},
                                                       {"/proc/self/fd/1", "stdout"},
                                                       {"/proc/self/fd/2", "stderr"}};
  for (const auto& [target, name] : links) {
    if (::symlink(target, (dev + "/" + name).c_str()) != 0)
      return failure("symlink /dev/" + std::string(name));
  }
  return Ok{};
}

}  // namespace

RootfsDirs rootfs_dirs(const std::string& attempt_dir) {
  return {attempt_dir + "/rootfs", attempt_dir + "/upper", attempt_dir + "/work"};
}

Result<std::string> overlay_options(const std::vector<std::string>& layer_dirs_base_first,
                                    const RootfsDirs& dirs) {
  if (layer_dirs_base_first.empty()) return Error{"create_failed", "the image has no layers"};
  std::string lower;
  // overlayfs lists the top-most layer first.
  for (auto it = layer_dirs_base_first.rbegin(); it != layer_dirs_base_first.rend(); ++it) {
    if (it->find_first_of(":,") != std::string::npos)
      return Error{"create_failed", "layer path " + *it + " holds ':' or ','"};
    if (!lower.empty()) lower += ':';
    lower += *it;
  }
  std::string options = "lowerdir=" + lower + ",upperdir=" + dirs.upper + ",workdir=" + dirs.work;
  if (options.size() > kOverlayOptionsBytesMax)
    return Error{"create_failed", "too many image layers for one overlay mount"};
  return options;
}

Status build_container_rootfs(const ShimConfig& config) {
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    return failure("make / private");
  RootfsDirs dirs = rootfs_dirs(config.attempt_dir);
  auto options = overlay_options(config.layer_dirs, dirs);
  if (!options) return options.error();
  for (const auto& dir : {dirs.rootfs, dirs.upper, dirs.work}) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return Error{"create_failed", "create " + dir + ": " + ec.message()};
  }
  if (auto s = mount_at("overlay", dirs.rootfs, "overlay", 0, options->c_str()); !s) return s;
  const std::string& root = dirs.rootfs;
  if (auto s = mount_at("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr);
      !s)
    return s;
  if (auto s = build_dev(root); !s) return s;
  if (auto s = mount_at("sysfs", root + "/sys", "sysfs",
                        MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr);
      !s)
    return s;
  for (const auto& m : config.mounts) {
    if (m.target.empty() || m.target[0] != '/' || m.target.find("..") != std::string::npos)
      return Error{"create_failed", "mount target '" + m.target + "' is not a clean absolute path"};
    if (auto s = bind(m.source, root + m.target, m.read_only); !s) return s;
  }
  return Ok{};
}

Status enter_container_rootfs(const ShimConfig& config) {
  std::string root = rootfs_dirs(config.attempt_dir).rootfs;
  if (::chdir(root.c_str()) != 0) return failure("chdir " + root);
  // pivot_root(".", "."): the old root is stacked under the new one and detached at once
  // (runc's way), so no directory for it is needed inside the image.
  if (::syscall(SYS_pivot_root, ".", ".") != 0) return failure("pivot_root");
  if (::umount2(".", MNT_DETACH) != 0) return failure("detach the host's root");
  if (::chdir("/") != 0) return failure("chdir /");
  return Ok{};
}

}  // namespace craton::agent::linux_driver
