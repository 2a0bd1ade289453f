// Composes the notifications that case events and reminders send to staff (issue #4).
//
// Pure: everything it needs is passed in (the stored case, the event, the agency and its staff),
// so the store can call it inside the writing transaction and the notification commits with the
// event that caused it. The payload keys are those of notification.h; README.md lists them.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "disclose/engine.h"
#include "disclose/notification.h"
#include "disclose/reminders.h"
#include "disclose/store.h"

namespace disclose {

class CaseNotifications {
 public:
  // `public_url` is where staff open the console (e.g. "https://ogi.example.gov.cn"); links are
  // public_url + "/cases/<id>". The engine must outlive this object.
  CaseNotifications(const Engine& engine, std::string public_url);

  // The notifications one stored event produces, in this order:
  //   case.registered      the registering event;
  //   case.auto_closed     an event by `system` that leaves the case in a closed state;
  //   case.transitioned    any other event that changed the state;
  //   case.assigned        the assignee changed (the new assignee is the recipient);
  //   deadline.recomputed  a calendar change moved the case's deadlines.
  // Notes, contacts and other events that change neither state nor assignee produce none.
  // Only the types `wanted` accepts are composed (empty: every type).
  std::vector<Notification> for_event(
      const Case& stored, const Event& event, const std::optional<Agency>& agency,
      const std::vector<User>& agency_users, Moment now,
      const std::function<bool(const std::string& type)>& wanted = {}) const;

  // The notification of one due reminder; recipients are resolved from the rule's entries
  // ("assignee" = the case's assignee; any other entry = the agency's active users of that role).
  Notification for_reminder(const Case& a_case, const DueReminder& reminder,
                            const std::optional<Agency>& agency,
                            const std::vector<User>& agency_users, Moment now) const;

  const std::string& public_url() const { return public_url_; }

 private:
  boost::json::object case_summary(const Case& a_case, const std::optional<Agency>& agency) const;

  const Engine& engine_;
  std::string public_url_;
};

// The users a reminder or event goes to, without duplicates, in the order the entries name them.
std::vector<User> resolve_recipients(const std::vector<std::string>& entries, const Case& a_case,
                                     const std::vector<User>& agency_users);

boost::json::object recipient_json(const User& user);

}  // namespace disclose
