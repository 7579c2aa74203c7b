/* Two kernels compiled to objects (--emit=obj) and linked into one program
 * with the runtime, called through their generated headers: each returns 0
 * on valid tensors, and errors reach the one mixir_last_error. */
#include "gla.h"
#include "retnet.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static DLTensor tensor(float *data, int64_t *shape) {
  DLTensor t;
  memset(&t, 0, sizeof t);
  t.data = data;
  t.device.device_type = kDLCPU;
  t.ndim = 4;
  t.dtype.code = kDLFloat;
  t.dtype.bits = 32;
  t.dtype.lanes = 1;
  t.shape = shape;
  return t;
}

int main(void) {
  enum { T = 3 };
  static float q[T * 4 * 64], k[T * 4 * 64], v[T * 4 * 96], g[T * 4 * 64],
      o[T * 4 * 96];
  for (int i = 0; i < T * 4 * 64; ++i) {
    q[i] = (float)((i % 7) - 3) / 7.0f;
    k[i] = (float)((i % 5) - 2) / 5.0f;
    g[i] = -0.1f;
  }
  for (int i = 0; i < T * 4 * 96; ++i)
    v[i] = (float)((i % 3) - 1);
  int64_t s64[4] = {1, T, 4, 64}, s96[4] = {1, T, 4, 96};
  DLTensor tq = tensor(q, s64), tk = tensor(k, s64), tg = tensor(g, s64);
  DLTensor tv64 = tensor(v, s64), to64 = tensor(o, s64);
  DLTensor tv96 = tensor(v, s96), to96 = tensor(o, s96);

  int32_t rc = gla(&tq, &tk, &tv64, &tg, &to64);
  printf("gla: rc=%d finite=%d\n", rc, isfinite(o[0]) && isfinite(o[T * 4 * 64 - 1]));
  rc = retnet(&tq, &tk, &tv96, &to96);
  printf("retnet: rc=%d finite=%d\n", rc, isfinite(o[T * 4 * 96 - 1]));

  tq.dtype.bits = 64;
  rc = retnet(&tq, &tk, &tv96, &to96);
  printf("retnet bad dtype: rc=%d error=%s\n", rc, mixir_last_error());
  tq.dtype.bits = 32;
  rc = gla(&tq, &tk, &tv64, &tg, &to64);
  printf("gla again: rc=%d error='%s'\n", rc, mixir_last_error());
  mixir_set_num_threads(1);
  printf("threads=%d\n", mixir_get_num_threads());
  return 0;
}
