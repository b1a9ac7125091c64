// The informer's HTTP wire forms, decoded into typed objects with KubeJson: a page of a LIST
// (`{"metadata":{"resourceVersion","continue"},"items":[...]}`) and one line of a WATCH
// stream (`{"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{...}}`). Pure functions:
// the HTTP driver calls them, and a test can feed them what a server sent. Every malformed
// input is an Error with code "malformed" naming what was wrong; nothing is half-decoded.
#pragma once

#include <capnp/schema.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "actors/api/convert/kube_json.hpp"
#include "actors/api/informer/informer.hpp"

namespace craton::api {

/// One page of a list.
struct ListPage {
  std::uint64_t resource_version = 0;
  std::string continue_token;  ///< empty on the last page
  std::vector<InformerObject> items;
};

/// A list page whose items are `item_schema` structs.
Result<ListPage> decode_list_page(const KubeJson& codec, std::string_view body,
                                  capnp::StructSchema item_schema);

/// One watch line (without its newline) whose objects are `item_schema` structs. A BOOKMARK
/// carries only its revision; an ERROR its Status code and message.
Result<WatchEvent> decode_watch_event(const KubeJson& codec, std::string_view line,
                                      capnp::StructSchema item_schema);

}  // namespace craton::api
