#include "events/clip_remux.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/mathematics.h>
}

#include <fmt/format.h>

#include <algorithm>
#include <mutex>

namespace corvette::events {
namespace {

std::string AvError(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof text);
  return text;
}

struct InputCloser {
  void operator()(AVFormatContext* context) const { avformat_close_input(&context); }
};
using Input = std::unique_ptr<AVFormatContext, InputCloser>;

struct OutputCloser {
  void operator()(AVFormatContext* context) const {
    if (context->pb)
      avio_closep(&context->pb);
    avformat_free_context(context);
  }
};
using Output = std::unique_ptr<AVFormatContext, OutputCloser>;

struct PacketFree {
  void operator()(AVPacket* packet) const { av_packet_free(&packet); }
};

}  // namespace

RemuxResult ConcatRemux(const std::vector<RemuxPiece>& pieces, const std::string& output,
                        const std::function<void(size_t piece_index)>& after_piece) {
  static std::once_flag quiet;
  std::call_once(quiet, [] { av_log_set_level(AV_LOG_QUIET); });
  RemuxResult result;
  auto fail = [&](const std::string& what, int code) {
    result.error = code == 0 ? what : fmt::format("{}: {}", what, AvError(code));
    return result;
  };
  if (pieces.empty())
    return fail("nothing to join", 0);

  AVFormatContext* raw_output = nullptr;
  int rc = avformat_alloc_output_context2(&raw_output, nullptr, "mp4", output.c_str());
  if (rc < 0 || raw_output == nullptr)
    return fail("cannot create the mp4 muxer", rc);
  Output out(raw_output);
  std::unique_ptr<AVPacket, PacketFree> packet(av_packet_alloc());

  std::vector<int> stream_map;            // input stream index -> output index or -1
  std::vector<AVMediaType> output_types;  // per output stream
  std::vector<int64_t> last_dts;          // per output stream, output time base
  int64_t offset_us = 0;                  // where the next piece starts in the output
  for (size_t index = 0; index < pieces.size(); ++index) {
    const RemuxPiece& piece = pieces[index];
    AVFormatContext* raw_input = nullptr;
    rc = avformat_open_input(&raw_input, piece.path.c_str(), nullptr, nullptr);
    if (rc < 0)
      return fail(fmt::format("cannot open {}", piece.path), rc);
    Input in(raw_input);
    // The mp4 header carries what a stream copy needs; avformat_find_stream_info would decode
    // frames to learn more (most of the CPU of a join), so it runs only for a stream without
    // codec parameters.
    bool incomplete = in->nb_streams == 0;
    for (unsigned s = 0; s < in->nb_streams; ++s) {
      const AVCodecParameters* parameters = in->streams[s]->codecpar;
      if (parameters->codec_type == AVMEDIA_TYPE_VIDEO &&
          (parameters->width == 0 || parameters->codec_id == AV_CODEC_ID_NONE))
        incomplete = true;
    }
    if (incomplete && (rc = avformat_find_stream_info(in.get(), nullptr)) < 0)
      return fail(fmt::format("cannot read the streams of {}", piece.path), rc);

    if (index == 0) {
      for (unsigned s = 0; s < in->nb_streams; ++s) {
        AVCodecParameters* parameters = in->streams[s]->codecpar;
        if (parameters->codec_type != AVMEDIA_TYPE_VIDEO &&
            parameters->codec_type != AVMEDIA_TYPE_AUDIO) {
          stream_map.push_back(-1);
          continue;
        }
        AVStream* stream = avformat_new_stream(out.get(), nullptr);
        if (stream == nullptr || avcodec_parameters_copy(stream->codecpar, parameters) < 0)
          return fail("cannot add an output stream", 0);
        stream->codecpar->codec_tag = 0;
        stream->time_base = in->streams[s]->time_base;
        stream_map.push_back(stream->index);
        output_types.push_back(parameters->codec_type);
      }
      if (output_types.empty())
        return fail(fmt::format("{} has no video or audio stream", piece.path), 0);
      rc = avio_open(&out->pb, output.c_str(), AVIO_FLAG_WRITE);
      if (rc < 0)
        return fail(fmt::format("cannot create {}", output), rc);
      AVDictionary* options = nullptr;
      av_dict_set(&options, "movflags", "+faststart", 0);
      rc = avformat_write_header(out.get(), &options);
      av_dict_free(&options);
      if (rc < 0)
        return fail(fmt::format("cannot write the header of {}", output), rc);
      last_dts.assign(output_types.size(), AV_NOPTS_VALUE);
    }

    const int64_t file_start_us = in->start_time == AV_NOPTS_VALUE ? 0 : in->start_time;
    if (piece.inpoint && *piece.inpoint > 0) {
      int64_t target = file_start_us + static_cast<int64_t>(*piece.inpoint * AV_TIME_BASE);
      // Backward: the keyframe at or before the in point.
      rc = av_seek_frame(in.get(), -1, target, AVSEEK_FLAG_BACKWARD);
      if (rc < 0)
        return fail(fmt::format("cannot seek in {}", piece.path), rc);
    }
    int64_t base_us = AV_NOPTS_VALUE;
    int64_t piece_end_us = offset_us;
    while ((rc = av_read_frame(in.get(), packet.get())) >= 0) {
      const int s = packet->stream_index;
      const int o = s < static_cast<int>(stream_map.size()) ? stream_map[s] : -1;
      if (o < 0 || in->streams[s]->codecpar->codec_type != output_types[o]) {
        av_packet_unref(packet.get());
        continue;
      }
      const AVRational in_tb = in->streams[s]->time_base;
      const AVRational out_tb = out->streams[o]->time_base;
      int64_t dts = packet->dts != AV_NOPTS_VALUE ? packet->dts : packet->pts;
      int64_t pts = packet->pts != AV_NOPTS_VALUE ? packet->pts : dts;
      if (dts == AV_NOPTS_VALUE) {
        av_packet_unref(packet.get());
        continue;
      }
      const int64_t dts_us = av_rescale_q(dts, in_tb, AV_TIME_BASE_Q);
      const int64_t pts_us = av_rescale_q(pts, in_tb, AV_TIME_BASE_Q);
      if (piece.outpoint &&
          pts_us - file_start_us >= static_cast<int64_t>(*piece.outpoint * AV_TIME_BASE)) {
        av_packet_unref(packet.get());
        continue;
      }
      if (base_us == AV_NOPTS_VALUE)
        base_us = dts_us;
      const int64_t duration_us = av_rescale_q(packet->duration, in_tb, AV_TIME_BASE_Q);
      const int64_t out_dts_us = dts_us - base_us + offset_us;
      const int64_t out_pts_us = pts_us - base_us + offset_us;
      packet->dts = av_rescale_q(out_dts_us, AV_TIME_BASE_Q, out_tb);
      packet->pts = av_rescale_q(out_pts_us, AV_TIME_BASE_Q, out_tb);
      packet->duration = av_rescale_q(packet->duration, in_tb, out_tb);
      if (last_dts[o] != AV_NOPTS_VALUE && packet->dts <= last_dts[o])
        packet->dts = last_dts[o] + 1;
      if (packet->pts < packet->dts)
        packet->pts = packet->dts;
      last_dts[o] = packet->dts;
      packet->stream_index = o;
      packet->pos = -1;
      piece_end_us = std::max(piece_end_us, out_dts_us + std::max<int64_t>(duration_us, 0));
      rc = av_interleaved_write_frame(out.get(), packet.get());
      if (rc < 0)
        return fail(fmt::format("cannot write {}", output), rc);
    }
    if (rc != AVERROR_EOF)
      return fail(fmt::format("cannot read {}", piece.path), rc);
    offset_us = piece_end_us;
    if (after_piece)
      after_piece(index);
  }
  rc = av_write_trailer(out.get());
  if (rc < 0)
    return fail(fmt::format("cannot finish {}", output), rc);
  rc = avio_closep(&out->pb);
  if (rc < 0)
    return fail(fmt::format("cannot close {}", output), rc);
  result.ok = true;
  return result;
}

}  // namespace corvette::events
