# The API actor's protocol: how Craton's own components (controllers, scheduler, node agents,
# the simulator's clients) use the cluster API, in envelopes instead of HTTP. The verbs,
# options and answers are kube-apiserver's (actors/api/README.md), so a component gets
# exactly what kubectl would; objects travel as their kinds' Cap'n Proto structs
# (schemas/api_meta.capnp, api_pod.capnp, ...), encoded as the store keeps them.
# Evolution rules: schemas/envelope.capnp.
@0xe7d8f0f55200d94a;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("craton::schema::api");

# One object: its kind's struct, encoded as a Cap'n Proto message (unpacked), and its
# resourceVersion (the store's mod revision; not inside the encoding).
struct ApiObject {
  object @0 :Data;
  resourceVersion @1 :Int64;
}

# A request; the envelope's correlation id pairs it with its answer (and a watch with its
# events). Objects and subresources are those of the HTTP API:
# /apis/<group>/<version>/namespaces/<namespace>/<resource>/<name>/<subresource>.
struct ApiRequest {
  verb @0 :Verb;
  enum Verb {
    get @0;
    list @1;
    watch @2;               # answered by ApiWatchEvents carrying this request's correlation id
    create @3;
    update @4;
    patch @5;
    delete @6;
    deleteCollection @7;
    stopWatch @8;           # ends the watch whose request had this envelope's correlation id
    probeWatch @9;          # is the watch with this envelope's correlation id still held? 200
                            # yes, 404 no (the API restarted): the watcher watches again
  }
  group @1 :Text;           # "" for the core group
  version @2 :Text;
  resource @3 :Text;        # plural, as discovery names it
  namespace @4 :Text;
  name @5 :Text;
  subresource @6 :Text;     # status | binding | eviction | scale
  # create, update: the object (the subresource's kind: Binding, Eviction, Scale; else the
  # resource's). delete: DeleteOptions, optional.
  object @7 :Data;
  patch @8 :Text;           # patch: the patch document
  patchType @9 :PatchType;
  enum PatchType {
    merge @0;               # application/merge-patch+json
    json @1;                # application/json-patch+json
    strategic @2;           # application/strategic-merge-patch+json
  }
  labelSelector @10 :Text;
  fieldSelector @11 :Text;
  resourceVersion @12 :Text;     # "" | "0" | a revision, as the query parameter
  resourceVersionMatch @13 :Text;
  limit @14 :Int64;
  continue @15 :Text;
  timeoutSeconds @16 :Int64;     # watch; 0: the server's default
  allowWatchBookmarks @17 :Bool;
  dryRun @18 :Bool;
  propagationPolicy @19 :Text;   # Orphan | Background | Foreground
}

# Kubernetes' Status for a refusal: reason (NotFound, Conflict, Invalid, ...), message and
# per-field causes.
struct ApiStatus {
  reason @0 :Text;
  message @1 :Text;
  causes @2 :List(Cause);
  struct Cause {
    type @0 :Text;
    message @1 :Text;
    field @2 :Text;
  }
}

struct ApiResponse {
  code @0 :Int32;                # the HTTP status kube-apiserver answers (200, 201, 404, ...)
  status @1 :ApiStatus;          # when code >= 300
  object @2 :ApiObject;          # get, create, update, patch, delete
  items @3 :List(ApiObject);     # list
  listRevision @4 :Int64;        # list: the revision it is at
  continue @5 :Text;             # list: the next page's token
  remainingItemCount @6 :Int64;  # list: -1 when unknown
  warnings @7 :List(Text);
  watchEventsSent @8 :UInt64;    # probeWatch answered 200: events the watch has sent so far
}

struct ApiWatchEvent {
  type @0 :Type;
  enum Type {
    added @0;
    modified @1;
    deleted @2;      # object: its last state
    bookmark @3;     # object empty; resourceVersion: every change up to it was sent
    error @4;        # status (410 Expired: watch again from a fresh list); the watch ends
    closed @5;       # the watch ended (timeout, server going away): watch again from the last
                     # resourceVersion received
  }
  object @1 :ApiObject;
  status @2 :ApiStatus;
  code @3 :Int32;    # error
}
