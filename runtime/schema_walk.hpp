// SchemaWalk: reads every pointer of a Cap'n Proto message once, as its schema says, so that a
// pointer of the wrong kind (a list where Data is expected, a struct where Text is) throws
// here, in the decoder, and never later inside a handler. Cap'n Proto itself checks a
// pointer's kind only when the field is read.
//
// The walk is planned once per struct type from the compiled schema (pointer slots, groups,
// unions with their discriminant offsets) and then runs on the raw layout (AnyStruct), which
// is several times cheaper than the reflective DynamicStruct walk it replaces. Unknown union
// members and pointer slots beyond a struct's size (newer or older schema versions) are
// skipped, as Cap'n Proto's own getters would treat them.
//
// Thread-safe: plans are immutable after the first call for a schema (built under a lock).
#pragma once

#include <capnp/any.h>
#include <capnp/schema.h>

namespace craton {

/// Reads every pointer reachable from `root`, interpreted as `schema`. Throws kj::Exception on
/// malformed data. Depth is bounded by the message reader's nesting limit.
void walk_by_schema(capnp::StructSchema schema, capnp::AnyStruct::Reader root);

}  // namespace craton
