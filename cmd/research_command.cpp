// `craton research`: the scheduling-research harness's tools (issue 15; docs/research.md).
// Process code: it blocks on files.
//
//   craton research import --format google-2011|alibaba-2017|alibaba-gpu-2023 --out W.jsonl
//                          [--strict] [--max-pods N] [--machine-cpu MILLI]
//                          [--machine-memory-mib MIB] [--machine-disk-mib MIB] [--nodes N] FILES...
//   craton research synth --nodes N --pods P --seed S --out W.jsonl [--rate R] [...]
//   craton research check W.jsonl     # reads it whole: counts and hash, or the first bad line
//
// Each prints one summary line (nodes, pods, events, skipped rows, hash) and exits 0; a
// malformed row is reported on stderr with its file and line and skipped (with --strict: exit 1,
// nothing written); an unreadable file or bad usage exits 1 or 2 with one line, writing nothing.
// A new research tool is one add_research_<name>(research, exit_code) call in
// add_research_command below.
#include <chrono>
#include <iostream>
#include <memory>

#include "cmd/commands.hpp"
#include "sim/workload/import_alibaba_2017.hpp"
#include "sim/workload/import_alibaba_gpu_2023.hpp"
#include "sim/workload/import_google_2011.hpp"
#include "sim/workload/synthetic_workload.hpp"
#include "sim/workload/workload_hash.hpp"
#include "sim/workload/workload_writer.hpp"

namespace craton::cmd {
namespace {

using namespace craton::workload;

struct ImportFlags {
  std::string format;
  std::string out;
  std::vector<std::string> files;
  bool strict = false;
  std::int64_t max_pods = 0;
  std::optional<std::int64_t> machine_cpu_milli, machine_memory_mib, machine_disk_mib, nodes;
};

void print_summary(const WorkloadSummary& s, std::int64_t skipped, const std::string& out) {
  std::cout << "wrote " << out << ": nodes " << s.nodes << ", pods " << s.pods << ", events "
            << s.node_events << ", skipped rows " << skipped << ", hash " << s.hash << "\n";
}

void print_problems(const ImportReport& report) {
  for (const auto& p : report.problems) std::cerr << "skipped " << p << "\n";
  if (report.skipped_rows > static_cast<std::int64_t>(report.problems.size()))
    std::cerr << "skipped " << report.skipped_rows - report.problems.size()
              << " more malformed rows\n";
}

// A trace's importer options: its default machine and node count, overridden by the flags.
template <class Options>
Options sized_options(const ImportFlags& f) {
  constexpr std::int64_t kMiB = 1 << 20;
  Options o;
  o.common = ImportOptions{f.strict, f.max_pods};
  if (f.machine_cpu_milli) o.machine.cpu_milli = *f.machine_cpu_milli;
  if (f.machine_memory_mib) o.machine.memory_bytes = *f.machine_memory_mib * kMiB;
  if (f.machine_disk_mib) o.machine.ephemeral_storage_bytes = *f.machine_disk_mib * kMiB;
  o.nodes = f.nodes.value_or(o.nodes);
  return o;
}

Result<ImportReport> run_importer(const ImportFlags& f, WorkloadSink& sink) {
  if (f.format == "google-2011")
    return import_google_2011(f.files, sized_options<Google2011Options>(f), sink);
  if (f.format == "alibaba-2017")
    return import_alibaba_2017(f.files, sized_options<Alibaba2017Options>(f), sink);
  return import_alibaba_gpu_2023(f.files, AlibabaGpu2023Options{{f.strict, f.max_pods}}, sink);
}

int run_import(const ImportFlags& f) {
  auto started = std::chrono::steady_clock::now();
  WorkloadWriter writer(f.out);
  auto report = run_importer(f, writer);
  if (!report) {
    std::cerr << "craton research import: " << report.error().message << "\n";
    return report.error().code == "usage" ? 2 : 1;
  }
  print_problems(*report);
  auto summary = writer.finish();
  if (!summary) {
    std::cerr << "craton research import: " << summary.error().message << "\n";
    return 1;
  }
  print_summary(*summary, report->skipped_rows, f.out);
  auto wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - started)
                     .count();
  std::cerr << "read " << report->rows_read << " rows in " << wall_ms << " ms";
  if (report->pods_cut) std::cerr << "; pods past --max-pods left out";
  std::cerr << "\n";
  return 0;
}

int run_synth(const SyntheticOptions& o, const std::string& out) {
  WorkloadWriter writer(out);
  auto status = generate_synthetic_workload(o, writer);
  if (!status) {
    std::cerr << "craton research synth: " << status.error().message << "\n";
    return status.error().code == "usage" ? 2 : 1;
  }
  auto summary = writer.finish();
  if (!summary) {
    std::cerr << "craton research synth: " << summary.error().message << "\n";
    return 1;
  }
  print_summary(*summary, 0, out);
  return 0;
}

void add_research_import(CLI::App& research, int& exit_code) {
  auto f = std::make_shared<ImportFlags>();
  auto* sub = research.add_subcommand("import", "Convert a public cluster trace to a workload");
  sub->add_option("--format", f->format, "The trace's format")
      ->required()
      ->check(CLI::IsMember({"google-2011", "alibaba-2017", "alibaba-gpu-2023"}));
  sub->add_option("--out", f->out, "The workload file to write (JSON lines)")->required();
  sub->add_flag("--strict", f->strict, "Refuse the trace (exit 1) at its first malformed row");
  sub->add_option("--max-pods", f->max_pods, "Keep only the first N pods in submit order")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--machine-cpu", f->machine_cpu_milli,
                  "Millicores of a normalised 1.0 CPU (google-2011: 32000; alibaba-2017 nodes "
                  "generated without server_event: 64000)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--machine-memory-mib", f->machine_memory_mib,
                  "MiB of a normalised 1.0 memory (google-2011: 131072; alibaba-2017: 262144)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--machine-disk-mib", f->machine_disk_mib,
                  "MiB of a normalised 1.0 disk (1048576)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--nodes", f->nodes,
                  "Nodes to generate when the trace has no machines (google-2011: 1000; "
                  "alibaba-2017 without server_event: 1300)")
      ->check(CLI::Range(1, 100000));
  sub->add_option("files", f->files, "The trace's files, gzip or plain CSV, own names")
      ->required()
      ->check(CLI::ExistingFile);
  sub->callback([f, &exit_code] { exit_code = run_import(*f); });
}

struct SynthFlags {
  SyntheticOptions options;
  std::int64_t node_memory_mib = 131072;
  std::string out;
};

void add_research_synth(CLI::App& research, int& exit_code) {
  auto f = std::make_shared<SynthFlags>();
  auto& o = f->options;
  auto* sub = research.add_subcommand("synth", "Generate a synthetic workload from a seed");
  sub->add_option("--nodes", o.nodes, "Nodes")->required();
  sub->add_option("--pods", o.pods, "Pods")->required();
  sub->add_option("--seed", o.seed, "Seed: the same seed gives the same file")->required();
  sub->add_option("--out", f->out, "The workload file to write (JSON lines)")->required();
  sub->add_option("--rate", o.arrivals_per_s, "Pod arrivals per second (Poisson)")
      ->capture_default_str();
  sub->add_option("--duration-mean", o.duration_mean_s,
                  "Mean pod run time in seconds (exponential)")
      ->capture_default_str();
  sub->add_option("--node-cpu", o.node_cpu_milli, "Node millicores")->capture_default_str();
  sub->add_option("--node-memory-mib", f->node_memory_mib, "Node memory in MiB")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 30));
  sub->add_option("--node-gpus", o.node_gpus, "GPUs per node")->capture_default_str();
  sub->add_option("--gpu-model", o.gpu_model, "The nodes' GPU model")->capture_default_str();
  sub->add_option("--gpu-pod-fraction", o.gpu_pod_fraction,
                  "Share of pods that ask for a GPU (whole or shared)")
      ->capture_default_str();
  sub->callback([f, &exit_code] {
    f->options.node_memory_bytes = f->node_memory_mib << 20;
    exit_code = run_synth(f->options, f->out);
  });
}

void add_research_check(CLI::App& research, int& exit_code) {
  auto path = std::make_shared<std::string>();
  auto* sub = research.add_subcommand("check", "Read a workload whole: its counts and hash");
  sub->add_option("workload", *path, "The workload file")->required();
  sub->callback([path, &exit_code] {
    auto summary = summarize_workload_file(*path);
    if (!summary) {
      std::cerr << "craton research check: " << summary.error().message << "\n";
      exit_code = 1;
      return;
    }
    std::cout << *path << ": nodes " << summary->nodes << ", pods " << summary->pods << ", events "
              << summary->node_events << ", hash " << summary->hash << "\n";
    exit_code = 0;
  });
}

}  // namespace

// `craton research run` (cmd/research_run_command.cpp).
void add_research_run(CLI::App& research, int& exit_code);

void add_research_command(CLI::App& app, int& exit_code) {
  auto* research = app.add_subcommand(
      "research", "Scheduling research: workloads from traces or a seed (docs/research.md)");
  research->require_subcommand(1);
  add_research_import(*research, exit_code);
  add_research_synth(*research, exit_code);
  add_research_check(*research, exit_code);
  add_research_run(*research, exit_code);
}

}  // namespace craton::cmd
