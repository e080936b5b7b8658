#pragma once

// Connects the event processors to the ClipAssembler: add one ClipListener to every camera's
// EventProcessor (AddListener). Every tracked object is noted from the frame it appears on, false
// positives included, as 0.8 does (§8.1 "start"): its cache segments are kept from start_time -
// pre_capture on, so an object that turns into a true positive long after it appeared still gets
// its whole clip. A "new" event message notes it again (same start). OnEventStored requests the
// clip when the processor's clip decision wants one, or notes the end; a false positive that
// leaves is noted as ended. Thread-safe (the assembler's entry points are).

#include <memory>

#include "events/clip_assembler.h"
#include "events/event_listener.h"

namespace corvette::events {

class ClipListener final : public EventListener {
 public:
  // `assembler` must outlive the listener's use.
  explicit ClipListener(ClipAssembler& assembler) : assembler_(assembler) {}

  void OnObjectStarted(const std::string& camera, const std::string& id,
                       double start_time) override;
  void OnObjectEndedWithoutEvent(const std::string& camera, const std::string& id) override;
  void OnEventMessage(const track::EventMessage& message) override;
  void OnEventStored(const storage::EventRecord& event, bool clip_wanted) override;

 private:
  ClipAssembler& assembler_;
};

}  // namespace corvette::events
