// A container's file system, built inside its own mount namespace by the process that becomes
// the container (the shim's child, before exec): an overlayfs root over the image layers with
// the upper and work directories in the attempt's state directory, /proc, a minimal /dev (null
// zero full random urandom tty, /dev/pts, /dev/shm), read-only /sys, the pod's bind mounts,
// then pivot_root into it. Nothing here is visible on the host: the namespace is made private
// first, and the host's tree is detached after pivot_root.
#pragma once

#include <string>

#include "actors/agent/linux/state_files.hpp"
#include "runtime/result.hpp"

namespace craton::agent::linux_driver {

/// The overlay's mount point and its upper/work directories, all under the attempt's directory.
struct RootfsDirs {
  std::string rootfs;
  std::string upper;
  std::string work;
};
RootfsDirs rootfs_dirs(const std::string& attempt_dir);

/// Largest overlayfs option string the kernel takes (one page); more layers than fit is an error.
inline constexpr std::size_t kOverlayOptionsBytesMax = 4000;

/// "lowerdir=<top>:...:<base>,upperdir=...,workdir=..." or an error when too long.
Result<std::string> overlay_options(const std::vector<std::string>& layer_dirs_base_first,
                                    const RootfsDirs& dirs);

/// Must run in a fresh mount namespace of a single-threaded process: makes it private, mounts
/// the root, /proc, /dev, /sys and the bind mounts under dirs.rootfs.
Status build_container_rootfs(const ShimConfig& config);

/// pivot_root into config's rootfs and detaches the host's tree; the cwd becomes "/".
Status enter_container_rootfs(const ShimConfig& config);

}  // namespace craton::agent::linux_driver
