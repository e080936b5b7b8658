#include "events/clip_assembler.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "../storage/claimed_files.h"
#include "../storage/fault_injecting_file_system.h"
#include "../support/wait_for.h"
#include "clip_test_util.h"
#include "events/retention.h"
#include "storage/event_store.h"
#include "storage/media_layout.h"

namespace corvette::events {
namespace {
namespace fs = std::filesystem;
using corvette::testing::WaitFor;
using testing::PutSegments;
using testing::TestDir;

TEST(ShouldMakeClipTest, FollowsZeroEightDecision) {
  std::optional<std::vector<std::string>> all;
  std::optional<std::vector<std::string>> cars = std::vector<std::string>{"car"};
  EXPECT_TRUE(ShouldMakeClip(true, false, "person", all, {}, {}));
  EXPECT_FALSE(ShouldMakeClip(false, false, "person", all, {}, {}));  // clips off (MQTT)
  EXPECT_FALSE(ShouldMakeClip(true, true, "person", all, {}, {}));    // false positive
  EXPECT_FALSE(ShouldMakeClip(true, false, "person", cars, {}, {}));
  EXPECT_TRUE(ShouldMakeClip(true, false, "car", cars, {}, {}));
  EXPECT_FALSE(ShouldMakeClip(true, false, "car", cars, {"drive"}, {"yard"}));
  EXPECT_TRUE(ShouldMakeClip(true, false, "car", cars, {"drive", "gate"}, {"yard", "gate"}));
}

TEST(ConcatPlaylistTest, TrimsFirstAndLastSegmentsAndSkipsOthers) {
  std::vector<CachedSegment> segments = {{"/c/a-1.mp4", "a", 100, 10},
                                         {"/c/a-2.mp4", "a", 110, 10},
                                         {"/c/a'3.mp4", "a", 120, 10},
                                         {"/c/a-4.mp4", "a", 130, 10}};
  EXPECT_EQ(ConcatPlaylist(segments, 112.5, 125),
            "file '/c/a-2.mp4'\ninpoint 2.500\n"
            "file '/c/a'\\''3.mp4'\noutpoint 5.000\n");
  EXPECT_EQ(ConcatPlaylist(segments, 100, 140),
            "file '/c/a-1.mp4'\nfile '/c/a-2.mp4'\nfile '/c/a'\\''3.mp4'\nfile '/c/a-4.mp4'\n");
  EXPECT_EQ(ConcatPlaylist(segments, 200, 210), "");
}

class ClipAssemblerTest : public ::testing::Test {
 protected:
  void SetUp() override { fs::create_directories(dir_.File("cache")); }
  ClipAssembler::Options Options() {
    ClipAssembler::Options options;
    options.clips_dir = dir_.File("clips");
    options.cache.dir = dir_.File("cache");
    fs::create_directories(options.cache.dir);
    options.poll_seconds = 0.05;
    options.max_wait_seconds = 30;
    // The tests put segments in the past (now - 100, now - 200) before their request is queued,
    // and the worker's cache retention may run in between: with the product's keep margin (90 s)
    // it could delete the first segments of a window before the request protected them, which
    // made the clips shorter, or the errors other, when the machine was slow. An hour's margin
    // keeps everything these tests put; EventsInProgressKeepTheirSegments tests retention with
    // the product's margin.
    options.cache.keep_margin_seconds = 3600;
    return options;
  }
  std::unique_ptr<ClipAssembler> Make(ClipAssembler::Options options) {
    return std::make_unique<ClipAssembler>(std::move(options), util::SystemClock::Instance(),
                                           [this](const ClipResult& result) {
                                             // As the app: the row claims the clip once durable.
                                             if (store_ != nullptr && result.ok)
                                               store_->SetHasClip(result.request.id, true);
                                             std::lock_guard lock(mutex_);
                                             results_.push_back(result);
                                             done_.notify_all();
                                           });
  }
  // Waits (bounded) for `n` results.
  bool WaitResults(size_t n, double seconds = 60) {
    std::unique_lock lock(mutex_);
    return done_.wait_for(lock, std::chrono::duration<double>(seconds),
                          [&] { return results_.size() >= n; });
  }
  size_t ResultCount() {
    std::lock_guard lock(mutex_);
    return results_.size();
  }

  // An event row of `camera` and `id` (no clip yet) in a store the completion callback updates.
  storage::EventStore& StoreWithEvent(const std::string& camera, const std::string& id) {
    owned_store_ = std::make_unique<storage::EventStore>(
        storage::EventStore::Options{.path = dir_.File("frigate.db")});
    store_ = owned_store_.get();
    storage::EventRecord event;
    event.id = id;
    event.camera = camera;
    event.label = "person";
    store_->Upsert(event);
    return *store_;
  }

  TestDir dir_;
  std::unique_ptr<storage::EventStore> owned_store_;
  storage::EventStore* store_ = nullptr;  // set by StoreWithEvent
  std::mutex mutex_;
  std::condition_variable done_;
  std::vector<ClipResult> results_;
};

class ClipJoinTest : public ClipAssemblerTest, public ::testing::WithParamInterface<bool> {};

TEST_P(ClipJoinTest, ClipCoversEventPlusPreAndPostAndDecodes) {
  const double t0 = testing::WholeSecondsNow() - 100;
  // 15 segments of 2 s: t0 .. t0+30; the last one is "being written" (fresh mtime).
  auto paths = PutSegments(dir_.File("cache"), "front", t0, 2, 15);
  corvette::testing::SetMtime(paths.back(), testing::WholeSecondsNow());
  auto options = Options();
  options.use_ffmpeg = GetParam();
  auto assembler = Make(options);
  // Event from t0+9 to t0+21, 3 s before and after: t0+6 .. t0+24 (18 s).
  assembler->Request({"front", "1.0-abcdef", t0 + 9, t0 + 21, 3, 3});
  ASSERT_TRUE(WaitResults(1));
  ASSERT_TRUE(results_[0].ok) << results_[0].error;
  EXPECT_FALSE(results_[0].partial);
  std::string clip = dir_.File("clips/front-1.0-abcdef.mp4");
  EXPECT_EQ(results_[0].path, clip);
  double duration = corvette::testing::FfprobeDuration(clip);
  EXPECT_NEAR(duration, 18.0, 2.0);  // within one segment
  EXPECT_TRUE(corvette::testing::DecodesWithoutErrors(clip));
  // faststart: the moov atom comes before mdat.
  std::ifstream in(clip, std::ios::binary);
  std::string head(4096, '\0');
  in.read(head.data(), head.size());
  EXPECT_LT(head.find("moov"), head.find("mdat"));
  // No temporaries left.
  for (const auto& entry : fs::directory_iterator(dir_.File("clips")))
    EXPECT_FALSE(storage::IsClipTemporaryName(entry.path().filename().string())) << entry.path();
  // The counters are updated after the completion callback.
  EXPECT_TRUE(WaitFor([&] { return assembler->counters().made == 1u; }));
}

INSTANTIATE_TEST_SUITE_P(InProcessAndFfmpeg, ClipJoinTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Ffmpeg" : "InProcess"; });

TEST_F(ClipAssemblerTest, WindowInsideOneSegmentAndAcrossManyKeepsTimestampsRising) {
  const double t0 = testing::WholeSecondsNow() - 100;
  PutSegments(dir_.File("cache"), "front", t0, 2, 15);
  auto assembler = Make(Options());
  assembler->Request({"front", "one", t0 + 4.2, t0 + 4.8, 0, 0});
  assembler->Request({"front", "all", t0, t0 + 30, 0, 0});
  ASSERT_TRUE(WaitResults(2));
  for (const auto& result : results_)
    ASSERT_TRUE(result.ok) << result.error;
  std::string one = dir_.File("clips/front-one.mp4");
  std::string all = dir_.File("clips/front-all.mp4");
  EXPECT_GT(corvette::testing::FfprobeDuration(one), 0.0);
  EXPECT_LE(corvette::testing::FfprobeDuration(one), 2.0);
  EXPECT_NEAR(corvette::testing::FfprobeDuration(all), 30.0, 0.5);
  EXPECT_TRUE(corvette::testing::DecodesWithoutErrors(all));
  // Frame timestamps never go backwards across the joins.
  std::string pts = corvette::testing::ShellOutput(
      "ffprobe -v error -select_streams v:0 -show_entries packet=dts -of csv=p=0 '" + all + "'");
  double previous = -1;
  int frames = 0;
  for (size_t pos = 0; pos < pts.size();) {
    size_t end = pts.find('\n', pos);
    double dts = std::atof(pts.substr(pos, end - pos).c_str());
    EXPECT_GT(dts, previous);
    previous = dts;
    ++frames;
    pos = end == std::string::npos ? pts.size() : end + 1;
  }
  EXPECT_EQ(frames, 300);  // 30 s at 10 fps: nothing lost or doubled at the joins
}

TEST_F(ClipAssemblerTest, WaitsForTheSegmentStillBeingWrittenWithoutHoldingOthers) {
  const double now = testing::WholeSecondsNow();
  const double t0 = now - 20;
  // front: segments to t0+20 = now, the last being written.
  auto front = PutSegments(dir_.File("cache"), "front", t0, 2, 10);
  corvette::testing::SetMtime(front.back(), now);
  // back: complete enough.
  auto back = PutSegments(dir_.File("cache"), "back", t0, 2, 6);
  corvette::testing::SetMtime(back.back(), now);
  auto assembler = Make(Options());
  // front's window ends at t0+19.5: inside the segment still being written.
  assembler->Request({"front", "f", t0 + 12, t0 + 17.5, 2, 2});
  assembler->Request({"back", "b", t0 + 2, t0 + 6, 1, 1});
  ASSERT_TRUE(WaitResults(1));
  EXPECT_EQ(results_[0].request.id, "b");  // not held up behind front
  EXPECT_TRUE(results_[0].ok) << results_[0].error;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(ResultCount(), 1u);  // front still waits: its last segment is open
  EXPECT_FALSE(fs::exists(dir_.File("clips/front-f.mp4")));
  // ffmpeg moves on to the next segment: the previous one is finished.
  PutSegments(dir_.File("cache"), "front", t0 + 20, 2, 1, 10);
  ASSERT_TRUE(WaitResults(2));
  ASSERT_TRUE(results_[1].ok) << results_[1].error;
  EXPECT_NEAR(corvette::testing::FfprobeDuration(dir_.File("clips/front-f.mp4")), 9.5, 2.0);
}

TEST_F(ClipAssemblerTest, FfmpegFailureGivesNoClipAndNoTemporaries) {
  const double t0 = testing::WholeSecondsNow() - 100;
  PutSegments(dir_.File("cache"), "front", t0, 2, 6);
  auto options = Options();
  options.use_ffmpeg = true;
  options.ffmpeg = "false";
  auto assembler = Make(options);
  assembler->Request({"front", "x", t0 + 2, t0 + 4, 1, 1});
  ASSERT_TRUE(WaitResults(1));
  EXPECT_FALSE(results_[0].ok);
  EXPECT_NE(results_[0].error.find("ffmpeg failed"), std::string::npos) << results_[0].error;
  EXPECT_FALSE(fs::exists(dir_.File("clips/front-x.mp4")));
  for (const auto& entry : fs::directory_iterator(dir_.File("clips")))
    ADD_FAILURE() << "left behind: " << entry.path();
}

TEST_F(ClipAssemblerTest, UnreadableSegmentFailsInProcessWithoutLeftovers) {
  const double t0 = testing::WholeSecondsNow() - 100;
  auto paths = PutSegments(dir_.File("cache"), "front", t0, 2, 6);
  auto options = Options();
  // The segment is indexed, then damaged before the join.
  options.after_piece = [&paths](size_t index) {
    if (index == 0)
      std::filesystem::resize_file(paths[2], 100);
  };
  auto assembler = Make(options);
  assembler->Request({"front", "d", t0 + 1, t0 + 5, 0, 0});
  ASSERT_TRUE(WaitResults(1));
  EXPECT_FALSE(results_[0].ok);
  EXPECT_NE(results_[0].error.find(paths[2]), std::string::npos) << results_[0].error;
  EXPECT_FALSE(fs::exists(dir_.File("clips/front-d.mp4")));
  for (const auto& entry : fs::directory_iterator(dir_.File("clips")))
    ADD_FAILURE() << "left behind: " << entry.path();
}

TEST_F(ClipAssemblerTest, NothingCachedFailsAfterTheWait) {
  auto options = Options();
  options.max_wait_seconds = 0;
  auto assembler = Make(options);
  double now = testing::WholeSecondsNow();
  assembler->Request({"ghost", "g", now - 60, now - 50, 1, 1});
  ASSERT_TRUE(WaitResults(1));
  EXPECT_FALSE(results_[0].ok);
  // The counters are updated after the completion callback.
  EXPECT_TRUE(WaitFor([&] { return assembler->counters().failed == 1u; }));
}

TEST_F(ClipAssemblerTest, EventsInProgressKeepTheirSegments) {
  auto options = Options();
  options.cache.max_seconds = 300;
  options.cache.keep_margin_seconds = SegmentCache::Options{}.keep_margin_seconds;  // 90 s
  auto assembler = Make(options);
  const double now = testing::WholeSecondsNow();
  assembler->NoteEventStarted("front", "e", now - 200);
  // Old segments: one needed by the event (ends now-190), one not (ends now-298).
  auto needed = PutSegments(dir_.File("cache"), "front", now - 192, 2, 1);
  auto old = PutSegments(dir_.File("cache"), "front", now - 300, 2, 1);
  PutSegments(dir_.File("cache"), "front", now - 2, 2, 1);
  EXPECT_TRUE(WaitFor([&] { return !fs::exists(old[0]); }));
  EXPECT_TRUE(fs::exists(needed[0]));
  // Once the event ends without a clip, its segments may go.
  assembler->NoteEventEnded("e");
  EXPECT_TRUE(WaitFor([&] { return !fs::exists(needed[0]); }));
}

TEST_F(ClipAssemblerTest, ACommittedClipIsClaimedByItsRow) {
  const double t0 = testing::WholeSecondsNow() - 100;
  PutSegments(dir_.File("cache"), "front", t0, 2, 6);
  storage::EventStore& store = StoreWithEvent("front", "c");
  storage::testing::FaultInjectingFileSystem file_system;
  auto options = Options();
  options.file_system = &file_system;
  auto assembler = Make(options);
  assembler->Request({"front", "c", t0 + 2, t0 + 4, 1, 1});
  ASSERT_TRUE(WaitResults(1));
  ASSERT_TRUE(results_[0].ok) << results_[0].error;
  assembler->Stop();
  ASSERT_TRUE(store.Flush());
  EXPECT_TRUE(store.Get("c")->has_clip);
  EXPECT_TRUE(storage::testing::ClaimedFilesExist(store, dir_.File("clips")));
  EXPECT_EQ(file_system.Calls(storage::testing::FaultInjectingFileSystem::Op::kRename), 1);
}

using CommitStep = storage::testing::FaultInjectingFileSystem::Op;

class ClipCommitFaultTest : public ClipAssemblerTest,
                            public ::testing::WithParamInterface<CommitStep> {};

// The finishing step failing as a failing disk makes it: no clip under its final name, no
// temporary, and the row does not claim a clip.
TEST_P(ClipCommitFaultTest, AFailedCommitLeavesNoClipNoTemporaryAndNoClaim) {
  const double t0 = testing::WholeSecondsNow() - 100;
  PutSegments(dir_.File("cache"), "front", t0, 2, 6);
  storage::EventStore& store = StoreWithEvent("front", "f");
  storage::testing::FaultInjectingFileSystem file_system;
  file_system.FailNth(GetParam(), 1, EIO);
  auto options = Options();
  options.file_system = &file_system;
  auto assembler = Make(options);
  assembler->Request({"front", "f", t0 + 2, t0 + 4, 1, 1});
  ASSERT_TRUE(WaitResults(1));
  assembler->Stop();
  EXPECT_FALSE(results_[0].ok);
  EXPECT_NE(results_[0].error.find("injected"), std::string::npos) << results_[0].error;
  EXPECT_EQ(file_system.Failures(), 1);
  ASSERT_TRUE(store.Flush());
  EXPECT_FALSE(store.Get("f")->has_clip);
  EXPECT_FALSE(fs::exists(storage::EventClipPath(dir_.File("clips"), "front", "f")));
  for (const auto& entry : fs::directory_iterator(dir_.File("clips")))
    ADD_FAILURE() << "left behind: " << entry.path();
  EXPECT_TRUE(storage::testing::ClaimedFilesExist(store, dir_.File("clips")));
}

INSTANTIATE_TEST_SUITE_P(EachStep, ClipCommitFaultTest,
                         ::testing::Values(CommitStep::kSyncFile, CommitStep::kRename,
                                           CommitStep::kSyncFolder),
                         [](const auto& info) {
                           switch (info.param) {
                             case CommitStep::kSyncFile:
                               return "Fsync";
                             case CommitStep::kRename:
                               return "Rename";
                             case CommitStep::kSyncFolder:
                               return "FolderFsync";
                             default:
                               return "Other";
                           }
                         });

// Kill -9 of the process while the clip is being written: nothing appears under the final name,
// and the startup sweep removes the temporary.
TEST_F(ClipAssemblerTest, SigkillDuringAssemblyLeavesNoFinalFile) {
  const double t0 = testing::WholeSecondsNow() - 200;
  PutSegments(dir_.File("cache"), "front", t0, 2, 30);
  std::string temporary = dir_.File("clips/.front-k.mp4.assembling");
  std::string final_path = dir_.File("clips/front-k.mp4");

  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto options = Options();
    // Half-way through a 56-s clip, the writer stalls (as on a slow disk) until it is killed.
    options.after_piece = [](size_t index) {
      if (index == 14)
        ::sleep(120);
    };
    ClipAssembler assembler(options, util::SystemClock::Instance(), nullptr);
    assembler.Request({"front", "k", t0 + 1, t0 + 57, 0, 0});
    ::sleep(120);
    ::_exit(0);
  }
  std::error_code ec;
  WaitFor([&] { return fs::exists(temporary, ec) && fs::file_size(temporary, ec) > 100'000; },
          std::chrono::seconds(30));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_TRUE(fs::exists(temporary));
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_FALSE(fs::exists(final_path));
  EXPECT_TRUE(fs::exists(temporary));

  SweepResult sweep =
      SweepTemporaries({dir_.File("clips"), dir_.File("recordings"), dir_.File("cache")});
  EXPECT_EQ(sweep.temporaries_removed, 1);
  EXPECT_FALSE(fs::exists(temporary));
  EXPECT_FALSE(fs::exists(final_path));
}

}  // namespace
}  // namespace corvette::events
