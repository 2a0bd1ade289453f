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
    for (std::function<void()>& item : owner->take()) item();
  }

 private:
  std::shared_ptr<AnswerHandOver> owner_;
};

void AnswerHandOver::give(std::function<void()> item) {
  if (io_.get_executor().running_in_this_thread()) {
    item();
    return;
  }
  {
    std::lock_guard lock(mutex_);
    queued_.push_back(std::move(item));
    if (posted_) return;  // the queued task will run it
    posted_ = true;
  }
  try {
    boost::asio::post(io_, Task(shared_from_this()));
  } catch (...) {
    std::lock_guard lock(mutex_);
    posted_ = false;  // the next give() tries again
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
