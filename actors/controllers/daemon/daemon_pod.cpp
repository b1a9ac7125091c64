// The DaemonSet controller's pods: the template hash and the pod made for one node.
#include "actors/controllers/daemon/daemon_pod.hpp"

#include <capnp/any.h>
#include <capnp/message.h>

#include <map>
#include <vector>

#include "actors/controllers/daemon/node_eligibility.hpp"
#include "runtime/stable_hash.hpp"

namespace craton::controllers {
namespace k8s = schema::k8s;
namespace {

// StringMap entries stay sorted by key with unique keys (api_meta.capnp's promise).
void set_label(k8s::ObjectMeta::Builder meta, const std::string& key, const std::string& value) {
  std::map<std::string, std::string> labels;
  for (auto e : meta.asReader().getLabels().getEntries()) labels[e.getKey()] = e.getValue();
  labels[key] = value;
  auto entries = meta.initLabels().initEntries(unsigned(labels.size()));
  unsigned i = 0;
  for (const auto& [k, v] : labels) {
    entries[i].setKey(k);
    entries[i].setValue(v);
    ++i;
  }
}

void pin_to_node(k8s::PodSpec::Builder spec, const std::string& node) {
  auto required =
      spec.getAffinity().getNodeAffinity().initRequiredDuringSchedulingIgnoredDuringExecution();
  auto field = required.initNodeSelectorTerms(1)[0].initMatchFields(1)[0];
  field.setKey("metadata.name");
  field.setOperator("In");
  field.initValues(1).set(0, node);
}

bool same_match(k8s::Toleration::Reader t, const TolerationValue& d) {
  return t.getKey() == d.key.c_str() && t.getOperator() == d.operator_.c_str() &&
         t.getValue() == d.value.c_str() && t.getEffect() == d.effect.c_str();
}

void add_default_tolerations(capnp::MessageBuilder& message, k8s::PodSpec::Builder spec) {
  auto defaults = daemon_tolerations(spec.getHostNetwork());
  std::vector<unsigned> kept;  // the template's, except those a default replaces
  auto old = spec.asReader().getTolerations();
  for (unsigned i = 0; i < old.size(); ++i) {
    bool replaced = false;
    for (const auto& d : defaults) replaced = replaced || same_match(old[i], d);
    if (!replaced) kept.push_back(i);
  }
  auto list = message.getOrphanage().newOrphan<capnp::List<k8s::Toleration>>(
      unsigned(kept.size() + defaults.size()));
  unsigned i = 0;
  for (auto k : kept) list.get().setWithCaveats(i++, old[k]);
  for (const auto& d : defaults) {
    auto t = list.get()[i++];
    t.setKey(d.key);
    t.setOperator(d.operator_);
    t.setEffect(d.effect);
  }
  spec.adoptTolerations(std::move(list));
}

}  // namespace

std::string template_hash(k8s::PodTemplateSpec::Reader pod_template) {
  auto words = capnp::AnyStruct::Reader(pod_template).canonicalize();
  auto bytes = words.asChars();
  StableHash h;
  h.add(std::string_view(bytes.begin(), bytes.size()));
  return h.hex();
}

std::string daemon_pod(k8s::PodTemplateSpec::Reader pod_template, const std::string& namespace_,
                       const Owner& owner, const std::string& node, const std::string& hash) {
  capnp::MallocMessageBuilder message;
  message.setRoot(pod_template);
  auto t = message.getRoot<k8s::PodTemplateSpec>();
  set_label(t.getMetadata(), kRevisionHashLabel, hash);
  pin_to_node(t.getSpec(), node);
  add_default_tolerations(message, t.getSpec());
  return pod_from_template(t.asReader(), namespace_, owner);
}

}  // namespace craton::controllers
