// Helpers shared by the raft*.cpp files that implement Raft; not part of the API.
#pragma once

#include <string>

#include "actors/store/raft/raft_message.hpp"
#include "runtime/assert.hpp"
#include "runtime/result.hpp"

// Messages are built with C++20 designated initializers that name only the fields a type
// uses; the others keep their declared defaults, which is what this warning flags.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace craton::raft::detail {

inline Error not_leader(NodeId lead) {
  return Error{"not_leader", lead == 0 ? "no leader is known"
                                       : "not the leader; leader is " + std::to_string(lead)};
}

/// Requests a follower forwards to its leader carry no term (as in etcd).
inline bool is_local_request(MessageType t) {
  return t == MessageType::read_index || t == MessageType::transfer_leader;
}

}  // namespace craton::raft::detail
