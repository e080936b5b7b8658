#pragma once

// Connects the event processors to the ClipAssembler: add one ClipListener to every camera's
// EventProcessor (AddListener). A "new" event message notes the event (its cache segments are
// kept from start_time - pre_capture on); OnEventStored requests the clip when the processor's
// clip decision wants one, or notes the end. Thread-safe (the assembler's entry points are).

#include <memory>

#include "events/clip_assembler.h"
#include "events/event_listener.h"

namespace corvette::events {

class ClipListener final : public EventListener {
 public:
  // `assembler` must outlive the listener's use.
  explicit ClipListener(ClipAssembler& assembler) : assembler_(assembler) {}

  void OnEventMessage(const track::EventMessage& message) override;
  void OnEventStored(const storage::EventRecord& event, bool clip_wanted) override;

 private:
  ClipAssembler& assembler_;
};

}  // namespace corvette::events
