// The OpenAPI v2 schema of one Cap'n Proto field type, as /openapi/v2 describes it (the
// rendering of json_shape.hpp's mapping into gnostic's openapi.v2.Schema); exposed so tests can
// check shapes no served kind uses yet (ResourceList, IntOrString).
#pragma once

#include <capnp/schema.h>

#include "gnostic/openapiv2/OpenAPIv2.pb.h"

namespace craton::api {

/// The schema a field of this type has in /openapi/v2 (a $ref for structs of their own).
::openapi::v2::Schema openapi_v2_schema(capnp::Type type);

}  // namespace craton::api
