// `craton store member list|add|remove|promote` and `craton store move-leader`: membership
// changes and leader transfer, in the shape of etcdctl's `member` and `move-leader`.
//
//   craton store member list    --endpoints 127.0.0.1:2379 [--json]
//   craton store member add 4 127.0.0.1:2382 [--learner]
//   craton store member promote 4        # refused (learner_not_ready) while it lags
//   craton store member remove 3
//   craton store move-leader 2
//
// Changes go to the leader (found from --endpoints, bare h:p or id=h:p) and are answered after
// they apply. Errors are one line: "craton store member add: code: message"; exit 2 for bad
// flags, 1 for refusals and unreachable clusters.
#include <charconv>
#include <iostream>
#include <nlohmann/json.hpp>

#include "actors/store/client/client.hpp"
#include "cmd/commands.hpp"
#include "cmd/store_client_flags.hpp"

namespace craton::cmd {
namespace {

struct MemberFlags {
  std::string endpoints = "127.0.0.1:2379";
  LinkFlags link;
  std::string timeout_ms = "5000";
  bool json = false;
  std::string id;
  std::string address;
  bool learner = false;
};

Result<std::uint64_t> parse_id(const std::string& text) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || v == 0 ||
      v > (1u << 30))
    return Error{"bad_flag", "member id must be a number in 1.." + std::to_string(1u << 30) +
                                 ": '" + text + "'"};
  return v;
}

int fail(const std::string& what, const Error& e) {
  std::cerr << "craton store " << what << ": " << e.code << ": " << e.message << "\n";
  return e.code == "bad_flag" || e.code == "bad_endpoints" ? 2 : 1;
}

Result<store::StoreReply> call(const MemberFlags& flags, const store::StoreRequest& request) {
  auto client = connect_store_client(flags.endpoints, flags.timeout_ms, flags.link);
  if (!client) return client.error();
  return (*client)->call(request);
}

nlohmann::json list_json(const store::MemberList& list) {
  auto members = nlohmann::json::array();
  for (const auto& m : list.members)
    members.push_back({{"id", m.id}, {"address", m.address}, {"learner", m.learner}});
  return {{"leader", list.leader}, {"members", members}};
}

void print_list(const store::MemberList& list) {
  std::printf("%-6s %-8s %s\n", "ID", "ROLE", "ADDRESS");
  for (const auto& m : list.members) {
    const char* role = m.learner ? "learner" : m.id == list.leader ? "leader" : "voter";
    std::printf("%-6llu %-8s %s\n", (unsigned long long)m.id, role, m.address.c_str());
  }
}

int run_change(const MemberFlags& flags, const std::string& what, store::MemberChangeKind kind) {
  store::MemberChangeRequest change{kind, 0, flags.address};
  if (kind != store::MemberChangeKind::list) {
    auto id = parse_id(flags.id);
    if (!id) return fail(what, id.error());
    change.id = *id;
  }
  auto reply = call(flags, change);
  if (!reply) return fail(what, reply.error());
  const auto* list = std::get_if<store::MemberList>(&reply->body);
  if (!list) return fail(what, Error{"malformed", "the reply holds no member list"});
  if (flags.json) {
    std::cout << list_json(*list).dump() << "\n";
    return 0;
  }
  switch (kind) {
    case store::MemberChangeKind::list:
      print_list(*list);
      break;
    case store::MemberChangeKind::add_voter:
    case store::MemberChangeKind::add_learner:
      std::cout << "member " << change.id << " added at " << flags.address
                << (flags.learner ? " as a learner" : " as a voter") << "\n";
      break;
    case store::MemberChangeKind::promote:
      std::cout << "member " << change.id << " promoted to voter\n";
      break;
    case store::MemberChangeKind::remove:
      std::cout << "member " << change.id << " removed\n";
      break;
  }
  return 0;
}

int run_move_leader(const MemberFlags& flags) {
  auto id = parse_id(flags.id);
  if (!id) return fail("move-leader", id.error());
  auto reply = call(flags, store::TransferLeaderRequest{*id});
  if (!reply) return fail("move-leader", reply.error());
  if (flags.json)
    std::cout << nlohmann::json{{"leader", reply->leader_hint}}.dump() << "\n";
  else
    std::cout << "leadership moved to member " << reply->leader_hint << "\n";
  return 0;
}

void add_client_flags(CLI::App* app, MemberFlags& flags) {
  app->add_option("--endpoints", flags.endpoints, "[id=]host:port,... (default 127.0.0.1:2379)");
  app->add_option("--timeout-ms", flags.timeout_ms, "Per attempt (default 5000)");
  add_link_flags(app, flags.link, "admin");
  app->add_flag("--json", flags.json, "JSON output");
}

}  // namespace

void add_member_commands(CLI::App& store, int& exit_code) {
  auto flags = std::make_shared<MemberFlags>();
  auto* member = store.add_subcommand("member", "List, add, remove or promote members");
  member->require_subcommand(1);
  auto* list = member->add_subcommand("list", "Every member with its role and address");
  add_client_flags(list, *flags);
  list->callback([flags, &exit_code] {
    exit_code = run_change(*flags, "member list", store::MemberChangeKind::list);
  });
  auto* add = member->add_subcommand("add", "Add a member (a voter, or a learner with --learner)");
  add->add_option("id", flags->id, "The new member's id")->required();
  add->add_option("address", flags->address, "Where it listens: host:port")->required();
  add->add_flag("--learner", flags->learner, "Add as a non-voting learner (promote it later)");
  add_client_flags(add, *flags);
  add->callback([flags, &exit_code] {
    exit_code = run_change(
        *flags, "member add",
        flags->learner ? store::MemberChangeKind::add_learner : store::MemberChangeKind::add_voter);
  });
  auto* remove = member->add_subcommand("remove", "Remove a member (it shuts down)");
  remove->add_option("id", flags->id, "The member's id")->required();
  add_client_flags(remove, *flags);
  remove->callback([flags, &exit_code] {
    exit_code = run_change(*flags, "member remove", store::MemberChangeKind::remove);
  });
  auto* promote = member->add_subcommand("promote", "Make a caught-up learner a voter");
  promote->add_option("id", flags->id, "The learner's id")->required();
  add_client_flags(promote, *flags);
  promote->callback([flags, &exit_code] {
    exit_code = run_change(*flags, "member promote", store::MemberChangeKind::promote);
  });
  auto* move = store.add_subcommand("move-leader", "Hand leadership to another voter");
  move->add_option("id", flags->id, "The voter to lead")->required();
  add_client_flags(move, *flags);
  move->callback([flags, &exit_code] { exit_code = run_move_leader(*flags); });
}

}  // namespace craton::cmd
