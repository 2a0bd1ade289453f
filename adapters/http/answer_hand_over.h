// Hands work given on any thread to an io_context in batches: one posted task per batch, not
// one post per item.
//
// A commit group's answers all come at once, on the store's committing thread — dozens of them.
// Posting each to its connection's strand from there took the io_context's lock and woke an io
// thread per answer, on the thread every write waits for; in a virtual machine each wake-up is
// dear. Here the first item of a batch posts one task, later ones only join the queue, and the
// task runs them all on one io thread, one after another. (The server's items dispatch to
// their connection's strand, which from there resumes the connection at once, with no further
// post or wake-up.)
//
// Items never run inside give(); within a batch they run in the order given.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include <boost/asio/io_context.hpp>

namespace disclose::http {

class AnswerHandOver : public std::enable_shared_from_this<AnswerHandOver> {
 public:
  // Make one with std::make_shared: a queued task keeps it alive.
  explicit AnswerHandOver(boost::asio::io_context& io) : io_(io) {}
  AnswerHandOver(const AnswerHandOver&) = delete;
  AnswerHandOver& operator=(const AnswerHandOver&) = delete;

  // From any thread. An item that throws is dropped; the others still run. If the io_context
  // is destroyed before the task runs, the queued items are destroyed without running (as
  // posted handlers would be). If posting the task fails, give() throws and the items stay
  // queued for the next give().
  void give(std::function<void()> item);

 private:
  class Task;
  // Everything queued; the next give() posts a new task.
  std::vector<std::function<void()>> take();

  boost::asio::io_context& io_;
  std::mutex mutex_;
  std::vector<std::function<void()>> queued_;
  bool posted_ = false;  // a task is queued on io_ and has not yet taken the queue
};

}  // namespace disclose::http
