// Default options of the sanitizer runtimes, linked into every executable of a sanitizer build
// (cmake/sanitizers.cmake). The runtime reads these before main(); the environment's
// TSAN_OPTIONS, ASAN_OPTIONS, UBSAN_OPTIONS and LSAN_OPTIONS are applied on top of them.

#ifndef CORVETTE_SANITIZER_DIR
#error \
    "CORVETTE_SANITIZER_DIR (the folder of the suppressions files) is set by cmake/sanitizers.cmake"
#endif

#define CORVETTE_SANITIZER_HOOK extern "C" __attribute__((visibility("default"), used)) const char*

#if defined(__SANITIZE_THREAD__)
// Reports go on (every race of a run is listed) and the process exits with 66 when there was one.
CORVETTE_SANITIZER_HOOK __tsan_default_options() {
  return "suppressions=" CORVETTE_SANITIZER_DIR "/tsan.supp:second_deadlock_stack=1:history_size=4";
}
#endif

#if defined(__SANITIZE_ADDRESS__)
CORVETTE_SANITIZER_HOOK __asan_default_options() {
  return "check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=1";
}
CORVETTE_SANITIZER_HOOK __lsan_default_options() {
  return "suppressions=" CORVETTE_SANITIZER_DIR "/lsan.supp";
}
// -fno-sanitize-recover=undefined already makes every report fatal; this adds the stack.
CORVETTE_SANITIZER_HOOK __ubsan_default_options() {
  return "print_stacktrace=1";
}
#endif
