// 企业微信 group robot: a markdown message posted to the robot's URL (its key is in the URL).
#include <boost/json.hpp>

#include "notify/message_text.h"
#include "notify/notification_fields.h"
#include "notify/render.h"

namespace disclose::notify {
namespace json = boost::json;

OutgoingRequest render_wecom(const Subscription& subscription, const Notification& notification) {
  std::string content = notification_markdown(notification);
  // WeCom's markdown message has no mention list; a "<@userid>" inside the content is the
  // mention. An id with '>' would end the tag early, so it is left out rather than mangled.
  std::string mentions;
  for (const Recipient& r : recipients_of(notification)) {
    if (r.wecom_userid.empty() || r.wecom_userid.find('>') != std::string::npos) continue;
    if (!mentions.empty()) mentions += ' ';
    mentions += "<@" + r.wecom_userid + ">";
  }
  if (!mentions.empty()) content += "\n\n" + mentions;

  OutgoingRequest request;
  request.url = subscription.url;
  request.headers = {{"content-type", "application/json"}};
  request.body = json::serialize(
      json::object{{"msgtype", "markdown"}, {"markdown", json::object{{"content", content}}}});
  return request;
}

}  // namespace disclose::notify
