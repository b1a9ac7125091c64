// Reading an image configuration (OCI image-spec config.md; Docker's has the same fields)
// into ImageConfig: the fields that decide how a container starts. Absent and null fields
// are empty; a field of the wrong type is an error, not ignored.
#pragma once

#include <string>

#include "runtime/result.hpp"
#include "storage/images/image_types.hpp"

namespace craton::images {

/// Error{"malformed", ...} when `bytes` is not an image config.
Result<ImageConfig> parse_image_config(const std::string& bytes);

}  // namespace craton::images
