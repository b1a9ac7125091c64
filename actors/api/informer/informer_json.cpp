// The informer's wire forms: list pages and watch lines into typed objects.
#include "actors/api/informer/informer_json.hpp"

#include <nlohmann/json.hpp>

namespace craton::api {
namespace {

Error malformed(const std::string& what) {
  return Error{"malformed", what};
}

Result<InformerObject> decode_object(const KubeJson& codec, const nlohmann::json& json,
                                     capnp::StructSchema schema) {
  if (!json.is_object()) return malformed("an object that is not a JSON object");
  auto message = codec.decode_parsed(json, schema);
  if (!message) return message.error();
  return make_informer_object(std::shared_ptr<capnp::MallocMessageBuilder>(std::move(*message)),
                              schema);
}

Result<std::uint64_t> revision_in(const nlohmann::json& object) {
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return malformed("no metadata");
  auto rv = meta->find("resourceVersion");
  if (rv == meta->end() || !rv->is_string()) return malformed("no metadata.resourceVersion");
  return parse_resource_version(rv->get<std::string>());
}

Result<nlohmann::json> parse(std::string_view text) {
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return malformed("not a JSON object");
  return json;
}

}  // namespace

Result<ListPage> decode_list_page(const KubeJson& codec, std::string_view body,
                                  capnp::StructSchema item_schema) {
  auto json = parse(body);
  if (!json) return Error{"malformed", "list: " + json.error().message};
  ListPage page;
  auto rv = revision_in(*json);
  if (!rv) return Error{"malformed", "list: " + rv.error().message};
  page.resource_version = *rv;
  const auto& meta = (*json)["metadata"];
  if (auto c = meta.find("continue"); c != meta.end() && c->is_string())
    page.continue_token = c->get<std::string>();
  auto items = json->find("items");
  if (items != json->end() && !items->is_null()) {
    if (!items->is_array()) return malformed("list: items is not an array");
    for (const auto& item : *items) {
      auto object = decode_object(codec, item, item_schema);
      if (!object) return Error{"malformed", "list item: " + object.error().message};
      page.items.push_back(std::move(*object));
    }
  }
  return page;
}

Result<WatchEvent> decode_watch_event(const KubeJson& codec, std::string_view line,
                                      capnp::StructSchema item_schema) {
  auto json = parse(line);
  if (!json) return Error{"malformed", "watch event: " + json.error().message};
  auto type = json->find("type");
  auto object = json->find("object");
  if (type == json->end() || !type->is_string() || object == json->end() || !object->is_object())
    return malformed("watch event: no type or object");
  WatchEvent event;
  auto name = type->get<std::string>();
  if (name == "ERROR") {
    event.type = WatchEventType::error;
    if (auto code = object->find("code"); code != object->end() && code->is_number_integer())
      event.error_code = code->get<int>();
    if (auto m = object->find("message"); m != object->end() && m->is_string())
      event.error_message = m->get<std::string>();
    return event;
  }
  if (name == "BOOKMARK") {
    auto rv = revision_in(*object);
    if (!rv) return Error{"malformed", "bookmark: " + rv.error().message};
    event.type = WatchEventType::bookmark;
    event.resource_version = *rv;
    return event;
  }
  if (name == "ADDED")
    event.type = WatchEventType::added;
  else if (name == "MODIFIED")
    event.type = WatchEventType::modified;
  else if (name == "DELETED")
    event.type = WatchEventType::deleted;
  else
    return malformed("watch event: unknown type '" + name + "'");
  auto decoded = decode_object(codec, *object, item_schema);
  if (!decoded) return Error{"malformed", "watch event: " + decoded.error().message};
  event.resource_version = decoded->resource_version();
  event.object = std::move(*decoded);
  return event;
}

}  // namespace craton::api
