// PodVolumes: the VolumeHost a real node agent hands perform() (pod_driver_call.hpp): a
// pod's volumes made with materialize() from the service's VolumeSources, and removed with
// the pod's directory <volume_root>/<uid> once its sandbox is gone. Blocking file work and
// mounts; the service calls it off its actor threads, one pod's calls in order.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "actors/agent/core/pod_driver_call.hpp"
#include "actors/agent/core/volume_sources.hpp"

namespace craton::agent::volumes {

class PodVolumes final : public VolumeHost {
 public:
  /// `volume_root` must be PlanLimits::volume_root of the plans it is given.
  PodVolumes(std::string volume_root, std::shared_ptr<const VolumeSources> sources);

  /// Every volume in order; the first failure is returned (the others stay as they are).
  Status prepare(const std::string& pod_uid, const std::vector<VolumePlan>& volumes) override;
  Status remove(const std::string& pod_uid) override;

  /// Removes the volumes of every pod not in `keep` (the driver's and the API's pods): what
  /// a pod deleted while the agent was down left behind. Call once the API's list is in.
  /// Returns the first failure; the others are still tried.
  Status sweep(const std::set<std::string>& keep);

 private:
  std::string root_;
  std::shared_ptr<const VolumeSources> sources_;
};

}  // namespace craton::agent::volumes
