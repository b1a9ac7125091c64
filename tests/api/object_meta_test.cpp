// The generic registry's metadata rules (actors/api/registry/object_meta.hpp): what
// kube-apiserver does to metadata on create and update, and its store keys.
#define BOOST_TEST_MODULE api_object_meta
#include <boost/test/unit_test.hpp>

#include <capnp/message.h>

#include "actors/api/registry/object_meta.hpp"

using namespace craton;
using namespace craton::api;
namespace k8s = craton::schema::k8s;

namespace {

CreateContext context(const std::string& ns = "default") {
  CreateContext c;
  c.namespaced = !ns.empty();
  c.path_namespace = ns;
  c.now = "2026-12-05T08:00:00Z";
  c.uid = "4d3f9a0e-8c2b-4e1d-9a7f-0b6c5e2d1a3f";
  c.name_suffix = [] { return std::string("x7k2p"); };
  return c;
}

bool has(const std::vector<StatusCause>& causes, const std::string& field,
         const std::string& reason) {
  for (const auto& c : causes)
    if (c.field == field && c.reason == reason) return true;
  return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(store_keys_follow_etcd_backed_kubernetes) {
  BOOST_TEST(registry_key("pods", "default", "web-0") == "/registry/pods/default/web-0");
  BOOST_TEST(registry_key("namespaces", "", "default") == "/registry/namespaces/default");
  BOOST_TEST(registry_prefix("pods", "") == "/registry/pods/");
  BOOST_TEST(registry_prefix("pods", "kube-system") == "/registry/pods/kube-system/");
}

BOOST_AUTO_TEST_CASE(create_fills_what_the_server_owns) {
  capnp::MallocMessageBuilder m;
  auto meta = m.initRoot<k8s::ObjectMeta>();
  meta.setName("web");
  meta.setResourceVersion("999");  // a client's value is ignored
  meta.setUid("client-made");
  auto causes = prepare_create(meta, context());
  BOOST_TEST(causes.empty());
  BOOST_TEST(std::string(meta.getNamespace().cStr()) == "default");  // from the path
  BOOST_TEST(std::string(meta.getUid().cStr()) == "4d3f9a0e-8c2b-4e1d-9a7f-0b6c5e2d1a3f");
  BOOST_TEST(std::string(meta.getCreationTimestamp().cStr()) == "2026-12-05T08:00:00Z");
  BOOST_TEST(meta.getGeneration() == 1);
  BOOST_TEST(meta.getResourceVersion().size() == 0u);
}

BOOST_AUTO_TEST_CASE(create_refuses_bad_metadata_with_a_cause_per_field) {
  capnp::MallocMessageBuilder m;
  auto meta = m.initRoot<k8s::ObjectMeta>();
  auto causes = prepare_create(meta, context());
  BOOST_TEST(has(causes, "metadata.name", "FieldValueRequired"));
  meta.setName("Bad_Name");
  meta.setNamespace("other");
  auto labels = meta.initLabels().initEntries(1);
  labels[0].setKey("bad key");
  labels[0].setValue("v");
  meta.setDeletionTimestamp("2026-12-05T08:00:00Z");
  causes = prepare_create(meta, context());
  BOOST_TEST(has(causes, "metadata.name", "FieldValueInvalid"));
  BOOST_TEST(has(causes, "metadata.namespace", "FieldValueInvalid"));
  BOOST_TEST(has(causes, "metadata.labels", "FieldValueInvalid"));
  BOOST_TEST(has(causes, "metadata.deletionTimestamp", "FieldValueForbidden"));
  BOOST_TEST(meta.getUid().size() == 0u);  // refused: nothing filled in
}

BOOST_AUTO_TEST_CASE(generate_name_and_cluster_scoped_kinds) {
  capnp::MallocMessageBuilder m;
  auto meta = m.initRoot<k8s::ObjectMeta>();
  meta.setGenerateName("web-");
  BOOST_TEST(prepare_create(meta, context()).empty());
  BOOST_TEST(std::string(meta.getName().cStr()) == "web-x7k2p");
  capnp::MallocMessageBuilder n;
  auto ns = n.initRoot<k8s::ObjectMeta>();
  ns.setName("team.a");  // a namespace name is an RFC 1123 label: no dots
  ns.setNamespace("default");
  auto c = context("");
  c.name_is_dns_label = true;
  BOOST_TEST(has(prepare_create(ns, c), "metadata.name", "FieldValueInvalid"));
  ns.setName("team-a");
  BOOST_TEST(prepare_create(ns, c).empty());
  BOOST_TEST(ns.getNamespace().size() == 0u);  // cleared for a cluster-scoped kind
}

BOOST_AUTO_TEST_CASE(update_keeps_server_fields_and_bumps_generation_on_spec_change) {
  capnp::MallocMessageBuilder o;
  auto old = o.initRoot<k8s::ObjectMeta>();
  old.setName("web");
  old.setNamespace("default");
  old.setUid("u1");
  old.setCreationTimestamp("2026-12-05T08:00:00Z");
  old.setGeneration(3);
  capnp::MallocMessageBuilder m;
  auto meta = m.initRoot<k8s::ObjectMeta>();
  meta.setName("web");
  BOOST_TEST(has(prepare_update(meta, old.asReader(), true), "metadata.resourceVersion",
                 "FieldValueInvalid"));
  meta.setResourceVersion("10");
  meta.setCreationTimestamp("1999-01-01T00:00:00Z");  // the client's value is not kept
  BOOST_TEST(prepare_update(meta, old.asReader(), true).empty());
  BOOST_TEST(meta.getGeneration() == 4);
  BOOST_TEST(std::string(meta.getUid().cStr()) == "u1");
  BOOST_TEST(std::string(meta.getCreationTimestamp().cStr()) == "2026-12-05T08:00:00Z");
  meta.setName("other");
  BOOST_TEST(
      has(prepare_update(meta, old.asReader(), false), "metadata.name", "FieldValueInvalid"));
}
