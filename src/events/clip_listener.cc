#include "events/clip_listener.h"

namespace corvette::events {

void ClipListener::OnObjectStarted(const std::string& camera, const std::string& id,
                                   double start_time) {
  assembler_.OnEventNew(camera, id, start_time);
}

void ClipListener::OnObjectEndedWithoutEvent(const std::string& camera, const std::string& id) {
  (void)camera;
  assembler_.NoteEventEnded(id);
}

void ClipListener::OnEventMessage(const track::EventMessage& message) {
  if (message.type != "new")
    return;
  const nlohmann::json& after = message.after;
  if (!after.is_object())
    return;
  auto id = after.find("id");
  auto camera = after.find("camera");
  auto start = after.find("start_time");
  if (id == after.end() || camera == after.end() || start == after.end() || !id->is_string() ||
      !camera->is_string() || !start->is_number())
    return;
  assembler_.OnEventNew(camera->get<std::string>(), id->get<std::string>(), start->get<double>());
}

void ClipListener::OnEventStored(const storage::EventRecord& event, bool clip_wanted) {
  assembler_.OnEventStored(event.camera, event.id, event.start_time, event.end_time, clip_wanted);
}

}  // namespace corvette::events
