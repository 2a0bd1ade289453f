// Keeps a calendar import apart from everything that reads the calendar under `disclose serve`.
//
// Importing a calendar switches the working calendar's data in place (calendar_import.h), while
// requests on the handler threads and the timer loop read it. So an import runs alone: it waits
// for the requests in flight (and the piece of a streamed body being produced) and the timer round
// to finish, and holds new ones back until it is done. Which requests are imports the inner
// handler says (RequestTraits::runs_alone: the API's route for them is marked so). A request
// answered asynchronously (a case write, once its commit group is durable) shares the gate until it
// is answered, as its write may plan reminders from the calendar again inside the group; asked
// asynchronously, a request that finds an import under way waits without holding a thread. Imports
// happen about once a year; everything else only ever shares the gate.
#pragma once

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <utility>

#include "disclose/shared_gate.h"
#include "http/http_message.h"

namespace disclose::cli {

class CalendarGate final : public http::Handler {
 public:
  // `inner` and `gate` must outlive this; the timer loop's rounds share `gate` too.
  CalendarGate(http::Handler& inner, SharedGate& gate) : inner_(inner), gate_(gate) {}

  http::Response handle(const http::Request& request) override {
    if (inner_.traits(request).runs_alone) {
      std::unique_lock alone(gate_);
      return inner_.handle(request);
    }
    http::Response response;
    {
      std::shared_lock shared(gate_);
      response = inner_.handle(request);
    }
    return pieces_share_the_gate(std::move(response));
  }

  // A request the inner handler answers without blocking (on a thread that serves sockets)
  // never blocks here either: while an import runs, or waits for the requests in flight, it
  // waits without a thread and goes on, on the import's thread, once the import is done. Any
  // other request (on a handler thread) waits for its share as handle() does.
  void handle_async(const http::Request& request, http::Respond respond) override {
    const http::RequestTraits traits = inner_.traits(request);
    if (traits.runs_alone) {
      http::Response response;
      {
        std::unique_lock alone(gate_);
        response = inner_.handle(request);
      }
      respond(std::move(response));  // once the others may go on
      return;
    }
    if (!traits.answers_without_blocking) {
      gate_.lock_shared();
      share_until_answered(request, std::move(respond));
      return;
    }
    gate_.lock_shared_then(
        [this, &request, respond = std::move(respond)] { share_until_answered(request, respond); });
  }

  // An import waits for the gate, so it blocks whatever the inner handler says.
  http::RequestTraits traits(const http::Request& request) const override {
    http::RequestTraits traits = inner_.traits(request);
    if (traits.runs_alone) traits.answers_without_blocking = false;
    return traits;
  }

 private:
  // Runs the request holding the share just taken, and lets go of it when the response is in,
  // on whichever thread that is (SharedGate allows it), or when the last copy of the callback
  // goes (an inner handler that threw without answering).
  void share_until_answered(const http::Request& request, http::Respond respond) {
    std::shared_lock<SharedGate> taken(gate_, std::adopt_lock);
    try {
      auto shared = std::make_shared<std::shared_lock<SharedGate>>(std::move(taken));
      inner_.handle_async(request, [this, shared, respond](http::Response response) {
        if (shared->owns_lock()) shared->unlock();  // not twice, if a handler answered twice
        respond(pieces_share_the_gate(std::move(response)));
      });
    } catch (...) {
      // Handlers must not throw; this may run inside the import's unlock, which drops it.
      if (taken.owns_lock()) taken.unlock();
      http::Response failed;
      failed.status = 500;
      failed.body = R"({"error":{"code":"internal","message":"internal error"}})";
      respond(std::move(failed));
    }
  }

  // A streamed body (the bulk export) is produced after the response was given, piece by piece
  // on the server's thread: each piece shares the gate too. An import may run between two
  // pieces, never during one.
  http::Response pieces_share_the_gate(http::Response response) {
    if (response.body_stream) {
      response.body_stream = [produce = std::move(response.body_stream),
                              &gate = gate_](std::string& piece) {
        std::shared_lock shared(gate);
        return produce(piece);
      };
    }
    return response;
  }

  http::Handler& inner_;
  SharedGate& gate_;
};

}  // namespace disclose::cli
