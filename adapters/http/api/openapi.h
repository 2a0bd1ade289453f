// The OpenAPI 3 document of the API (adapters/http/api/openapi.json), compiled into the binary.
#pragma once

#include <string>

namespace disclose::http {

const std::string& openapi_json();

}  // namespace disclose::http
