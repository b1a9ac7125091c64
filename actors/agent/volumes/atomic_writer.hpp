// write_atomic(): a directory of files replaced as one, as the kubelet's AtomicWriter does
// for configMap and secret volumes, so a running container that reads them sees the old set
// or the new set, never a mix.
//
// Layout under `dir`: the files live in a hidden timestamped directory
// (`..2026_12_06_07_01_02.AbC123/`); `..data` is a symlink to it, swapped with rename(2)
// (atomic); every user-visible top-level name is a symlink through `..data`
// (`key -> ..data/key`). An update writes a new timestamped directory, swaps `..data`, adds
// and removes the user-visible links, then deletes the old directory. A payload equal to what
// is there changes nothing. Names starting with ".." belong to the writer and are refused.
//
// Bad input (an absolute path, "..", an empty name, a mode beyond 0777) is an Error before
// anything is written; a failure while writing removes the new directory and leaves the old
// content visible.
#pragma once

#include <map>
#include <string>

#include "runtime/result.hpp"

namespace craton::agent::volumes {

struct FileContent {
  std::string data;
  int mode = 0644;
};

/// Relative path (may hold '/') -> content.
using Payload = std::map<std::string, FileContent>;

/// Limits that keep one bad object from filling the node's disk.
struct WriterLimits {
  std::size_t files_max = 1024;
  std::size_t bytes_max = 16 * 1024 * 1024;  ///< all files together (kube caps objects at 1 MiB)
};

/// Whether `path` may be a payload path: relative, no empty, "." or ".." part, not starting
/// with "..".
bool valid_payload_path(const std::string& path);

Status write_atomic(const std::string& dir, const Payload& payload,
                    const WriterLimits& limits = {});

}  // namespace craton::agent::volumes
