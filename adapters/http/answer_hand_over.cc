#include "http/answer_hand_over.h"

#include <boost/asio/post.hpp>
#include <utility>

namespace disclose::http {

// Runs the batch on an io thread; if the io_context drops it unrun, drops the batch with it, so
// nothing the items own (a suspended connection's coroutine) outlives the io_context.
class AnswerHandOver::Task {
 public:
  explicit Task(std::shared_ptr<AnswerHandOver> owner) : owner_(std::move(owner)) {}
  Task(Task&&) = default;
  Task& operator=(Task&&) = default;
  ~Task() {
    if (owner_) owner_->take();  // never ran: the items are destroyed here
  }

  void operator()() {
    std::shared_ptr<AnswerHandOver> owner = std::move(owner_);
    for (std::function<void()>& item : owner->take()) {
      try {
        item();
      } catch (...) {
        // One item's failure (an allocation) must not end the io thread or the batch.
      }
    }
  }

  // Not posted after all: the queue is left as it is.
  void disown() { owner_.reset(); }

 private:
  std::shared_ptr<AnswerHandOver> owner_;
};

void AnswerHandOver::give(std::function<void()> item) {
  {
    std::lock_guard lock(mutex_);
    queued_.push_back(std::move(item));
    if (posted_) return;  // the queued task will run it
    posted_ = true;
  }
  Task task(shared_from_this());
  try {
    boost::asio::post(io_, std::move(task));
  } catch (...) {
    task.disown();  // (if post took it, it is empty already)
    std::lock_guard lock(mutex_);
    posted_ = false;  // the next give() posts again, for these items too
    throw;
  }
}

std::vector<std::function<void()>> AnswerHandOver::take() {
  std::vector<std::function<void()>> batch;
  std::lock_guard lock(mutex_);
  batch.swap(queued_);
  posted_ = false;
  return batch;
}

}  // namespace disclose::http
