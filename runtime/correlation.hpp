// Correlation ids of an actor's requests, unique across its node's incarnations.
//
// A client actor (the simulator's clients, the API actor) keeps its address ("n1/client1") across
// restarts of its node, and a replica may answer a request of the previous incarnation after the
// restart (a leader answers when the entry applies). If each incarnation counted from 1, that late
// answer would carry the id of the new incarnation's request in flight and be taken as its answer:
// a write never sent would be recorded as applied (found as a linearizability failure, store-remote
// seed 73 with disk faults). Each incarnation therefore counts in its own range.
#pragma once

#include <cstdint>

namespace craton {

/// The first correlation id of a client in its node's `incarnation` (2^40 ids per incarnation).
inline std::uint64_t first_correlation_id(std::uint64_t incarnation) {
  return (incarnation << 40) + 1;
}

}  // namespace craton
