// Keeps a calendar import apart from everything that reads the calendar under `disclose serve`.
//
// Importing a calendar switches the working calendar's data in place (calendar_import.h), while
// requests on the handler threads and the timer loop read it. So an import runs alone: it waits
// for the requests in flight (and the piece of a streamed body being produced) and the timer round
// to finish, and holds new ones back until it is done. Imports happen about once a year;
// everything else only ever shares the gate.
#pragma once

#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>

#include "http/http_message.h"

namespace disclose::cli {

class CalendarGate final : public http::Handler {
 public:
  // `inner` and `lock` must outlive the gate; the timer loop's rounds share `lock` too.
  CalendarGate(http::Handler& inner, std::shared_mutex& lock) : inner_(inner), mutex_(lock) {}

  http::Response handle(const http::Request& request) override {
    if (imports_calendar(request)) {
      std::unique_lock alone(mutex_);
      return inner_.handle(request);
    }
    http::Response response;
    {
      std::shared_lock shared(mutex_);
      response = inner_.handle(request);
    }
    if (response.body_stream) {
      // A streamed body (the bulk export) is produced after handle() returns, piece by piece on
      // the server's thread: each piece shares the gate too. An import may run between two
      // pieces, never during one.
      response.body_stream = [produce = std::move(response.body_stream),
                              &mutex = mutex_](std::string& piece) {
        std::shared_lock shared(mutex);
        return produce(piece);
      };
    }
    return response;
  }

 private:
  // PUT /api/v1/calendar/{year} (the only route that replaces the calendar).
  static bool imports_calendar(const http::Request& request) {
    constexpr std::string_view prefix = "/api/v1/calendar/";
    return request.method == "PUT" && std::string_view(request.target).starts_with(prefix);
  }

  http::Handler& inner_;
  std::shared_mutex& mutex_;
};

}  // namespace disclose::cli
