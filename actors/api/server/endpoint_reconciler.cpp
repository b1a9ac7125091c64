// The `kubernetes` Service's Endpoints, as kube-apiserver's lease endpoint reconciler keeps
// them (pkg/controlplane/reconcilers/lease.go): every API server holds a lease on its own
// address, renewed on each pass, and writes into the Endpoints the addresses whose leases are
// live, so several servers each list their own and a dead server's address goes once its lease
// has run out. Kubernetes keeps its leases under /masterleases/ with store TTLs; ours are
// coordination.k8s.io Leases in kube-system (label craton.io/apiserver-endpoint), readable with
// kubectl, judged live by renewTime + leaseDurationSeconds against the server's clock, and
// removed by whichever server finds one expired.
#include <algorithm>
#include <set>

#include "actors/api/client/kube_time.hpp"
#include "actors/api/server/api_internal.hpp"

namespace craton::api {
namespace {

constexpr const char* kLeaseLabel = "craton.io/apiserver-endpoint";

// A lease's name: its address with what a name may not hold ('.' is fine, ':' of IPv6 not).
std::string lease_name(const std::string& address) {
  std::string out = "apiserver-";
  for (char c : address) out += (c == ':' ? '-' : c);
  return out;
}

}  // namespace

Task<Status> ApiService::reconcile_endpoints() {
  const std::string& address = options_.advertise_address;
  if (address.empty()) co_return Ok{};
  auto request_on = [](const std::string& group, const std::string& plural, const std::string& ns,
                       const std::string& name, const std::string& method,
                       const nlohmann::json& body = nullptr) {
    Request r;
    r.kind = find_kind(group, "v1", plural);
    r.path = ApiPath{group, "v1", ns, plural, name, ""};
    r.http.method = method;
    if (!body.is_null()) {
      r.http.content_type = method == "PATCH" ? "application/merge-patch+json" : "application/json";
      r.http.body = body.dump();
    }
    return r;
  };
  auto now = now_s();
  // 1. Our own lease, renewed (made when missing; taken over when someone else made it).
  nlohmann::json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                          {"kind", "Lease"},
                          {"metadata",
                           {{"name", lease_name(address)},
                            {"namespace", "kube-system"},
                            {"labels", {{kLeaseLabel, "true"}}}}},
                          {"spec",
                           {{"holderIdentity", address},
                            {"leaseDurationSeconds", options_.endpoint_lease_s},
                            {"renewTime", kube_micro_time(now * 1000)}}}};
  // (Requests are built before each co_await: g++ 12 cannot keep a string literal's temporary
  // across one.)
  const std::string leases = "leases", group = "coordination.k8s.io", system = "kube-system";
  auto create_lease = request_on(group, leases, system, "", "POST", lease);
  auto made = co_await create(create_lease);
  if (made.status == 409) {
    auto renew = request_on(group, leases, system, lease_name(address), "PATCH",
                            nlohmann::json{{"spec", lease["spec"]}});
    made = co_await patch(renew);
  }
  if (made.status != 200 && made.status != 201)
    co_return Error{"unavailable", "cannot renew the API server's lease: " + made.body};

  // 2. The live addresses; expired leases go.
  auto listing = request_on(group, leases, system, "", "GET");
  listing.http.query["labelSelector"] = std::string(kLeaseLabel) + "=true";
  auto listed = co_await list(listing);
  if (listed.status != 200)
    co_return Error{"unavailable", "cannot list the API servers' leases: " + listed.body};
  std::set<std::string> live = {address};
  // A list's body comes in pieces (lists are streamed); parse failures count as no leases.
  auto list_json = nlohmann::json::parse(joined_body(listed), nullptr, false);
  nlohmann::json items = nlohmann::json::array();
  if (list_json.is_object() && list_json.contains("items") && list_json["items"].is_array())
    items = std::move(list_json["items"]);
  for (const auto& item : items) {
    auto spec = item.value("spec", nlohmann::json::object());
    auto holder = spec.value("holderIdentity", "");
    auto renewed = parse_rfc3339(spec.value("renewTime", ""));
    auto duration = spec.value("leaseDurationSeconds", std::int64_t{0});
    if (holder.empty()) continue;
    if (renewed && *renewed + duration >= now) {
      live.insert(holder);
      continue;
    }
    auto gone = request_on(group, leases, system, item["metadata"].value("name", ""), "DELETE",
                           {{"preconditions", {{"uid", item["metadata"].value("uid", "")}}}});
    (void)co_await remove(gone);  // another server may have removed it first: no matter
  }

  // 3. The Endpoints: every live address, sorted (equal passes write nothing).
  nlohmann::json addresses = nlohmann::json::array();
  for (const auto& ip : live) addresses.push_back({{"ip", ip}});
  nlohmann::json subsets = nlohmann::json::array(
      {{{"addresses", addresses},
        {"ports",
         nlohmann::json::array(
             {{{"name", "https"}, {"port", options_.advertise_port}, {"protocol", "TCP"}}})}}});
  nlohmann::json endpoints = {{"apiVersion", "v1"},
                              {"kind", "Endpoints"},
                              {"metadata",
                               {{"name", "kubernetes"},
                                {"namespace", "default"},
                                {"labels", {{"endpointslice.kubernetes.io/skip-mirror", "true"}}}}},
                              {"subsets", subsets}};
  const auto read = request_on("", "endpoints", "default", "kubernetes", "GET");
  auto current = co_await get(read);
  if (current.status == 404) {
    auto make = request_on("", "endpoints", "default", "", "POST", endpoints);
    auto created = co_await create(make);
    if (created.status == 201) co_return Ok{};
    if (created.status != 409)
      co_return Error{"unavailable", "cannot create the kubernetes endpoints: " + created.body};
    // Another server made them meanwhile: read and update as any other pass.
    current = co_await get(read);
  }
  if (current.status != 200)
    co_return Error{"unavailable", "cannot read the kubernetes endpoints: " + current.body};
  auto stored = nlohmann::json::parse(joined_body(current), nullptr, false);
  if (stored.is_object() && stored.value("subsets", nlohmann::json()) == subsets) co_return Ok{};
  auto update = request_on("", "endpoints", "default", "kubernetes", "PATCH",
                           nlohmann::json{{"subsets", subsets}});
  auto patched = co_await patch(update);
  if (patched.status != 200)
    co_return Error{"unavailable", "cannot update the kubernetes endpoints: " + patched.body};
  co_return Ok{};
}

}  // namespace craton::api
