// pod_start_bench.hpp: DriverTimings, the load (create, watch, delete) and the report.
#include "bench/pod_start_bench.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <condition_variable>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "bench/http_client.hpp"
#include "bench/watch_stream.hpp"

namespace craton::bench {
namespace {

namespace http = boost::beast::http;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

/// CPU ms (user + system) of this process and of the children it has waited for.
double process_cpu_ms() {
  auto ms = [](const timeval& t) { return t.tv_sec * 1e3 + t.tv_usec / 1e3; };
  rusage self{}, children{};
  ::getrusage(RUSAGE_SELF, &self);
  ::getrusage(RUSAGE_CHILDREN, &children);
  return ms(self.ru_utime) + ms(self.ru_stime) + ms(children.ru_utime) + ms(children.ru_stime);
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

/// What the watch saw of one pod (steady ns; 0: not yet).
struct PodTrack {
  std::string uid;
  std::int64_t created_ns = 0;
  std::int64_t bound_ns = 0;
  std::int64_t running_ns = 0;
};

/// Phase Running and every container running, as `kubectl get pods` shows READY n/n's start.
bool all_running(const json& pod) {
  const auto& status = pod.value("status", json::object());
  if (status.value("phase", "") != "Running") return false;
  const auto& containers = status.value("containerStatuses", json::array());
  if (containers.empty()) return false;
  for (const auto& c : containers)
    if (!c.contains("state") || !c["state"].contains("running")) return false;
  return true;
}

/// The pods of one run by name, fed by the watch's thread, waited on by the load's.
class Tracker {
 public:
  void created(const std::string& name, std::int64_t at_ns) {
    std::lock_guard lock(mutex_);
    pods_[name].created_ns = at_ns;
  }

  void on_line(const std::string& line) {
    auto at = now_ns();
    auto event = json::parse(line, nullptr, false);
    if (!event.is_object() || !event.contains("object") || !event["object"].is_object()) return;
    const auto& pod = event["object"];
    const auto& meta = pod.value("metadata", json::object());
    std::string name = meta.value("name", "");
    std::lock_guard lock(mutex_);
    auto& track = pods_[name];
    if (track.uid.empty()) track.uid = meta.value("uid", "");
    if (track.bound_ns == 0 && !pod.value("spec", json::object()).value("nodeName", "").empty())
      track.bound_ns = at;
    if (track.running_ns == 0 && all_running(pod)) {
      track.running_ns = at;
      ++running_;
      changed_.notify_all();
    }
  }

  /// Waits until `count` pods run or the deadline passes; how many run.
  std::size_t wait_running(std::size_t count, Clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    changed_.wait_until(lock, deadline, [&] { return running_ >= count; });
    return running_;
  }

  std::map<std::string, PodTrack> pods() const {
    std::lock_guard lock(mutex_);
    return pods_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, PodTrack> pods_;
  std::size_t running_ = 0;
};

std::string pod_name(std::size_t i) {
  return "podstart-" + std::to_string(i);
}

std::string pod_body(const PodStartOptions& o, std::size_t i) {
  json container = {{"name", "main"},
                    {"image", o.image},
                    {"command", json::array({"sleep", "3600"})},
                    {"imagePullPolicy", "Never"}};
  json pod = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", {{"name", pod_name(i)}, {"labels", {{"app", "podstart"}}}}},
      {"spec", {{"containers", json::array({container})}, {"terminationGracePeriodSeconds", 0}}}};
  return pod.dump();
}

/// Ready: some node says Ready=True and the namespace exists.
Status wait_for_cluster(HttpClient& c, const PodStartOptions& o, Clock::time_point deadline) {
  while (Clock::now() < deadline) {
    std::string body;
    bool ready = false;
    if (c.call(http::verb::get, "/api/v1/nodes", "", "application/json", &body) == 200) {
      auto nodes = json::parse(body, nullptr, false);
      for (const auto& node : nodes.value("items", json::array()))
        for (const auto& cond :
             node.value("status", json::object()).value("conditions", json::array()))
          if (cond.value("type", "") == "Ready" && cond.value("status", "") == "True") ready = true;
    }
    if (ready && c.call(http::verb::get, "/api/v1/namespaces/" + o.name_space, "",
                        "application/json") == 200)
      return Ok{};
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Error{"timeout", "no Ready node (or no namespace " + o.name_space + ") in time"};
}

Status create_pods(HttpClient& c, const PodStartOptions& o, Tracker& tracker) {
  const std::string path = "/api/v1/namespaces/" + o.name_space + "/pods";
  auto start = Clock::now();
  for (std::size_t i = 0; i < o.pods; ++i) {
    if (o.rate_per_s > 0)
      std::this_thread::sleep_until(
          start + std::chrono::nanoseconds(static_cast<std::int64_t>(1e9 * i / o.rate_per_s)));
    tracker.created(pod_name(i), now_ns());
    std::string answer;
    int code = c.call(http::verb::post, path, pod_body(o, i), "application/json", &answer);
    if (code != 201 && code != 200)
      return Error{"api", "create " + pod_name(i) + ": " + std::to_string(code) + " " + answer};
  }
  return Ok{};
}

/// Deletes every pod of the run and waits until the API and the driver hold none.
Status delete_pods(HttpClient& c, const PodStartOptions& o, const std::set<std::string>& uids,
                   DriverTimings& timings, Clock::time_point deadline) {
  const std::string path = "/api/v1/namespaces/" + o.name_space + "/pods/";
  for (std::size_t i = 0; i < o.pods; ++i) {
    int code = c.call(http::verb::delete_, path + pod_name(i) + "?gracePeriodSeconds=0",
                      R"({"gracePeriodSeconds":0})", "application/json");
    if (code != 200 && code != 202 && code != 404)
      return Error{"api", "delete " + pod_name(i) + ": " + std::to_string(code)};
  }
  while (Clock::now() < deadline) {
    std::size_t on_host = 0;
    for (const auto& pod : timings.list()) on_host += uids.count(pod.sandbox.pod_uid);
    std::string body;
    std::size_t in_api = 0;
    if (c.call(http::verb::get, "/api/v1/namespaces/" + o.name_space + "/pods", "",
               "application/json", &body) == 200) {
      for (const auto& pod : json::parse(body, nullptr, false).value("items", json::array()))
        in_api += pod_name(0).substr(0, 9) ==
                  pod.value("metadata", json::object()).value("name", "").substr(0, 9);
    } else {
      in_api = 1;
    }
    if (on_host == 0 && in_api == 0) return Ok{};
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return Error{"timeout", "pods still on the host or in the API after the run"};
}

PhaseFigures phase(std::string name, std::vector<double> ms) {
  PhaseFigures f;
  f.name = std::move(name);
  f.pods = ms.size();
  if (ms.empty()) return f;
  std::vector<double> us;
  for (double m : ms) us.push_back(m * 1000);
  auto stats = summarize_latencies(std::move(us), 1, {});
  f.p50_ms = stats.p50_us / 1000;
  f.p90_ms = stats.p90_us / 1000;
  f.p99_ms = stats.p99_us / 1000;
  f.max_ms = stats.max_us / 1000;
  f.mean_ms = stats.mean_us / 1000;
  return f;
}

/// Each phase over the pods that have both of its ends.
std::vector<PhaseFigures> phases(const std::map<std::string, PodTrack>& pods,
                                 const DriverTimings& timings) {
  struct Span {
    const char* name;
    std::function<std::pair<std::int64_t, std::int64_t>(const PodTrack&, const DriverCallTimes&)>
        ends;
  };
  const std::vector<Span> spans = {
      {"create->bound",
       [](auto& p, auto&) {
         return std::pair{p.created_ns, p.bound_ns};
       }},
      {"bound->sandbox call",
       [](auto& p, auto& d) {
         return std::pair{p.bound_ns, d.sandbox_begin_ns};
       }},
      {"sandbox call",
       [](auto&, auto& d) {
         return std::pair{d.sandbox_begin_ns, d.sandbox_end_ns};
       }},
      {"sandbox->container call",
       [](auto&, auto& d) {
         return std::pair{d.sandbox_end_ns, d.container_begin_ns};
       }},
      {"container call",
       [](auto&, auto& d) {
         return std::pair{d.container_begin_ns, d.container_end_ns};
       }},
      {"started->Running seen",
       [](auto& p, auto& d) {
         return std::pair{d.container_end_ns, p.running_ns};
       }},
      {"create->started",
       [](auto& p, auto& d) {
         return std::pair{p.created_ns, d.container_end_ns};
       }},
      {"create->Running",
       [](auto& p, auto&) {
         return std::pair{p.created_ns, p.running_ns};
       }},
  };
  std::vector<PhaseFigures> out;
  for (const auto& span : spans) {
    std::vector<double> ms;
    for (const auto& [name, pod] : pods) {
      if (pod.created_ns == 0) continue;
      auto [from, to] = span.ends(pod, timings.times_of(pod.uid));
      if (from != 0 && to != 0) ms.push_back(static_cast<double>(to - from) / 1e6);
    }
    out.push_back(phase(span.name, std::move(ms)));
  }
  return out;
}

}  // namespace

// ---- DriverTimings.

DriverCallTimes DriverTimings::times_of(const std::string& pod_uid) const {
  std::lock_guard lock(mutex_);
  auto it = times_.find(pod_uid);
  return it == times_.end() ? DriverCallTimes{} : it->second;
}

void DriverTimings::mark(const std::string& pod_uid, std::int64_t DriverCallTimes::*field,
                         bool first_only) {
  auto at = now_ns();
  std::lock_guard lock(mutex_);
  auto& slot = times_[pod_uid].*field;
  if (!first_only || slot == 0) slot = at;
}

Result<agent::SandboxStatus> DriverTimings::start_sandbox(const agent::SandboxSpec& spec) {
  mark(spec.pod_uid, &DriverCallTimes::sandbox_begin_ns, true);
  auto r = inner_->start_sandbox(spec);
  if (r) mark(spec.pod_uid, &DriverCallTimes::sandbox_end_ns, true);
  return r;
}

Result<agent::ContainerStatus> DriverTimings::start_container(const std::string& pod_uid,
                                                              const agent::ContainerSpec& spec,
                                                              int attempt) {
  mark(pod_uid, &DriverCallTimes::container_begin_ns, true);
  auto r = inner_->start_container(pod_uid, spec, attempt);
  if (r) mark(pod_uid, &DriverCallTimes::container_end_ns, true);
  return r;
}

// ---- The load.

Result<PodStartReport> run_pod_start_load(const PodStartOptions& o, DriverTimings& timings) {
  if (o.pods == 0 || o.pods > kPodStartPodsMax)
    return Error{"invalid", "pods must be 1.." + std::to_string(kPodStartPodsMax)};
  auto deadline = Clock::now() + std::chrono::milliseconds(o.timeout_ms);
  HttpClient client(o.api_port);
  if (auto s = wait_for_cluster(client, o, deadline); !s) return s.error();
  Tracker tracker;
  PodStartReport report;
  report.pods = o.pods;
  report.rate_per_s = o.rate_per_s;
  {
    WatchStream watch(o.api_port, "/api/v1/namespaces/" + o.name_space + "/pods?watch=1",
                      [&tracker](const std::string& line) { tracker.on_line(line); });
    auto first = Clock::now();
    double cpu_before = process_cpu_ms();
    double pods_cpu_before = o.pod_processes_cpu_ms ? o.pod_processes_cpu_ms() : 0;
    if (auto s = create_pods(client, o, tracker); !s) return s.error();
    report.running = tracker.wait_running(o.pods, deadline);
    report.cpu.process_ms = process_cpu_ms() - cpu_before;
    if (o.pod_processes_cpu_ms)
      report.cpu.pod_processes_ms = o.pod_processes_cpu_ms() - pods_cpu_before;
    report.cpu.per_pod_ms = (report.cpu.process_ms + report.cpu.pod_processes_ms) /
                            static_cast<double>(std::max<std::size_t>(1, report.running));
    std::int64_t last_ns = 0;
    for (const auto& [name, pod] : tracker.pods()) last_ns = std::max(last_ns, pod.running_ns);
    report.seconds_to_all_running =
        static_cast<double>(
            last_ns - std::chrono::duration_cast<std::chrono::nanoseconds>(first.time_since_epoch())
                          .count()) /
        1e9;
  }
  auto pods = tracker.pods();
  if (report.seconds_to_all_running > 0)
    report.running_per_s = static_cast<double>(report.running) / report.seconds_to_all_running;
  report.phases = phases(pods, timings);
  std::set<std::string> uids;
  for (const auto& [name, pod] : pods) {
    if (!pod.uid.empty()) uids.insert(pod.uid);
    if (pod.created_ns != 0 && pod.running_ns == 0) report.problems.push_back(name + " never ran");
  }
  auto cleanup = Clock::now();
  if (auto s = delete_pods(client, o, uids, timings, deadline); !s)
    report.problems.push_back("cleanup: " + s.error().message);
  report.cleanup_seconds = std::chrono::duration<double>(Clock::now() - cleanup).count();
  return report;
}

// ---- The report.

std::string pod_start_text(const PodStartReport& r) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(1);
  out << "pod start: " << r.pods << " pods "
      << (r.rate_per_s > 0 ? "at " + std::to_string(r.rate_per_s) + "/s" : std::string("at once"))
      << ", " << r.running << " Running; all Running after " << r.seconds_to_all_running << " s ("
      << r.running_per_s << " pods/s); cleanup " << r.cleanup_seconds << " s\n";
  out << "  cpu (user+sys) per pod " << r.cpu.per_pod_ms << " ms: this process " << r.cpu.process_ms
      << " ms + the pods' shims and containers " << r.cpu.pod_processes_ms << " ms in all\n";
  out << "  phase (ms)                  pods     p50     p90     p99     max\n";
  for (const auto& p : r.phases) {
    out << "  " << p.name << std::string(p.name.size() < 26 ? 26 - p.name.size() : 1, ' ');
    out.width(6);
    out << p.pods;
    for (double v : {p.p50_ms, p.p90_ms, p.p99_ms, p.max_ms}) {
      out << ' ';
      out.width(7);
      out << v;
    }
    out << "\n";
  }
  for (const auto& problem : r.problems) out << "  problem: " << problem << "\n";
  return out.str();
}

std::string pod_start_json(const PodStartReport& r) {
  json phases = json::array();
  for (const auto& p : r.phases)
    phases.push_back({{"phase", p.name},
                      {"pods", p.pods},
                      {"p50_ms", p.p50_ms},
                      {"p90_ms", p.p90_ms},
                      {"p99_ms", p.p99_ms},
                      {"max_ms", p.max_ms},
                      {"mean_ms", p.mean_ms}});
  return json{{"pods", r.pods},
              {"rate_per_s", r.rate_per_s},
              {"running", r.running},
              {"seconds_to_all_running", r.seconds_to_all_running},
              {"running_per_s", r.running_per_s},
              {"cleanup_seconds", r.cleanup_seconds},
              {"cpu",
               {{"per_pod_ms", r.cpu.per_pod_ms},
                {"process_ms", r.cpu.process_ms},
                {"pod_processes_ms", r.cpu.pod_processes_ms}}},
              {"phases", phases},
              {"problems", r.problems}}
      .dump();
}

}  // namespace craton::bench
