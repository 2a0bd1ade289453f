// Typed results for expected failures. A forbidden action is not an exception: the engine
// returns an ActionError that says which rule refused it and which input field was at fault.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace disclose {

enum class ErrorCode {
  unknown_workflow,
  unknown_action,
  not_allowed_in_state,  // the action does not leave from the case's current state
  role_not_permitted,    // the actor has none of the action's roles
  out_of_scope,          // the case belongs to another agency
  missing_input,
  invalid_input,
  date_in_future,
  date_out_of_order,         // before the case's previous dated event
  extension_cap_exceeded,    // Art. 33: one extension of at most 20 working days
  extension_after_deadline,  // Art. 33: must be approved before the deadline passes
  clock_not_running,         // e.g. extending a stopped clock
};
const char* to_string(ErrorCode code);

struct ActionError {
  ErrorCode code;
  std::string message;
  std::string field;  // the input at fault, "" when none
};

template <class T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}            // NOLINT: implicit by design
  Result(ActionError error) : state_(std::move(error)) {}  // NOLINT
  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<T>(state_); }
  const T& value() const { return std::get<T>(state_); }
  const ActionError& error() const { return std::get<ActionError>(state_); }

 private:
  std::variant<T, ActionError> state_;
};

}  // namespace disclose
