// MemberLinks: the store replica shell's links to the other members, kept in step with the
// replicated membership (Replica::member_addresses()) while the process runs.
//
// sync() opens a link (runtime/link.hpp) to every member it does not reach yet, reopens one
// whose address changed, and closes links to members that left; a closed link takes its route
// out of the router, so nothing more is sent to a removed member. Links are linked to the
// owning actor and end with it. Used by `craton store` (real processes); the simulator's
// network carries replicas' messages itself and does not use it. CAF side, not a logic core.
#pragma once

#include <caf/all.hpp>

#include <map>
#include <string>

#include "actors/store/raft/raft_types.hpp"
#include "runtime/environment.hpp"

namespace craton::store {

class MemberLinks {
 public:
  /// `addresses` are every member's "host:port" (this replica's own entry is skipped).
  void sync(caf::event_based_actor* self, ActorEnv& env, raft::NodeId self_id,
            const std::map<raft::NodeId, std::string>& addresses);
  std::size_t size() const { return links_.size(); }

 private:
  void close(caf::event_based_actor* self, raft::NodeId id);

  struct Open {
    std::string address;
    caf::actor link;
  };
  std::map<raft::NodeId, Open> links_;
};

}  // namespace craton::store
