// The Node JSON as the API's Cap'n Proto Node (see the header).
#include "actors/agent/core/node_object.hpp"

#include <capnp/message.h>

#include <map>

#include "runtime/flat_message.hpp"
#include "schemas/api_cluster.capnp.h"
#include "schemas/api_meta.capnp.h"

namespace craton::agent {
namespace {

namespace k8s = schema::k8s;
using nlohmann::json;

std::string str(const json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() ? std::string() : it->get<std::string>();
}

// A StringMap or ResourceList: entries sorted by key (a json object iterates sorted).
template <class MapBuilder>
void set_entries(MapBuilder out, const json& object) {
  auto entries = out.initEntries(unsigned(object.size()));
  unsigned i = 0;
  for (const auto& [key, value] : object.items()) {
    entries[i].setKey(key);
    entries[i].setValue(value.template get<std::string>());
    ++i;
  }
}

void write_spec(k8s::Node::Spec::Builder spec, const json& j) {
  if (j.contains("podCIDR")) spec.setPodCIDR(str(j, "podCIDR"));
  if (auto it = j.find("podCIDRs"); it != j.end()) {
    auto list = spec.initPodCIDRs(unsigned(it->size()));
    for (unsigned i = 0; i < it->size(); ++i) list.set(i, (*it)[i].get<std::string>());
  }
  if (auto it = j.find("taints"); it != j.end()) {
    auto list = spec.initTaints(unsigned(it->size()));
    for (unsigned i = 0; i < it->size(); ++i) {
      const auto& t = (*it)[i];
      list[i].setKey(str(t, "key"));
      if (t.contains("value")) list[i].setValue(str(t, "value"));
      list[i].setEffect(str(t, "effect"));
    }
  }
}

void write_status(k8s::Node::Status::Builder status, const json& j) {
  if (j.contains("capacity")) set_entries(status.initCapacity(), j["capacity"]);
  if (j.contains("allocatable")) set_entries(status.initAllocatable(), j["allocatable"]);
  if (auto it = j.find("conditions"); it != j.end()) {
    auto list = status.initConditions(unsigned(it->size()));
    for (unsigned i = 0; i < it->size(); ++i) {
      const auto& c = (*it)[i];
      list[i].setType(str(c, "type"));
      list[i].setStatus(str(c, "status"));
      list[i].setLastHeartbeatTime(str(c, "lastHeartbeatTime"));
      list[i].setLastTransitionTime(str(c, "lastTransitionTime"));
      list[i].setReason(str(c, "reason"));
      list[i].setMessage(str(c, "message"));
    }
  }
  if (auto it = j.find("addresses"); it != j.end()) {
    auto list = status.initAddresses(unsigned(it->size()));
    for (unsigned i = 0; i < it->size(); ++i) {
      list[i].setType(str((*it)[i], "type"));
      list[i].setAddress(str((*it)[i], "address"));
    }
  }
  if (auto it = j.find("nodeInfo"); it != j.end()) {
    auto info = status.initNodeInfo();
    const auto& n = *it;
    info.setMachineID(str(n, "machineID"));
    info.setSystemUUID(str(n, "systemUUID"));
    info.setBootID(str(n, "bootID"));
    info.setKernelVersion(str(n, "kernelVersion"));
    info.setOsImage(str(n, "osImage"));
    info.setContainerRuntimeVersion(str(n, "containerRuntimeVersion"));
    info.setKubeletVersion(str(n, "kubeletVersion"));
    info.setKubeProxyVersion(str(n, "kubeProxyVersion"));
    info.setOperatingSystem(str(n, "operatingSystem"));
    info.setArchitecture(str(n, "architecture"));
  }
  if (auto it = j.find("daemonEndpoints"); it != j.end() && it->is_object()) {
    auto kubelet = it->value("kubeletEndpoint", json::object());
    status.initDaemonEndpoints().initKubeletEndpoint().setPort(kubelet.value("Port", 0));
  }
}

}  // namespace

Result<std::string> node_object_bytes(const nlohmann::json& node) {
  try {
    capnp::MallocMessageBuilder message;
    auto n = message.initRoot<k8s::Node>();
    n.setApiVersion("v1");
    n.setKind("Node");
    const auto& meta = node.at("metadata");
    n.getMetadata().setName(str(meta, "name"));
    if (meta.contains("labels")) set_entries(n.getMetadata().initLabels(), meta["labels"]);
    if (node.contains("spec")) write_spec(n.getSpec(), node["spec"]);
    if (node.contains("status")) write_status(n.getStatus(), node["status"]);
    return flat_bytes(message);
  } catch (const json::exception& e) {
    return Error{"invalid", std::string("the Node does not have node_json's shape: ") + e.what()};
  }
}

}  // namespace craton::agent
