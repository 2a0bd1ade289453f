#include "disclose/cli_context.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "sqlite/sqlite_store.h"

#ifndef DISCLOSE_SOURCE_WORKFLOWS
#define DISCLOSE_SOURCE_WORKFLOWS "workflows"
#endif

namespace disclose::cli {

namespace fs = std::filesystem;

// Deployment time zone: China Standard Time, no daylight saving (DESIGN.md §3).
constexpr int kUtcOffsetMinutes = 8 * 60;

std::string Context::workflows_dir() const {
  if (!options_.workflows_dir.empty()) return options_.workflows_dir;
  if (const char* env = std::getenv("DISCLOSE_WORKFLOWS"); env && *env) return env;
  if (fs::exists("workflows/gov-info-disclosure.yaml")) return "workflows";
  return DISCLOSE_SOURCE_WORKFLOWS;
}

Store& Context::store() {
  if (!store_) {
    fs::path path(options_.db_path);
    if (options_.db_path != ":memory:" && path.has_parent_path()) {
      std::error_code ec;
      fs::create_directories(path.parent_path(), ec);
    }
    try {
      store_ = open_sqlite_store(SqliteOptions{options_.db_path, options_.synchronous});
    } catch (const std::exception& e) {
      throw CliError(1, "cannot open database " + options_.db_path + ": " + e.what());
    }
    install_write_hook();
  }
  return *store_;
}

const WorkflowRegistry& Context::workflows() {
  if (!workflows_) {
    try {
      workflows_ = WorkflowRegistry::load_dir(workflows_dir());
    } catch (const std::exception& e) {
      throw CliError(1, std::string("cannot load workflows: ") + e.what());
    }
  }
  return *workflows_;
}

const WorkingCalendar& Context::calendar() {
  if (!calendar_) {
    try {
      auto years = load_calendar_dir(workflows_dir() + "/calendars");
      // `calendar due` must work without a database: imported years only when one exists.
      if (store_ || options_.db_path == ":memory:" || fs::exists(options_.db_path))
        years = merge_calendar_years(std::move(years), store().calendar_years());
      calendar_.emplace(std::move(years));
    } catch (const CliError&) {
      throw;
    } catch (const std::exception& e) {
      throw CliError(1, std::string("cannot load the calendar: ") + e.what());
    }
  }
  return *calendar_;
}

Engine& Context::engine() {
  if (!engine_) {
    engine_ = std::make_unique<Engine>(workflows(), calendar());
    install_write_hook();
  }
  return *engine_;
}

void Context::install_write_hook() {
  if (!store_ || !engine_) return;
  planner_ = std::make_unique<ReminderPlanner>(engine_->workflows(), engine_->calendar(),
                                               kUtcOffsetMinutes);
  notifications_ = std::make_unique<CaseNotifications>(*engine_, options_.public_url);
  timers_ = std::make_unique<TimerService>(*store_, *engine_, *planner_, *notifications_,
                                           kUtcOffsetMinutes);
  store_->set_case_write_hook(timers_->write_hook());
}

TimerService& Context::timers() {
  store();
  engine();
  return *timers_;
}

void Context::reload_calendar_in_place() {
  if (!calendar_) {
    calendar();
    return;
  }
  try {
    *calendar_ = WorkingCalendar(merge_calendar_years(
        load_calendar_dir(workflows_dir() + "/calendars"), store().calendar_years()));
  } catch (const CliError&) {
    throw;
  } catch (const std::exception& e) {
    throw CliError(1, std::string("cannot load the calendar: ") + e.what());
  }
}

Moment Context::now() {
  if (options_.now.empty()) return SystemTimeSource(kUtcOffsetMinutes).now();
  if (auto day = Date::parse(options_.now)) {
    // Noon local time on that day.
    Instant at{std::chrono::sys_days{std::chrono::days{day->days()}} + std::chrono::hours{12} -
               std::chrono::minutes{kUtcOffsetMinutes}};
    return Moment{at, *day};
  }
  if (auto at = parse_instant(options_.now)) return Moment{*at, local_date(*at, kUtcOffsetMinutes)};
  throw CliError(2,
                 "--now: expected YYYY-MM-DD or an RFC 3339 instant, got '" + options_.now + "'");
}

Actor Context::actor() {
  if (options_.as_user.empty()) {
    std::string name = "operator";
    if (const passwd* pw = getpwuid(geteuid()); pw && pw->pw_name) name = pw->pw_name;
    return Actor{"cli:" + name, case_roles(), "", true};
  }
  char* end = nullptr;
  long long id = std::strtoll(options_.as_user.c_str(), &end, 10);
  if (options_.as_user.empty() || *end != '\0' || id <= 0)
    throw CliError(2, "--as: expected a user id, got '" + options_.as_user + "'");
  auto user = store().find_user(id);
  if (!user || !user->active) throw CliError(1, "--as: no active user " + options_.as_user);
  return Actor{"u:" + std::to_string(user->id), {user->role}, user->agency, user->scope_all};
}

std::string read_input(const std::string& path, std::istream& in) {
  std::ostringstream buffer;
  if (path == "-") {
    buffer << in.rdbuf();
    return buffer.str();
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) throw CliError(2, "cannot read " + path);
  buffer << file.rdbuf();
  return buffer.str();
}

}  // namespace disclose::cli
