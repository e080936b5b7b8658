#pragma once

#include <map>
#include <memory>
#include <string>

#include "events/event_processor.h"
#include "http/router.h"
#include "storage/event_store.h"

namespace corvette::http {

// The event processors by camera name (in-progress lookups and best objects).
using EventProcessorMap =
    std::map<std::string, std::shared_ptr<events::EventProcessor>, std::less<>>;

struct EventRoutesOptions {
  // Must be non-null; shared with the handlers, which may outlive a request.
  std::shared_ptr<const storage::EventStore> store;
  std::shared_ptr<const EventProcessorMap> processors;  // null = no cameras
  std::string clips_dir;                                // where finished events' snapshot files are
};

// Registers the event endpoints (spec 9.2, docs/api.md):
//   GET /api/events                     filters before, after (numbers), camera, label, zone,
//                                       limit (0..10000, default 100), has_clip, has_snapshot,
//                                       include_thumbnails (0 or 1); newest first. A value that
//                                       does not parse or is out of range: 400 naming it.
//   GET /api/events/summary             has_clip, has_snapshot (0 or 1)
//   GET /api/events/<id>                404 "Event not found"
//   GET /api/events/<id>/thumbnail.jpg  format=android: 2:1; in progress: the live thumbnail
//   GET /api/events/<id>/snapshot.jpg   in progress: rendered with h, bbox, timestamp, crop;
//                                       finished: the saved file unchanged; 404 "Event not found"
//                                       or "Snapshot not available", never 500
//   GET /api/<camera>/<label>/best.jpg  h, crop; no best object: black 16:9; unknown camera: 404
//                                       "Camera named <camera> not found"
void AddEventRoutes(Router& router, EventRoutesOptions options);

}  // namespace corvette::http
