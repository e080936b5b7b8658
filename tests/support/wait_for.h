#pragma once

// Test helper shared by the modules' tests: waiting for what another thread does.

#include <chrono>
#include <thread>

namespace corvette::testing {

// Calls `condition` every `poll` until it returns true or `limit` has passed; returns its last
// answer, which is asked once more after the limit. The limit only makes a broken unit fail
// instead of hanging the test: it is not a speed requirement, so give it plenty.
template <class Condition>
bool WaitFor(Condition&& condition, std::chrono::duration<double> limit = std::chrono::seconds(15),
             std::chrono::duration<double> poll = std::chrono::milliseconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(limit);
  while (true) {
    const bool past_the_limit = std::chrono::steady_clock::now() >= deadline;
    if (condition())
      return true;
    if (past_the_limit)
      return false;
    std::this_thread::sleep_for(poll);
  }
}

}  // namespace corvette::testing
