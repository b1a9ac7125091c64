// `craton bench pods`: pod start through the whole stack (bench/pod_start_bench.hpp). Starts a
// single-host cluster in this process as `craton up` does (cmd/single_host.hpp), on ports, a
// bridge, a cgroup root and a temp data directory of its own, creates the pods, reports
// create -> bound / started / Running and the CPU each pod's start cost (this process and the
// pods' shims and containers), deletes them and removes everything it made. Root with
// --driver linux (the busybox image from tests/images/build-busybox-image.sh: --image-dir).
//
//   craton bench pods [--pods 100] [--rate PODS_PER_S|all] [--driver linux|fake] [--json]
//       [--workers 16] [--image-dir DIR/oci] [--image busybox:craton] [--dir /tmp]
//       [--http 127.0.0.1:16443] [--listen 127.0.0.1:12380] [--bridge crbench0]
//       [--pod-cidr 10.254.0.0/24]
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>

#include "actors/agent/linux/cgroups.hpp"
#include "actors/agent/linux/process_info.hpp"
#include "actors/agent/linux/state_files.hpp"
#include "bench/pod_start_bench.hpp"
#include "cmd/commands.hpp"
#include "cmd/single_host.hpp"
#include "storage/images/image_store.hpp"

namespace craton::cmd {
namespace {

namespace fs = std::filesystem;

struct PodsBenchFlags {
  SingleHostFlags host;
  bench::PodStartOptions load;
  std::string rate = "all";
  std::string image_dir;
  std::string dir = "/tmp";
  bool json = false;
};

Result<double> parse_rate(const std::string& text) {
  if (text == "all") return 0.0;
  char* end = nullptr;
  double rate = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(rate > 0) || rate > 10'000)
    return Error{"invalid", "--rate must be all or pods per second (0 < N <= 10000)"};
  return rate;
}

/// The temp data directory, with the image imported when the driver runs pods for real.
Result<std::string> prepare_data(const PodsBenchFlags& f) {
  std::string pattern = f.dir + "/craton-podstart-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr)
    return Error{"io", "cannot make a temp directory under " + f.dir};
  if (f.host.driver != "linux") return pattern;
  if (f.image_dir.empty()) {
    fs::remove_all(pattern);
    return Error{"invalid",
                 "--image-dir is required with --driver linux (tests/images/"
                 "build-busybox-image.sh OUT makes OUT/oci)"};
  }
  fs::create_directories(pattern + "/agent");
  images::ImageStore store(images::ImageStore::default_root(pattern + "/agent"));
  if (auto imported = store.import(f.image_dir); !imported) {
    fs::remove_all(pattern);
    return Error{imported.error().code, "import " + f.image_dir + ": " + imported.error().message};
  }
  return pattern;
}

/// CPU ms of every shim and container the Linux driver started under `pods_dir`, from the
/// pids each attempt's started.json records (the supervisor and the container's init; the
/// container's setup before its exec is that process's too). The first shim process, which
/// forks the supervisor and exits, is reaped by the driver: this process's children count it.
double pod_processes_cpu_ms(const std::string& pods_dir) {
  double total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(pods_dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->path().filename() != "started.json") continue;
    auto text = agent::linux_driver::read_file(it->path().string());
    if (!text) continue;
    auto started = agent::linux_driver::decode_container_started(text.value());
    if (!started) continue;
    for (int pid : {started->shim_pid, started->pid})
      total += std::max(0.0, agent::linux_driver::process_cpu_ms(pid));
  }
  return total;
}

int run_pods_bench(PodsBenchFlags f, const std::vector<std::string>& extras) {
  auto fail = [](const std::string& message, int code) {
    std::cerr << "craton bench pods: " << message << "\n";
    return code;
  };
  auto rate = parse_rate(f.rate);
  if (!rate) return fail(rate.error().message, 2);
  f.load.rate_per_s = *rate;
  auto http = f.host.http.substr(f.host.http.rfind(':') + 1);
  f.load.api_port = static_cast<std::uint16_t>(std::atoi(http.c_str()));
  auto data = prepare_data(f);
  if (!data) return fail(data.error().message, data.error().code == "invalid" ? 2 : 1);
  f.host.data = *data;
  if (f.host.driver == "linux")
    f.load.pod_processes_cpu_ms = [pods = *data + "/agent/pods"] {
      return pod_processes_cpu_ms(pods);
    };
  f.host.banner = false;
  f.host.port = 0;

  std::shared_ptr<bench::DriverTimings> timings;
  std::shared_ptr<agent::PodNetwork> network;
  std::optional<Result<bench::PodStartReport>> report;
  std::thread load;
  SingleHostHooks hooks;
  hooks.runtime = [&](AgentRuntime& runtime) {
    timings = std::make_shared<bench::DriverTimings>(runtime.driver);
    runtime.driver = timings;
    network = runtime.network;
  };
  hooks.started = [&] {
    load = std::thread([&] {
      report = bench::run_pod_start_load(f.load, *timings);
      ::kill(::getpid(), SIGTERM);  // ends run_single_host, as a Ctrl-C would
    });
  };
  int code = run_single_host(f.host, extras, hooks, "bench pods");
  if (load.joinable()) load.join();
  timings.reset();
  if (network) (void)network->teardown();
  network.reset();
  if (f.host.driver == "linux")
    (void)agent::linux_driver::remove_cgroup_tree(agent::linux_driver::detect_cgroup_version(),
                                                  f.host.cgroup_root, 10'000);
  std::error_code ec;
  fs::remove_all(f.host.data, ec);
  if (!report) return fail("the cluster did not start", code != 0 ? code : 1);
  if (!*report) return fail(report->error().message, 1);
  std::cout << (f.json ? bench::pod_start_json(report->value()) + "\n"
                       : bench::pod_start_text(report->value()));
  return report->value().problems.empty() ? 0 : 1;
}

}  // namespace

void add_pods_bench(CLI::App& bench, int& exit_code) {
  auto* sub = bench.add_subcommand(
      "pods",
      "Pod start through the whole stack in this process: create -> bound, started, "
      "Running (p50/p90/p99/max)");
  auto f = std::make_shared<PodsBenchFlags>();
  f->host.http = "127.0.0.1:16443";
  f->host.listen = "127.0.0.1:12380";
  f->host.bridge = "crbench0";
  f->host.pod_cidr = "10.254.0.0/24";
  f->host.cgroup_root = "craton-bench";
  sub->add_option("--pods", f->load.pods, "Pods to create")
      ->check(CLI::Range(std::size_t(1), bench::kPodStartPodsMax));
  sub->add_option("--rate", f->rate, "Pods created per second, or all (at once)");
  sub->add_option("--driver", f->host.driver, "linux (run pods) or fake (simulate them)");
  sub->add_option("--workers", f->host.workers, "The agent's workers (craton up's default: 16)");
  sub->add_option("--image-dir", f->image_dir, "The image to import (an OCI layout or archive)");
  sub->add_option("--image", f->load.image, "The pods' image (busybox:craton)");
  sub->add_option("--dir", f->dir, "Where the run's temp data directory goes (/tmp)");
  sub->add_option("--http", f->host.http, "The API's loopback address (127.0.0.1:16443)");
  sub->add_option("--listen", f->host.listen, "The store replica's link (127.0.0.1:12380)");
  sub->add_option("--bridge", f->host.bridge, "The pods' bridge (crbench0)");
  sub->add_option("--pod-cidr", f->host.pod_cidr, "The pods' addresses (10.254.0.0/24)");
  sub->add_option("--cgroup-root", f->host.cgroup_root, "The pods' cgroups (craton-bench)");
  sub->add_option("--timeout-ms", f->load.timeout_ms, "The whole run at most (300000)")
      ->check(CLI::Range(std::int64_t(1000), std::int64_t(3'600'000)));
  sub->add_flag("--json", f->json, "One JSON object");
  sub->allow_extras();
  sub->callback([sub, f, &exit_code] { exit_code = run_pods_bench(*f, sub->remaining()); });
}

}  // namespace craton::cmd
