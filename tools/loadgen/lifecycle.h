// The case lifecycle the `lifecycle` scenario drives through the API, as a pure function of the
// case's state: register → submit_review → [request_correction → correction_received] → accept
// → [extend] → draft_reply → approve_reply → record_delivery → archive (workflow
// gov-info-disclosure). Choosing the next step from the state read back, not from a script
// position, lets a connection pick a case up again after a lost response, a version conflict or
// an expiry action the server's timers applied meanwhile.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace loadgen {

enum class Role { registrar, handler, reviewer, supervisor };

// The optional detours one case takes, drawn when it is registered, and whether each was taken.
struct CasePlan {
  bool correction = false;  // a 补正 request and the corrected request
  bool extension = false;   // an Art. 33 extension by the supervisor
  bool correction_done = false;
  bool extension_done = false;

  // Marks a detour as taken once its action is known to have been applied.
  void applied(const std::string& action);
};

struct Step {
  std::string action;
  Role role;
  std::string input;       // the JSON body
  std::string next_state;  // the state the workflow moves the case to
};

// What the loadgen's users need to fill in action inputs.
struct StepContext {
  std::string on;  // the business date of every act, YYYY-MM-DD (the case's received_on)
  int64_t handler_id = 0;
};

// The next step for a case in `state`, or nothing when the case is archived (or in a state this
// lifecycle does not leave, e.g. consulting — it never goes there).
std::optional<Step> next_step(const std::string& state, const CasePlan& plan,
                              const StepContext& context);

// The registration document for a gov-info-disclosure case of `agency`, received on `on`.
std::string registration_json(const std::string& agency, const std::string& on, uint64_t serial);

}  // namespace loadgen
