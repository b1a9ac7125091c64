// Encoding of the API actor's protocol (schemas/api.capnp) from and into C++ values.
#include "actors/api/client/api_protocol.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include <kj/exception.h>

#include "actors/api/convert/string_map.hpp"
#include "runtime/flat_message.hpp"

namespace craton::api {

std::string delete_options(std::optional<std::int64_t> grace_period_s,
                           const std::string& uid_precondition) {
  nlohmann::json options{{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
  if (grace_period_s) options["gracePeriodSeconds"] = *grace_period_s;
  if (!uid_precondition.empty()) options["preconditions"] = {{"uid", uid_precondition}};
  return options.dump();
}

namespace {

namespace s = schema::api;

std::string bytes(capnp::Data::Reader d) {
  return std::string(reinterpret_cast<const char*>(d.begin()), d.size());
}

capnp::Data::Reader data(const std::string& b) {
  return capnp::Data::Reader(reinterpret_cast<const capnp::byte*>(b.data()), b.size());
}

void write_object(s::ApiObject::Builder out, const ApiObjectBytes& o) {
  out.setObject(data(o.bytes));
  out.setResourceVersion(o.resource_version);
}

ApiObjectBytes read_object(s::ApiObject::Reader in) {
  return ApiObjectBytes{bytes(in.getObject()), in.getResourceVersion()};
}

void write_failure(s::ApiStatus::Builder out, const ApiFailure& f) {
  out.setReason(f.reason);
  out.setMessage(f.message);
  auto causes = out.initCauses(unsigned(f.causes.size()));
  for (unsigned i = 0; i < f.causes.size(); ++i) {
    causes[i].setType(f.causes[i].type);
    causes[i].setMessage(f.causes[i].message);
    causes[i].setField(f.causes[i].field);
  }
}

ApiFailure read_failure(s::ApiStatus::Reader in) {
  ApiFailure f{text(in.getReason()), text(in.getMessage()), {}};
  for (auto c : in.getCauses())
    f.causes.push_back(ApiCause{text(c.getType()), text(c.getMessage()), text(c.getField())});
  return f;
}

// A first segment about the size of what `bytes` of payload make: most replies are a code or
// one object, and capnp's default first segment (8 KiB, zeroed) cost a pod binding's answer
// more than the rest of its encoding.
unsigned first_segment_words(std::size_t bytes) {
  return static_cast<unsigned>(std::min<std::size_t>(64 + bytes / sizeof(capnp::word) * 5 / 4,
                                                     capnp::SUGGESTED_FIRST_SEGMENT_WORDS * 64));
}

std::size_t payload_bytes(const ApiFailure& f) {
  std::size_t n = f.reason.size() + f.message.size();
  for (const auto& c : f.causes) n += c.type.size() + c.message.size() + c.field.size() + 32;
  return n;
}

std::size_t payload_bytes(const ApiReply& r) {
  std::size_t n = r.object.bytes.size() + r.continue_token.size() + payload_bytes(r.failure);
  for (const auto& item : r.items) n += item.bytes.size() + 32;
  for (const auto& w : r.warnings) n += w.size() + 8;
  return n;
}

std::size_t payload_bytes(const ApiEvent& e) {
  return e.object.bytes.size() + payload_bytes(e.failure);
}

template <class Root, class Value, class Write>
std::string encode(const Value& value, Write write) {
  capnp::MallocMessageBuilder message(first_segment_words(payload_bytes(value)));
  write(message.initRoot<Root>(), value);
  return flat_bytes(message);
}

// A malformed message is an Error, not an exception.
template <class Root, class Read>
auto decode(const std::string& bytes, Read read)
    -> Result<decltype(read(typename Root::Reader()))> {
  if (bytes.size() > kApiMessageBytesMax)
    return Error{"malformed",
                 "an API message over " + std::to_string(kApiMessageBytesMax) + " bytes"};
  auto message = FlatMessage::open(bytes);
  if (!message) return Error{"malformed", "not an API message: " + message.error().message};
  try {
    return read(message->root<Root>());
  } catch (const kj::Exception& e) {
    return Error{"malformed", std::string("not an API message: ") + e.getDescription().cStr()};
  }
}

}  // namespace

std::string encode_api_reply(const ApiReply& reply) {
  return encode<s::ApiResponse>(reply,
                                [](auto out, const ApiReply& r) { write_api_reply(out, r); });
}

std::string encode_api_event(const ApiEvent& event) {
  return encode<s::ApiWatchEvent>(event,
                                  [](auto out, const ApiEvent& e) { write_api_event(out, e); });
}

Result<ApiReply> decode_api_reply(const std::string& bytes) {
  auto r =
      decode<s::ApiResponse>(bytes, [](s::ApiResponse::Reader in) { return read_api_reply(in); });
  if (!r) return r.error();
  return std::move(*r);
}

Result<ApiEvent> decode_api_event(const std::string& bytes) {
  auto r = decode<s::ApiWatchEvent>(bytes,
                                    [](s::ApiWatchEvent::Reader in) { return read_api_event(in); });
  if (!r) return r.error();
  return std::move(*r);
}

const char* verb_name(ApiVerb verb) {
  switch (verb) {
    case ApiVerb::get:
      return "get";
    case ApiVerb::list:
      return "list";
    case ApiVerb::watch:
      return "watch";
    case ApiVerb::create:
      return "create";
    case ApiVerb::update:
      return "update";
    case ApiVerb::patch:
      return "patch";
    case ApiVerb::remove:
      return "delete";
    case ApiVerb::remove_collection:
      return "deletecollection";
    case ApiVerb::stop_watch:
      return "stopwatch";
    case ApiVerb::probe_watch:
      return "probewatch";
  }
  return "?";
}

void write_api_call(s::ApiRequest::Builder out, const ApiCall& c) {
  static constexpr s::ApiRequest::Verb verbs[] = {
      s::ApiRequest::Verb::GET,        s::ApiRequest::Verb::LIST,
      s::ApiRequest::Verb::WATCH,      s::ApiRequest::Verb::CREATE,
      s::ApiRequest::Verb::UPDATE,     s::ApiRequest::Verb::PATCH,
      s::ApiRequest::Verb::DELETE,     s::ApiRequest::Verb::DELETE_COLLECTION,
      s::ApiRequest::Verb::STOP_WATCH, s::ApiRequest::Verb::PROBE_WATCH};
  static constexpr s::ApiRequest::PatchType patches[] = {s::ApiRequest::PatchType::MERGE,
                                                         s::ApiRequest::PatchType::JSON,
                                                         s::ApiRequest::PatchType::STRATEGIC};
  out.setVerb(verbs[static_cast<int>(c.verb)]);
  out.setGroup(c.group);
  out.setVersion(c.version);
  out.setResource(c.resource);
  out.setNamespace(c.namespace_);
  out.setName(c.name);
  out.setSubresource(c.subresource);
  out.setObject(data(c.object));
  out.setPatch(c.patch);
  out.setPatchType(patches[static_cast<int>(c.patch_type)]);
  out.setLabelSelector(c.label_selector);
  out.setFieldSelector(c.field_selector);
  out.setResourceVersion(c.resource_version);
  out.setResourceVersionMatch(c.resource_version_match);
  out.setLimit(c.limit);
  out.setContinue(c.continue_token);
  out.setTimeoutSeconds(c.timeout_seconds);
  out.setAllowWatchBookmarks(c.allow_bookmarks);
  out.setDryRun(c.dry_run);
  out.setPropagationPolicy(c.propagation_policy);
}

Result<ApiCall> read_api_call(s::ApiRequest::Reader in) {
  ApiCall c;
  auto verb = static_cast<int>(in.getVerb());
  if (verb > static_cast<int>(ApiVerb::probe_watch))
    return Error{"malformed", "unknown API verb " + std::to_string(verb)};
  c.verb = static_cast<ApiVerb>(verb);
  auto patch = static_cast<int>(in.getPatchType());
  if (patch > static_cast<int>(ApiPatchType::strategic))
    return Error{"malformed", "unknown patch type " + std::to_string(patch)};
  c.patch_type = static_cast<ApiPatchType>(patch);
  c.group = text(in.getGroup());
  c.version = text(in.getVersion());
  c.resource = text(in.getResource());
  c.namespace_ = text(in.getNamespace());
  c.name = text(in.getName());
  c.subresource = text(in.getSubresource());
  c.object = bytes(in.getObject());
  c.patch = text(in.getPatch());
  c.label_selector = text(in.getLabelSelector());
  c.field_selector = text(in.getFieldSelector());
  c.resource_version = text(in.getResourceVersion());
  c.resource_version_match = text(in.getResourceVersionMatch());
  c.limit = in.getLimit();
  c.continue_token = text(in.getContinue());
  c.timeout_seconds = in.getTimeoutSeconds();
  c.allow_bookmarks = in.getAllowWatchBookmarks();
  c.dry_run = in.getDryRun();
  c.propagation_policy = text(in.getPropagationPolicy());
  return c;
}

void write_api_reply(s::ApiResponse::Builder out, const ApiReply& r) {
  out.setCode(r.code);
  write_failure(out.initStatus(), r.failure);
  write_object(out.initObject(), r.object);
  auto items = out.initItems(unsigned(r.items.size()));
  for (unsigned i = 0; i < r.items.size(); ++i) write_object(items[i], r.items[i]);
  out.setListRevision(r.list_revision);
  out.setContinue(r.continue_token);
  out.setRemainingItemCount(r.remaining_items);
  auto warnings = out.initWarnings(unsigned(r.warnings.size()));
  for (unsigned i = 0; i < r.warnings.size(); ++i) warnings.set(i, r.warnings[i]);
  out.setWatchEventsSent(r.watch_events_sent);
}

ApiReply read_api_reply(s::ApiResponse::Reader in) {
  ApiReply r;
  r.code = in.getCode();
  r.failure = read_failure(in.getStatus());
  r.object = read_object(in.getObject());
  for (auto item : in.getItems()) r.items.push_back(read_object(item));
  r.list_revision = in.getListRevision();
  r.continue_token = text(in.getContinue());
  r.remaining_items = in.getRemainingItemCount();
  for (auto w : in.getWarnings()) r.warnings.push_back(text(w));
  r.watch_events_sent = in.getWatchEventsSent();
  return r;
}

void write_api_event(s::ApiWatchEvent::Builder out, const ApiEvent& e) {
  static constexpr s::ApiWatchEvent::Type types[] = {
      s::ApiWatchEvent::Type::ADDED,   s::ApiWatchEvent::Type::MODIFIED,
      s::ApiWatchEvent::Type::DELETED, s::ApiWatchEvent::Type::BOOKMARK,
      s::ApiWatchEvent::Type::ERROR,   s::ApiWatchEvent::Type::CLOSED};
  out.setType(types[static_cast<int>(e.type)]);
  write_object(out.initObject(), e.object);
  write_failure(out.initStatus(), e.failure);
  out.setCode(e.code);
}

Result<ApiEvent> read_api_event(s::ApiWatchEvent::Reader in) {
  auto type = static_cast<int>(in.getType());
  if (type > static_cast<int>(ApiEventType::closed))
    return Error{"malformed", "unknown watch event type " + std::to_string(type)};
  return ApiEvent{static_cast<ApiEventType>(type), read_object(in.getObject()), in.getCode(),
                  read_failure(in.getStatus())};
}

}  // namespace craton::api
