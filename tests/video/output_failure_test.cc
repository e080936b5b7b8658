#include "video/output_failure.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace corvette::video {
namespace {

using ::testing::HasSubstr;

// A camera whose one input has roles [detect, clips], as the config builds it.
FfmpegCommand SharedCommand() {
  FfmpegCommand command;
  command.roles = {"detect", "clips"};
  command.input_argv = {"ffmpeg", "-hide_banner", "-i", "rtsp://cam/stream"};
  command.outputs = {{"clips", {"-f", "segment", "-c", "copy", "/cache/front-%Y%m%d%H%M%S.mp4"}},
                     {"detect", {"-r", "5", "-f", "rawvideo", "-pix_fmt", "yuv420p", "pipe:"}}};
  command.argv = command.input_argv;
  for (const auto& output : command.outputs)
    command.argv.insert(command.argv.end(), output.second.begin(), output.second.end());
  return command;
}

// What ffmpeg 5.1 prints when mp4 cannot hold vtest.avi's MS-MPEG4 by stream copy.
const std::vector<std::string> kCodecLines = {
    "[mp4 @ 0x5557] Could not find tag for codec msmpeg4v3 in stream #0, codec not currently "
    "supported in container",
    "Could not write header for output file #0 (incorrect codec parameters ?): Invalid argument",
    "Error initializing output stream 0:0 -- "};

TEST(OutputFailureTest, NamesTheOutputItsRoleAndTheCodecFromFfmpegsLines) {
  auto failure = FindOutputFailure(SharedCommand(), kCodecLines);
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->index, 0);
  EXPECT_EQ(failure->role, "clips");
  EXPECT_EQ(failure->codec, "msmpeg4v3");
  EXPECT_THAT(failure->line, HasSubstr("output file #0"));
  const std::string text = failure->Explain("front");
  EXPECT_THAT(text, HasSubstr("camera front"));
  EXPECT_THAT(text, HasSubstr("clips output cannot be written"));
  EXPECT_THAT(text, HasSubstr("msmpeg4v3"));
  EXPECT_THAT(text, HasSubstr("ffmpeg.output_args.clips"));
  EXPECT_THAT(text, HasSubstr("H.264"));
  EXPECT_THAT(text, HasSubstr("Detection goes on"));
}

TEST(OutputFailureTest, AFolderThatCannotBeWrittenIsNamedWithoutACodec) {
  auto failure = FindOutputFailure(
      SharedCommand(),
      {"[segment @ 0x55] Failed to open segment '/cache/front-20261202182602.mp4'",
       "Could not write header for output file #0 (incorrect codec parameters ?): No such file "
       "or directory"});
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->role, "clips");
  EXPECT_EQ(failure->codec, "");
  EXPECT_THAT(failure->Explain("front"), HasSubstr("folder exists, is writable"));
  // A trailer that cannot be written names its output by destination.
  auto trailer = FindOutputFailure(
      SharedCommand(),
      {"Error writing trailer of /cache/front-%Y%m%d%H%M%S.mp4: No space left on device"});
  ASSERT_TRUE(trailer.has_value());
  EXPECT_EQ(trailer->role, "clips");
}

TEST(OutputFailureTest, LinesThatNameNoOutputOfTheCommandAreNoOutputFailure) {
  EXPECT_FALSE(FindOutputFailure(SharedCommand(), {"rtsp://cam/stream: Connection refused"}));
  EXPECT_FALSE(FindOutputFailure(SharedCommand(), {"Could not write header for output file #7"}));
  EXPECT_FALSE(FindOutputFailure(SharedCommand(), {}));
}

TEST(OutputFailureTest, SplitOffDetectGivesTwoCommandsOverTheSameInput) {
  auto split = SplitOffDetect(SharedCommand());
  ASSERT_TRUE(split.has_value());
  const auto& [detect, others] = *split;
  EXPECT_EQ(detect.roles, std::vector<std::string>{"detect"});
  EXPECT_EQ(detect.argv,
            (std::vector<std::string>{"ffmpeg", "-hide_banner", "-i", "rtsp://cam/stream", "-r",
                                      "5", "-f", "rawvideo", "-pix_fmt", "yuv420p", "pipe:"}));
  EXPECT_EQ(others.roles, std::vector<std::string>{"clips"});
  EXPECT_EQ(others.argv,
            (std::vector<std::string>{"ffmpeg", "-hide_banner", "-i", "rtsp://cam/stream", "-f",
                                      "segment", "-c", "copy", "/cache/front-%Y%m%d%H%M%S.mp4"}));
  // Nothing to split: detect alone, no detect, or no parts known.
  FfmpegCommand alone = SharedCommand();
  alone.outputs.erase(alone.outputs.begin());
  EXPECT_FALSE(SplitOffDetect(alone));
  FfmpegCommand opaque{{"detect", "clips"}, {"ffmpeg", "-i", "x", "pipe:"}};
  EXPECT_FALSE(SplitOffDetect(opaque));
}

}  // namespace
}  // namespace corvette::video
