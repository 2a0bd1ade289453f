#include "notify/notification_fields.h"

#include <boost/json.hpp>
#include <cmath>

namespace disclose::notify {
namespace json = boost::json;
namespace {

const json::value* lookup(const json::object& object, std::string_view key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &it->value();
}

std::string as_text(const json::value* value) {
  if (value == nullptr) return {};
  if (value->is_string()) return std::string(value->get_string());
  if (value->is_int64()) return std::to_string(value->get_int64());
  if (value->is_uint64()) return std::to_string(value->get_uint64());
  return {};
}

std::optional<int64_t> as_int(const json::value* value) {
  if (value == nullptr) return std::nullopt;
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64() && value->get_uint64() <= uint64_t{INT64_MAX}) {
    return static_cast<int64_t>(value->get_uint64());
  }
  if (value->is_double()) {
    double d = value->get_double();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15) {
      return static_cast<int64_t>(d);
    }
  }
  return std::nullopt;
}

const json::value* section_field(const Notification& notification, std::string_view section,
                                 std::string_view key) {
  const json::value* part = lookup(notification.data, section);
  if (part == nullptr || !part->is_object()) return nullptr;
  return lookup(part->get_object(), key);
}

}  // namespace

std::string field_text(const Notification& notification, std::string_view section,
                       std::string_view key) {
  return as_text(section_field(notification, section, key));
}

std::optional<int64_t> field_int(const Notification& notification, std::string_view section,
                                 std::string_view key) {
  return as_int(section_field(notification, section, key));
}

std::string link_of(const Notification& notification) {
  return as_text(lookup(notification.data, "link"));
}

std::vector<Recipient> recipients_of(const Notification& notification) {
  std::vector<Recipient> out;
  const json::value* list = lookup(notification.data, "recipients");
  if (list == nullptr || !list->is_array()) return out;
  for (const json::value& entry : list->get_array()) {
    if (!entry.is_object()) continue;
    const json::object& o = entry.get_object();
    Recipient r;
    r.user_id = as_int(lookup(o, "user_id")).value_or(0);
    r.name = as_text(lookup(o, "name"));
    r.role = as_text(lookup(o, "role"));
    r.mobile = as_text(lookup(o, "mobile"));
    r.wecom_userid = as_text(lookup(o, "wecom_userid"));
    r.dingtalk_userid = as_text(lookup(o, "dingtalk_userid"));
    r.feishu_user_id = as_text(lookup(o, "feishu_user_id"));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace disclose::notify
