/*===- Bind.c - check DLTensors against a kernel's signature ----------------===*
 *
 * The generated entry point of every kernel calls mixir_rt_bind before it
 * touches memory: every tensor is checked (device, dtype, rank, sizes,
 * strides, alignment), the shared sizes (B, T, ...) are bound, and results
 * may not overlap other tensors except for a declared in-place update. The
 * first failure names the tensor and returns its error code.
 *
 *===----------------------------------------------------------------------===*/
#include "Signature.h"
#include "mixir/Runtime/MixirRuntime.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define MAX_TENSORS 64

typedef struct {
  int32_t deviceType, deviceId; /* where every tensor must be */
  MixirSignatureParser parser;
  MixirTensorSpec specs[MAX_TENSORS];
  int64_t numel[MAX_TENSORS];
  int boundBy[16]; /* tensor that bound each symbol, -1 if none yet */
} BindState;

/* "argument 'q' (#1)" or "result 'o' (#1)". */
static void describe(const BindState *st, int i, char *out, size_t size) {
  const MixirTensorSpec *spec = &st->specs[i];
  int position = i + 1;
  if (spec->isResult)
    for (int j = 0; j < i; ++j)
      if (!st->specs[j].isResult)
        --position;
  snprintf(out, size, "%s '%s' (#%d)", spec->isResult ? "result" : "argument",
           spec->name, position);
}

/* The expected shape as text, e.g. [B, T, 4, 64]. */
static void shapeText(const BindState *st, const MixirTensorSpec *spec,
                      char *out, size_t size) {
  size_t n = (size_t)snprintf(out, size, "[");
  for (int32_t d = 0; d < spec->rank && n < size; ++d) {
    int64_t v = spec->dims[d];
    if (v >= 0)
      n += (size_t)snprintf(out + n, size - n, "%s%lld", d ? ", " : "",
                            (long long)v);
    else
      n += (size_t)snprintf(out + n, size - n, "%s%s", d ? ", " : "",
                            st->parser.symbols[-v - 1]);
  }
  if (n < size)
    snprintf(out + n, size - n, "]");
}

static int32_t fail(int32_t code, const BindState *st, int i,
                    const char *what) {
  char who[128];
  describe(st, i, who, sizeof who);
  mixir_rt_set_error("%s: %s %s", st->parser.function, who, what);
  return code;
}

static int32_t checkTensor(BindState *st, int i, const DLTensor *t,
                           int64_t *symbols, void **data) {
  const MixirTensorSpec *spec = &st->specs[i];
  char what[512], expected[256];
  shapeText(st, spec, expected, sizeof expected);
  if (!t)
    return fail(MIXIR_ERR_NULL, st, i, "is a NULL DLTensor pointer");
  if ((int32_t)t->device.device_type != st->deviceType ||
      t->device.device_id != st->deviceId) {
    snprintf(what, sizeof what, "is on device type %d, id %d; expected %s (%s = %d, id %d)",
             (int)t->device.device_type, (int)t->device.device_id,
             st->deviceType == kDLCUDA ? "the current CUDA device" : "the CPU",
             st->deviceType == kDLCUDA ? "kDLCUDA" : "kDLCPU",
             (int)st->deviceType, (int)st->deviceId);
    return fail(MIXIR_ERR_DEVICE, st, i, what);
  }
  if (t->dtype.code != spec->dtypeCode || t->dtype.bits != spec->dtypeBits ||
      t->dtype.lanes != 1) {
    snprintf(what, sizeof what,
             "has dtype (code %u, %u bits, %u lanes); expected %s (code %u, "
             "%u bits, 1 lane)",
             (unsigned)t->dtype.code, (unsigned)t->dtype.bits,
             (unsigned)t->dtype.lanes, spec->dtypeName,
             (unsigned)spec->dtypeCode, (unsigned)spec->dtypeBits);
    return fail(MIXIR_ERR_DTYPE, st, i, what);
  }
  if (t->ndim != spec->rank) {
    snprintf(what, sizeof what, "has %d dimensions; expected %d %s",
             (int)t->ndim, (int)spec->rank, expected);
    return fail(MIXIR_ERR_RANK, st, i, what);
  }
  if (spec->rank > 0 && !t->shape)
    return fail(MIXIR_ERR_NULL, st, i, "has a NULL shape");

  int64_t numel = 1;
  for (int32_t d = 0; d < spec->rank; ++d) {
    int64_t got = t->shape[d], want = spec->dims[d];
    if (got < 0) {
      snprintf(what, sizeof what, "dimension %d is negative (%lld)", (int)d,
               (long long)got);
      return fail(MIXIR_ERR_SHAPE, st, i, what);
    }
    if (want < 0) {
      int s = (int)(-want - 1);
      if (st->boundBy[s] < 0) {
        symbols[s] = got;
        st->boundBy[s] = i;
      } else if (symbols[s] != got) {
        snprintf(what, sizeof what,
                 "dimension %d is %lld, but %s = %lld was bound by '%s'; "
                 "expected %s",
                 (int)d, (long long)got, st->parser.symbols[s],
                 (long long)symbols[s], st->specs[st->boundBy[s]].name,
                 expected);
        return fail(MIXIR_ERR_SHAPE, st, i, what);
      }
    } else if (got != want) {
      snprintf(what, sizeof what, "dimension %d is %lld; expected %lld %s",
               (int)d, (long long)got, (long long)want, expected);
      return fail(MIXIR_ERR_SHAPE, st, i, what);
    }
    if (__builtin_mul_overflow(numel, got, &numel) ||
        numel > INT64_MAX / 4)
      return fail(MIXIR_ERR_SHAPE, st, i, "has too many elements");
  }

  if (t->strides) {
    /* Compact row-major, in elements; a dimension of size 1 (or an empty
     * tensor) may carry any stride since it is never stepped over. */
    int64_t stride = 1;
    for (int32_t d = spec->rank - 1; d >= 0; --d) {
      if (t->shape[d] > 1 && t->strides[d] != stride && numel > 0) {
        snprintf(what, sizeof what,
                 "has stride %lld in dimension %d; only compact row-major "
                 "tensors are accepted (stride %lld, or strides = NULL)",
                 (long long)t->strides[d], (int)d, (long long)stride);
        return fail(MIXIR_ERR_STRIDES, st, i, what);
      }
      stride *= t->shape[d];
    }
  }

  st->numel[i] = numel;
  data[i] = NULL;
  if (numel == 0)
    return MIXIR_OK;
  if (!t->data)
    return fail(MIXIR_ERR_NULL, st, i, "has NULL data");
  uintptr_t address = (uintptr_t)t->data + (uintptr_t)t->byte_offset;
  const unsigned bytes = spec->dtypeBits / 8u;
  if (address % bytes != 0) {
    snprintf(what, sizeof what,
             "data + byte_offset (%llu) is not %u-byte aligned",
             (unsigned long long)t->byte_offset, bytes);
    return fail(MIXIR_ERR_ALIGN, st, i, what);
  }
  data[i] = (void *)address;
  return MIXIR_OK;
}

static int sameShape(const MixirTensorSpec *a, const DLTensor *ta,
                     const DLTensor *tb) {
  if (ta->ndim != tb->ndim)
    return 0;
  for (int32_t d = 0; d < a->rank; ++d)
    if (ta->shape[d] != tb->shape[d])
      return 0;
  return 1;
}

/* A result may share memory with nothing, except that a result declared
 * `@x` may be the very same buffer as input x. */
static int32_t checkAliasing(BindState *st, int n, DLTensor *const *tensors,
                             void **data) {
  for (int r = 0; r < n; ++r) {
    const MixirTensorSpec *res = &st->specs[r];
    if (!res->isResult || st->numel[r] == 0)
      continue;
    uintptr_t r0 = (uintptr_t)data[r],
              r1 = r0 + st->specs[r].dtypeBits / 8u * (uintptr_t)st->numel[r];
    for (int j = 0; j < n; ++j) {
      if (j == r || st->numel[j] == 0)
        continue;
      uintptr_t j0 = (uintptr_t)data[j],
                j1 = j0 + st->specs[j].dtypeBits / 8u * (uintptr_t)st->numel[j];
      if (r1 <= j0 || j1 <= r0)
        continue;
      if (res->alias[0] && strcmp(res->alias, st->specs[j].name) == 0 &&
          r0 == j0 && sameShape(res, tensors[r], tensors[j]))
        continue;
      char other[128], what[256];
      describe(st, j, other, sizeof other);
      snprintf(what, sizeof what, "overlaps %s in memory%s", other,
               res->alias[0] ? " (only an exact in-place update of its "
                               "initial state is allowed)"
                             : "");
      return fail(MIXIR_ERR_ALIAS, st, r, what);
    }
  }
  return MIXIR_OK;
}

int32_t mixir_rt_bind(const char *signature, int32_t num_tensors,
                      DLTensor *const *tensors, int64_t *symbols,
                      int32_t num_symbols, void **data) {
  return mixir_rt_bind_device(signature, kDLCPU, 0, num_tensors, tensors,
                              symbols, num_symbols, data);
}

int32_t mixir_rt_bind_device(const char *signature, int32_t device_type,
                             int32_t device_id, int32_t num_tensors,
                             DLTensor *const *tensors, int64_t *symbols,
                             int32_t num_symbols, void **data) {
  BindState st; /* about 14 KiB of stack, on the caller's thread */
  mixir_rt_clear_error();
  st.deviceType = device_type;
  st.deviceId = device_id;
  if (num_tensors < 0 || num_tensors > MAX_TENSORS ||
      mixir_sig_begin(&st.parser, signature)) {
    mixir_rt_set_error("mixir: malformed kernel signature '%s'",
                       signature ? signature : "(null)");
    return MIXIR_ERR_SIGNATURE;
  }
  for (int s = 0; s < 16; ++s)
    st.boundBy[s] = -1;
  for (int i = 0; i < num_tensors; ++i) {
    if (mixir_sig_next(&st.parser, &st.specs[i]) != 0 ||
        st.parser.numSymbols > num_symbols) {
      mixir_rt_set_error("mixir: malformed kernel signature '%s'", signature);
      return MIXIR_ERR_SIGNATURE;
    }
    int32_t rc = checkTensor(&st, i, tensors[i], symbols, data);
    if (rc != MIXIR_OK)
      return rc;
  }
  MixirTensorSpec extra;
  if (mixir_sig_next(&st.parser, &extra) != 1) {
    mixir_rt_set_error("mixir: kernel signature '%s' does not have %d tensors",
                       signature, (int)num_tensors);
    return MIXIR_ERR_SIGNATURE;
  }
  return checkAliasing(&st, num_tensors, tensors, data);
}
