// 钉钉 custom robot: markdown with @-mentions; a signing robot gets timestamp and sign in the URL.
#include <algorithm>
#include <boost/json.hpp>

#include "notify/notification_fields.h"
#include "notify/render.h"
#include "notify/signing.h"

namespace disclose::notify {
namespace json = boost::json;
namespace {

void add_unique(std::vector<std::string>& list, const std::string& item) {
  if (!item.empty() && std::find(list.begin(), list.end(), item) == list.end()) {
    list.push_back(item);
  }
}

}  // namespace

OutgoingRequest render_dingtalk(const Subscription& subscription, const Notification& notification,
                                Instant now) {
  std::vector<std::string> mobiles;
  std::vector<std::string> user_ids;
  for (const Recipient& r : recipients_of(notification)) {
    add_unique(mobiles, r.mobile);
    add_unique(user_ids, r.dingtalk_userid);
  }
  // DingTalk notifies whoever is listed in "at" but highlights only mentions that also appear
  // in the text as "@<mobile>" / "@<userId>", so both are written out.
  std::string text = notification_markdown(notification);
  std::string mentions;
  for (const auto* list : {&mobiles, &user_ids}) {
    for (const std::string& id : *list) {
      if (!mentions.empty()) mentions += ' ';
      mentions += "@" + id;
    }
  }
  if (!mentions.empty()) text += "\n\n" + mentions;

  json::array at_mobiles(mobiles.begin(), mobiles.end());
  json::array at_user_ids(user_ids.begin(), user_ids.end());
  json::object body{
      {"msgtype", "markdown"},
      {"markdown", json::object{{"title", notification_title(notification)}, {"text", text}}},
      {"at", json::object{{"atMobiles", std::move(at_mobiles)},
                          {"atUserIds", std::move(at_user_ids)},
                          {"isAtAll", false}}}};

  OutgoingRequest request;
  request.url = subscription.url;
  if (!subscription.secret.empty()) {
    // The signature is valid for an hour around its timestamp, so it is computed per attempt.
    long long millis = now.time_since_epoch().count() * 1000LL;
    request.url += request.url.find('?') == std::string::npos ? '?' : '&';
    request.url += "timestamp=" + std::to_string(millis) +
                   "&sign=" + url_encode(dingtalk_sign(subscription.secret, millis));
  }
  request.headers = {{"content-type", "application/json"}};
  request.body = json::serialize(body);
  return request;
}

}  // namespace disclose::notify
