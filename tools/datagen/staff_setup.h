// The agencies and the staff who act on generated cases. A run creates what is missing (so a
// second run into the same database reuses both) and acts as real stored users, so histories
// name real people and "assignee" points at a handler who exists.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "datagen/agency_catalogue.h"
#include "disclose/engine.h"
#include "disclose/store.h"

namespace datagen {

struct AgencyStaff {
  std::string code;
  disclose::Actor registrar;
  disclose::Actor reviewer;
  disclose::Actor supervisor;
  std::vector<disclose::Actor> handlers;  // kHandlersPerAgency
  std::vector<std::string> handler_ids;   // their user ids, as an "assignee" input
};

// Adds each agency whose code is not stored yet, and to each agency the active registrar,
// reviewer, supervisor and handlers it lacks (names drawn from `seed`). Throws StoreError when
// the store refuses one (e.g. another agency already has that short name).
std::vector<AgencyStaff> ensure_staff(disclose::Store& store,
                                      const std::vector<AgencyProfile>& agencies, uint64_t seed);

}  // namespace datagen
