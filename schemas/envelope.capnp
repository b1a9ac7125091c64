# The envelope: every message between Craton actors, local or remote, is one of these.
#
# Schema evolution rules (these files are a wire and disk format; break them and mixed-version
# clusters, rolling upgrades and old data directories break with them):
#   1. Never renumber, retype or reuse a field or union ordinal. Add new fields with the next
#      ordinal; a removed field is renamed `obsoleteXxx` and kept.
#   2. New union members go at the end. A receiver that does not know a member sees an unknown
#      discriminant and must drop the envelope (counted), never crash.
#   3. Defaults are part of the format: never change one.
#   4. Text is UTF-8; Data is opaque bytes. Sizes are bounded by the codec, not the schema.
#   5. A protocol that grows beyond a few structs gets its own file, imported here.
@0xeffa4fbbc8e12bda;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("craton::schema");
using Store = import "store.capnp";
using Api = import "api.capnp";

# A logical actor address: node id plus actor name, written "node/actor".
struct Address {
  node @0 :Text;
  actor @1 :Text;
}

struct Envelope {
  from @0 :Address;
  to @1 :Address;
  # Chosen by the requester, echoed in the reply; 0 means "no reply expected".
  correlationId @2 :UInt64;

  body :union {
    ping @3 :Ping;
    pong @4 :Pong;
    heartbeat @5 :Heartbeat;
    peerStatus @6 :PeerStatus;
    # The consistent store (schemas/store.capnp): replica to replica, client to replica.
    storeRaft @7 :Store.RaftMessage;
    storeRequest @8 :Store.StoreRequest;
    storeResponse @9 :Store.StoreResponse;
    # Snapshot transfer: a follower fetches a leader's state in chunks.
    storeSnapshotFetch @10 :Store.SnapshotFetch;
    storeSnapshotChunk @11 :Store.SnapshotChunk;
    # The cluster API (schemas/api.capnp): components to the API actor and back.
    apiRequest @12 :Api.ApiRequest;
    apiResponse @13 :Api.ApiResponse;
    apiWatchEvent @14 :Api.ApiWatchEvent;
  }
}

# Echo protocol: a Ping is answered with a Pong carrying the same seq and payload.
struct Ping {
  seq @0 :UInt64;
  payload @1 :Data;
}

struct Pong {
  seq @0 :UInt64;
  payload @1 :Data;
}

# Failure-detector heartbeat. `incarnation` grows each time the sender's node restarts, so a
# receiver can tell a restarted peer from a delayed message of its previous life.
struct Heartbeat {
  incarnation @0 :UInt64;
  seq @1 :UInt64;
}

# Local notification from the router: the link to `node` went up or down.
struct PeerStatus {
  node @0 :Text;
  up @1 :Bool;
}
