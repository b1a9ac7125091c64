// Informer (actors/api/informer/): scripted lists and watch events against the promises of
// informer.hpp: handlers see each change once and in order, duplicates and replays are
// dropped, bookmarks advance the revision, a relist after a gap yields the synthetic deletes
// and updates, indexes follow every change, 410 and decode errors lead to a relist, and the
// backoff stays within its bounds. The wire forms are decoded from what the server writes.
#define BOOST_TEST_MODULE api_informer
#include <boost/test/unit_test.hpp>

#include "actors/api/convert/kube_json.hpp"
#include "actors/api/informer/informer.hpp"
#include "actors/api/informer/informer_json.hpp"
#include "schemas/api_meta.capnp.h"
#include "schemas/api_pod.capnp.h"

using namespace craton;
using namespace craton::api;
namespace k8s = craton::schema::k8s;

namespace {

const KubeJson& codec() {
  static KubeJson c;
  return c;
}

InformerObject decoded(const std::string& json, capnp::StructSchema schema) {
  auto message = codec().decode(json, schema);
  BOOST_REQUIRE_MESSAGE(message.ok(), json);
  auto object = make_informer_object(
      std::shared_ptr<capnp::MallocMessageBuilder>(std::move(*message)), schema);
  BOOST_REQUIRE_MESSAGE(object.ok(), json);
  return *object;
}

InformerObject config_map(const std::string& ns, const std::string& name, std::uint64_t rv,
                          const std::string& value = "v", const std::string& uid = "") {
  return decoded(R"({"metadata":{"name":")" + name + R"(","namespace":")" + ns + R"(","uid":")" +
                     (uid.empty() ? ns + "-" + name : uid) + R"(","resourceVersion":")" +
                     std::to_string(rv) + R"("},"data":{"k":")" + value + R"("}})",
                 capnp::Schema::from<k8s::ConfigMap>());
}

InformerObject pod(const std::string& name, std::uint64_t rv, const std::string& node,
                   const std::string& owner_uid = "") {
  std::string owners =
      owner_uid.empty() ? "" : R"(,"ownerReferences":[{"name":"rs","uid":")" + owner_uid + R"("}])";
  return decoded(R"({"metadata":{"name":")" + name + R"(","namespace":"default","uid":"u-)" + name +
                     R"(","resourceVersion":")" + std::to_string(rv) + "\"" + owners +
                     R"(},"spec":{"nodeName":")" + node +
                     R"(","containers":[{"name":"c","image":"nginx"}]}})",
                 capnp::Schema::from<k8s::Pod>());
}

WatchEvent event(WatchEventType type, const InformerObject& object) {
  WatchEvent e;
  e.type = type;
  e.object = object;
  e.resource_version = object.resource_version();
  return e;
}

WatchEvent bookmark(std::uint64_t rv) {
  WatchEvent e;
  e.type = WatchEventType::bookmark;
  e.resource_version = rv;
  return e;
}

// Every delivery as one line: "add ns/a@3", "update ns/a@3->5", "delete ns/a@5 unknown".
struct Recorder {
  std::vector<std::string> seen;
  InformerHandlers handlers() {
    InformerHandlers h;
    h.on_add = [this](const InformerObject& o) { seen.push_back("add " + at(o)); };
    h.on_update = [this](const InformerObject& a, const InformerObject& b) {
      seen.push_back("update " + at(a) + "->" + std::to_string(b.resource_version()));
    };
    h.on_delete = [this](const InformerObject& o, bool unknown) {
      seen.push_back("delete " + at(o) + (unknown ? " unknown" : ""));
    };
    return h;
  }
  std::vector<std::string> take() { return std::exchange(seen, {}); }
  static std::string at(const InformerObject& o) {
    return o.key() + "@" + std::to_string(o.resource_version());
  }
};

using Lines = std::vector<std::string>;

std::vector<std::string> keys(const std::vector<InformerObject>& objects) {
  std::vector<std::string> out;
  for (const auto& o : objects) out.push_back(o.key());
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_list_adds_every_object_and_sets_the_revision) {
  Informer informer;
  Recorder r;
  informer.add_handlers(r.handlers());
  BOOST_TEST(!informer.synced());
  informer.on_list(10, {config_map("a", "x", 3), config_map("b", "y", 7)});
  BOOST_TEST(informer.synced());
  BOOST_TEST(informer.resource_version() == 10u);
  BOOST_TEST(r.take() == (Lines{"add a/x@3", "add b/y@7"}));
  auto value = informer.cache().get("a/x")->as<k8s::ConfigMap>().getData().getEntries()[0];
  BOOST_TEST(std::string(value.getValue().cStr()) == "v");
}

BOOST_AUTO_TEST_CASE(events_add_update_and_delete_in_order) {
  Informer informer;
  Recorder r;
  informer.add_handlers(r.handlers());
  informer.on_list(10, {});
  informer.on_watch_event(event(WatchEventType::added, config_map("a", "x", 11)));
  informer.on_watch_event(event(WatchEventType::modified, config_map("a", "x", 12, "w")));
  informer.on_watch_event(event(WatchEventType::deleted, config_map("a", "x", 13, "w")));
  BOOST_TEST(r.take() == (Lines{"add a/x@11", "update a/x@11->12", "delete a/x@12"}));
  BOOST_TEST(informer.cache().size() == 0u);
  BOOST_TEST(informer.resource_version() == 13u);
  BOOST_TEST(informer.counters().events_applied == 3u);
}

BOOST_AUTO_TEST_CASE(duplicate_and_older_events_are_dropped) {
  Informer informer;
  Recorder r;
  informer.add_handlers(r.handlers());
  informer.on_list(10, {config_map("a", "x", 8)});
  r.take();
  // The list's own state replayed (a watch started too early), then a real change, twice.
  informer.on_watch_event(event(WatchEventType::modified, config_map("a", "x", 8)));
  informer.on_watch_event(event(WatchEventType::modified, config_map("a", "x", 12)));
  informer.on_watch_event(event(WatchEventType::modified, config_map("a", "x", 12)));
  // Older than the last revision seen: a replay from a stale stream.
  informer.on_watch_event(event(WatchEventType::added, config_map("b", "y", 11)));
  // A delete of something never held.
  informer.on_watch_event(event(WatchEventType::deleted, config_map("c", "z", 13)));
  BOOST_TEST(r.take() == (Lines{"update a/x@8->12"}));
  BOOST_TEST(informer.counters().events_dropped == 4u);
  BOOST_TEST(informer.cache().keys() == (Lines{"a/x"}));
}

BOOST_AUTO_TEST_CASE(one_revision_may_change_several_objects) {
  Informer informer;
  Recorder r;
  informer.add_handlers(r.handlers());
  informer.on_list(10, {});
  informer.on_watch_event(event(WatchEventType::added, config_map("a", "x", 11)));
  informer.on_watch_event(event(WatchEventType::added, config_map("a", "y", 11)));
  BOOST_TEST(r.take() == (Lines{"add a/x@11", "add a/y@11"}));
}

BOOST_AUTO_TEST_CASE(bookmarks_advance_the_revision_and_never_move_it_back) {
  Informer informer;
  informer.on_list(10, {});
  informer.on_watch_event(bookmark(25));
  BOOST_TEST(informer.resource_version() == 25u);
  informer.on_watch_event(bookmark(20));
  BOOST_TEST(informer.resource_version() == 25u);
  auto next = informer.after_watch(WatchEnd::closed);
  BOOST_TEST((next.action == NextStep::Action::watch));
  BOOST_TEST(next.from_resource_version == 25u);
  BOOST_TEST(next.delay_ms == 0);
}

BOOST_AUTO_TEST_CASE(a_relist_after_a_gap_delivers_the_differences_once) {
  Informer informer;
  Recorder r;
  informer.add_handlers(r.handlers());
  informer.on_list(10, {config_map("a", "same", 3), config_map("a", "changed", 4),
                        config_map("a", "gone", 5), config_map("a", "reborn", 6, "v", "old")});
  r.take();
  // While disconnected: "changed" was updated, "gone" deleted, "reborn" deleted and created
  // again under a new uid, "new" created.
  informer.on_list(40, {config_map("a", "same", 3), config_map("a", "changed", 30),
                        config_map("a", "reborn", 31, "v", "new"), config_map("a", "new", 32)});
  BOOST_TEST(r.take() == (Lines{"delete a/gone@5 unknown", "update a/changed@4->30", "add a/new@32",
                                "delete a/reborn@6 unknown", "add a/reborn@31"}));
  BOOST_TEST(informer.cache().keys() == (Lines{"a/changed", "a/new", "a/reborn", "a/same"}));
  BOOST_TEST(informer.counters().synthetic_deletes == 2u);
  BOOST_TEST(informer.resource_version() == 40u);
  // The same list again changes nothing.
  informer.on_list(40, {config_map("a", "same", 3), config_map("a", "changed", 30),
                        config_map("a", "reborn", 31, "v", "new"), config_map("a", "new", 32)});
  BOOST_TEST(r.take().empty());
}

BOOST_AUTO_TEST_CASE(indexes_follow_adds_updates_deletes_and_relists) {
  Informer informer;
  informer.add_index("namespace", index_by_namespace());
  informer.add_index("spec.nodeName", index_by_field("spec.nodeName"));
  informer.add_index("owner", index_by_owner_uid());
  informer.on_list(10, {pod("p1", 3, "n1", "rs-1"), pod("p2", 4, "n1"), pod("p3", 5, "")});
  BOOST_TEST(keys(informer.cache().by_index("spec.nodeName", "n1")) ==
             (Lines{"default/p1", "default/p2"}));
  BOOST_TEST(keys(informer.cache().by_index("namespace", "default")).size() == 3u);
  BOOST_TEST(keys(informer.cache().by_index("owner", "rs-1")) == (Lines{"default/p1"}));
  // The indexed field changes: found under the new value only.
  informer.on_watch_event(event(WatchEventType::modified, pod("p2", 11, "n2")));
  informer.on_watch_event(event(WatchEventType::modified, pod("p3", 12, "n2")));
  BOOST_TEST(keys(informer.cache().by_index("spec.nodeName", "n1")) == (Lines{"default/p1"}));
  BOOST_TEST(keys(informer.cache().by_index("spec.nodeName", "n2")) ==
             (Lines{"default/p2", "default/p3"}));
  informer.on_watch_event(event(WatchEventType::deleted, pod("p1", 13, "n1", "rs-1")));
  BOOST_TEST(informer.cache().by_index("spec.nodeName", "n1").empty());
  BOOST_TEST(informer.cache().by_index("owner", "rs-1").empty());
  BOOST_TEST(informer.cache().index_values("spec.nodeName") == (Lines{"n2"}));
  // A relist that moves p2 back and drops p3.
  informer.on_list(20, {pod("p2", 15, "n1")});
  BOOST_TEST(keys(informer.cache().by_index("spec.nodeName", "n1")) == (Lines{"default/p2"}));
  BOOST_TEST(informer.cache().index_values("spec.nodeName") == (Lines{"n1"}));
}

BOOST_AUTO_TEST_CASE(an_index_added_late_files_what_is_held) {
  Informer informer;
  informer.on_list(10, {config_map("a", "x", 3), config_map("b", "y", 4)});
  informer.add_index("namespace", index_by_namespace());
  BOOST_TEST(keys(informer.cache().by_index("namespace", "b")) == (Lines{"b/y"}));
}

BOOST_AUTO_TEST_CASE(a_late_handler_gets_the_objects_held_as_adds_and_resync_updates_all) {
  Informer informer;
  informer.on_list(10, {config_map("a", "x", 3), config_map("b", "y", 4)});
  Recorder first, late;
  informer.add_handlers(first.handlers());
  informer.add_handlers(late.handlers());
  BOOST_TEST(late.take() == (Lines{"add a/x@3", "add b/y@4"}));
  first.take();
  informer.resync();
  BOOST_TEST(first.take() == (Lines{"update a/x@3->3", "update b/y@4->4"}));
  BOOST_TEST(late.take() == (Lines{"update a/x@3->3", "update b/y@4->4"}));
}

BOOST_AUTO_TEST_CASE(expired_and_undecodable_watches_lead_to_a_relist) {
  Informer informer;
  BOOST_TEST((informer.first_step().action == NextStep::Action::list));
  informer.on_list(10, {});
  WatchEvent gone;
  gone.type = WatchEventType::error;
  gone.error_code = 410;
  auto end = informer.on_watch_event(gone);
  BOOST_REQUIRE(end.has_value());
  BOOST_TEST((*end == WatchEnd::expired));
  BOOST_TEST((informer.after_watch(*end).action == NextStep::Action::list));
  BOOST_TEST((informer.after_watch(WatchEnd::decode_error).action == NextStep::Action::list));
  WatchEvent busy;
  busy.type = WatchEventType::error;
  busy.error_code = 500;
  BOOST_TEST((*informer.on_watch_event(busy) == WatchEnd::server_error));
  auto next = informer.after_watch(WatchEnd::transport_error);
  BOOST_TEST((next.action == NextStep::Action::watch));
  BOOST_TEST(next.from_resource_version == 10u);
}

BOOST_AUTO_TEST_CASE(nothing_but_a_list_before_the_first_list) {
  Informer informer;
  BOOST_TEST((informer.after_list_failure().action == NextStep::Action::list));
  BOOST_TEST((informer.after_watch(WatchEnd::closed).action == NextStep::Action::list));
}

BOOST_AUTO_TEST_CASE(backoff_grows_is_bounded_and_resets_on_progress) {
  BOOST_TEST(informer_backoff_delay_ms(0) == 0);
  BOOST_TEST(informer_backoff_delay_ms(1) == informer_backoff_initial_ms);
  BOOST_TEST(informer_backoff_delay_ms(2) == 2 * informer_backoff_initial_ms);
  for (std::uint32_t a : {10u, 20u, 21u, 64u, 1000u, UINT32_MAX})
    BOOST_TEST(informer_backoff_delay_ms(a) == informer_backoff_ms_max);
  Informer informer;
  std::int64_t last = -1;
  for (int i = 0; i < 50; ++i) {
    auto next = informer.after_list_failure();
    BOOST_TEST(next.delay_ms >= last);
    BOOST_TEST(next.delay_ms <= informer_backoff_ms_max);
    last = next.delay_ms;
  }
  BOOST_TEST(last == informer_backoff_ms_max);
  informer.on_list(10, {});
  BOOST_TEST(informer.after_watch(WatchEnd::transport_error).delay_ms == 0);
  BOOST_TEST(informer.after_watch(WatchEnd::transport_error).delay_ms ==
             informer_backoff_initial_ms);
  informer.on_watch_event(bookmark(11));  // the stream works again
  BOOST_TEST(informer.after_watch(WatchEnd::closed).delay_ms == 0);
}

BOOST_AUTO_TEST_CASE(list_pages_and_watch_lines_decode_as_the_server_writes_them) {
  auto schema = capnp::Schema::from<k8s::ConfigMap>();
  auto page = decode_list_page(
      codec(),
      R"({"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"42",)"
      R"("continue":"abc"},"items":[{"metadata":{"name":"x","namespace":"a",)"
      R"("resourceVersion":"40"},"data":{"k":"v"}}]})",
      schema);
  BOOST_REQUIRE(page.ok());
  BOOST_TEST(page->resource_version == 42u);
  BOOST_TEST(page->continue_token == "abc");
  BOOST_TEST(keys(page->items) == (Lines{"a/x"}));

  auto added = decode_watch_event(
      codec(),
      R"({"type":"ADDED","object":{"metadata":{"name":"x","namespace":"a","resourceVersion":"43"}}})",
      schema);
  BOOST_REQUIRE(added.ok());
  BOOST_TEST((added->type == WatchEventType::added));
  BOOST_TEST(added->object->key() == "a/x");
  auto mark = decode_watch_event(
      codec(), R"({"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"50"}}})", schema);
  BOOST_REQUIRE(mark.ok());
  BOOST_TEST(mark->resource_version == 50u);
  auto error = decode_watch_event(
      codec(),
      R"({"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old"}})",
      schema);
  BOOST_REQUIRE(error.ok());
  BOOST_TEST(error->error_code == 410);

  for (const char* bad :
       {"not json", R"({"type":"ADDED"})", R"({"type":"RENAMED","object":{}})",
        R"({"type":"ADDED","object":{"metadata":{"name":"x","resourceVersion":"soon"}}})",
        R"({"type":"ADDED","object":{"metadata":{"resourceVersion":"3"}}})",
        R"({"type":"ADDED","object":{"metadata":{"name":"x","resourceVersion":"3"},"data":7}})"})
    BOOST_TEST(decode_watch_event(codec(), bad, schema).error().code == "malformed", bad);
  BOOST_TEST(!decode_list_page(codec(), R"({"metadata":{}})", schema).ok());
}
