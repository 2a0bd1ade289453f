// The agencies (机关) of the generated district: a district government's usual departments and a
// few towns and sub-districts, each with a distinct code and a distinct short name (the store
// refuses shared short names: case numbers would collide), a share of the requests and the
// subjects its requests are about.
#pragma once

#include <string>
#include <vector>

namespace datagen {

struct AgencyProfile {
  std::string code;
  std::string name;
  std::string short_name;
  int weight = 1;                   // relative number of gov-info requests it receives
  std::vector<std::string> topics;  // request subjects (see vocabulary.h), also the case tags
};

// The first `count` agencies (1 ≤ count ≤ 200). The catalogue names 24 real-sounding bodies;
// beyond them, numbered 派出机构 fill up. The data agency (sjj, 区数据局) is among the first
// twelve: it receives most public-data-open requests.
std::vector<AgencyProfile> agency_catalogue(int count);

// Staff the generator makes sure every agency has: one registrar, reviewer and supervisor each,
// and this many handlers (cases are spread over them).
inline constexpr int kHandlersPerAgency = 3;

// The code of the agency that handles public data (公共数据开放申请).
inline constexpr const char* kDataAgencyCode = "sjj";

}  // namespace datagen
