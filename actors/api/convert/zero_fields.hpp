// ZeroFields: the Go fields without `omitempty` of one kind (Kind::zero_fields' dotted paths),
// compiled onto its schema for KubeJson::encode, which writes each as its zero (0, false, "")
// when the object leaves it out. Objects on the way are written (empty but for their zero
// fields) when missing, until the first list ("name[]"): inside a list's elements only what
// exists is filled (a ContainerStatus' state.terminated is a pointer: no terminated is made
// up). A segment the schema does not know ends its path (kinds_test checks every path).
#pragma once

#include <capnp/schema.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace craton::api {

struct ZeroFields {
  /// Written as its zero when absent (a field at a path's end).
  bool zero = false;
  /// The fields below this one, by field index (for a list of structs: its elements' fields).
  std::map<std::uint16_t, ZeroFields> fields;

  static ZeroFields of(capnp::StructSchema schema, const std::vector<std::string>& paths);
  /// Adds one dotted path under `schema` (this node's struct).
  void add(capnp::StructSchema schema, std::string_view path);
  /// The node of field `index`, or nullptr.
  const ZeroFields* find(std::uint16_t index) const;
};

}  // namespace craton::api
