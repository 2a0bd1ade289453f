// The short Chinese text robots post: a headline carrying the case number and what happened
// (for deadlines: which one, its due date and the working days left), a line or two of context,
// then the link. Mentions are the renderers' business; each robot spells them differently.
#include "notify/message_text.h"

#include <string_view>
#include <vector>

#include "notify/notification_fields.h"

namespace disclose {
namespace notify {
namespace {

std::string_view tag_of(std::string_view type) {
  if (type == "case.registered") return "【新登记】";
  if (type == "case.transitioned") return "【状态变更】";
  if (type == "case.assigned") return "【已分派】";
  if (type == "reminder.due_soon") return "【即将到期】";
  if (type == "reminder.due_today") return "【今日到期】";
  if (type == "reminder.overdue") return "【逾期提醒】";
  if (type == "case.auto_closed") return "【自动办结】";
  if (type == "deadline.recomputed") return "【期限重算】";
  if (type == "test") return "【测试消息】";
  return "【通知】";
}

// Used only when the notification carries no label of its own (the workflow file names them).
std::string_view fallback_deadline_label(std::string_view kind) {
  if (kind == "reply") return "答复期限";
  if (kind == "correction_notice") return "补正告知期限";
  if (kind == "correction_window") return "补正期限";
  if (kind == "consultation") return "征求意见期限";
  if (kind == "fee_payment") return "缴费期限";
  if (kind == "acceptance") return "受理期限";
  return "期限";
}

bool has_deadline(const Notification& n) {
  return !field_text(n, "deadline", "due_on").empty() || !field_text(n, "deadline", "kind").empty();
}

// "答复期限 2025-04-01 已逾期 2 个工作日", or less when fields are missing.
std::string deadline_phrase(const Notification& n) {
  std::string label = field_text(n, "deadline", "label");
  if (label.empty()) label = fallback_deadline_label(field_text(n, "deadline", "kind"));
  std::string out = label;
  std::string due = field_text(n, "deadline", "due_on");
  if (!due.empty()) out += " " + due;
  if (auto left = field_int(n, "deadline", "remaining_wd")) out += " " + days_left_text(*left);
  if (field_text(n, "deadline", "status") == "paused") out += "（计时暂停）";
  return out;
}

std::string names_of_recipients(const Notification& n) {
  std::string out;
  for (const Recipient& r : recipients_of(n)) {
    if (r.name.empty()) continue;
    if (!out.empty()) out += "、";
    out += r.name;
  }
  return out;
}

// What happened, after the tag and the case number.
std::string summary(const Notification& n) {
  const std::string& type = n.type;
  // An admin's "send test message" (POST /subscriptions/{id}/test): its own text, no case.
  if (type == "test") {
    auto text = n.data.find("text");
    return text != n.data.end() && text->value().is_string()
               ? std::string(text->value().get_string())
               : std::string("测试消息");
  }
  std::string state = field_text(n, "case", "state_label");
  if (state.empty()) state = field_text(n, "case", "state");
  if (type == "case.registered") {
    return has_deadline(n) ? "已登记，" + deadline_phrase(n) : "已登记";
  }
  if (type == "case.transitioned") {
    std::string action = field_text(n, "event", "action_label");
    std::string out = action.empty() ? "状态已变更" : action;
    if (!state.empty()) out += "，当前状态：" + state;
    return out;
  }
  if (type == "case.assigned") {
    std::string names = names_of_recipients(n);
    return names.empty() ? "已分派承办人" : "已分派给 " + names;
  }
  if (type == "case.auto_closed") {
    return state.empty() ? "已自动办结" : "已自动办结，当前状态：" + state;
  }
  if (type == "deadline.recomputed") {
    std::string label = field_text(n, "deadline", "label");
    if (label.empty()) label = fallback_deadline_label(field_text(n, "deadline", "kind"));
    std::string out = label + "重新计算为 " + field_text(n, "deadline", "due_on");
    if (auto left = field_int(n, "deadline", "remaining_wd")) out += "，" + days_left_text(*left);
    return out;
  }
  // The three reminders, and any future type that carries a deadline.
  return has_deadline(n) ? deadline_phrase(n) : std::string{};
}

std::string headline(const Notification& n) {
  std::string out = notification_title(n);
  std::string what = summary(n);
  if (!what.empty()) out += " " + what;
  return out;
}

// Context that the headline does not already say.
std::vector<std::string> context_lines(const Notification& n) {
  std::vector<std::string> lines;
  std::string agency = field_text(n, "case", "agency_name");
  if (agency.empty()) agency = field_text(n, "case", "agency");
  if (!agency.empty()) lines.push_back("办理机关：" + agency);
  bool state_in_headline = n.type == "case.transitioned" || n.type == "case.auto_closed";
  std::string state = field_text(n, "case", "state_label");
  if (!state_in_headline && !state.empty()) lines.push_back("当前状态：" + state);
  return lines;
}

// A link's URL must not close the markdown "(…)" early; the console's URLs never contain these
// characters, but an operator-configured base URL might.
std::string markdown_url(const std::string& url) {
  std::string out;
  for (char c : url) {
    if (c == ' ') {
      out += "%20";
    } else if (c == '(') {
      out += "%28";
    } else if (c == ')') {
      out += "%29";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string days_left_text(long long remaining_working_days) {
  if (remaining_working_days > 0) {
    return "剩余 " + std::to_string(remaining_working_days) + " 个工作日";
  }
  if (remaining_working_days == 0) return "今日到期";
  return "已逾期 " + std::to_string(-remaining_working_days) + " 个工作日";
}

std::string notification_plain_text(const Notification& notification) {
  std::string out = headline(notification);
  for (const std::string& line : context_lines(notification)) out += "\n" + line;
  std::string link = link_of(notification);
  if (!link.empty()) out += "\n查看案件：" + link;
  return out;
}

}  // namespace notify

std::string notification_title(const Notification& notification) {
  std::string out(notify::tag_of(notification.type));
  std::string number = notify::field_text(notification, "case", "number");
  if (number.empty()) {
    // A case is always numbered once registered; the id keeps the title useful if not.
    std::string id = notify::field_text(notification, "case", "id");
    if (!id.empty()) number = "案件 #" + id;
  }
  return out + number;
}

std::string notification_markdown(const Notification& notification) {
  // Paragraphs ("\n\n"): DingTalk's markdown joins single newlines into one line.
  std::string out = notify::headline(notification);
  for (const std::string& line : notify::context_lines(notification)) out += "\n\n" + line;
  std::string link = notify::link_of(notification);
  if (!link.empty()) out += "\n\n[查看案件](" + notify::markdown_url(link) + ")";
  return out;
}

}  // namespace disclose
