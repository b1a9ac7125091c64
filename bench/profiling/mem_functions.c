// memcmp, bcmp, memcpy and memmove with a frame pointer, to preload under `perf record -g` so
// that the time in them is charged to their callers. glibc's own are assembly that perf's
// unwinder (frame pointers or DWARF) cannot step out of: every sample in them loses its stack,
// and in a simulation profile those were a fifth of all samples. These are simple loops, slower
// than glibc's, so a profile with them overstates their share somewhat; it is for finding the
// callers, not for timing. Not built by CMake; see docs/simulator.md ("Where the 5,000-node run
// goes"):
//
//   gcc -O2 -fPIC -shared -fno-omit-frame-pointer -fno-tree-loop-distribute-patterns \
//       -fno-builtin -o /tmp/mem_functions.so bench/profiling/mem_functions.c
//   perf record -g -- env LD_PRELOAD=/tmp/mem_functions.so craton sim ...
//   perf script -F ip,sym   # the frame under each memcmp/memcpy is its caller
#include <stddef.h>
#include <stdint.h>

// Taking the frame's address makes the compiler keep a frame pointer even in these leaves.
void* volatile mem_functions_frame;
#define KEEP_FRAME mem_functions_frame = __builtin_frame_address(0)

__attribute__((noinline)) int memcmp(const void* a, const void* b, size_t n) {
  KEEP_FRAME;
  const unsigned char *x = a, *y = b;
  for (size_t i = 0; i < n; ++i)
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

__attribute__((noinline)) int bcmp(const void* a, const void* b, size_t n) {
  KEEP_FRAME;
  return memcmp(a, b, n);
}

__attribute__((noinline)) void* memcpy(void* d, const void* s, size_t n) {
  KEEP_FRAME;
  unsigned char* x = d;
  const unsigned char* y = s;
  while (n >= 8) {
    uint64_t v;
    __builtin_memcpy(&v, y, 8);
    __builtin_memcpy(x, &v, 8);
    x += 8;
    y += 8;
    n -= 8;
  }
  while (n--) *x++ = *y++;
  return d;
}

__attribute__((noinline)) void* memmove(void* d, const void* s, size_t n) {
  KEEP_FRAME;
  unsigned char* x = d;
  const unsigned char* y = s;
  if (x < y) {
    while (n--) *x++ = *y++;
  } else {
    x += n;
    y += n;
    while (n--) *--x = *--y;
  }
  return d;
}
