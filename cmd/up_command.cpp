// `craton up`: a whole cluster on this host in one process, with embedded defaults: one store
// replica, the API server, the controller manager, the scheduler and a node agent that runs
// pods with the Linux driver (namespaces, cgroups, overlayfs, a bridge). Data under
// ./craton-data; a kubeconfig is written there and how to use it is printed. Runs until
// SIGINT or SIGTERM; the pods' containers outlive the process (as they outlive a kubelet) and
// are adopted when it starts again. As root.
//
//   craton up [--data craton-data] [--http 127.0.0.1:6443] [--pod-cidr 10.244.0.0/24]
//             [--driver linux|fake] [--workers 16] [--bridge craton0] [--cgroup-root craton]
#include "cmd/commands.hpp"
#include "cmd/single_host.hpp"

namespace craton::cmd {

void add_up_command(CLI::App& app, int& exit_code) {
  auto* sub = app.add_subcommand(
      "up",
      "Run a whole single-host cluster in this process (store, API, controllers, "
      "scheduler, node agent); writes DATA/kubeconfig");
  auto flags = std::make_shared<SingleHostFlags>();
  sub->add_option("--data", flags->data, "Where everything is kept (default ./craton-data)");
  sub->add_option("--http", flags->http, "Where kubectl connects (loopback; 127.0.0.1:6443)");
  sub->add_option("--listen", flags->listen, "The store replica's link (127.0.0.1:2380)");
  sub->add_option("--pod-cidr", flags->pod_cidr, "The pods' addresses (10.244.0.0/24)");
  sub->add_option("--driver", flags->driver, "linux (run pods) or fake (simulate them)");
  sub->add_option("--port", flags->port, "The agent's log port on loopback (10250; 0: any)");
  sub->add_option("--workers", flags->workers,
                  "Pods whose driver calls run side by side (16; a pod's calls stay in order)");
  // A second cluster on the host (a benchmark, a test in a network namespace of its own) needs
  // cgroups, and outside its own namespace a bridge, that are not the first one's.
  sub->add_option("--bridge", flags->bridge, "The pods' bridge (craton0)");
  sub->add_option("--cgroup-root", flags->cgroup_root, "The pods' cgroups (craton)");
  sub->add_flag("--verbose", flags->verbose, "Log every component's messages");
  sub->allow_extras();
  sub->callback([sub, flags, &exit_code] {
    exit_code = run_single_host(*flags, sub->remaining(), {}, "up");
  });
}

}  // namespace craton::cmd
