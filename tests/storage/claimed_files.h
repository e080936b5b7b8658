#pragma once

// The storage invariant as a test assertion: nothing a row points to is ever missing.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "storage/event_store.h"
#include "storage/media_layout.h"

namespace corvette::storage::testing {

// Succeeds when every row of `store` with has_clip (has_snapshot) has its clip (snapshot) file in
// `clips_dir` (the newest EventFilter::kMaxLimit rows of each); otherwise fails naming each
// missing file. Use after the writes under test are committed (EventStore::Flush).
//   EXPECT_TRUE(ClaimedFilesExist(store, clips_dir));
inline ::testing::AssertionResult ClaimedFilesExist(const EventStore& store,
                                                    const std::string& clips_dir) {
  std::vector<std::string> missing;
  for (bool clips : {true, false}) {
    EventFilter filter;
    filter.include_thumbnails = false;
    filter.limit = EventFilter::kMaxLimit;
    if (clips)
      filter.has_clip = true;
    else
      filter.has_snapshot = true;
    for (const EventRecord& row : store.Query(filter)) {
      const std::string path = clips ? EventClipPath(clips_dir, row.camera, row.id)
                                     : EventSnapshotPath(clips_dir, row.camera, row.id);
      std::error_code ec;
      if (!std::filesystem::is_regular_file(path, ec))
        missing.push_back(path);
    }
  }
  if (missing.empty())
    return ::testing::AssertionSuccess();
  ::testing::AssertionResult failure = ::testing::AssertionFailure();
  failure << missing.size() << " file(s) claimed by a row are missing:";
  for (const std::string& path : missing)
    failure << " " << path;
  return failure;
}

}  // namespace corvette::storage::testing
