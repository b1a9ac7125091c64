// The API actor's protocol (actors/api/client/api_protocol.hpp) and its mapping onto the API
// service (actors/api/actor/api_call_http.hpp), without actors: messages round-trip; calls
// become the HTTP requests kube-apiserver would get; reads and watches in the native media
// type carry the stored bytes; answers become replies with Kubernetes' codes and causes.
// The actor itself runs in the simulator (tests/sim/api_scenario_test.cpp).
#define BOOST_TEST_MODULE api_envelopes
#include <boost/test/unit_test.hpp>

#include "actors/api/actor/api_call_http.hpp"
#include "runtime/flat_message.hpp"
#include "schemas/api_meta.capnp.h"
#include "schemas/api_pod.capnp.h"
#include "tests/api/api_fixture.hpp"

using namespace craton;
using namespace craton::api;
using craton::api::testing::Fixture;

namespace {

std::string config_map(const std::string& name, const std::string& value) {
  capnp::MallocMessageBuilder message;
  auto cm = message.initRoot<schema::k8s::ConfigMap>();
  cm.getMetadata().setName(name);
  auto e = cm.initData().initEntries(1)[0];
  e.setKey("v");
  e.setValue(value);
  return flat_bytes(message);
}

std::string value_of(const std::string& bytes) {
  auto message = FlatMessage::open(bytes);
  BOOST_REQUIRE(message.ok());
  auto cm = message->root<schema::k8s::ConfigMap>();
  return cm.getData().getEntries()[0].getValue();
}

ApiCall cms(ApiVerb verb, const std::string& name = "") {
  ApiCall c;
  c.verb = verb;
  c.resource = "configmaps";
  c.namespace_ = "default";
  c.name = name;
  return c;
}

// Runs a call through the fixture's service as the API actor does.
ApiReply run(Fixture& f, const ApiCall& call) {
  KubeJson codec;
  auto http = http_request_of(call, codec);
  BOOST_REQUIRE(http.ok());
  auto r = std::make_shared<testing::Recorder>();
  f.service->handle(std::move(*http), r);
  BOOST_REQUIRE(r->response.has_value());
  return reply_of(*r->response, call, codec);
}

// Collects a native watch's events.
struct NativeWatch final : Exchange {
  std::vector<ApiEvent> events;
  std::optional<HttpResponse> response;
  void respond(HttpResponse r) override { response = std::move(r); }
  void start_stream(int, const std::string&) override {}
  bool write(std::string piece) override {
    auto e = decode_api_event(piece);
    BOOST_REQUIRE(e.ok());
    events.push_back(*e);
    return true;
  }
  void end() override {}
};

}  // namespace

BOOST_AUTO_TEST_CASE(messages_round_trip) {
  auto call = cms(ApiVerb::patch, "x");
  call.patch = R"({"data":{"v":"1"}})";
  call.patch_type = ApiPatchType::strategic;
  call.label_selector = "a=b";
  call.limit = 7;
  call.allow_bookmarks = true;
  capnp::MallocMessageBuilder m;
  write_api_call(m.initRoot<schema::api::ApiRequest>(), call);
  auto back = read_api_call(m.getRoot<schema::api::ApiRequest>().asReader());
  BOOST_REQUIRE(back.ok());
  BOOST_TEST(back->patch == call.patch);
  BOOST_TEST((back->patch_type == ApiPatchType::strategic));
  BOOST_TEST(back->label_selector == "a=b");
  BOOST_TEST(back->limit == 7);
  BOOST_TEST(back->allow_bookmarks);

  ApiReply reply;
  reply.code = 422;
  reply.failure = ApiFailure{"Invalid", "bad", {ApiCause{"FieldValueInvalid", "m", "data"}}};
  reply.items = {ApiObjectBytes{config_map("a", "1"), 5}};
  auto decoded = decode_api_reply(encode_api_reply(reply));
  BOOST_REQUIRE(decoded.ok());
  BOOST_TEST(decoded->failure.causes == reply.failure.causes);
  BOOST_TEST(decoded->items == reply.items);
  BOOST_TEST(!decode_api_reply("not a message").ok());
}

BOOST_AUTO_TEST_CASE(calls_become_the_requests_kube_apiserver_gets) {
  KubeJson codec;
  auto create = cms(ApiVerb::create);
  create.object = config_map("game", "1");
  auto h = http_request_of(create, codec);
  BOOST_REQUIRE(h.ok());
  BOOST_TEST(h->method == "POST");
  BOOST_TEST(h->path == "/api/v1/namespaces/default/configmaps");
  // A create carries the object's own bytes: the service decodes them without JSON.
  BOOST_TEST(h->content_type == kApiMediaType);
  BOOST_TEST(h->body == create.object);
  BOOST_TEST(h->accept == kApiMediaType);

  auto watch = cms(ApiVerb::watch);
  watch.resource_version = "12";
  watch.timeout_seconds = 30;
  h = http_request_of(watch, codec);
  BOOST_TEST(h->query["watch"] == "1");
  BOOST_TEST(h->query["resourceVersion"] == "12");
  BOOST_TEST(h->query["timeoutSeconds"] == "30");

  ApiCall bind;
  bind.verb = ApiVerb::create;
  bind.resource = "pods";
  bind.namespace_ = "default";
  bind.name = "p";
  bind.subresource = "binding";
  capnp::MallocMessageBuilder m;
  m.initRoot<schema::k8s::Binding>().getTarget().setName("node-1");
  bind.object = flat_bytes(m);
  h = http_request_of(bind, codec);
  BOOST_TEST(h->path == "/api/v1/namespaces/default/pods/p/binding");
  // The Binding crosses as its struct, as objects of creates do: no JSON on a scheduler's path.
  BOOST_TEST(h->content_type == kApiMediaType);
  auto sent = FlatMessage::open(h->body);
  BOOST_TEST_REQUIRE(sent.ok());
  BOOST_TEST(std::string(sent->root<schema::k8s::Binding>().getTarget().getName().cStr()) ==
             "node-1");

  ApiCall unknown = cms(ApiVerb::list);
  unknown.resource = "widgets";
  BOOST_TEST(http_request_of(unknown, codec).error().code == "not_found");
  auto garbage = cms(ApiVerb::create);
  garbage.object = "xyz";
  BOOST_TEST(http_request_of(garbage, codec).error().code == "bad_request");
}

BOOST_AUTO_TEST_CASE(writes_reads_and_refusals_through_the_service) {
  Fixture f;
  auto create = cms(ApiVerb::create);
  create.object = config_map("game", "1");
  auto created = run(f, create);
  BOOST_TEST(created.code == 201);
  BOOST_TEST(created.object.resource_version == f.store.revision);
  BOOST_TEST(value_of(created.object.bytes) == "1");
  // An update without resourceVersion is unconditional (as for every kind Kubernetes serves).
  auto update = cms(ApiVerb::update, "game");
  update.object = config_map("game", "2");
  auto updated = run(f, update);
  BOOST_TEST(updated.code == 200);
  BOOST_TEST(value_of(updated.object.bytes) == "2");
  // Reads answer the stored bytes, with their revisions.
  auto got = run(f, cms(ApiVerb::get, "game"));
  BOOST_TEST(got.code == 200);
  BOOST_TEST(got.object.resource_version == updated.object.resource_version);
  BOOST_TEST(value_of(got.object.bytes) == "2");
  create.object = config_map("other", "3");
  run(f, create);
  auto page = cms(ApiVerb::list);
  page.limit = 1;
  auto listed = run(f, page);
  BOOST_TEST(listed.items.size() == 1u);
  BOOST_TEST(!listed.continue_token.empty());
  BOOST_TEST(listed.remaining_items == 1);
  page.continue_token = listed.continue_token;
  auto rest = run(f, page);
  BOOST_TEST(rest.items.size() == 1u);
  BOOST_TEST(rest.list_revision == listed.list_revision);
  // Refusals keep Kubernetes' codes, reasons and causes.
  auto again = run(f, create);
  BOOST_TEST(again.code == 409);
  BOOST_TEST(again.failure.reason == "AlreadyExists");
  auto bad = cms(ApiVerb::create);
  bad.object = config_map("Bad_Name", "1");
  auto invalid = run(f, bad);
  BOOST_TEST(invalid.code == 422);
  BOOST_REQUIRE(!invalid.failure.causes.empty());
  BOOST_TEST(invalid.failure.causes[0].field == "metadata.name");
  BOOST_TEST(run(f, cms(ApiVerb::get, "nope")).code == 404);
}

BOOST_AUTO_TEST_CASE(a_native_create_is_admitted_like_a_json_one) {
  Fixture f;
  auto create = cms(ApiVerb::create);
  create.object = config_map("typed", "1");
  auto created = run(f, create);
  BOOST_REQUIRE(created.code == 201);
  // Defaulting ran on the typed object: uid and creationTimestamp, as for JSON.
  auto message = FlatMessage::open(created.object.bytes);
  BOOST_REQUIRE(message.ok());
  auto meta = message->root<schema::k8s::ConfigMap>().getMetadata();
  BOOST_TEST(meta.getUid().size() > 0u);
  BOOST_TEST(meta.getCreationTimestamp().size() > 0u);
  // Bytes that are no message: 400, nothing stored.
  auto writes = f.store.writes;
  auto refused = f.call("POST", "/api/v1/namespaces/default/configmaps", "not a message",
                        kApiMediaType, kApiMediaType);
  BOOST_TEST(refused.status == 400);
  BOOST_TEST(f.store.writes == writes);
}

BOOST_AUTO_TEST_CASE(native_watches_carry_stored_bytes_and_410_as_an_error_event) {
  Fixture f(/*window=*/3);
  KubeJson codec;
  auto create = cms(ApiVerb::create);
  create.object = config_map("a", "1");
  auto first = run(f, create).object.resource_version;
  auto watch = cms(ApiVerb::watch);
  watch.resource_version = std::to_string(first);
  auto w = std::make_shared<NativeWatch>();
  f.service->handle(http_request_of(watch, codec).value(), w);
  auto update = cms(ApiVerb::update, "a");
  update.object = config_map("a", "2");
  run(f, update);
  run(f, cms(ApiVerb::remove, "a"));
  BOOST_REQUIRE(w->events.size() == 2u);
  BOOST_TEST((w->events[0].type == ApiEventType::modified));
  BOOST_TEST(value_of(w->events[0].object.bytes) == "2");
  BOOST_TEST((w->events[1].type == ApiEventType::deleted));
  BOOST_TEST(w->events[1].object.resource_version == f.store.revision);
  // Past the window: the watch gets one error event, 410.
  for (int i = 0; i < 5; ++i) {
    create.object = config_map("b" + std::to_string(i), "x");
    run(f, create);
  }
  auto old = std::make_shared<NativeWatch>();
  f.service->handle(http_request_of(watch, codec).value(), old);
  BOOST_REQUIRE(old->events.size() == 1u);
  BOOST_TEST((old->events[0].type == ApiEventType::error));
  BOOST_TEST(old->events[0].code == 410);
}

BOOST_AUTO_TEST_CASE(a_required_revision_holds_reads_until_the_cache_reaches_it) {
  Fixture f;
  KubeJson codec;
  f.service->require_revision(f.store.revision + 1);
  auto r = std::make_shared<testing::Recorder>();
  f.service->handle(http_request_of(cms(ApiVerb::list), codec).value(), r);
  BOOST_TEST(!r->response.has_value());  // parked: the cache is behind
  f.service->progress(f.store.revision + 1);
  BOOST_REQUIRE(r->response.has_value());
  BOOST_TEST(r->response->status == 200);
}
