// ConfigMap and Secret API objects (Cap'n Proto, as the informers hold them) into the
// SourceObject a VolumeSources lookup answers: base64 values decoded (a Secret's data and a
// ConfigMap's binaryData are base64 in the API, schemas/api_meta.capnp), a Secret's
// stringData merged over its data as the API server does on write. Bad base64 is an Error
// naming the key; nothing is half-decoded.
#pragma once

#include <string>

#include "actors/agent/core/volume_sources.hpp"
#include "runtime/result.hpp"
#include "schemas/api_meta.capnp.h"

namespace craton::agent::volumes {

Result<std::string> decode_base64(const std::string& text);

Result<SourceObject> config_map_object(schema::k8s::ConfigMap::Reader config_map);
Result<SourceObject> secret_object(schema::k8s::Secret::Reader secret);

}  // namespace craton::agent::volumes
