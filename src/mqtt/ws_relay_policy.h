#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "mqtt/commands.h"
#include "mqtt/message.h"

// The MQTT side of the `/ws` WebSocket relay (spec section 9.4): what a connected browser receives
// for each MQTT message, and which of its messages may be published to the broker. Pure functions;
// the HTTP server owns the sockets.
namespace corvette::mqtt {

// Strict UTF-8: rejects overlong forms, surrogates, code points above U+10FFFF and truncation.
bool IsValidUtf8(std::string_view bytes);

// The JSON text sent to every WebSocket client for a message received under the prefix:
// {"topic": "<topic without prefix>", "payload": "<payload as a string>"}. nullopt when the payload
// is not valid UTF-8 (JPEG snapshots), which 0.8 skips too.
std::optional<std::string> RelayMessageJson(const IncomingMessage& message);

// What to do with one text message from a WebSocket client. Exactly one of `publish` and `error`
// is meaningful: `publish` (topic relative to the prefix) when the message is allowed, otherwise
// `error` says why it was refused, for the log.
struct ClientPublishDecision {
  std::optional<OutgoingMessage> publish;
  std::string error;
};

// Parses `{"topic": "x/y", "payload": "...", "retain": bool (default false)}`. Unlike 0.8, which
// published anything under the prefix (spec section 13 item 2), only `<camera>/<feature>/set` of a
// camera known to `cameras` with payload "ON" or "OFF" is allowed; everything else (invalid JSON,
// other topics, other payloads, a non-boolean retain) is refused.
ClientPublishDecision DecideClientPublish(std::string_view text, const SetCommandParser& cameras);

}  // namespace corvette::mqtt
