// An ApiComponent (the controller manager, the scheduler) wired to a real API service in one
// thread, without actors: the component's calls run through the API actor's mapping
// (api_call_http.hpp) against an ApiService over a map-backed store (api_fixture.hpp), answers
// and watch events go back in order. A test can hold back the watch events of one resource (a
// slow informer) and release them later. What the components' rule tests share.
#pragma once

#include <boost/test/unit_test.hpp>

#include <deque>
#include <functional>
#include <map>
#include <set>

#include "actors/api/actor/api_call_http.hpp"
#include "actors/api/informer/api_component.hpp"
#include "tests/api/api_fixture.hpp"

namespace craton::api::testing {

// A native watch's events as the service writes them.
struct WatchExchange final : Exchange {
  std::optional<HttpResponse> response;
  bool streaming = false;
  std::deque<ApiEvent> events;
  void respond(HttpResponse r) override { response = std::move(r); }
  void start_stream(int, const std::string&) override { streaming = true; }
  bool write(std::string piece) override {
    auto e = decode_api_event(piece);
    BOOST_REQUIRE(e.ok());
    events.push_back(*e);
    return true;
  }
  void end() override {}
};

struct ApiWorld {
  api::testing::Fixture api;
  api::KubeJson codec;
  ApiComponent* component = nullptr;  ///< set by the test's world
  std::int64_t now_ms = 0;
  std::set<std::string> held;  ///< resources whose watch events wait
  std::map<std::uint64_t, std::pair<std::string, std::shared_ptr<WatchExchange>>> watches;
  std::deque<std::pair<std::uint64_t, ApiReply>> replies;
  std::map<std::uint64_t, std::int64_t> delivered;  ///< per watch: events handed to the component
  std::vector<ApiCall> calls;                       ///< every write the component made, in order
  /// Writes this answers 504 without applying (the store did not answer in time).
  std::function<bool(const ApiCall&)> lose;

  /// What the actor shell does behind each burst of arrivals (api_component.hpp); here behind
  /// each one, so a test sees the component act on every answer and event.
  void act() {
    while (component->wants_act()) send(component->act(now_ms));
  }

  void send(const ApiComponent::Sends& sends) {
    for (const auto& s : sends) {
      if (s.call.verb == ApiVerb::stop_watch) {
        watches.erase(s.correlation);
        continue;
      }
      if (s.call.verb == ApiVerb::probe_watch) {  // as the API actor answers it
        ApiReply answer;
        answer.code = watches.count(s.correlation) ? 200 : 404;
        answer.watch_events_sent =
            std::uint64_t(delivered[s.correlation]);  // events sent on it (held: not yet)
        replies.emplace_back(s.correlation, answer);
        continue;
      }
      if (s.call.verb != ApiVerb::list && s.call.verb != ApiVerb::watch) calls.push_back(s.call);
      if (lose && lose(s.call)) {
        ApiReply timed_out;
        timed_out.code = 504;
        replies.emplace_back(s.correlation, timed_out);
        continue;
      }
      auto http = http_request_of(s.call, codec);
      BOOST_REQUIRE(http.ok());
      auto exchange = std::make_shared<WatchExchange>();
      api.service->handle(std::move(*http), exchange);
      if (exchange->response)
        replies.emplace_back(s.correlation, reply_of(*exchange->response, s.call, codec));
      else if (exchange->streaming)
        watches[s.correlation] = {s.call.resource, exchange};
      else
        BOOST_FAIL("a call parked on the watch cache");
    }
  }

  /// Runs until nothing moves (every answer and released event delivered), ticking the clock
  /// by step_ms between rounds, at most `rounds` rounds.
  void run(int rounds = 50, std::int64_t step_ms = 10) {
    for (int i = 0; i < rounds; ++i) {
      bool moved = false;
      send(component->tick(now_ms));
      act();
      while (!replies.empty()) {
        auto [correlation, reply] = std::move(replies.front());
        replies.pop_front();
        send(component->on_reply(correlation, reply, now_ms));
        act();
        moved = true;
      }
      for (auto& [correlation, watch] : watches) {
        if (held.count(watch.first)) continue;
        auto exchange = watch.second;  // the map may change under a delivery
        auto id = correlation;
        while (!exchange->events.empty()) {
          auto event = exchange->events.front();
          exchange->events.pop_front();
          ++delivered[id];
          send(component->on_event(id, event, now_ms));
          act();
          moved = true;
        }
        if (!watches.count(id)) break;
      }
      now_ms += step_ms;
      if (!moved && replies.empty() && i > 3) return;
    }
  }

  /// Runs for `duration_ms` of the component's clock in steps of step_ms, whether or not
  /// anything moves (timers: back-offs, flushes, time-outs).
  void run_for(std::int64_t duration_ms, std::int64_t step_ms = 100) {
    for (auto end = now_ms + duration_ms; now_ms < end;) run(1, step_ms);
  }

  json post(const std::string& path, const json& object) {
    auto r = api.call("POST", path, object.dump());
    BOOST_REQUIRE_MESSAGE(r.status == 201, r.body);
    return json::parse(r.body);
  }
  json get(const std::string& path) {
    auto r = api.call("GET", path);
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
    return json::parse(r.body);
  }
  json list(const std::string& path) { return get(path)["items"]; }
  void patch(const std::string& path, const json& merge) {
    auto r = api.call("PATCH", path, merge.dump(), "application/merge-patch+json");
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
  }
};

}  // namespace craton::api::testing
