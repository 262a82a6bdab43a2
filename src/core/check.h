// CHECK and DCHECK: for invariants of the program itself, never for input.
//
// CHECK(cond) aborts in every build: use it where carrying on would corrupt data.
// DCHECK(cond) aborts only in debug builds. Bad input is a Status, not a CHECK.
#pragma once

#include <cstdio>
#include <cstdlib>

#define CHECK(cond)                                                                 \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                 \
    }                                                                               \
  } while (false)

#ifdef NDEBUG
#define DCHECK(cond) \
  do {               \
  } while (false && (cond))
#else
#define DCHECK(cond) CHECK(cond)
#endif
