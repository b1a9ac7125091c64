// The Job controller, run by the controller manager against a real API service in one thread
// (controllers_world.hpp): each rule of batch/v1 Jobs that it carries, checked by what ends up
// stored. Pods finish as a kubelet would report it: their /status is written by the test.
#define BOOST_TEST_MODULE controllers_job
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "actors/controllers/job/completion_index.hpp"
#include "actors/controllers/job/job_controller.hpp"
#include "tests/controllers/controllers_world.hpp"

using namespace craton;
using namespace craton::controllers;
using craton::controllers::testing::json;
using craton::controllers::testing::World;

namespace {

const std::string kJobs = "/apis/batch/v1/namespaces/default/jobs";
const std::string kPods = "/api/v1/namespaces/default/pods";

// A Job whose spec carries `spec` besides its template.
json job(const std::string& name, json spec, const std::string& restart_policy = "Never") {
  spec["template"] = {{"metadata", {{"labels", {{"app", name}}}}},
                      {"spec",
                       {{"restartPolicy", restart_policy},
                        {"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}};
  return {
      {"apiVersion", "batch/v1"}, {"kind", "Job"}, {"metadata", {{"name", name}}}, {"spec", spec}};
}

std::vector<json> pods_of(World& w, const std::string& job_name) {
  std::vector<json> out;
  for (const auto& p : w.list(kPods))
    if (p["metadata"]["labels"].value("job-name", "") == job_name) out.push_back(p);
  return out;
}

// The pods of a job still running (not Succeeded, not Failed, not being deleted).
std::vector<std::string> running(World& w, const std::string& job_name) {
  std::vector<std::string> out;
  for (const auto& p : pods_of(w, job_name)) {
    auto phase = p.value("status", json::object()).value("phase", "");
    if (phase != "Succeeded" && phase != "Failed" && !p["metadata"].contains("deletionTimestamp"))
      out.push_back(p["metadata"]["name"]);
  }
  return out;
}

bool tracked(const json& pod) {
  for (const auto& f : pod["metadata"].value("finalizers", json::array()))
    if (f == kJobTrackingFinalizer) return true;
  return false;
}

// Writes a pod's status as its kubelet would.
void set_status(World& w, const std::string& name, const json& status) {
  auto p = w.get(kPods + "/" + name);
  p["status"] = status;
  auto r = w.api.call("PUT", kPods + "/" + name + "/status", p.dump());
  BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
}
void finish(World& w, const std::string& name, const std::string& phase) {
  set_status(w, name, {{"phase", phase}});
}

// The condition of `type` in a Job's status (null when absent).
json condition(const json& status, const std::string& type) {
  for (const auto& c : status.value("conditions", json::array()))
    if (c["type"] == type) return c;
  return nullptr;
}

struct Manager : World {
  Manager() {
    JobConfig config;
    config.wall_clock_base_s = 1'800'000'000;
    manager.add(job_controller(config));
    manager.set_acting(true);
    run();
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(runs_parallelism_pods_labelled_owned_and_tracked_and_reports_start) {
  Manager w;
  auto j = w.post(kJobs, job("pi", {{"parallelism", 2}, {"completions", 5}}));
  w.run();
  auto pods = pods_of(w, "pi");
  BOOST_REQUIRE_EQUAL(pods.size(), 2u);
  auto uid = j["metadata"]["uid"];
  for (const auto& p : pods) {
    BOOST_TEST(p["metadata"]["generateName"] == "pi-");
    const auto& labels = p["metadata"]["labels"];
    BOOST_TEST(labels["controller-uid"] == uid);
    BOOST_TEST(labels["batch.kubernetes.io/controller-uid"] == uid);
    BOOST_TEST(labels["batch.kubernetes.io/job-name"] == "pi");
    BOOST_TEST(labels["app"] == "pi");
    BOOST_TEST(p["spec"]["restartPolicy"] == "Never");
    BOOST_TEST(tracked(p));
    const auto& ref = p["metadata"]["ownerReferences"][0];
    BOOST_TEST(ref["apiVersion"] == "batch/v1");
    BOOST_TEST(ref["kind"] == "Job");
    BOOST_TEST(ref["uid"] == uid);
    BOOST_TEST(ref["controller"] == true);
    BOOST_TEST(ref["blockOwnerDeletion"] == true);
  }
  auto status = w.get(kJobs + "/pi")["status"];
  BOOST_TEST(status["startTime"] == "2027-01-15T08:00:00Z");  // 1'800'000'000 s
  BOOST_TEST(status["active"] == 2);
  BOOST_TEST(status.value("succeeded", 0) == 0);
  BOOST_TEST(!status.contains("conditions"));
}

BOOST_AUTO_TEST_CASE(completes_when_completions_pods_succeeded_and_never_runs_more) {
  Manager w;
  w.post(kJobs, job("pi", {{"parallelism", 2}, {"completions", 3}}));
  w.run();
  for (const auto& name : running(w, "pi")) finish(w, name, "Succeeded");
  w.run();
  auto left = running(w, "pi");
  BOOST_REQUIRE_EQUAL(left.size(), 1u);  // min(parallelism, completions - succeeded)
  BOOST_TEST(w.get(kJobs + "/pi")["status"]["succeeded"] == 2);
  finish(w, left[0], "Succeeded");
  w.run();
  BOOST_TEST(running(w, "pi").empty());
  auto status = w.get(kJobs + "/pi")["status"];
  BOOST_TEST(status["succeeded"] == 3);
  BOOST_TEST(status.value("active", 0) == 0);
  BOOST_TEST(status.contains("completionTime"));
  auto complete = condition(status, "Complete");
  BOOST_REQUIRE(!complete.is_null());
  BOOST_TEST(complete["status"] == "True");
  for (const auto& p : pods_of(w, "pi")) BOOST_TEST(!tracked(p));  // counted: finalizer gone
}

BOOST_AUTO_TEST_CASE(
    work_queue_job_stops_starting_pods_after_a_success_and_completes_when_all_end) {
  Manager w;
  w.post(kJobs, job("queue", {{"parallelism", 3}}));  // completions nil: the work queue pattern
  w.run();
  auto pods = running(w, "queue");
  BOOST_REQUIRE_EQUAL(pods.size(), 3u);
  finish(w, pods[0], "Succeeded");
  w.run();
  BOOST_TEST(running(w, "queue").size() == 2u);  // no replacement once one succeeded
  BOOST_TEST(condition(w.get(kJobs + "/queue")["status"], "Complete").is_null());
  finish(w, pods[1], "Succeeded");
  finish(w, pods[2], "Succeeded");
  w.run();
  auto status = w.get(kJobs + "/queue")["status"];
  BOOST_TEST(status["succeeded"] == 3);
  BOOST_TEST(!condition(status, "Complete").is_null());
}

BOOST_AUTO_TEST_CASE(a_failed_pod_is_replaced_only_after_the_doubling_back_off) {
  Manager w;
  w.post(kJobs, job("flaky", {{"completions", 1}}));
  w.run();
  auto first = running(w, "flaky");
  BOOST_REQUIRE_EQUAL(first.size(), 1u);
  finish(w, first[0], "Failed");
  w.run();
  BOOST_TEST(w.get(kJobs + "/flaky")["status"]["failed"] == 1);
  BOOST_TEST(running(w, "flaky").empty());
  w.now_ms += 8'000;  // the first back-off is 10 s
  w.run();
  BOOST_TEST(running(w, "flaky").empty());
  w.now_ms += 2'000;
  w.run();
  auto second = running(w, "flaky");
  BOOST_REQUIRE_EQUAL(second.size(), 1u);
  finish(w, second[0], "Failed");
  w.run();
  w.now_ms += 18'000;  // the second is 20 s
  w.run();
  BOOST_TEST(running(w, "flaky").empty());
  w.now_ms += 2'000;
  w.run();
  BOOST_TEST(running(w, "flaky").size() == 1u);
  BOOST_TEST(w.get(kJobs + "/flaky")["status"]["failed"] == 2);
}

BOOST_AUTO_TEST_CASE(fails_with_backoff_limit_exceeded_once_failures_pass_the_limit) {
  Manager w;
  w.post(kJobs, job("doomed", {{"completions", 1}, {"backoffLimit", 1}}));
  w.run();
  finish(w, running(w, "doomed")[0], "Failed");
  w.run();
  w.now_ms += 10'000;
  w.run();
  auto second = running(w, "doomed");
  BOOST_REQUIRE_EQUAL(second.size(), 1u);  // 1 failure is within backoffLimit 1
  finish(w, second[0], "Failed");
  w.run();
  w.now_ms += 60'000;
  w.run();
  BOOST_TEST(running(w, "doomed").empty());  // no third pod
  auto status = w.get(kJobs + "/doomed")["status"];
  BOOST_TEST(status["failed"] == 2);
  auto failed = condition(status, "Failed");
  BOOST_REQUIRE(!failed.is_null());
  BOOST_TEST(failed["status"] == "True");
  BOOST_TEST(failed["reason"] == "BackoffLimitExceeded");
  BOOST_TEST(failed["message"] == "Job has reached the specified backoff limit");
  BOOST_TEST(!status.contains("completionTime"));
}

BOOST_AUTO_TEST_CASE(on_failure_pods_fail_the_job_when_their_restarts_reach_the_limit) {
  Manager w;
  w.post(kJobs, job("crashy", {{"completions", 1}, {"backoffLimit", 2}}, "OnFailure"));
  w.run();
  auto pod = running(w, "crashy")[0];
  json restarted = {{"phase", "Running"},
                    {"containerStatuses", {{{"name", "c"}, {"restartCount", 1}}}}};
  set_status(w, pod, restarted);
  w.run();
  BOOST_TEST(condition(w.get(kJobs + "/crashy")["status"], "Failed").is_null());
  restarted["containerStatuses"][0]["restartCount"] = 2;
  set_status(w, pod, restarted);
  w.run();
  auto failed = condition(w.get(kJobs + "/crashy")["status"], "Failed");
  BOOST_REQUIRE(!failed.is_null());
  BOOST_TEST(failed["reason"] == "BackoffLimitExceeded");
  BOOST_TEST(running(w, "crashy").empty());  // its active pod was deleted
}

BOOST_AUTO_TEST_CASE(active_deadline_deletes_the_active_pods_and_fails_the_job) {
  Manager w;
  w.post(kJobs,
         job("slow", {{"parallelism", 2}, {"completions", 4}, {"activeDeadlineSeconds", 30}}));
  w.run();
  BOOST_REQUIRE_EQUAL(running(w, "slow").size(), 2u);
  w.now_ms += 25'000;
  w.run();
  BOOST_TEST(condition(w.get(kJobs + "/slow")["status"], "Failed").is_null());
  w.now_ms += 5'000;  // the sync it asked for at the deadline
  w.run();
  BOOST_TEST(pods_of(w, "slow").empty());  // deleted, counted, finalizers removed: gone
  auto status = w.get(kJobs + "/slow")["status"];
  auto failed = condition(status, "Failed");
  BOOST_REQUIRE(!failed.is_null());
  BOOST_TEST(failed["reason"] == "DeadlineExceeded");
  BOOST_TEST(failed["message"] == "Job was active longer than specified deadline");
  BOOST_TEST(status.value("active", 0) == 0);
  BOOST_TEST(status["failed"] == 2);
}

BOOST_AUTO_TEST_CASE(a_finished_pod_is_counted_once_however_often_it_changes) {
  Manager w;
  w.post(kJobs, job("pi", {{"parallelism", 2}, {"completions", 4}}));
  w.run();
  auto pods = running(w, "pi");
  finish(w, pods[0], "Succeeded");
  w.run();
  BOOST_TEST(w.get(kJobs + "/pi")["status"]["succeeded"] == 1);
  // The manager loses its lease and gets it back: what it remembered of the count is gone,
  // the pod's missing finalizer still says it was counted.
  w.manager.set_acting(false);
  w.manager.set_acting(true);
  for (int i = 0; i < 3; ++i) {  // the finished pod keeps changing (labels, status)
    w.patch(kPods + "/" + pods[0], {{"metadata", {{"labels", {{"touch", std::to_string(i)}}}}}});
    finish(w, pods[0], "Succeeded");
    w.run();
  }
  auto status = w.get(kJobs + "/pi")["status"];
  BOOST_TEST(status["succeeded"] == 1);
  BOOST_TEST(status["active"] == 2);
  BOOST_TEST(condition(status, "Complete").is_null());
}

BOOST_AUTO_TEST_CASE(a_slow_pod_watch_never_causes_a_second_round_of_creations) {
  Manager w;
  w.held.insert("pods");  // the pod informer sees nothing of what is created
  w.post(kJobs, job("pi", {{"parallelism", 3}, {"completions", 3}}));
  w.run();
  BOOST_REQUIRE_EQUAL(pods_of(w, "pi").size(), 3u);
  w.patch(kJobs + "/pi", {{"metadata", {{"labels", {{"x", "1"}}}}}});  // a sync meanwhile
  w.run();
  BOOST_TEST(pods_of(w, "pi").size() == 3u);
  w.held.clear();
  w.run();
  BOOST_TEST(pods_of(w, "pi").size() == 3u);
}

BOOST_AUTO_TEST_CASE(a_deleted_job_leaves_no_pod_held_by_its_finalizer) {
  Manager w;
  w.post(kJobs, job("pi", {{"parallelism", 2}, {"completions", 2}}));
  w.run();
  BOOST_REQUIRE_EQUAL(pods_of(w, "pi").size(), 2u);
  auto r = w.api.call("DELETE", kJobs + "/pi");
  BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
  w.run();
  for (const auto& p : pods_of(w, "pi")) BOOST_TEST(!tracked(p));
}

namespace {

// The reasons of the Events recorded about the Job `name`, oldest first.
std::vector<std::string> event_reasons(World& w, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& e : w.list("/api/v1/namespaces/default/events"))
    if (e["involvedObject"]["kind"] == "Job" && e["involvedObject"]["name"] == name)
      out.push_back(e["reason"]);
  return out;
}

bool has(const std::vector<std::string>& reasons, const std::string& reason) {
  return std::find(reasons.begin(), reasons.end(), reason) != reasons.end();
}

void set_suspend(World& w, const std::string& name, bool suspend) {
  w.patch(kJobs + "/" + name, {{"spec", {{"suspend", suspend}}}});
}

}  // namespace

BOOST_AUTO_TEST_CASE(suspending_deletes_the_active_pods_without_counting_them_as_failures) {
  Manager w;
  w.post(kJobs, job("pi", {{"parallelism", 2}, {"completions", 4}}));
  w.run();
  BOOST_REQUIRE_EQUAL(running(w, "pi").size(), 2u);
  set_suspend(w, "pi", true);
  w.run();
  BOOST_TEST(pods_of(w, "pi").empty());  // deleted, finalizers removed: gone
  w.now_ms += 60'000;
  w.run();
  BOOST_TEST(pods_of(w, "pi").empty());  // and no new pod while suspended
  auto status = w.get(kJobs + "/pi")["status"];
  BOOST_TEST(status.value("active", 0) == 0);
  BOOST_TEST(status.value("failed", 0) == 0);
  BOOST_TEST(!status.contains("startTime"));
  auto suspended = condition(status, "Suspended");
  BOOST_REQUIRE(!suspended.is_null());
  BOOST_TEST(suspended["status"] == "True");
  BOOST_TEST(suspended["reason"] == "JobSuspended");
  BOOST_TEST(suspended["message"] == "Job suspended");
  BOOST_TEST(has(event_reasons(w, "pi"), "Suspended"));
}

BOOST_AUTO_TEST_CASE(resuming_starts_pods_again_and_restarts_the_active_deadline) {
  Manager w;
  w.post(kJobs, job("slow", {{"completions", 1}, {"activeDeadlineSeconds", 30}}));
  w.run();
  w.now_ms += 20'000;
  w.run();
  set_suspend(w, "slow", true);
  w.run();
  BOOST_TEST(pods_of(w, "slow").empty());
  w.now_ms = 100'000;  // long past the first start's deadline
  set_suspend(w, "slow", false);
  w.run();
  BOOST_TEST(running(w, "slow").size() == 1u);
  auto status = w.get(kJobs + "/slow")["status"];
  BOOST_TEST(status["startTime"] == "2027-01-15T08:01:40Z");  // started anew: 100 s
  auto resumed = condition(status, "Suspended");
  BOOST_REQUIRE(!resumed.is_null());
  BOOST_TEST(resumed["status"] == "False");
  BOOST_TEST(resumed["reason"] == "JobResumed");
  BOOST_TEST(condition(status, "Failed").is_null());
  w.now_ms += 25'000;
  w.run();
  BOOST_TEST(condition(w.get(kJobs + "/slow")["status"], "Failed").is_null());
  w.now_ms += 5'000;  // 30 s since the resume
  w.run();
  auto failed = condition(w.get(kJobs + "/slow")["status"], "Failed");
  BOOST_REQUIRE(!failed.is_null());
  BOOST_TEST(failed["reason"] == "DeadlineExceeded");
  auto reasons = event_reasons(w, "slow");
  BOOST_TEST(has(reasons, "Suspended"));
  BOOST_TEST(has(reasons, "Resumed"));
}

BOOST_AUTO_TEST_CASE(a_job_created_suspended_starts_no_pod_and_has_no_start_time) {
  Manager w;
  w.post(kJobs, job("later", {{"completions", 2}, {"suspend", true}}));
  w.run();
  BOOST_TEST(pods_of(w, "later").empty());
  auto status = w.get(kJobs + "/later")["status"];
  BOOST_TEST(!status.contains("startTime"));
  BOOST_TEST(condition(status, "Suspended")["status"] == "True");
}

namespace {

const std::string kIndexKey = "batch.kubernetes.io/job-completion-index";

// The completion index of a job's pod, from its annotation.
int index_of(const json& pod) {
  return std::stoi(pod["metadata"]["annotations"][kIndexKey].get<std::string>());
}

// The running pods of a job by completion index.
std::map<int, std::string> running_by_index(World& w, const std::string& job_name) {
  std::map<int, std::string> out;
  for (const auto& name : running(w, job_name)) {
    auto index = index_of(w.get(kPods + "/" + name));
    BOOST_TEST(!out.count(index), "two running pods of index " << index);
    out[index] = name;
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(indexed_pods_carry_their_index_as_annotation_label_env_and_hostname) {
  Manager w;
  w.post(kJobs, job("pi", {{"parallelism", 2}, {"completions", 3}, {"completionMode", "Indexed"}}));
  w.run();
  auto pods = pods_of(w, "pi");
  BOOST_REQUIRE_EQUAL(pods.size(), 2u);
  std::set<int> indexes;
  for (const auto& p : pods) {
    auto index = index_of(p);
    indexes.insert(index);
    auto text = std::to_string(index);
    BOOST_TEST(p["metadata"]["labels"][kIndexKey] == text);
    BOOST_TEST(p["metadata"]["generateName"] == "pi-" + text + "-");
    BOOST_TEST(p["spec"]["hostname"] == "pi-" + text);
    const auto& env = p["spec"]["containers"][0]["env"];
    BOOST_REQUIRE_EQUAL(env.size(), 1u);
    BOOST_TEST(env[0]["name"] == "JOB_COMPLETION_INDEX");
    BOOST_TEST(env[0]["valueFrom"]["fieldRef"]["fieldPath"] ==
               "metadata.annotations['batch.kubernetes.io/job-completion-index']");
    BOOST_TEST(tracked(p));
  }
  BOOST_TEST(indexes == (std::set<int>{0, 1}));  // the lowest indexes first
}

BOOST_AUTO_TEST_CASE(indexed_job_runs_each_index_until_it_succeeds_and_reports_their_ranges) {
  Manager w;
  w.post(kJobs, job("pi", {{"parallelism", 5}, {"completions", 5}, {"completionMode", "Indexed"}}));
  w.run();
  auto pods = running_by_index(w, "pi");
  BOOST_REQUIRE_EQUAL(pods.size(), 5u);
  for (int i : {1, 3, 4}) finish(w, pods[i], "Succeeded");
  finish(w, pods[0], "Failed");
  w.run();
  auto status = w.get(kJobs + "/pi")["status"];
  BOOST_TEST(status["completedIndexes"] == "1,3-4");
  BOOST_TEST(status["succeeded"] == 3);
  BOOST_TEST(status["failed"] == 1);
  w.now_ms += 10'000;  // the failure's back-off
  w.run();
  auto again = running_by_index(w, "pi");
  BOOST_TEST((again.size() == 2u && again.count(0) && again.count(2)));  // 0 again, 2 still
  BOOST_TEST(again[0] != pods[0]);
  for (const auto& [index, name] : again) finish(w, name, "Succeeded");
  w.run();
  status = w.get(kJobs + "/pi")["status"];
  BOOST_TEST(status["completedIndexes"] == "0-4");
  BOOST_TEST(status["succeeded"] == 5);
  BOOST_TEST(!condition(status, "Complete").is_null());
  BOOST_TEST(running(w, "pi").empty());
}

BOOST_AUTO_TEST_CASE(completed_indexes_are_written_in_kube_range_syntax) {
  BOOST_TEST(format_completed_indexes({}) == "");
  BOOST_TEST(format_completed_indexes({1, 3, 4, 5}) == "1,3-5");
  BOOST_TEST(format_completed_indexes({0, 1, 2, 7}) == "0-2,7");
  BOOST_TEST(format_completed_indexes(parse_completed_indexes("1,3-5", 10)) == "1,3-5");
  BOOST_TEST(format_completed_indexes(parse_completed_indexes("2-6,x,9-8,12", 5)) == "2-4");
}

BOOST_AUTO_TEST_CASE(an_indexed_job_without_completions_is_refused) {
  Manager w;
  auto r = w.api.call("POST", kJobs,
                      job("pi", {{"parallelism", 2}, {"completionMode", "Indexed"}}).dump());
  BOOST_TEST(r.status == 422);
  BOOST_TEST(r.body.find("when completion mode is Indexed") != std::string::npos);
}

namespace {

// The Events recorded about the Job `name` with this reason.
std::vector<json> events_of(World& w, const std::string& name, const std::string& reason) {
  std::vector<json> out;
  for (const auto& e : w.list("/api/v1/namespaces/default/events"))
    if (e["involvedObject"]["kind"] == "Job" && e["involvedObject"]["name"] == name &&
        e["reason"] == reason)
      out.push_back(e);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(records_successful_create_and_completed_events) {
  Manager w;
  w.post(kJobs, job("pi", {{"parallelism", 2}, {"completions", 2}}));
  w.run();
  auto pods = running(w, "pi");
  auto created = events_of(w, "pi", "SuccessfulCreate");
  BOOST_REQUIRE_EQUAL(created.size(), 2u);
  std::set<std::string> messages;
  for (const auto& e : created) {
    BOOST_TEST(e["type"] == "Normal");
    BOOST_TEST(e["source"]["component"] == "job-controller");
    messages.insert(e["message"]);
  }
  BOOST_TEST(messages ==
             (std::set<std::string>{"Created pod: " + pods[0], "Created pod: " + pods[1]}));
  BOOST_TEST(events_of(w, "pi", "Completed").empty());
  for (const auto& name : pods) finish(w, name, "Succeeded");
  w.run();
  auto completed = events_of(w, "pi", "Completed");
  BOOST_REQUIRE_EQUAL(completed.size(), 1u);
  BOOST_TEST(completed[0]["type"] == "Normal");
  BOOST_TEST(completed[0]["message"] == "Job completed");
}

BOOST_AUTO_TEST_CASE(records_successful_delete_and_deadline_exceeded_events) {
  Manager w;
  w.post(kJobs, job("slow", {{"completions", 1}, {"activeDeadlineSeconds", 5}}));
  w.run();
  auto pod = running(w, "slow")[0];
  w.now_ms += 5'000;
  w.run();
  auto deleted = events_of(w, "slow", "SuccessfulDelete");
  BOOST_REQUIRE_EQUAL(deleted.size(), 1u);
  BOOST_TEST(deleted[0]["message"] == "Deleted pod: " + pod);
  auto exceeded = events_of(w, "slow", "DeadlineExceeded");
  BOOST_REQUIRE_EQUAL(exceeded.size(), 1u);
  BOOST_TEST(exceeded[0]["type"] == "Warning");
  BOOST_TEST(exceeded[0]["message"] == "Job was active longer than specified deadline");
}

BOOST_AUTO_TEST_CASE(records_a_backoff_limit_exceeded_warning) {
  Manager w;
  w.post(kJobs, job("doomed", {{"completions", 1}, {"backoffLimit", 0}}));
  w.run();
  finish(w, running(w, "doomed")[0], "Failed");
  w.run();
  auto exceeded = events_of(w, "doomed", "BackoffLimitExceeded");
  BOOST_REQUIRE_EQUAL(exceeded.size(), 1u);
  BOOST_TEST(exceeded[0]["type"] == "Warning");
  BOOST_TEST(exceeded[0]["message"] == "Job has reached the specified backoff limit");
}

BOOST_AUTO_TEST_CASE(indexed_job_deletes_a_second_pod_of_an_index_and_pods_of_no_index) {
  Manager w;
  auto j = w.post(kJobs, job("pi", {{"parallelism", 2},
                                    {"completions", 3},
                                    {"completionMode", "Indexed"},
                                    {"suspend", true}}));
  w.run();
  // Pods of the Job made by someone else: a second one of index 0, one of index 7 (past
  // completions); made while the Job is suspended, then the Job resumes.
  auto stray = [&](const std::string& name, const std::string& index) {
    json pod = {{"apiVersion", "v1"},
                {"kind", "Pod"},
                {"metadata",
                 {{"name", name},
                  {"labels", j["spec"]["template"]["metadata"]["labels"]},
                  {"annotations", {{kIndexKey, index}}},
                  {"ownerReferences",
                   {{{"apiVersion", "batch/v1"},
                     {"kind", "Job"},
                     {"name", "pi"},
                     {"uid", j["metadata"]["uid"]},
                     {"controller", true}}}}}},
                {"spec", j["spec"]["template"]["spec"]}};
    w.post(kPods, pod);
  };
  stray("extra-0", "0");
  stray("extra-7", "7");
  w.run();  // suspended: both are deleted as the Job's active pods
  BOOST_TEST(pods_of(w, "pi").empty());
  set_suspend(w, "pi", false);
  w.run();
  stray("twin-0", "0");
  stray("past-7", "7");
  w.run();
  auto pods = running_by_index(w, "pi");
  BOOST_TEST(pods.size() == 2u);
  BOOST_TEST((pods.count(0) && pods.count(1)));
  BOOST_TEST(w.api.call("GET", kPods + "/past-7").status == 404);
  BOOST_TEST(running(w, "pi").size() == 2u);  // one of the two pods of index 0 went
}
