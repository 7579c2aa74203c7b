/*===- Threads.c - how many threads kernels use -----------------------------===*/
#include "mixir/Runtime/MixirRuntime.h"

#include <omp.h>
#include <stdlib.h>

/* The default: MIXIR_NUM_THREADS, else what OpenMP chose (OMP_NUM_THREADS or
 * all cores), read once. */
static int32_t defaultThreads(void) {
  static int32_t cached = 0;
  if (cached == 0) {
    const char *env = getenv("MIXIR_NUM_THREADS");
    int32_t n = env ? (int32_t)atoi(env) : 0;
    cached = n > 0 ? n : (int32_t)omp_get_max_threads();
  }
  return cached;
}

void mixir_set_num_threads(int32_t n) {
  omp_set_num_threads(n > 0 ? n : defaultThreads());
}

int32_t mixir_get_num_threads(void) { return (int32_t)omp_get_max_threads(); }

/* Inside the caller's own parallel region, when no further level may
 * become active, a kernel's parallel loops run on one thread: splitting the
 * work for more would only add work. */
int32_t mixir_rt_num_workers(void) {
  if (omp_in_parallel() && omp_get_active_level() >= omp_get_max_active_levels())
    return 1;
  return (int32_t)omp_get_max_threads();
}

/* Applies MIXIR_NUM_THREADS when the library is loaded. */
__attribute__((constructor)) static void applyDefault(void) {
  if (getenv("MIXIR_NUM_THREADS"))
    omp_set_num_threads(defaultThreads());
}
