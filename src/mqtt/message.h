#pragma once

#include <string>

namespace corvette::mqtt {

// A message to publish. `topic` is relative to the topic prefix ("front/person", not
// "frigate/front/person"); `payload` is raw bytes (text, JSON or a JPEG).
struct OutgoingMessage {
  std::string topic;
  std::string payload;
  bool retain = false;
  int qos = 0;  // 0, 1 or 2
};

// A message received under `<prefix>/#`. `topic` has the `<prefix>/` removed; `retained` is true
// when the broker delivered a stored retained message (for example on subscribe).
struct IncomingMessage {
  std::string topic;
  std::string payload;
  bool retained = false;
};

}  // namespace corvette::mqtt
