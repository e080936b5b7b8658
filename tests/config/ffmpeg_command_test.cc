#include "config/ffmpeg_command.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_util.h"

namespace corvette::config {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::MustLoad;

// Frigate 0.8's plain rtmp output.
FfmpegCommandOptions Plain() {
  FfmpegCommandOptions options;
  options.resilient_rtmp = false;
  return options;
}

// The example of spec §2.8 (Home Assistant integration fixtures): clips + rtmp + detect at 4 fps,
// with the user's input_args carrying -stimeout, so the command is reproduced byte for byte (with
// the plain rtmp output).
TEST(FfmpegCommand, ReproducesFrigateExampleExactly) {
  Config config = MustLoad(R"(
mqtt:
  host: mqtt
cameras:
  front_door:
    ffmpeg:
      input_args: -avoid_negative_ts make_zero -fflags +genpts+discardcorrupt -rtsp_transport tcp -stimeout 5000000 -use_wallclock_as_timestamps 1
      inputs:
        - path: rtsp://rtsp:password@cam-front-door/live
          roles:
            - detect
            - rtmp
            - clips
    width: 1920
    height: 1080
    fps: 4
    clips:
      enabled: true
)");
  ASSERT_EQ(config.cameras.size(), 1u);
  auto commands = FfmpegCommandsFor(config, config.cameras[0], Plain());
  ASSERT_EQ(commands.size(), 1u);
  EXPECT_EQ(JoinCommand(commands[0].argv),
            "ffmpeg -hide_banner -loglevel warning -avoid_negative_ts make_zero -fflags "
            "+genpts+discardcorrupt -rtsp_transport tcp -stimeout 5000000 "
            "-use_wallclock_as_timestamps 1 -i rtsp://rtsp:password@cam-front-door/live -f segment "
            "-segment_time 10 -segment_format mp4 -reset_timestamps 1 -strftime 1 -c copy -an "
            "/tmp/cache/front_door-%Y%m%d%H%M%S.mp4 -c copy -f flv "
            "rtmp://127.0.0.1/live/front_door -r 4 -f rawvideo -pix_fmt yuv420p pipe:");
  EXPECT_THAT(commands[0].roles, ElementsAre(Role::kDetect, Role::kRtmp, Role::kClips));
}

TEST(FfmpegCommand, DefaultInputArgsUseTimeoutForDebianFfmpeg) {
  Config config = MustLoad("cameras:\n" + testing::MinimalCamera("back"));
  auto commands = FfmpegCommandsFor(config, config.cameras[0]);
  ASSERT_EQ(commands.size(), 1u);
  EXPECT_EQ(JoinCommand(commands[0].argv),
            "ffmpeg -hide_banner -loglevel warning -avoid_negative_ts make_zero -fflags "
            "+genpts+discardcorrupt -rtsp_transport tcp -timeout 5000000 "
            "-use_wallclock_as_timestamps 1 -i rtsp://10.0.0.2/stream -f rawvideo -pix_fmt "
            "yuv420p pipe:");
}

TEST(FfmpegCommand, OutputsInRecordClipsRtmpDetectOrder) {
  Config config = MustLoad(R"(
record:
  enabled: true
cameras:
  cam:
    ffmpeg:
      global_args: -g
      input_args: -i1
      output_args:
        detect: -D
        record: -R
        clips: -C
        rtmp: -M
      inputs:
        - path: in
          roles: [detect, rtmp, clips, record]
    width: 640
    height: 480
)");
  auto commands = FfmpegCommandsFor(config, config.cameras[0], Plain());
  ASSERT_EQ(commands.size(), 1u);
  EXPECT_THAT(commands[0].argv, ElementsAre("ffmpeg", "-g", "-i1", "-i", "in", "-R",
                                            "/media/frigate/recordings/cam-%Y%m%d%H%M%S.mp4", "-C",
                                            "/tmp/cache/cam-%Y%m%d%H%M%S.mp4", "-M",
                                            "rtmp://127.0.0.1/live/cam", "-D", "pipe:"));
}

TEST(FfmpegCommand, RecordRoleWithoutRecordEnabledGivesNoRecordOutput) {
  Config config = MustLoad(R"(
cameras:
  cam:
    ffmpeg:
      inputs:
        - path: rtsp://hi
          roles: [record]
        - path: rtsp://lo
          roles: [detect]
    width: 640
    height: 480
)");
  auto commands = FfmpegCommandsFor(config, config.cameras[0]);
  // The record-only input has no outputs, so it gets no command at all.
  ASSERT_EQ(commands.size(), 1u);
  EXPECT_THAT(commands[0].roles, ElementsAre(Role::kDetect));
  EXPECT_EQ(commands[0].argv.back(), "pipe:");
  for (const auto& arg : commands[0].argv)
    EXPECT_EQ(arg.find("recordings"), std::string::npos);
}

TEST(FfmpegCommand, RecordEnabledGivesRecordCommandForSecondInput) {
  Config config = MustLoad(R"(
cameras:
  cam:
    record:
      enabled: true
    ffmpeg:
      inputs:
        - path: rtsp://hi
          roles: [record]
        - path: rtsp://lo
          roles: [detect]
    width: 640
    height: 480
)");
  auto commands = FfmpegCommandsFor(config, config.cameras[0]);
  ASSERT_EQ(commands.size(), 2u);
  EXPECT_THAT(commands[0].roles, ElementsAre(Role::kRecord));
  EXPECT_EQ(commands[0].argv.back(), "/media/frigate/recordings/cam-%Y%m%d%H%M%S.mp4");
  EXPECT_EQ(JoinCommand(commands[0].argv),
            "ffmpeg -hide_banner -loglevel warning -avoid_negative_ts make_zero -fflags "
            "+genpts+discardcorrupt -rtsp_transport tcp -timeout 5000000 "
            "-use_wallclock_as_timestamps 1 -i rtsp://hi -f segment -segment_time 60 "
            "-segment_format mp4 -reset_timestamps 1 -strftime 1 -c copy -an "
            "/media/frigate/recordings/cam-%Y%m%d%H%M%S.mp4");
}

TEST(FfmpegCommand, ClipsRoleGivesOutputEvenWhenClipsDisabled) {
  Config config = MustLoad(R"(
cameras:
  cam:
    ffmpeg:
      inputs:
        - path: in
          roles: [detect, clips]
    width: 640
    height: 480
)");
  ASSERT_FALSE(config.cameras[0].clips.enabled);
  auto commands = FfmpegCommandsFor(config, config.cameras[0]);
  ASSERT_EQ(commands.size(), 1u);
  EXPECT_NE(JoinCommand(commands[0].argv).find("/tmp/cache/cam-%Y%m%d%H%M%S.mp4"),
            std::string::npos);
}

TEST(FfmpegCommand, RtmpDisabledOrLeftOutGivesNoRtmpOutput) {
  Config config = MustLoad(R"(
cameras:
  on:
    ffmpeg:
      inputs:
        - path: in
          roles: [detect, rtmp]
    width: 640
    height: 480
  off:
    rtmp:
      enabled: false
    ffmpeg:
      inputs:
        - path: in
          roles: [detect, rtmp]
    width: 640
    height: 480
)");
  auto has_rtmp = [](const FfmpegCommand& c) {
    return JoinCommand(c.argv).find("rtmp://") != std::string::npos;
  };
  EXPECT_TRUE(has_rtmp(FfmpegCommandsFor(config, config.cameras[0])[0]));
  EXPECT_FALSE(has_rtmp(FfmpegCommandsFor(config, config.cameras[1])[0]));
  FfmpegCommandOptions no_rtmp;
  no_rtmp.include_rtmp = false;
  EXPECT_FALSE(has_rtmp(FfmpegCommandsFor(config, config.cameras[0], no_rtmp)[0]));
}

TEST(FfmpegCommand, StoragePathsAndRtmpPortFromExtensions) {
  Config config = MustLoad(R"(
storage:
  recordings: ./var/recordings/
  cache: ./var/cache
rtmp:
  port: 19350
record:
  enabled: true
cameras:
  cam:
    ffmpeg:
      inputs:
        - path: in
          roles: [detect, rtmp, clips, record]
    width: 640
    height: 480
)");
  std::string cmd = JoinCommand(FfmpegCommandsFor(config, config.cameras[0])[0].argv);
  EXPECT_NE(cmd.find(" ./var/recordings/cam-%Y%m%d%H%M%S.mp4 "), std::string::npos) << cmd;
  EXPECT_NE(cmd.find(" ./var/cache/cam-%Y%m%d%H%M%S.mp4 "), std::string::npos) << cmd;
  EXPECT_NE(cmd.find("]rtmp://127.0.0.1:19350/live/cam|"), std::string::npos) << cmd;
}

TEST(FfmpegCommand, ArgGroupsResolveInputThenCameraThenGlobal) {
  Config config = MustLoad(R"(
ffmpeg:
  global_args: -G
  hwaccel_args: -H
  input_args: -I
cameras:
  cam:
    ffmpeg:
      hwaccel_args: [-camH, x]
      inputs:
        - path: a
          roles: [detect]
          input_args: ["-inI", "", "-r", 5]
    width: 640
    height: 480
)");
  EXPECT_THAT(FfmpegCommandsFor(config, config.cameras[0])[0].argv,
              ElementsAre("ffmpeg", "-G", "-camH", "x", "-inI", "-r", "5", "-i", "a", "-f",
                          "rawvideo", "-pix_fmt", "yuv420p", "pipe:"));
}

TEST(FfmpegCommand, EmptyTokensFromDoubleSpacesAreDropped) {
  Config config = MustLoad(R"(
ffmpeg:
  global_args: " -hide_banner   -loglevel  error "
  hwaccel_args: ""
cameras:
  cam:
    ffmpeg:
      inputs:
        - path: a
          roles: [detect]
    width: 640
    height: 480
)");
  auto argv = FfmpegCommandsFor(config, config.cameras[0])[0].argv;
  ASSERT_GE(argv.size(), 4u);
  EXPECT_THAT(std::vector<std::string>(argv.begin(), argv.begin() + 4),
              ElementsAre("ffmpeg", "-hide_banner", "-loglevel", "error"));
  for (const auto& a : argv)
    EXPECT_FALSE(a.empty());
}

TEST(FfmpegCommand, InputWithNoOutputsGetsNoCommand) {
  Config config = MustLoad(R"(
cameras:
  cam:
    rtmp:
      enabled: false
    ffmpeg:
      inputs:
        - path: a
          roles: [detect]
        - path: b
          roles: [rtmp]
        - path: c
          roles: []
    width: 640
    height: 480
)");
  auto commands = FfmpegCommandsFor(config, config.cameras[0]);
  ASSERT_EQ(commands.size(), 1u);
  EXPECT_NE(JoinCommand(commands[0].argv).find("-i a "), std::string::npos);
}

TEST(RedactUrlPasswords, ReplacesPasswordsOnly) {
  EXPECT_EQ(RedactUrlPasswords("ffmpeg -i rtsp://admin:s3cret@10.0.0.2:554/live -f x pipe:"),
            "ffmpeg -i rtsp://admin:*****@10.0.0.2:554/live -f x pipe:");
  EXPECT_EQ(RedactUrlPasswords("rtsp://user@host/a rtsp://host:554/b"),
            "rtsp://user@host/a rtsp://host:554/b");
  EXPECT_EQ(RedactUrlPasswords("a rtsp://u:p@h/x b http://v:w@@g c"),
            "a rtsp://u:*****@h/x b http://v:*****@g c");
  EXPECT_EQ(RedactUrlPasswords("no urls here"), "no urls here");
  EXPECT_EQ(RedactUrlPasswords("rtsp://u:p@h"), "rtsp://u:*****@h");
}

TEST(JoinCommand, JoinsWithSingleSpaces) {
  EXPECT_EQ(JoinCommand({"ffmpeg", "-i", "x"}), "ffmpeg -i x");
  EXPECT_THAT(JoinCommand({}), IsEmpty());
}

TEST(FfmpegCommand, ResilientRtmpOutputGoesThroughTeeWithAReconnectingFifo) {
  EXPECT_THAT(
      RtmpOutputArgs({"-c", "copy", "-f", "flv"}, "rtmp://127.0.0.1/live/cam", true),
      ElementsAre("-map", "0:v:0", "-map", "0:a:0?", "-c", "copy", "-tag:v", "7", "-f", "tee",
                  "[f=flv:onfail=ignore:use_fifo=1:fifo_options=attempt_recovery=1\\\\:"
                  "recover_any_error=1\\\\:recovery_wait_time=1\\\\:drop_pkts_on_overflow=1\\\\:"
                  "restart_with_keyframe=1]rtmp://127.0.0.1/live/cam|[f=null]-"));
  EXPECT_THAT(RtmpOutputArgs({"-c", "copy", "-f", "flv"}, "rtmp://x/live/cam", false),
              ElementsAre("-c", "copy", "-f", "flv", "rtmp://x/live/cam"));
}

TEST(FfmpegCommand, ResilientRtmpOutputKeepsTheUsersMapsTagsFormatAndTee) {
  // The user's maps and video tag are kept; another format is the tee slave's; no -f means flv.
  auto args = RtmpOutputArgs({"-map", "0:1", "-f", "mpegts", "-c", "copy", "-tag:v", "h264"},
                             "rtmp://u", true);
  EXPECT_THAT(args, ElementsAre("-map", "0:1", "-c", "copy", "-tag:v", "h264", "-f", "tee",
                                ::testing::StartsWith("[f=mpegts:onfail=ignore:")));
  EXPECT_THAT(RtmpOutputArgs({"-c", "copy"}, "rtmp://u", true),
              ElementsAre("-map", "0:v:0", "-map", "0:a:0?", "-c", "copy", "-tag:v", "7", "-f",
                          "tee", ::testing::StartsWith("[f=flv:")));
  // The tee's own separators in the URL (a camera may be called "a|b") are escaped.
  EXPECT_THAT(RtmpOutputArgs({}, "rtmp://h/live/a|b", true).back(),
              ::testing::EndsWith("]rtmp://h/live/a\\|b|[f=null]-"));
  // A tee written by the user is left alone.
  EXPECT_THAT(RtmpOutputArgs({"-f", "tee"}, "[f=flv]rtmp://u", true),
              ElementsAre("-f", "tee", "[f=flv]rtmp://u"));
}

TEST(FfmpegCommand, DefaultCommandHasTheResilientRtmpOutput) {
  Config config = MustLoad(R"(
cameras:
  cam:
    ffmpeg:
      inputs:
        - path: in
          roles: [detect, rtmp]
    width: 640
    height: 480
)");
  std::string cmd = JoinCommand(FfmpegCommandsFor(config, config.cameras[0])[0].argv);
  EXPECT_NE(cmd.find(" -map 0:v:0 -map 0:a:0? -c copy -tag:v 7 -f tee [f=flv:onfail=ignore:"),
            std::string::npos)
      << cmd;
  EXPECT_NE(cmd.find("]rtmp://127.0.0.1/live/cam|[f=null]- -f rawvideo"), std::string::npos) << cmd;
}

}  // namespace
}  // namespace corvette::config
