// check_host_path(): a hostPath volume's `type` as the kubelet checks it before a pod starts
// (pkg/volume/hostpath): DirectoryOrCreate and FileOrCreate create what is missing (a
// directory 0755 with its parents; an empty file 0644, never its parent directory); the
// others only check that the path exists and is of that type (following symlinks, as
// os.Stat does); "" checks nothing. Errors carry kube's messages
// ("hostPath type check failed: /x is not a directory").
#pragma once

#include <string>

#include "runtime/result.hpp"

namespace craton::agent::volumes {

Status check_host_path(const std::string& path, const std::string& type);

}  // namespace craton::agent::volumes
