// The configuration and bookkeeping kinds: Namespace, ConfigMap, Secret, ServiceAccount,
// Event, Lease, PriorityClass (kube-apiserver's pkg/apis/core/validation and
// pkg/printers/internalversion for each).
#include <openssl/evp.h>

#include <regex>

#include "actors/api/kinds/checks.hpp"
#include "actors/api/kinds/kind_factories.hpp"
#include "schemas/api_meta.capnp.h"

namespace craton::api {
namespace {

namespace k8s = schema::k8s;

// ConfigMap and Secret keys: Kubernetes' IsConfigMapKey.
void check_data_keys(std::vector<StatusCause>& causes, const std::string& field,
                     const std::map<std::string, std::string>& data) {
  static const std::regex key_re("[-._a-zA-Z0-9]+");
  for (const auto& [key, value] : data) {
    if (key.size() > 253)
      invalid(causes, field, key, "must be no more than 253 characters");
    else if (!std::regex_match(key, key_re))
      invalid(causes, field, key,
              "a valid config key must consist of alphanumeric characters, '-', '_' or '.' "
              "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
              "'[-._a-zA-Z0-9]+')");
    else if (key == "." || key == "..")
      invalid(causes, field, key, "must not be '.' or '..'");
  }
}

bool is_base64(const std::string& value) {
  if (value.size() % 4 != 0) return false;
  std::size_t pad = 0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c == '=') {
      ++pad;
      continue;
    }
    if (pad > 0) return false;
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/') return false;
  }
  return pad <= 2;
}

std::string base64(const std::string& raw) {
  std::string out(4 * ((raw.size() + 2) / 3), '\0');
  auto n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                           reinterpret_cast<const unsigned char*>(raw.data()), int(raw.size()));
  out.resize(std::size_t(n));
  return out;
}

void check_base64(std::vector<StatusCause>& causes, const std::string& field,
                  const std::map<std::string, std::string>& data) {
  for (const auto& [key, value] : data)
    if (!is_base64(value))
      invalid(causes, field + "[" + key + "]", "<value omitted>", "illegal base64 data");
}

// The total size of a ConfigMap's or Secret's data (Kubernetes: 1 MiB).
constexpr std::size_t kDataBytesMax = 1024 * 1024;

std::size_t data_bytes(const std::map<std::string, std::string>& a,
                       const std::map<std::string, std::string>& b) {
  std::size_t n = 0;
  for (const auto& [k, v] : a) n += k.size() + v.size();
  for (const auto& [k, v] : b) n += k.size() + v.size();
  return n;
}

}  // namespace

// ---- Namespace ----

static void namespace_defaults(ObjectBuilder object) {
  auto ns = object.as<k8s::Namespace>();
  if (ns.getSpec().getFinalizers().size() == 0) ns.getSpec().initFinalizers(1).set(0, "kubernetes");
  if (ns.getStatus().getPhase().size() == 0) ns.getStatus().setPhase("Active");
  // Kubernetes labels every namespace with its own name (immutable, for selectors).
  auto meta = ns.getMetadata();
  auto labels = as_map(meta.getLabels());
  labels["kubernetes.io/metadata.name"] = text(meta.getName());
  set_map(meta.initLabels(), labels);
}

Kind namespace_kind() {
  Kind k;
  k.schema = capnp::Schema::from<k8s::Namespace>();
  k.name_is_dns_label = true;
  k.defaults = namespace_defaults;
  k.validate = [](ObjectReader object, const ObjectReader*, std::vector<StatusCause>& causes) {
    auto phase = text(object.as<k8s::Namespace>().getStatus().getPhase());
    if (phase != "Active" && phase != "Terminating")
      cause(causes, "FieldValueNotSupported", "status.phase",
            "Unsupported value: \"" + phase + "\": supported values: \"Active\", \"Terminating\"");
  };
  k.columns = {{"Status", "string", "", "The status of the namespace"}};
  k.cells = [](ObjectReader o, std::int64_t) {
    return nlohmann::json::array({text(o.as<k8s::Namespace>().getStatus().getPhase())});
  };
  k.fields["status.phase"] = [](ObjectReader o) {
    return text(o.as<k8s::Namespace>().getStatus().getPhase());
  };
  return k;
}

// ---- ConfigMap ----

Kind configmap_kind() {
  Kind k;
  k.schema = capnp::Schema::from<k8s::ConfigMap>();
  k.validate = [](ObjectReader object, const ObjectReader* old, std::vector<StatusCause>& causes) {
    auto cm = object.as<k8s::ConfigMap>();
    auto data = as_map(cm.getData());
    auto binary = as_map(cm.getBinaryData());
    check_data_keys(causes, "data", data);
    check_data_keys(causes, "binaryData", binary);
    check_base64(causes, "binaryData", binary);
    for (const auto& [key, value] : binary)
      if (data.count(key)) invalid(causes, "data", key, "duplicate of key present in binaryData");
    if (data_bytes(data, binary) > kDataBytesMax)
      cause(causes, "FieldValueTooLong", "", "Too long: must have at most 1048576 bytes");
    if (old != nullptr) {
      auto was = old->as<k8s::ConfigMap>();
      if (was.getImmutable() && !cm.getImmutable())
        forbidden(causes, "immutable", "field is immutable when `immutable` is set");
      if (was.getImmutable() &&
          (as_map(was.getData()) != data || as_map(was.getBinaryData()) != binary))
        forbidden(causes, "data", "field is immutable when `immutable` is set");
    }
  };
  k.columns = {{"Data", "integer", "", "Number of data in configmap"}};
  k.cells = [](ObjectReader o, std::int64_t) {
    auto cm = o.as<k8s::ConfigMap>();
    return nlohmann::json::array(
        {cm.getData().getEntries().size() + cm.getBinaryData().getEntries().size()});
  };
  return k;
}

// ---- Secret ----

static void secret_defaults(ObjectBuilder object) {
  auto secret = object.as<k8s::Secret>();
  if (secret.getType().size() == 0) secret.setType("Opaque");
  // stringData is write-only: its values land in data, base64-encoded, winning over data.
  auto string_data = as_map(secret.getStringData());
  if (string_data.empty()) return;
  auto data = as_map(secret.getData());
  for (const auto& [key, value] : string_data) data[key] = base64(value);
  set_map(secret.initData(), data);
  secret.disownStringData();
}

Kind secret_kind() {
  Kind k;
  k.schema = capnp::Schema::from<k8s::Secret>();
  k.defaults = secret_defaults;
  k.validate = [](ObjectReader object, const ObjectReader* old, std::vector<StatusCause>& causes) {
    auto secret = object.as<k8s::Secret>();
    auto data = as_map(secret.getData());
    check_data_keys(causes, "data", data);
    check_base64(causes, "data", data);
    if (data_bytes(data, {}) > kDataBytesMax)
      cause(causes, "FieldValueTooLong", "data", "Too long: must have at most 1048576 bytes");
    if (old != nullptr) {
      auto was = old->as<k8s::Secret>();
      if (text(was.getType()) != text(secret.getType()))
        invalid(causes, "type", text(secret.getType()), "field is immutable");
      if (was.getImmutable() && !secret.getImmutable())
        forbidden(causes, "immutable", "field is immutable when `immutable` is set");
      if (was.getImmutable() && as_map(was.getData()) != data)
        forbidden(causes, "data", "field is immutable when `immutable` is set");
    }
  };
  k.columns = {{"Type", "string", "", "The type of the secret"},
               {"Data", "integer", "", "Number of data in the secret"}};
  k.cells = [](ObjectReader o, std::int64_t) {
    auto s = o.as<k8s::Secret>();
    return nlohmann::json::array({text(s.getType()), s.getData().getEntries().size()});
  };
  k.fields["type"] = [](ObjectReader o) { return text(o.as<k8s::Secret>().getType()); };
  return k;
}

// ---- ServiceAccount ----

Kind serviceaccount_kind() {
  Kind k;
  k.schema = capnp::Schema::from<k8s::ServiceAccount>();
  k.columns = {{"Secrets", "string", "", "Number of secrets of the service account"}};
  k.cells = [](ObjectReader o, std::int64_t) {
    return nlohmann::json::array({o.as<k8s::ServiceAccount>().getSecrets().size()});
  };
  return k;
}

// ---- Event ----

Kind event_kind() {
  Kind k;
  k.schema = capnp::Schema::from<k8s::Event>();
  k.zero_fields = {"reportingComponent", "reportingInstance"};  // no omitempty in core/v1
  k.ttl = Kind::Ttl::event_ttl;  // kube-apiserver stores events with --event-ttl
  k.validate = [](ObjectReader object, const ObjectReader*, std::vector<StatusCause>& causes) {
    auto e = object.as<k8s::Event>();
    auto type = text(e.getType());
    if (!type.empty() && type != "Normal" && type != "Warning")
      cause(causes, "FieldValueNotSupported", "type",
            "Unsupported value: \"" + type + "\": supported values: \"Normal\", \"Warning\"");
    if (e.getCount() < 0) invalid(causes, "count", std::to_string(e.getCount()), "must be >= 0");
  };
  // kube-apiserver's event columns; LAST SEEN is printed by kubectl from the timestamp.
  k.name_and_age = false;
  k.columns = {{"Last Seen", "string", "", "Time when last event occurred"},
               {"Type", "string", "", "Type of this event"},
               {"Reason", "string", "", "Reason of this event"},
               {"Object", "string", "", "Object this event is about"},
               {"Message", "string", "", "Message of this event"}};
  k.wide_columns = {{"Source", "string", "", "Source of this event", 1},
                    {"First Seen", "string", "", "Time when first event occurred", 1},
                    {"Count", "integer", "", "Number of times this event has occurred", 1},
                    {"Name", "string", "name", "Name of this event", 1}};
  k.cells = [](ObjectReader o, std::int64_t) {
    auto e = o.as<k8s::Event>();
    auto last = text(e.getLastTimestamp());
    if (last.empty()) last = text(e.getEventTime());
    auto involved = e.getInvolvedObject();
    std::string kind = text(involved.getKind());
    for (auto& c : kind) c = char(std::tolower(static_cast<unsigned char>(c)));
    return nlohmann::json::array({last, text(e.getType()), text(e.getReason()),
                                  kind + "/" + text(involved.getName()), text(e.getMessage())});
  };
  k.wide_cells = [](ObjectReader o, std::int64_t) {
    auto e = o.as<k8s::Event>();
    return nlohmann::json::array({text(e.getSource().getComponent()), text(e.getFirstTimestamp()),
                                  e.getCount(), text(e.getMetadata().getName())});
  };
  auto involved = [](auto get) {
    return [get](ObjectReader o) { return text(get(o.as<k8s::Event>().getInvolvedObject())); };
  };
  k.fields["involvedObject.kind"] = involved([](auto r) { return r.getKind(); });
  k.fields["involvedObject.namespace"] = involved([](auto r) { return r.getNamespace(); });
  k.fields["involvedObject.name"] = involved([](auto r) { return r.getName(); });
  k.fields["involvedObject.uid"] = involved([](auto r) { return r.getUid(); });
  k.fields["involvedObject.apiVersion"] = involved([](auto r) { return r.getApiVersion(); });
  k.fields["involvedObject.resourceVersion"] =
      involved([](auto r) { return r.getResourceVersion(); });
  k.fields["involvedObject.fieldPath"] = involved([](auto r) { return r.getFieldPath(); });
  k.fields["reason"] = [](ObjectReader o) { return text(o.as<k8s::Event>().getReason()); };
  k.fields["type"] = [](ObjectReader o) { return text(o.as<k8s::Event>().getType()); };
  k.fields["source"] = [](ObjectReader o) {
    return text(o.as<k8s::Event>().getSource().getComponent());
  };
  k.fields["reportingComponent"] = [](ObjectReader o) {
    return text(o.as<k8s::Event>().getReportingComponent());
  };
  return k;
}

// ---- Lease ----

Kind lease_kind() {
  Kind k;
  k.schema = capnp::Schema::from<k8s::Lease>();
  k.validate = [](ObjectReader object, const ObjectReader*, std::vector<StatusCause>& causes) {
    auto spec = object.as<k8s::Lease>().getSpec();
    if (spec.getLeaseDurationSeconds() < 0)
      invalid(causes, "spec.leaseDurationSeconds", std::to_string(spec.getLeaseDurationSeconds()),
              "must be greater than 0");
    if (spec.getLeaseTransitions() < 0)
      invalid(causes, "spec.leaseTransitions", std::to_string(spec.getLeaseTransitions()),
              "must be greater than or equal to 0");
  };
  k.columns = {{"Holder", "string", "", "The holder of the lease"}};
  k.cells = [](ObjectReader o, std::int64_t) {
    return nlohmann::json::array({text(o.as<k8s::Lease>().getSpec().getHolderIdentity())});
  };
  return k;
}

// ---- PriorityClass ----

// User classes stay below system classes (Kubernetes' HighestUserDefinablePriority).
constexpr std::int32_t kUserPriorityMax = 1'000'000'000;

Kind priorityclass_kind() {
  Kind k;
  k.schema = capnp::Schema::from<k8s::PriorityClass>();
  k.zero_fields = {"value"};
  k.defaults = [](ObjectBuilder object) {
    auto pc = object.as<k8s::PriorityClass>();
    if (pc.getPreemptionPolicy().size() == 0) pc.setPreemptionPolicy("PreemptLowerPriority");
  };
  k.validate = [](ObjectReader object, const ObjectReader* old, std::vector<StatusCause>& causes) {
    auto pc = object.as<k8s::PriorityClass>();
    auto name = text(pc.getMetadata().getName());
    if (name.rfind("system-", 0) != 0 && pc.getValue() > kUserPriorityMax)
      cause(causes, "FieldValueForbidden", "value",
            "Forbidden: maximum allowed value of a user defined priority is 1000000000");
    auto policy = text(pc.getPreemptionPolicy());
    if (policy != "PreemptLowerPriority" && policy != "Never")
      cause(causes, "FieldValueNotSupported", "preemptionPolicy",
            "Unsupported value: \"" + policy +
                "\": supported values: \"Never\", \"PreemptLowerPriority\"");
    if (old != nullptr && old->as<k8s::PriorityClass>().getValue() != pc.getValue())
      forbidden(causes, "value", "may not be changed in an update.");
    if (old != nullptr && text(old->as<k8s::PriorityClass>().getPreemptionPolicy()) != policy)
      invalid(causes, "preemptionPolicy", policy, "field is immutable");
  };
  k.columns = {{"Value", "integer", "", "Value of the priority class"},
               {"Global-Default", "boolean", "", "Whether this is the global default"}};
  k.wide_columns = {{"PreemptionPolicy", "string", "", "Preemption policy", 1}};
  k.cells = [](ObjectReader o, std::int64_t) {
    auto pc = o.as<k8s::PriorityClass>();
    return nlohmann::json::array({pc.getValue(), pc.getGlobalDefault()});
  };
  k.wide_cells = [](ObjectReader o, std::int64_t) {
    return nlohmann::json::array({text(o.as<k8s::PriorityClass>().getPreemptionPolicy())});
  };
  return k;
}

}  // namespace craton::api
