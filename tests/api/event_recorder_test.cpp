// The event recorder (actors/api/client/event_recorder.hpp): client-go's correlator
// as tables: first create, repeats counted on the same Event, aggregation of similar events,
// the spam filter, the caches' bound; and the time texts it writes
// (actors/api/client/kube_time.hpp).
#define BOOST_TEST_MODULE controllers_event_recorder
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>
#include <string>

#include "actors/api/client/event_recorder.hpp"
#include "actors/api/client/kube_time.hpp"
#include "runtime/flat_message.hpp"
#include "schemas/api_meta.capnp.h"

using namespace craton;
using namespace craton::api;
namespace k8s = craton::schema::k8s;

namespace {

constexpr std::int64_t kT0 = 1'796'000'000'000;  // 2026-11-30T00:53:20Z, in ms

api::EventReport report(const std::string& pod, const std::string& reason,
                        const std::string& message, api::EventType type = api::EventType::normal) {
  api::EventReport r;
  r.object = api::ObjectRef{"Pod", "shop", pod, "uid-" + pod, "v1", "7", ""};
  r.type = type;
  r.reason = reason;
  r.message = message;
  r.component = "replicaset-controller";
  return r;
}

struct EventView {
  std::string name, namespace_, message, first, last, type, component, reporting, involved;
  std::int32_t count = 0;
};

EventView view(const api::ApiCall& create) {
  auto m = FlatMessage::open(create.object);
  BOOST_REQUIRE(m.ok());
  auto e = m->root<k8s::Event>();
  return {e.getMetadata().getName(),
          e.getMetadata().getNamespace(),
          e.getMessage(),
          e.getFirstTimestamp(),
          e.getLastTimestamp(),
          e.getType(),
          e.getSource().getComponent(),
          e.getReportingComponent(),
          e.getInvolvedObject().getName(),
          e.getCount()};
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_first_event_is_created_with_count_one) {
  api::EventRecorder recorder;
  auto write = recorder.record(report("web-1", "Scheduled", "assigned to n1"), kT0 + 250);
  BOOST_REQUIRE(write);
  const auto& call = write->call;
  BOOST_TEST((call.verb == api::ApiVerb::create));
  BOOST_TEST(call.group == "");
  BOOST_TEST(call.resource == "events");
  BOOST_TEST(call.namespace_ == "shop");
  auto e = view(call);
  BOOST_TEST(starts_with(e.name, "web-1."));
  BOOST_TEST(e.name.size() > std::string("web-1.").size());
  BOOST_TEST(e.namespace_ == "shop");
  BOOST_TEST(e.count == 1);
  BOOST_TEST(e.first == "2026-11-30T00:53:20Z");
  BOOST_TEST(e.last == e.first);
  BOOST_TEST(e.type == "Normal");
  BOOST_TEST(e.message == "assigned to n1");
  BOOST_TEST(e.component == "replicaset-controller");
  BOOST_TEST(e.reporting == "replicaset-controller");
  BOOST_TEST(e.involved == "web-1");
}

BOOST_AUTO_TEST_CASE(a_repeat_patches_the_same_event_with_count_two) {
  api::EventRecorder recorder;
  auto first = recorder.record(report("web-1", "BackOff", "restarting"), kT0);
  auto again = recorder.record(report("web-1", "BackOff", "restarting"), kT0 + 30'000);
  BOOST_REQUIRE(again);
  const auto& call = again->call;
  BOOST_TEST((call.verb == api::ApiVerb::patch));
  BOOST_TEST(call.name == view(first->call).name);
  BOOST_TEST(call.namespace_ == "shop");
  BOOST_TEST((call.patch_type == api::ApiPatchType::strategic));
  auto patch = nlohmann::json::parse(call.patch);
  BOOST_TEST(patch["count"] == 2);
  BOOST_TEST(patch["lastTimestamp"] == "2026-11-30T00:53:50Z");
  BOOST_TEST(patch["message"] == "restarting");
  BOOST_TEST(!patch.contains("firstTimestamp"));
  // If the Event is gone (expired after an hour), it is created again under its name with
  // its count and first time.
  api::ApiReply gone;
  gone.code = 404;
  auto instead = recorder.on_reply(*again, gone);
  BOOST_REQUIRE(instead);
  BOOST_TEST((instead->verb == api::ApiVerb::create));
  auto e = view(*instead);
  BOOST_TEST(e.name == call.name);
  BOOST_TEST(e.count == 2);
  BOOST_TEST(e.first == "2026-11-30T00:53:20Z");
  BOOST_TEST(e.last == "2026-11-30T00:53:50Z");
  auto third = recorder.record(report("web-1", "BackOff", "restarting"), kT0 + 60'000);
  BOOST_TEST(nlohmann::json::parse(third->call.patch)["count"] == 3);
}

BOOST_AUTO_TEST_CASE(events_differing_in_anything_but_time_are_separate) {
  api::EventRecorder recorder;
  auto base = recorder.record(report("web-1", "BackOff", "restarting"), kT0);
  auto name = view(base->call).name;
  auto other_message = recorder.record(report("web-1", "BackOff", "pulling"), kT0 + 1);
  auto other_reason = recorder.record(report("web-1", "Pulled", "restarting"), kT0 + 2);
  auto other_object = recorder.record(report("web-2", "BackOff", "restarting"), kT0 + 3);
  auto other_type =
      recorder.record(report("web-1", "BackOff", "restarting", api::EventType::warning), kT0 + 4);
  for (const auto* w : {&other_message, &other_reason, &other_object, &other_type}) {
    BOOST_REQUIRE(w->has_value());
    BOOST_TEST(((*w)->call.verb == api::ApiVerb::create));
    BOOST_TEST(view((*w)->call).name != name);
  }
  BOOST_TEST(view(other_type->call).type == "Warning");
}

BOOST_AUTO_TEST_CASE(ten_similar_events_in_ten_minutes_are_combined_into_one) {
  api::EventRecorder recorder;
  std::set<std::string> names;
  for (int i = 0; i < 9; ++i) {
    auto w = recorder.record(report("web-1", "FailedCreate", "quota " + std::to_string(i)),
                             kT0 + i * 60'000);
    BOOST_REQUIRE(w);
    BOOST_TEST((w->call.verb == api::ApiVerb::create));
    BOOST_TEST(view(w->call).message == "quota " + std::to_string(i));
    names.insert(view(w->call).name);
  }
  BOOST_TEST(names.size() == 9u);
  auto tenth = recorder.record(report("web-1", "FailedCreate", "quota 9"), kT0 + 9 * 60'000);
  BOOST_REQUIRE(tenth);
  BOOST_TEST((tenth->call.verb == api::ApiVerb::create));
  auto combined = view(tenth->call);
  BOOST_TEST(combined.message == "(combined from similar events): quota 9");
  BOOST_TEST(combined.count == 1);
  BOOST_TEST(names.count(combined.name) == 0u);
  // Later similar events count into the combined Event.
  auto eleventh = recorder.record(report("web-1", "FailedCreate", "quota 10"), kT0 + 10 * 60'000);
  BOOST_REQUIRE(eleventh);
  BOOST_TEST((eleventh->call.verb == api::ApiVerb::patch));
  BOOST_TEST(eleventh->call.name == combined.name);
  auto patch = nlohmann::json::parse(eleventh->call.patch);
  BOOST_TEST(patch["count"] == 2);
  BOOST_TEST(patch["message"] == "(combined from similar events): quota 10");
}

BOOST_AUTO_TEST_CASE(similar_events_further_apart_than_the_window_are_never_combined) {
  api::EventRecorder recorder;
  for (int i = 0; i < 30; ++i) {
    auto w = recorder.record(report("web-1", "FailedCreate", "quota " + std::to_string(i)),
                             kT0 + i * 601'000);  // just over 10 minutes apart
    BOOST_REQUIRE(w);
    BOOST_TEST(view(w->call).message == "quota " + std::to_string(i));
  }
}

BOOST_AUTO_TEST_CASE(the_caches_forget_the_least_recently_used_event_beyond_their_bound) {
  api::EventRecorderConfig config;
  config.cache_entries_max = 2;
  api::EventRecorder recorder(config);
  recorder.record(report("web-1", "Pulled", "image"), kT0);
  recorder.record(report("web-2", "Pulled", "image"), kT0 + 1);
  auto repeat = recorder.record(report("web-1", "Pulled", "image"), kT0 + 2);  // web-1 used
  BOOST_TEST((repeat->call.verb == api::ApiVerb::patch));
  recorder.record(report("web-3", "Pulled", "image"), kT0 + 3);  // evicts web-2
  BOOST_TEST(recorder.counted_events() == 2u);
  auto web2 = recorder.record(report("web-2", "Pulled", "image"), kT0 + 4);
  BOOST_TEST((web2->call.verb == api::ApiVerb::create));  // forgotten: created afresh
  BOOST_TEST(view(web2->call).count == 1);
  BOOST_TEST(recorder.counted_events() == 2u);
}

BOOST_AUTO_TEST_CASE(a_source_may_burst_25_events_about_an_object_then_one_per_5_minutes) {
  api::EventRecorder recorder;
  int recorded = 0;
  for (int i = 0; i < 40; ++i)
    if (recorder.record(report("web-1", "Reason" + std::to_string(i), "m"), kT0 + i)) ++recorded;
  BOOST_TEST(recorded == 25);
  BOOST_TEST(recorder.record(report("web-2", "Reason0", "m"), kT0 + 50).has_value());  // own budget
  BOOST_TEST(!recorder.record(report("web-1", "Late", "m"), kT0 + 299'000).has_value());
  BOOST_TEST(recorder.record(report("web-1", "Late", "m"), kT0 + 301'000).has_value());
  BOOST_TEST(!recorder.record(report("web-1", "Later", "m"), kT0 + 302'000).has_value());
}

BOOST_AUTO_TEST_CASE(a_cluster_scoped_object_has_its_events_in_default) {
  api::EventRecorder recorder;
  auto r = report("n1", "NodeReady", "ready");
  r.object.kind = "Node";
  r.object.namespace_ = "";
  auto w = recorder.record(r, kT0);
  BOOST_TEST(w->call.namespace_ == "default");
  BOOST_TEST(view(w->call).namespace_ == "default");
}

BOOST_AUTO_TEST_CASE(two_events_in_one_millisecond_get_two_names) {
  api::EventRecorder recorder;
  auto a = recorder.record(report("web-1", "A", "m"), kT0);
  auto b = recorder.record(report("web-1", "B", "m"), kT0);
  BOOST_TEST(view(a->call).name != view(b->call).name);
}

BOOST_AUTO_TEST_CASE(kube_times_are_written_as_kubernetes_writes_them) {
  BOOST_TEST(api::kube_time(kT0 + 999) == "2026-11-30T00:53:20Z");
  BOOST_TEST(api::kube_micro_time(kT0 + 7) == "2026-11-30T00:53:20.007000Z");
  BOOST_TEST(api::kube_micro_time(0) == "1970-01-01T00:00:00.000000Z");
  BOOST_TEST(api::kube_micro_time(-1) == "1969-12-31T23:59:59.999000Z");
  BOOST_TEST(api::kube_time(-1) == "1969-12-31T23:59:59Z");
}
