// Hands work given on other threads to an io_context in batches: one post per batch, not one
// per item.
//
// A commit group's answers all come at once, on the store's committing thread — dozens of them.
// Posting each to its connection's strand from there took the io_context's lock and woke an io
// thread (an epoll interrupt or a futex) per answer, on the thread every write waits for; in a
// virtual machine each wake-up is dear. Here the first item of a batch posts one task, later
// ones only join the queue, and the task, on an io thread, runs them all — each posting to its
// strand from inside the io_context is cheap (a thread-local queue, no wake-up).
//
// Items run on an io thread in the order given; an item given on a thread that runs the
// io_context already runs at once.
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

  // From any thread. `item` must not throw. If the io_context is destroyed before the task
  // runs, the queued items are destroyed without running (as posted handlers would be).
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
