#pragma once

// CORVETTE_TARGET_CLONES("avx2", "default") before a function: GCC's target_clones, one clone per
// target, the best one picked when the program is loaded.
//
// The pick is an ifunc resolver that the dynamic loader calls while it relocates the program,
// before a sanitizer runtime has started; ThreadSanitizer and AddressSanitizer instrument that
// resolver, and the program crashes before main(). A sanitizer build (cmake/sanitizers.cmake)
// therefore builds only the default clone: the same source, compiled once.
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define CORVETTE_TARGET_CLONES(...)
#else
#define CORVETTE_TARGET_CLONES(...) __attribute__((target_clones(__VA_ARGS__)))
#endif
