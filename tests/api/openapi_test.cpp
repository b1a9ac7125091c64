// The OpenAPI documents (actors/api/openapi/): /openapi/v2 parsed back with gnostic's generated
// openapi.v2.Document, checked for what kubectl up to 1.27 reads from it (kinds found by their
// group-version-kind, field types for validation and explain, references that resolve, the
// fieldValidation parameter on PATCH), and the one shape mapping both versions share. kubectl
// itself against a served document is tests/api/server_kubectl_test.sh.
#define BOOST_TEST_MODULE api_openapi
#include <boost/test/unit_test.hpp>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "actors/api/kinds/kinds.hpp"
#include "actors/api/openapi/json_shape.hpp"
#include "actors/api/openapi/openapi.hpp"
#include "actors/api/openapi/openapi_v2_schema.hpp"
#include "schemas/api_meta.capnp.h"

using namespace craton::api;
using json = nlohmann::json;
namespace v2 = ::openapi::v2;
namespace k8s = craton::schema::k8s;

namespace {

v2::Document served_document() {
  v2::Document doc;
  BOOST_REQUIRE(doc.ParseFromString(openapi_v2().protobuf));
  return doc;
}

const v2::Schema* definition(const v2::Document& doc, const std::string& name) {
  for (const auto& named : doc.definitions().additional_properties())
    if (named.name() == name) return &named.value();
  return nullptr;
}

const v2::Schema* property(const v2::Schema& schema, const std::string& name) {
  for (const auto& named : schema.properties().additional_properties())
    if (named.name() == name) return &named.value();
  return nullptr;
}

// A vendor extension's value (YAML in gnostic's Any; ours is JSON), or null when absent.
json extension(const google::protobuf::RepeatedPtrField<v2::NamedAny>& extensions,
               const std::string& name) {
  for (const auto& named : extensions)
    if (named.name() == name) return json::parse(named.value().yaml());
  return nullptr;
}

std::string type_of(const v2::Schema& schema) {
  return schema.type().value_size() == 1 ? schema.type().value(0) : "";
}

// Every $ref in a schema, nested ones included.
void collect_references(const v2::Schema& schema, std::set<std::string>& out) {
  if (!schema._ref().empty()) out.insert(schema._ref());
  for (const auto& item : schema.items().schema()) collect_references(item, out);
  for (const auto& named : schema.properties().additional_properties())
    collect_references(named.value(), out);
  if (schema.additional_properties().has_schema())
    collect_references(schema.additional_properties().schema(), out);
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_served_protobuf_is_a_swagger_2_document) {
  auto doc = served_document();
  BOOST_TEST(doc.swagger() == "2.0");
  BOOST_TEST(doc.info().title() == "Craton");
  BOOST_TEST(doc.definitions().additional_properties_size() > 0);
  BOOST_TEST(doc.paths().path_size() > 0);
}

BOOST_AUTO_TEST_CASE(configmap_is_found_by_its_group_version_kind_with_typed_fields) {
  auto doc = served_document();
  const auto* configmap = definition(doc, "io.k8s.craton.ConfigMap");
  BOOST_REQUIRE(configmap);
  // A list of {group, kind, version}, as kubectl's parser insists (group "" for core).
  auto gvk = extension(configmap->vendor_extension(), "x-kubernetes-group-version-kind");
  BOOST_TEST(gvk == json::parse(R"([{"group": "", "kind": "ConfigMap", "version": "v1"}])"));
  BOOST_TEST(type_of(*configmap) == "object");

  const auto* data = property(*configmap, "data");
  BOOST_REQUIRE(data);
  BOOST_TEST(type_of(*data) == "object");  // a map: additionalProperties, no properties
  BOOST_TEST(!data->has_properties());
  BOOST_TEST(type_of(data->additional_properties().schema()) == "string");
  BOOST_REQUIRE(property(*configmap, "immutable"));
  BOOST_TEST(type_of(*property(*configmap, "immutable")) == "boolean");
  BOOST_REQUIRE(property(*configmap, "metadata"));
  BOOST_TEST(property(*configmap, "metadata")->_ref() == "#/definitions/io.k8s.craton.ObjectMeta");
}

BOOST_AUTO_TEST_CASE(nested_structs_are_definitions_of_their_own_without_a_kind) {
  auto doc = served_document();
  const auto* spec = definition(doc, "io.k8s.craton.Lease.Spec");
  BOOST_REQUIRE(spec);
  BOOST_TEST(extension(spec->vendor_extension(), "x-kubernetes-group-version-kind").is_null());
  const auto* duration = property(*spec, "leaseDurationSeconds");
  BOOST_REQUIRE(duration);
  BOOST_TEST(type_of(*duration) == "integer");
  BOOST_TEST(duration->format() == "int32");
  const auto* finalizers = property(*definition(doc, "io.k8s.craton.ObjectMeta"), "finalizers");
  BOOST_REQUIRE(finalizers);
  BOOST_TEST(type_of(*finalizers) == "array");
  BOOST_TEST(type_of(finalizers->items().schema(0)) == "string");
}

BOOST_AUTO_TEST_CASE(lists_carry_the_patch_strategy_the_server_merges_by) {
  // kubectl apply computes its strategic merge patch from these: without them it would send
  // whole lists that the server then merges by key.
  auto doc = served_document();
  const auto& meta = *definition(doc, "io.k8s.craton.ObjectMeta");
  const auto& owners = *property(meta, "ownerReferences");
  BOOST_TEST(extension(owners.vendor_extension(), "x-kubernetes-patch-strategy") == "merge");
  BOOST_TEST(extension(owners.vendor_extension(), "x-kubernetes-patch-merge-key") == "uid");
  const auto& finalizers = *property(meta, "finalizers");
  BOOST_TEST(extension(finalizers.vendor_extension(), "x-kubernetes-patch-strategy") == "merge");
  BOOST_TEST(extension(finalizers.vendor_extension(), "x-kubernetes-patch-merge-key").is_null());
  const auto& labels = *property(meta, "labels");  // not a list
  BOOST_TEST(extension(labels.vendor_extension(), "x-kubernetes-patch-strategy").is_null());
  auto v3 = json::parse(*openapi_v3_document("api/v1"));
  BOOST_TEST(v3["components"]["schemas"]["io.k8s.craton.ServiceAccount"]["properties"]["secrets"]
               ["x-kubernetes-patch-merge-key"] == "name");
}

BOOST_AUTO_TEST_CASE(every_served_kind_has_a_definition_and_every_reference_resolves) {
  // kubectl's parser refuses the whole document over one unknown reference.
  auto doc = served_document();
  std::set<std::string> names, references;
  for (const auto& named : doc.definitions().additional_properties()) {
    BOOST_TEST(names.insert(named.name()).second, "defined twice: " << named.name());
    BOOST_TEST(named.value().has_properties(), named.name() << " has no properties");
    collect_references(named.value(), references);
  }
  for (const auto& ref : references)
    BOOST_TEST(names.count(ref.substr(std::string("#/definitions/").size())), ref);
  for (const auto& kind : served_kinds()) {
    const auto* schema = definition(doc, definition_name(kind.schema));
    BOOST_REQUIRE(schema);
    auto gvk = extension(schema->vendor_extension(), "x-kubernetes-group-version-kind");
    BOOST_TEST(gvk == json::array({group_version_kind(kind.info)}));
  }
}

BOOST_AUTO_TEST_CASE(each_kinds_patch_names_its_kind_and_offers_field_validation) {
  // kubectl 1.27 sends fieldValidation=Strict only when the PATCH carrying the kind's GVK
  // lists the parameter; otherwise it validates on its own.
  auto doc = served_document();
  std::map<std::string, bool> validated;  // kind -> fieldValidation offered
  for (const auto& named : doc.paths().path()) {
    if (!named.value().has_patch()) continue;
    const auto& patch = named.value().patch();
    auto gvk = extension(patch.vendor_extension(), "x-kubernetes-group-version-kind");
    BOOST_REQUIRE(gvk.is_object());
    bool offered = false;
    for (const auto& parameter : patch.parameters())
      offered |= parameter.parameter().non_body_parameter().query_parameter_sub_schema().name() ==
                 "fieldValidation";
    validated[gvk["kind"].get<std::string>()] = offered;
  }
  BOOST_TEST(validated.size() == served_kinds().size());
  for (const auto& [kind, offered] : validated) BOOST_TEST(offered, kind);
}

BOOST_AUTO_TEST_CASE(the_json_form_is_the_same_document) {
  auto doc = served_document();
  auto as_json = json::parse(openapi_v2().json);
  BOOST_TEST(as_json["swagger"] == "2.0");
  BOOST_TEST(as_json["definitions"].size() ==
             size_t(doc.definitions().additional_properties_size()));
  BOOST_TEST(as_json["definitions"]["io.k8s.craton.ConfigMap"]["x-kubernetes-group-version-kind"] ==
             json::parse(R"([{"group": "", "kind": "ConfigMap", "version": "v1"}])"));
  BOOST_TEST(as_json["paths"].size() == size_t(doc.paths().path_size()));
  BOOST_TEST(openapi_v2().etag.front() == '"');
  BOOST_TEST(&openapi_v2() == &openapi_v2());  // built once
}

BOOST_AUTO_TEST_CASE(quantities_and_int_or_string_are_strings_so_numbers_validate) {
  // kubectl's validator accepts any scalar where a string is expected (kube-openapi's
  // primitive check), so `cpu: 1` and `port: 8080` pass, as against kube-apiserver.
  auto resources = openapi_v2_schema(capnp::Type(capnp::Schema::from<k8s::ResourceList>()));
  BOOST_TEST(type_of(resources) == "object");
  BOOST_TEST(type_of(resources.additional_properties().schema()) == "string");
  auto port = openapi_v2_schema(capnp::Type(capnp::Schema::from<k8s::IntOrString>()));
  BOOST_TEST(type_of(port) == "string");
  BOOST_TEST(port.format() == "int-or-string");
  auto replicas = openapi_v2_schema(capnp::Type(capnp::Schema::from<k8s::Int32Box>()));
  BOOST_TEST(type_of(replicas) == "integer");
  bool boolean =
      json_shape(capnp::Type(capnp::Schema::from<k8s::BoolBox>())).type == JsonShape::Type::boolean;
  BOOST_TEST(boolean);
}
