// GPU sharing, FGD and the baseline policies (actors/scheduler/plugins/gpu_*.hpp, fgd.hpp,
// random_score.hpp, dot_product.hpp; sim/policies/*.yaml): each plugin's Filter/Score on
// tables whose expected values are worked out in the comments, the profiles in sim/policies/
// loading and building, and the FGD paper's claim on a tiny cluster where best fit leaves a GPU
// fragment that FGD avoids, through the real Framework and the shipped profiles.
#define BOOST_TEST_MODULE scheduler_gpu_policies
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "actors/scheduler/config/scheduler_config.hpp"
#include "actors/scheduler/framework/framework.hpp"
#include "actors/scheduler/plugins/default_plugins.hpp"
#include "actors/scheduler/plugins/dot_product.hpp"
#include "actors/scheduler/plugins/fgd.hpp"
#include "actors/scheduler/plugins/gpu_clustering.hpp"
#include "actors/scheduler/plugins/gpu_model.hpp"
#include "actors/scheduler/plugins/gpu_packing.hpp"
#include "actors/scheduler/plugins/gpu_share.hpp"
#include "actors/scheduler/plugins/random_score.hpp"
#include "tests/scheduler/model_builders.hpp"
#include "tests/scheduler/score_helpers.hpp"

using namespace craton::scheduler;
using namespace craton::scheduler::testing;

namespace {

constexpr std::int64_t kGi = 1024LL * 1024 * 1024;

/// The resource table every case uses, with the GPU ids.
struct Gpus {
  ResourceNames names;
  GpuResourceIds ids = GpuResourceIds::intern(names);

  /// A node of `gpus` GPUs (advertising both GPU resources), 64 cores, 256 GiB.
  NodeInfo node(std::string name, std::int64_t gpus, std::int64_t milli_cpu = 64000) {
    Resources allocatable;
    allocatable.milli_cpu = milli_cpu;
    allocatable.memory_bytes = 256 * kGi;
    allocatable.pods = 110;
    allocatable.set(ids.gpus, gpus);
    allocatable.set(ids.milli, gpus * kMilliPerGpu);
    return NodeInfo(std::move(name), {}, {}, false, allocatable);
  }
  /// A pod with a share of `milli` (1..999) or `whole` GPUs (both resources, as recommended).
  PodInfo pod(std::string name, std::int64_t milli_cpu, std::int32_t whole, std::int32_t milli) {
    PodInfo p = pod_requesting(milli_cpu, 0, std::move(name));
    if (whole > 0) {
      p.requests.set(ids.gpus, whole);
      p.requests.set(ids.milli, std::int64_t{whole} * kMilliPerGpu);
    } else if (milli > 0) {
      p.requests.set(ids.milli, milli);
    }
    return p;
  }
  void place(NodeInfo& node, const PodInfo& pod) {
    auto placed = std::make_shared<PodInfo>(pod);
    placed->node_name = node.name();
    node.add_pod(placed);
  }
};

std::unique_ptr<GpuShare> gpu_share(Gpus& g) {
  return std::make_unique<GpuShare>(g.names);
}

/// GpuShare's PreFilter over the nodes (the state the Score plugins then read).
CycleState pre_filtered(GpuShare& share, const PodInfo& pod, const std::vector<NodeInfo>& nodes) {
  CycleState state;
  auto list = pointers(nodes);
  Status s = share.pre_filter(state, pod, list);
  BOOST_REQUIRE(s.is_success() || s.is_skip());
  return state;
}

std::string read_policy(const std::string& file) {
  std::ifstream in(std::string(CRATON_SOURCE_DIR) + "/sim/policies/" + file);
  BOOST_REQUIRE_MESSAGE(in, "cannot open sim/policies/" + file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::unique_ptr<Framework> framework_from_policy(const std::string& file, ResourceNames& names) {
  auto config = parse_scheduler_config(read_policy(file));
  BOOST_REQUIRE_MESSAGE(config.ok(), file + ": " + (config.ok() ? "" : config.error().message));
  auto built = build_frameworks(*config, default_registry(), names);
  BOOST_REQUIRE_MESSAGE(built.ok(), file + ": " + (built.ok() ? "" : built.error().message));
  BOOST_REQUIRE_EQUAL(built->size(), 1u);
  return std::move(built->front());
}

}  // namespace

BOOST_AUTO_TEST_CASE(gpu_requests_are_read_by_the_documented_rules) {
  Gpus g;
  struct Case {
    std::int64_t gpus, milli;
    GpuRequest want;
  };
  const std::vector<Case> cases = {
      {0, 0, {0, 0, true}},      // no GPU
      {0, 300, {0, 300, true}},  // a share of one GPU
      {0, 999, {0, 999, true}},  // the largest share
      {2, 0, {2, 0, true}},      // whole GPUs, nvidia.com/gpu only
      {2, 2000, {2, 0, true}},   // whole GPUs, both resources agreeing
      {0, 3000, {3, 0, true}},   // milli alone, a multiple of 1000: whole GPUs
      {0, 1500, {1, 0, false}},  // above 1000, not a multiple: invalid
      {1, 500, {1, 0, false}},   // a share and a whole GPU at once: invalid
  };
  for (const auto& c : cases) {
    Resources r;
    r.set(g.ids.gpus, c.gpus);
    r.set(g.ids.milli, c.milli);
    BOOST_TEST_CONTEXT("nvidia.com/gpu " << c.gpus << ", gpu-milli " << c.milli) {
      GpuRequest got = gpu_request_of(r, g.ids);
      BOOST_TEST(got.whole == c.want.whole);
      BOOST_TEST(got.milli == c.want.milli);
      BOOST_TEST(got.valid == c.want.valid);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_share_goes_to_the_fullest_gpu_with_room_whole_gpus_to_the_lowest_free) {
  NodeGpus n;
  n.count = 4;
  n.used = {600, 300, 0, 600};  // free 400, 700, 1000, 400
  struct Case {
    GpuRequest request;
    std::optional<GpuMask> want;
  };
  const std::vector<Case> cases = {
      {{0, 400, true}, 0b0001},      // free 400 on GPUs 0 and 3: the lower index
      {{0, 500, true}, 0b0010},      // 700 is the tightest with room
      {{0, 800, true}, 0b0100},      // only the idle GPU
      {{1, 0, true}, 0b0100},        // one whole GPU: the only fully free one
      {{2, 0, true}, std::nullopt},  // two whole GPUs: one is free
      {{0, 0, true}, 0},             // no GPU: fits with no GPU
      {{1, 0, false}, std::nullopt},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT("whole " << c.request.whole << " milli " << c.request.milli) {
      auto got = choose_gpus(n, c.request);
      BOOST_TEST(got.has_value() == c.want.has_value());
      if (got && c.want) BOOST_TEST(*got == *c.want);
    }
  }
}

BOOST_AUTO_TEST_CASE(gpu_share_checks_one_gpu_not_the_sum) {
  Gpus g;
  // Two GPUs, 600 milli used on each (shares of 600): 800 milli free in sum, 400 per GPU.
  std::vector<NodeInfo> nodes = {g.node("two-gpus", 2)};
  g.place(nodes[0], g.pod("s1", 1000, 0, 600));
  g.place(nodes[0], g.pod("s2", 1000, 0, 600));
  auto share = gpu_share(g);
  struct Case {
    std::string name;
    PodInfo pod;
    Code want;
    std::string_view reason;
  };
  const std::vector<Case> cases = {
      {"a share of 400 fits one GPU", g.pod("fits", 1000, 0, 400), Code::success, ""},
      {"a share of 500 fits the sum, not one GPU", g.pod("split", 1000, 0, 500),
       Code::unschedulable, GpuShare::kNoGpuForShare},
      {"a whole GPU: none fully free", g.pod("whole", 1000, 1, 0), Code::unschedulable,
       GpuShare::kTooFewFreeGpus},
      {"contradictory requests",
       [&] {
         PodInfo p = g.pod("bad", 1000, 1, 0);
         p.requests.set(g.ids.milli, 500);
         return p;
       }(),
       Code::unschedulable_and_unresolvable, GpuShare::kInvalid},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      CycleState state = pre_filtered(*share, c.pod, nodes);
      Status s = share->filter(state, c.pod, nodes[0]);
      BOOST_TEST(static_cast<int>(s.code()) == static_cast<int>(c.want));
      if (!c.reason.empty()) {
        BOOST_REQUIRE_EQUAL(s.reasons().size(), 1u);
        BOOST_TEST(s.reasons()[0] == c.reason);
      }
    }
  }
  // A pod without GPU requests: PreFilter skips GpuShare's Filter.
  CycleState state;
  auto list = pointers(nodes);
  PodInfo cpu_only = g.pod("cpu", 1000, 0, 0);
  BOOST_TEST(share->pre_filter(state, cpu_only, list).is_skip());
}

BOOST_AUTO_TEST_CASE(reserve_pins_the_gpu_and_the_table_is_the_same_whatever_the_pod_order) {
  Gpus g;
  // GPU 0 has 700 used, GPU 1 is idle. A share of 300 goes to GPU 0 (best fit: free 300).
  std::vector<NodeInfo> nodes = {g.node("n", 2)};
  g.place(nodes[0], g.pod("a-700", 1000, 0, 700));
  auto share = gpu_share(g);
  PodInfo p = g.pod("b-300", 1000, 0, 300);
  CycleState state = pre_filtered(*share, p, nodes);
  auto list = pointers(nodes);
  state.set_all_nodes(list);
  BOOST_REQUIRE(share->reserve(state, p, "n").is_success());
  g.place(nodes[0], p);  // the cache assumes it
  (void)pre_filtered(*share, g.pod("next", 1000, 0, 100), nodes);
  auto placed = share->placements(nodes[0]);
  BOOST_REQUIRE_EQUAL(placed.size(), 2u);
  BOOST_TEST(placed[0].uid == "uid-a-700");
  BOOST_TEST(placed[0].mask == 0b01u);
  BOOST_TEST(placed[1].uid == "uid-b-300");
  BOOST_TEST(placed[1].mask == 0b01u);  // as reserved: GPU 0 is now full
  BOOST_TEST(share->node_gpus(nodes[0]).used[0] == 1000);

  // A fresh plugin (a restarted scheduler) derives the same table from the pods alone, whatever
  // order the node lists them in.
  std::vector<NodeInfo> reversed = {g.node("n", 2)};
  g.place(reversed[0], p);
  g.place(reversed[0], g.pod("a-700", 1000, 0, 700));
  auto fresh = gpu_share(g);
  (void)pre_filtered(*fresh, g.pod("next", 1000, 0, 100), reversed);
  auto again = fresh->placements(reversed[0]);
  BOOST_REQUIRE_EQUAL(again.size(), 2u);
  BOOST_TEST(again[0].mask == placed[0].mask);
  BOOST_TEST(again[1].mask == placed[1].mask);

  // Unreserve forgets a reservation: the pod is placed as new when it shows up again.
  PodInfo q = g.pod("c-200", 1000, 0, 200);
  CycleState s2 = pre_filtered(*share, q, nodes);
  s2.set_all_nodes(list);
  BOOST_REQUIRE(share->reserve(s2, q, "n").is_success());
  share->unreserve(s2, q, "n");
  BOOST_TEST(share->placements(nodes[0]).size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_restarted_gpu_share_reads_the_gpus_back_from_the_pods_annotation) {
  Gpus g;
  // Two shares of 300 an earlier scheduler (FGD, say) spread over GPUs 1 and 0 of a 2-GPU
  // node; choose_gpus alone would stack both on GPU 0. The annotation says where they are.
  std::vector<NodeInfo> nodes = {g.node("n", 2)};
  PodInfo a = g.pod("a-300", 1000, 0, 300), b = g.pod("b-300", 1000, 0, 300);
  a.gpu_index = "1";
  b.gpu_index = "0";
  g.place(nodes[0], a);
  g.place(nodes[0], b);
  PodInfo c = g.pod("c-300", 1000, 0, 300);  // no annotation: placed by the rule, after them
  g.place(nodes[0], c);
  auto fresh = gpu_share(g);
  (void)pre_filtered(*fresh, g.pod("next", 1000, 0, 100), nodes);
  auto placed = fresh->placements(nodes[0]);
  BOOST_REQUIRE_EQUAL(placed.size(), 3u);
  BOOST_TEST(placed[0].mask == 0b10u);  // a: GPU 1, as annotated
  BOOST_TEST(placed[1].mask == 0b01u);  // b: GPU 0, as annotated
  BOOST_TEST(placed[2].mask == 0b01u);  // c: best fit among equals: the lowest GPU
  BOOST_TEST(fresh->node_gpus(nodes[0]).used[0] == 600);
  BOOST_TEST(fresh->node_gpus(nodes[0]).used[1] == 300);

  // A malformed or misfitting annotation falls back to the rule.
  std::vector<NodeInfo> other = {g.node("m", 3)};
  PodInfo bad = g.pod("bad", 1000, 0, 300), whole = g.pod("whole", 1000, 2, 0);
  bad.gpu_index = "1,x";
  whole.gpu_index = "1";  // two whole GPUs cannot be one index
  g.place(other[0], bad);
  g.place(other[0], whole);
  auto again = gpu_share(g);
  (void)pre_filtered(*again, g.pod("next", 1000, 0, 100), other);
  auto used = again->node_gpus(other[0]).used;
  BOOST_TEST(used[0] == 300);  // bad: the rule's lowest GPU, not GPU 1
  BOOST_TEST(used[1] == 1000);
  BOOST_TEST(used[2] == 1000);

  BOOST_TEST(parse_gpu_index("0,1").value_or(0) == 0b11u);
  BOOST_TEST(parse_gpu_index("2").value_or(0) == 0b100u);
  for (std::string_view wrong : {"", ",", "1,", "1,1", "2,1", "a", "-1", "1000"})
    BOOST_TEST(!parse_gpu_index(wrong).has_value(), wrong);
}

BOOST_AUTO_TEST_CASE(fgd_fragmentation_follows_the_papers_definitions) {
  // Workload: half shares of 500 (1 core), half whole GPUs (1 core).
  FgdArgs args{{{1000, 1, 500, 1}, {1000, 1, 1000, 1}}};
  auto workload = fgd_workload(args);
  BOOST_REQUIRE(workload.ok());
  struct Case {
    std::string name;
    std::int32_t count;
    std::array<std::int32_t, kGpusPerNodeMax> used;
    std::int64_t free_cpu;
    double want;
  };
  const std::vector<Case> cases = {
      // Both types fit an idle GPU; no GPU is below what either needs: 0.
      {"idle GPU", 1, {0}, 8000, 0},
      // Free 500: the share fits (500 is not below 500): 0; the whole GPU cannot run: all 500.
      {"half used", 1, {500}, 8000, 0.5 * 500},
      // Free 300: neither fits: all free for both.
      {"mostly used", 1, {700}, 8000, 300},
      // Two GPUs, free 1000 and 300: both fit; the share: 300 < 500 is a fragment; the whole
      // GPU: 300 < 1000 is a fragment: 300 for both.
      {"one idle one mostly used", 2, {0, 700}, 8000, 300},
      // No CPU left: no type can run: every free milli is a fragment.
      {"no cpu", 1, {0}, 500, 1000},
      {"full", 1, {1000}, 8000, 0},
  };
  for (const auto& c : cases) {
    NodeGpus n;
    n.count = c.count;
    n.used = c.used;
    n.free_milli_cpu = c.free_cpu;
    BOOST_TEST_CONTEXT(c.name) {
      BOOST_TEST(node_fragmentation(n, *workload) == c.want, boost::test_tools::tolerance(1e-9));
    }
  }
  // Types of one GPU request with different CPU demands: only those whose CPU fits see the
  // per-GPU fragment. Shares of 500 with 1 or 4 cores on an idle GPU with 2 cores left:
  // 0.5 * 0 + 0.5 * 1000.
  auto by_cpu = fgd_workload(FgdArgs{{{4000, 1, 500, 1}, {1000, 1, 500, 1}}});
  BOOST_REQUIRE(by_cpu.ok());
  NodeGpus two_cores;
  two_cores.count = 1;
  two_cores.free_milli_cpu = 2000;
  BOOST_TEST(node_fragmentation(two_cores, *by_cpu) == 500, boost::test_tools::tolerance(1e-9));
  // A CPU-only type counts every free GPU as a fragment (it can use none of them).
  auto cpu_only = fgd_workload(FgdArgs{{{1000, 0, 0, 1}}});
  BOOST_REQUIRE(cpu_only.ok());
  NodeGpus idle;
  idle.count = 2;
  idle.free_milli_cpu = 8000;
  BOOST_TEST(node_fragmentation(idle, *cpu_only) == 2000, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(fgd_workloads_are_checked_and_learned_from_pods) {
  struct Case {
    std::string name;
    FgdPodType type;
    bool ok;
  };
  const std::vector<Case> cases = {
      {"cpu only", {1000, 0, 0, 1}, true},
      {"share", {1000, 1, 300, 1}, true},
      {"whole", {1000, 8, 1000, 1}, true},
      {"share on two GPUs", {1000, 2, 500, 1}, false},
      {"gpu milli without GPUs", {1000, 0, 500, 1}, false},
      {"zero weight", {1000, 1, 300, 0}, false},
      {"negative cpu", {-1, 0, 0, 1}, false},
      {"17 GPUs", {1000, 17, 1000, 1}, false},
  };
  for (const auto& c : cases) BOOST_TEST_CONTEXT(c.name) {
      BOOST_TEST(fgd_workload(FgdArgs{{c.type}}).ok() == c.ok);
    }
  BOOST_TEST(!fgd_workload(FgdArgs{}).ok());

  std::vector<FgdPodType> pods = {
      {4000, 1, 300, 1}, {8000, 1, 1000, 1}, {4000, 1, 300, 1}, {0, 0, 0, 1}, {4000, 1, 300, 1}};
  auto types = pod_types_from_pods(pods);
  BOOST_REQUIRE(types.ok());
  BOOST_REQUIRE_EQUAL(types->size(), 3u);
  BOOST_TEST((types->at(0) == FgdPodType{4000, 1, 300, 3}));
  BOOST_TEST((types->at(1) == FgdPodType{0, 0, 0, 1}));  // ties: field order
  BOOST_TEST((types->at(2) == FgdPodType{8000, 1, 1000, 1}));
  pods.push_back({1000, 2, 500, 1});
  auto bad = pod_types_from_pods(pods);
  BOOST_REQUIRE(!bad.ok());
  BOOST_TEST(bad.error().message.find("pod 5") == 0u);
}

BOOST_AUTO_TEST_CASE(fgd_scores_the_least_fragmentation_increase_highest) {
  Gpus g;
  // Workload: shares of 500 and whole GPUs, equally likely. A share of 500 arrives.
  //   idle:  F 0 -> free 500: the whole GPU cannot run: 0.5 * 500 = 250; delta +250
  //   half:  F 0.5 * 500 = 250 -> full: 0; delta -250
  //   cpu:   no GPU: delta 0
  std::vector<NodeInfo> nodes = {g.node("idle", 1), g.node("half", 1), g.node("cpu", 0)};
  g.place(nodes[1], g.pod("s", 1000, 0, 500));
  auto share = gpu_share(g);
  PodInfo pod = g.pod("p", 1000, 0, 500);
  CycleState state = pre_filtered(*share, pod, nodes);
  auto workload = fgd_workload(FgdArgs{{{1000, 1, 500, 1}, {1000, 1, 1000, 1}}});
  BOOST_REQUIRE(workload.ok());
  Fgd fgd(std::move(*workload));
  // Score without FGD's PreScore: an Error (Reserve would not take FGD's GPU choice).
  {
    std::int64_t s = 0;
    Status err = fgd.score(state, pod, nodes[0], s);
    BOOST_TEST((err.code() == Code::error));
    BOOST_TEST(err.reasons()[0] == Fgd::kNeedsPreScore);
  }
  auto list = pointers(nodes);
  BOOST_REQUIRE(fgd.pre_score(state, pod, list).is_success());
  std::vector<std::int64_t> raw;
  for (const auto& n : nodes) {
    std::int64_t s = 0;
    BOOST_REQUIRE(fgd.score(state, pod, n, s).is_success());
    raw.push_back(s);
  }
  BOOST_TEST(raw == (std::vector<std::int64_t>{-250'000, 250'000, 0}));
  // Normalised min..max: idle 0, half 100, the CPU node halfway.
  BOOST_TEST(normalized_scores(fgd, state, pod, nodes) == (std::vector<std::int64_t>{0, 100, 50}));

  // Without GpuShare in the profile (no GpuCycleData) FGD answers an Error naming it.
  CycleState empty;
  std::int64_t s = 0;
  Status err = fgd.score(empty, pod, nodes[0], s);
  BOOST_TEST((err.code() == Code::error));
  BOOST_TEST(err.reasons()[0] == Fgd::kNeedsGpuShare);
}

BOOST_AUTO_TEST_CASE(fgd_picks_the_gpu_of_least_fragmentation_and_reserve_takes_it) {
  Gpus g;
  // Two GPUs, free 600 and 1000. A share of 500 arrives; the workload is shares of 300.
  //   GPU 0 (best fit): free 100 and 1000: 100 < 300 is a fragment: F = 100
  //   GPU 1:            free 600 and 500: both hold 300: F = 0  -> FGD takes GPU 1
  std::vector<NodeInfo> nodes = {g.node("n", 2)};
  g.place(nodes[0], g.pod("a", 1000, 0, 400));
  auto share = gpu_share(g);
  PodInfo pod = g.pod("p", 1000, 0, 500);
  CycleState state = pre_filtered(*share, pod, nodes);
  NodeGpus gpus = share->node_gpus(nodes[0]);
  BOOST_REQUIRE(gpus.used[0] == 400);
  BOOST_REQUIRE(gpus.used[1] == 0);
  auto workload = fgd_workload(FgdArgs{{{1000, 1, 300, 1}}});
  BOOST_REQUIRE(workload.ok());
  Fgd fgd(std::move(*workload));
  BOOST_TEST(*choose_gpus(gpus, {0, 500, true}) == 0b01u);
  BOOST_TEST(*fgd.choose(gpus, {0, 500, true}, 1000) == 0b10u);
  BOOST_TEST(*fgd.choose(gpus, {1, 0, true}, 1000) == *choose_gpus(gpus, {1, 0, true}));
  // Reserve takes FGD's GPU once FGD's PreScore registered it.
  auto list = pointers(nodes);
  state.set_all_nodes(list);
  BOOST_REQUIRE(fgd.pre_score(state, pod, list).is_success());
  BOOST_REQUIRE(share->reserve(state, pod, "n").is_success());
  g.place(nodes[0], pod);
  (void)pre_filtered(*share, g.pod("next", 1000, 0, 0), nodes);
  BOOST_TEST(share->node_gpus(nodes[0]).used[1] == 500);
}

BOOST_AUTO_TEST_CASE(random_score_is_seeded_deterministic_and_in_range) {
  Gpus g;
  std::vector<NodeInfo> nodes;
  for (int i = 0; i < 50; ++i) nodes.push_back(g.node("n" + std::to_string(i), 0));
  PodInfo pod = g.pod("p", 1000, 0, 0);
  CycleState state;
  RandomScore a(7), b(7), c(8);
  auto sa = normalized_scores(a, state, pod, nodes), sb = normalized_scores(b, state, pod, nodes),
       sc = normalized_scores(c, state, pod, nodes);
  BOOST_TEST(sa == sb);
  BOOST_TEST(sa != sc);
  std::set<std::int64_t> distinct(sa.begin(), sa.end());
  BOOST_TEST(distinct.size() > 20u);  // 50 draws from 0..100: spread, not constant
  for (auto s : sa) BOOST_TEST((s >= 0 && s <= 100));
  // Fixed values: the same on every machine (FNV-1a + SplitMix64, not std::hash).
  BOOST_TEST(sa[0] == normalized_scores(a, state, pod, nodes)[0]);
}

BOOST_AUTO_TEST_CASE(dot_product_prefers_free_resources_aligned_with_the_request) {
  Gpus g;
  // A GPU-heavy pod (1 core, whole GPU): the node with free GPU and busy CPU aligns better
  // with it than the one with free CPU and busy GPU.
  //   gpu-free: cpu 1000/64000 * 8000/64000 + gpu 1000/2000 * 2000/2000 = 0.00195 + 0.5
  //   cpu-free: cpu 1000/64000 * 64000/64000 + gpu 1000/2000 * 1000/2000 = 0.0156 + 0.25
  std::vector<NodeInfo> nodes = {g.node("gpu-free", 2), g.node("cpu-free", 2)};
  g.place(nodes[0], g.pod("cpu-hog", 56000, 0, 0));
  g.place(nodes[1], g.pod("gpu-hog", 0, 1, 0));
  DotProduct dot(g.names);
  PodInfo pod = g.pod("p", 1000, 1, 0);
  CycleState state;
  std::vector<std::int64_t> raw;
  for (const auto& n : nodes) {
    std::int64_t s = 0;
    BOOST_REQUIRE(dot.score(state, pod, n, s).is_success());
    raw.push_back(s);
  }
  BOOST_TEST(raw[0] == 501953);  // 10^6 * (1/64 * 1/8 + 0.5), rounded
  BOOST_TEST(raw[1] == 265625);  // 10^6 * (1/64 + 0.25)
  BOOST_TEST(normalized_scores(dot, state, pod, nodes) == (std::vector<std::int64_t>{100, 0}));
}

BOOST_AUTO_TEST_CASE(gpu_packing_prefers_partly_used_gpus_then_used_nodes_then_idle_ones) {
  Gpus g;
  std::vector<NodeInfo> nodes = {g.node("shared-gpu", 2), g.node("used-node", 2),
                                 g.node("idle-2", 2), g.node("idle-8", 8), g.node("no-gpu", 0)};
  g.place(nodes[0], g.pod("s", 1000, 0, 500));  // GPU 0 half used
  g.place(nodes[1], g.pod("w", 1000, 1, 0));    // GPU 0 whole, GPU 1 idle
  auto share = gpu_share(g);
  GpuPacking packing;
  PodInfo pod = g.pod("p", 1000, 0, 300);
  CycleState state = pre_filtered(*share, pod, nodes);
  // shared-gpu: 67 + 33 * 800 / 1000 = 93; used-node: 34 + 32 * 1 / 2 = 50;
  // idle-2: 33 - 2 = 31; idle-8: 33 - 8 = 25; no GPU: 0.
  BOOST_TEST(normalized_scores(packing, state, pod, nodes) ==
             (std::vector<std::int64_t>{93, 50, 31, 25, 0}));
  // A whole-GPU pod cannot share a GPU: the used node still wins over idle ones.
  PodInfo whole = g.pod("w2", 1000, 1, 0);
  CycleState s2 = pre_filtered(*share, whole, nodes);
  BOOST_TEST(normalized_scores(packing, s2, whole, nodes) ==
             (std::vector<std::int64_t>{50, 50, 31, 25, 0}));
}

BOOST_AUTO_TEST_CASE(gpu_clustering_puts_pods_of_one_size_together) {
  Gpus g;
  std::vector<NodeInfo> nodes = {g.node("same", 2), g.node("mixed", 2), g.node("idle", 2),
                                 g.node("other", 2)};
  g.place(nodes[0], g.pod("a", 1000, 0, 300));
  g.place(nodes[1], g.pod("b", 1000, 0, 300));
  g.place(nodes[1], g.pod("c", 1000, 1, 0));
  g.place(nodes[3], g.pod("d", 1000, 0, 500));
  auto share = gpu_share(g);
  GpuClustering clustering;
  PodInfo pod = g.pod("p", 1000, 0, 300);
  CycleState state = pre_filtered(*share, pod, nodes);
  // same: 75 + 25 * 300 / 2000 = 78; mixed: 50 + 25 * 1300 / 2000 = 66; idle: 25;
  // other: 0 + 25 * 500 / 2000 = 6.
  BOOST_TEST(normalized_scores(clustering, state, pod, nodes) ==
             (std::vector<std::int64_t>{78, 66, 25, 6}));
  // No GPU asked: no preference.
  PodInfo cpu = g.pod("cpu", 1000, 0, 0);
  CycleState s2 = pre_filtered(*share, cpu, nodes);
  BOOST_TEST(normalized_scores(clustering, s2, cpu, nodes) ==
             (std::vector<std::int64_t>{0, 0, 0, 0}));
}

BOOST_AUTO_TEST_CASE(every_shipped_policy_loads_and_builds_with_the_default_registry) {
  for (std::string file :
       {"random.yaml", "least-allocated.yaml", "most-allocated.yaml", "dot-product.yaml",
        "gpu-packing.yaml", "gpu-clustering.yaml", "fgd.yaml"}) {
    BOOST_TEST_CONTEXT(file) {
      ResourceNames names;
      auto framework = framework_from_policy(file, names);
      auto filters = framework->plugin_names(ExtensionPoint::filter);
      BOOST_TEST(std::count(filters.begin(), filters.end(), "GpuShare") == 1);
      BOOST_TEST(framework->plugin_names(ExtensionPoint::score).size() == 1u);
      auto reserve = framework->plugin_names(ExtensionPoint::reserve);
      BOOST_TEST(std::count(reserve.begin(), reserve.end(), "GpuShare") == 1);
    }
  }
  // Bad FGD arguments are refused with the field's path.
  auto bad = parse_scheduler_config(
      "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n"
      "profiles:\n- pluginConfig:\n  - name: FGD\n    args:\n      podTypes:\n"
      "      - {cpuMilli: 1000, numGpu: 2, gpuMilli: 500}\n");
  BOOST_REQUIRE(!bad.ok());
  BOOST_TEST(bad.error().message.find("profiles[0].pluginConfig[0].args.podTypes: FGD: "
                                      "podTypes[0]") == 0u);
}

// The paper's claim on a tiny cluster whose optimum is known. Two nodes of one GPU each:
//   a: GPU idle, but 56 of its 64 cores taken by a CPU-only pod;
//   b: GPU half used by a share of 500, CPU almost idle.
// A share of 500 arrives, then a pod that needs a whole GPU. The optimum puts the share on b
// (filling its GPU) and leaves a's GPU whole for the second pod. Best fit (MostAllocated over
// cpu, memory and GPU) is drawn to a by its CPU and splits the two GPUs in halves: the whole-GPU
// pod then fits nowhere. FGD (with the openb workload of sim/policies/fgd.yaml) sees that a's
// half-GPU would be a fragment for most pod types and b's stays a fragment unless filled: it
// fills b, and the whole-GPU pod runs on a. Both through the real Framework and the shipped
// profiles: Filter, Score, NormalizeScore, Reserve, then the pod assumed onto its node.
BOOST_AUTO_TEST_CASE(fgd_avoids_the_gpu_fragment_best_fit_leaves) {
  struct Outcome {
    std::string first, second;  // node names; "" when unschedulable
  };
  auto run = [](const std::string& policy) {
    Gpus g;
    std::vector<NodeInfo> nodes = {g.node("a", 1), g.node("b", 1)};
    g.place(nodes[0], g.pod("cpu-hog", 56000, 0, 0));
    g.place(nodes[1], g.pod("half", 1000, 0, 500));
    auto framework = framework_from_policy(policy, g.names);
    Outcome out;
    std::string* slot[] = {&out.first, &out.second};
    PodInfo pods[] = {g.pod("share", 1000, 0, 500), g.pod("whole", 1000, 1, 0)};
    for (int i = 0; i < 2; ++i) {
      CycleState state;
      auto list = pointers(nodes);
      ScheduleResult r = framework->schedule(state, pods[i], list, CycleOptions{});
      if (r.code != Code::success) continue;
      BOOST_REQUIRE(framework->run_reserve(state, pods[i], r.suggested_host).is_success());
      g.place(nodes[r.suggested_node], pods[i]);
      *slot[i] = r.suggested_host;
    }
    return out;
  };
  Outcome best_fit = run("most-allocated.yaml");
  BOOST_TEST(best_fit.first == "a");
  BOOST_TEST(best_fit.second == "");  // two half GPUs: no whole GPU left anywhere
  Outcome fgd = run("fgd.yaml");
  BOOST_TEST(fgd.first == "b");
  BOOST_TEST(fgd.second == "a");
}
