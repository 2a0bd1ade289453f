// What every CLI command needs: where the database and workflows are, the calendar, the engine
// and who is acting. Opened lazily so `disclose calendar due` works without a database.
#pragma once

#include <iosfwd>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "disclose/case_notifications.h"
#include "disclose/engine.h"
#include "disclose/reminders.h"
#include "disclose/store.h"
#include "disclose/time_source.h"
#include "disclose/timer_service.h"

namespace disclose::cli {

// A user-facing failure: printed as "disclose: <message>" with the exit status.
class CliError : public std::runtime_error {
 public:
  CliError(int status, const std::string& message) : std::runtime_error(message), status(status) {}
  int status;
};

struct GlobalOptions {
  std::string db_path = "var/disclose.db";
  std::string workflows_dir;         // "" = $DISCLOSE_WORKFLOWS, ./workflows, then the source tree
  std::string now;                   // RFC 3339 instant or YYYY-MM-DD; "" = the wall clock
  std::string as_user;               // act as this stored user id; "" = the local operator
  std::string synchronous = "FULL";  // SQLite synchronous mode: FULL | NORMAL
  // Where staff open the console; notification links point there.
  std::string public_url = "http://127.0.0.1:8080";
};

class Context {
 public:
  // `options` is read when first needed, so it may still be filled in by the parser.
  explicit Context(const GlobalOptions& options) : options_(options) {}

  const GlobalOptions& options() const { return options_; }
  std::string workflows_dir() const;
  Store& store();
  const WorkflowRegistry& workflows();
  // Bundled calendar years with the database's imported years merged over them.
  const WorkingCalendar& calendar();
  Engine& engine();
  // Timer planning and firing over this context's store and engine. Once both the store and the
  // engine exist, every case write plans its timers and queues its notifications (the store's
  // write hook), whichever command writes.
  TimerService& timers();
  Moment now();
  // The local operator (cli:<os user>, every case role, every agency) or --as USER.
  Actor actor();
  // Rereads the bundled and imported years into the same calendar object, so the engine and
  // everything holding a reference to it see the new data (see calendar_import.h).
  void reload_calendar_in_place();

 private:
  const GlobalOptions& options_;
  std::unique_ptr<Store> store_;
  std::optional<WorkflowRegistry> workflows_;
  std::optional<WorkingCalendar> calendar_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<ReminderPlanner> planner_;
  std::unique_ptr<CaseNotifications> notifications_;
  std::unique_ptr<TimerService> timers_;

  // Builds the planner and service for the current engine and installs the write hook, when
  // both the store and the engine are open.
  void install_write_hook();
};

// Reads a whole file, or stdin for "-". Throws CliError(2) when unreadable.
std::string read_input(const std::string& path, std::istream& in);

}  // namespace disclose::cli
