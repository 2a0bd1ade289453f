// CalendarGate: a calendar import runs alone; every other request, and every piece of a streamed
// body produced after its request returned, shares the gate.
#include "disclose/calendar_gate.h"

#include <gtest/gtest.h>

#include <functional>
#include <future>
#include <optional>
#include <string>

namespace disclose::cli {
namespace {

// Runs `on_handle` inside handle(); answers with a streamed body of `pieces` pieces, each of
// which runs `on_piece` while it is produced.
class ProbeHandler : public http::Handler {
 public:
  http::Response handle(const http::Request&) override {
    on_handle();
    http::Response response;
    if (pieces > 0) {
      response.body_stream = [this, left = pieces](std::string& piece) mutable {
        on_piece();
        piece = "piece";
        return --left > 0;
      };
    }
    return response;
  }

  // With `defer`, keeps `respond` in `deferred` for the test to answer (or drop) later.
  void handle_async(const http::Request& request, http::Respond respond) override {
    if (!defer) return Handler::handle_async(request, std::move(respond));
    on_handle();
    deferred = std::move(respond);
  }

  // Runs alone as the API's import does: a PUT of a calendar year.
  http::RequestTraits traits(const http::Request& request) const override {
    return {.answers_without_blocking = without_blocking,
            .runs_alone = request.method == "PUT" && request.target == alone_target};
  }

  std::function<void()> on_handle = [] {};
  std::function<void()> on_piece = [] {};
  int pieces = 0;
  bool defer = false;
  bool without_blocking = false;
  std::string alone_target = "/api/v1/calendar/2026";
  http::Respond deferred;
};

http::Request request(const std::string& method, const std::string& target) {
  http::Request r;
  r.method = method;
  r.target = target;
  return r;
}

class CalendarGateTest : public ::testing::Test {
 protected:
  // Whether an import could start now (nobody shares the gate) and whether a request could,
  // asked from another thread (a thread must not try a mutex it already holds).
  bool import_could_start() { return could_take(/*alone=*/true); }
  bool request_could_start() { return could_take(/*alone=*/false); }

  bool could_take(bool alone) {
    auto attempt = [this, alone] {
      const bool free = alone ? lock_.try_lock() : lock_.try_lock_shared();
      if (free && alone) lock_.unlock();
      if (free && !alone) lock_.unlock_shared();
      return free;
    };
    return std::async(std::launch::async, attempt).get();
  }

  SharedGate lock_;
  ProbeHandler inner_;
  CalendarGate gate_{inner_, lock_};
};

TEST_F(CalendarGateTest, ACalendarImportRunsAlone) {
  bool import_alone = false;
  inner_.on_handle = [&] { import_alone = !request_could_start(); };
  gate_.handle(request("PUT", "/api/v1/calendar/2026"));
  EXPECT_TRUE(import_alone);
  EXPECT_TRUE(import_could_start());
}

TEST_F(CalendarGateTest, WhatRunsAloneIsTheInnerHandlersSay) {
  // The gate does not read paths itself (the API's router decodes and matches them).
  inner_.alone_target = "/api/v1/c%61lendar/2026";
  bool import_alone = false;
  inner_.on_handle = [&] { import_alone = !request_could_start(); };
  gate_.handle(request("PUT", "/api/v1/c%61lendar/2026"));
  EXPECT_TRUE(import_alone);
  bool shared = false;
  inner_.on_handle = [&] { shared = request_could_start(); };
  gate_.handle(request("PUT", "/api/v1/calendar/2026"));
  EXPECT_TRUE(shared);
}

TEST_F(CalendarGateTest, OtherRequestsShareTheGate) {
  bool shared = false;
  inner_.on_handle = [&] { shared = !import_could_start() && request_could_start(); };
  gate_.handle(request("GET", "/api/v1/calendar/2026"));  // reading a calendar is no import
  EXPECT_TRUE(shared);
  shared = false;
  gate_.handle(request("PUT", "/api/v1/cases/1"));
  EXPECT_TRUE(shared);
}

// The bulk export streams its body after handle() returned: each piece is produced under the
// gate, and the gate is free between pieces, so an import waits for a piece, not the export.
TEST_F(CalendarGateTest, EachPieceOfAStreamedBodySharesTheGate) {
  inner_.pieces = 3;
  int pieces_under_gate = 0;
  inner_.on_piece = [&] {
    if (!import_could_start() && request_could_start()) ++pieces_under_gate;
  };
  http::Response response = gate_.handle(request("GET", "/api/v1/export/cases"));
  ASSERT_TRUE(response.body_stream);
  EXPECT_TRUE(import_could_start());  // handle() returned: nothing held until the next piece
  std::string piece;
  int produced = 0;
  bool more = true;
  while (more) {
    more = response.body_stream(piece);
    ++produced;
    EXPECT_EQ(piece, "piece");
    EXPECT_TRUE(import_could_start());
  }
  EXPECT_EQ(produced, 3);
  EXPECT_EQ(pieces_under_gate, 3);
}

TEST_F(CalendarGateTest, ARequestAnsweredLaterSharesTheGateUntilItsAnswer) {
  inner_.defer = true;
  std::optional<int> answered;
  gate_.handle_async(request("POST", "/api/v1/cases/1/actions/accept"),
                     [&](http::Response r) { answered = r.status; });
  EXPECT_FALSE(answered);
  EXPECT_FALSE(import_could_start());  // handle_async returned; the answer is not in yet
  EXPECT_TRUE(request_could_start());
  // Answered on another thread, as a commit group's thread does.
  std::async(std::launch::async, [&] { inner_.deferred(http::Response{}); }).get();
  EXPECT_EQ(answered, 200);
  EXPECT_TRUE(import_could_start());
}

TEST_F(CalendarGateTest, AnAnswerThatNeverComesStillLetsGoOfTheGate) {
  inner_.defer = true;
  gate_.handle_async(request("POST", "/api/v1/cases/1/actions/accept"), [](http::Response) {});
  EXPECT_FALSE(import_could_start());
  inner_.deferred = nullptr;  // the inner handler dropped its callback (it threw, say)
  EXPECT_TRUE(import_could_start());
}

TEST_F(CalendarGateTest, AnImportAskedAsynchronouslyStillRunsAlone) {
  bool import_alone = false;
  inner_.on_handle = [&] { import_alone = !request_could_start(); };
  std::optional<int> answered;
  bool others_free_when_answered = false;
  gate_.handle_async(request("PUT", "/api/v1/calendar/2026"), [&](http::Response r) {
    answered = r.status;
    // Answered once the gate is let go: the answer may take a while to reach its client.
    others_free_when_answered = request_could_start();
  });
  EXPECT_TRUE(import_alone);
  EXPECT_EQ(answered, 200);
  EXPECT_TRUE(others_free_when_answered);
  EXPECT_TRUE(import_could_start());
}

// Asked asynchronously during an import, a request neither blocks its caller nor runs during the
// import: it goes on, on the import's thread, once the import has let go of the gate.
TEST_F(CalendarGateTest, ARequestArrivingDuringAnImportWaitsWithoutBlocking) {
  inner_.without_blocking = true;  // as the API says of a case action
  int handled = 0;
  int handled_when_asked = -1;
  std::optional<int> answered;
  inner_.on_handle = [&] {
    if (++handled != 1) return;  // the import; the request below is the second
    gate_.handle_async(request("POST", "/api/v1/cases/1/actions/accept"),
                       [&](http::Response r) { answered = r.status; });
    handled_when_asked = handled;
  };
  gate_.handle(request("PUT", "/api/v1/calendar/2026"));
  EXPECT_EQ(handled_when_asked, 1);  // handle_async returned before the request ran
  EXPECT_EQ(handled, 2);             // and it ran once the import was done
  EXPECT_EQ(answered, 200);
  EXPECT_TRUE(import_could_start());
}

TEST(SharedGateTest, KnowsWhetherThisThreadHoldsItAlone) {
  SharedGate gate;
  auto elsewhere = [&] {
    return std::async(std::launch::async, [&] { return gate.held_alone_by_this_thread(); }).get();
  };
  EXPECT_FALSE(gate.held_alone_by_this_thread());
  gate.lock_shared();
  EXPECT_FALSE(gate.held_alone_by_this_thread());
  gate.unlock_shared();
  gate.lock();
  EXPECT_TRUE(gate.held_alone_by_this_thread());
  EXPECT_FALSE(elsewhere());
  gate.unlock();
  EXPECT_FALSE(gate.held_alone_by_this_thread());
  ASSERT_TRUE(gate.try_lock());
  EXPECT_TRUE(gate.held_alone_by_this_thread());
  gate.unlock();
  EXPECT_FALSE(gate.held_alone_by_this_thread());
}

TEST(SharedGateTest, AShareAskedForWithoutBlockingWaitsForTheExclusiveHolder) {
  SharedGate gate;
  gate.lock();
  bool ran = false;
  gate.lock_shared_then([&] { ran = true; });
  EXPECT_FALSE(ran);
  gate.unlock();
  EXPECT_TRUE(ran);
  EXPECT_FALSE(gate.try_lock());  // the continuation holds its share until it lets go
  gate.unlock_shared();
  EXPECT_TRUE(gate.try_lock());
  gate.unlock();
  gate.lock_shared_then([&] { ran = false; });  // an open gate: at once
  EXPECT_FALSE(ran);
  gate.unlock_shared();
}

}  // namespace
}  // namespace disclose::cli
