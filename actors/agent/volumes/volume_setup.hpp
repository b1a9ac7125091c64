// materialize() and remove_pod_volumes(): a pod's volumes on the host, as the kubelet's
// volume plugins make them (pkg/volume/{emptydir,hostpath,configmap,secret}).
//
// - emptyDir: a directory 0777 under the pod's volume dir; medium Memory is a tmpfs mounted
//   on it (size=sizeLimit when one is given). Its content survives container restarts and
//   the agent's own restart (materialize never empties or remounts what is there).
// - hostPath: the type check (host_path_check.hpp); the host's path is used as it is.
// - configMap, secret: the object's keys (or the `items` selection) as files with
//   defaultMode / the item's mode, written by write_atomic() so an update is seen whole; a
//   secret's directory is a tmpfs (its values never touch the node's disk). A missing source
//   is an error unless `optional` (then the volume is empty), as is a missing item key.
//
// Every call is idempotent: the service calls materialize again to refresh a configMap. An
// invalid plan is an Error before anything is made. remove_pod_volumes() unmounts every mount
// under the pod's directory (deepest first) and deletes it; a hostPath is never under it.
#pragma once

#include <string>
#include <vector>

#include "actors/agent/core/pod_plan.hpp"
#include "actors/agent/core/volume_sources.hpp"
#include "actors/agent/volumes/atomic_writer.hpp"
#include "runtime/result.hpp"

namespace craton::agent::volumes {

/// The files a configMap or secret volume holds now (also used by tests).
Result<Payload> projected_payload(const VolumePlan& plan, const VolumeSources& sources);

Status materialize(const VolumePlan& plan, const VolumeSources& sources);

/// `pod_dir` is <volume_root>/<pod uid>; succeeds when it is already gone.
Status remove_pod_volumes(const std::string& pod_dir);

/// Mount points at `path` or below it, from /proc/self/mountinfo, deepest first.
std::vector<std::string> mounts_under(const std::string& path);

}  // namespace craton::agent::volumes
