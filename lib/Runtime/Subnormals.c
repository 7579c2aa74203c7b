/*===- Subnormals.c - flush-to-zero while a kernel runs ---------------------===*
 *
 * Long products of decays go through the subnormal range on their way to
 * zero (docs/math.md, section 4.3); kernels run with subnormal results and
 * inputs flushed to zero and give the caller its control word back.
 *
 *===----------------------------------------------------------------------===*/
#include "mixir/Runtime/MixirRuntime.h"

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
/* MXCSR: flush-to-zero (bit 15) and denormals-are-zero (bit 6). */
enum { kFlushBits = 0x8040u };

uint32_t mixir_rt_flush_subnormals_begin(void) {
  uint32_t saved = _mm_getcsr();
  _mm_setcsr(saved | kFlushBits);
  return saved;
}

/* The caller's control bits come back; the exception flags (bits 0-5) the
 * kernel raised stay raised, as they would after any other call. */
void mixir_rt_flush_subnormals_end(uint32_t saved) {
  _mm_setcsr((saved & ~0x3Fu) | (_mm_getcsr() & 0x3Fu));
}

#elif defined(__aarch64__)
/* FPCR: flush-to-zero (bit 24). Its upper half is reserved (zero). */
uint32_t mixir_rt_flush_subnormals_begin(void) {
  uint64_t fpcr;
  __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
  __asm__ volatile("msr fpcr, %0" : : "r"(fpcr | (UINT64_C(1) << 24)));
  return (uint32_t)fpcr;
}

void mixir_rt_flush_subnormals_end(uint32_t saved) {
  uint64_t fpcr = saved;
  __asm__ volatile("msr fpcr, %0" : : "r"(fpcr));
}

#else
/* Elsewhere subnormals are left as the caller set them. */
uint32_t mixir_rt_flush_subnormals_begin(void) { return 0; }
void mixir_rt_flush_subnormals_end(uint32_t saved) { (void)saved; }
#endif
