#include <cstdio>

#include "version.h"

int main() {
  std::printf("corvette %s\n", corvette::kVersion);
  return 0;
}
