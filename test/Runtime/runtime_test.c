/* Unit tests of the mixir runtime (lib/Runtime): mixir_rt_bind's checks,
 * its messages, aliasing rules, per-thread errors and the thread count. */
#include "mixir/Runtime/MixirRuntime.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed, failed;

#define EXPECT(cond, ...)                                                      \
  do {                                                                         \
    if (cond) {                                                                \
      ++passed;                                                                \
    } else {                                                                   \
      ++failed;                                                                \
      printf("FAIL %s:%d: ", __FILE__, __LINE__);                              \
      printf(__VA_ARGS__);                                                     \
      printf("\n");                                                            \
    }                                                                          \
  } while (0)

static const char *kSig =
    "k(q:f32[B,T,2,3],g:f32[2],h0:f32[B,2,3,4])->(o:f32[B,T,2,4],hT:f32[B,2,3,4]@h0)";

typedef struct {
  int64_t shape[5][4];
  float *buf[5];
  DLTensor t[5];
} Fixture;

static void setup(Fixture *f, int64_t B, int64_t T) {
  int64_t shapes[5][4] = {{B, T, 2, 3}, {2}, {B, 2, 3, 4}, {B, T, 2, 4},
                          {B, 2, 3, 4}};
  int ranks[5] = {4, 1, 4, 4, 4};
  for (int i = 0; i < 5; ++i) {
    int64_t n = 1;
    for (int d = 0; d < ranks[i]; ++d) {
      f->shape[i][d] = shapes[i][d];
      n *= shapes[i][d];
    }
    f->buf[i] = calloc((size_t)(n > 0 ? n : 1) + 16, sizeof(float));
    memset(&f->t[i], 0, sizeof(DLTensor));
    f->t[i].data = f->buf[i];
    f->t[i].device.device_type = kDLCPU;
    f->t[i].ndim = ranks[i];
    f->t[i].dtype.code = kDLFloat;
    f->t[i].dtype.bits = 32;
    f->t[i].dtype.lanes = 1;
    f->t[i].shape = f->shape[i];
  }
}

static void teardown(Fixture *f) {
  for (int i = 0; i < 5; ++i)
    free(f->buf[i]);
}

static int32_t bind(Fixture *f, int64_t *symbols, void **data) {
  DLTensor *ts[5] = {&f->t[0], &f->t[1], &f->t[2], &f->t[3], &f->t[4]};
  return mixir_rt_bind(kSig, 5, ts, symbols, 2, data);
}

static int mentions(const char *what) {
  return strstr(mixir_last_error(), what) != NULL;
}

static void testSuccess(void) {
  Fixture f;
  setup(&f, 3, 5);
  int64_t sym[2] = {-1, -1};
  void *data[5];
  EXPECT(bind(&f, sym, data) == MIXIR_OK, "valid tensors: %s",
         mixir_last_error());
  EXPECT(sym[0] == 3 && sym[1] == 5, "B and T bound to %lld %lld",
         (long long)sym[0], (long long)sym[1]);
  EXPECT(data[0] == f.buf[0] && data[4] == f.buf[4], "data pointers");
  EXPECT(mixir_last_error()[0] == '\0', "message cleared on success");
  /* byte_offset is honoured */
  f.t[0].byte_offset = 16;
  EXPECT(bind(&f, sym, data) == MIXIR_OK && data[0] == (char *)f.buf[0] + 16,
         "byte_offset honoured");
  /* explicit compact strides, and any stride on a size-1 dimension */
  int64_t strides[4] = {30, 6, 3, 1};
  f.t[0].strides = strides;
  EXPECT(bind(&f, sym, data) == MIXIR_OK, "compact strides: %s",
         mixir_last_error());
  teardown(&f);
  setup(&f, 1, 5);
  int64_t odd[4] = {999, 6, 3, 1};
  f.t[0].strides = odd;
  EXPECT(bind(&f, sym, data) == MIXIR_OK, "size-1 dim stride: %s",
         mixir_last_error());
  teardown(&f);
}

static void testErrors(void) {
  Fixture f;
  int64_t sym[2];
  void *data[5];
  DLTensor *ts[5];

  setup(&f, 2, 4);
  for (int i = 0; i < 5; ++i)
    ts[i] = &f.t[i];
  ts[1] = NULL;
  EXPECT(mixir_rt_bind(kSig, 5, ts, sym, 2, data) == MIXIR_ERR_NULL &&
             mentions("'g'"),
         "NULL tensor: %s", mixir_last_error());
  teardown(&f);

  setup(&f, 2, 4);
  f.t[2].device.device_type = kDLCUDA;
  EXPECT(bind(&f, sym, data) == MIXIR_ERR_DEVICE && mentions("'h0'"),
         "device: %s", mixir_last_error());
  teardown(&f);

  setup(&f, 2, 4);
  f.t[0].dtype.bits = 64;
  EXPECT(bind(&f, sym, data) == MIXIR_ERR_DTYPE && mentions("'q'") &&
             mentions("expected f32"),
         "dtype: %s", mixir_last_error());
  teardown(&f);

  setup(&f, 2, 4);
  f.t[3].ndim = 3;
  EXPECT(bind(&f, sym, data) == MIXIR_ERR_RANK && mentions("'o'") &&
             mentions("[B, T, 2, 4]"),
         "rank: %s", mixir_last_error());
  teardown(&f);

  setup(&f, 2, 4);
  f.shape[1][0] = 3;
  EXPECT(bind(&f, sym, data) == MIXIR_ERR_SHAPE && mentions("'g'"),
         "static dim: %s", mixir_last_error());
  teardown(&f);

  setup(&f, 2, 4);
  f.shape[3][1] = 5; /* T of o differs from q's */
  EXPECT(bind(&f, sym, data) == MIXIR_ERR_SHAPE && mentions("'o'") &&
             mentions("T = 4 was bound by 'q'"),
         "shared dim: %s", mixir_last_error());
  teardown(&f);

  setup(&f, 2, 4);
  f.shape[2][0] = 3; /* B of h0 */
  EXPECT(bind(&f, sym, data) == MIXIR_ERR_SHAPE && mentions("'h0'"),
         "shared B: %s", mixir_last_error());
  teardown(&f);

  setup(&f, 2, 4);
  int64_t bad[4] = {24, 6, 1, 2}; /* transposed inner dims */
  f.t[0].strides = bad;
  EXPECT(bind(&f, sym, data) == MIXIR_ERR_STRIDES && mentions("'q'"),
         "strides: %s", mixir_last_error());
  teardown(&f);

  setup(&f, 2, 4);
  f.t[0].byte_offset = 2;
  EXPECT(bind(&f, sym, data) == MIXIR_ERR_ALIGN && mentions("'q'"),
         "alignment: %s", mixir_last_error());
  teardown(&f);

  setup(&f, 2, 4);
  f.t[4].data = NULL;
  EXPECT(bind(&f, sym, data) == MIXIR_ERR_NULL && mentions("'hT'"),
         "NULL data: %s", mixir_last_error());
  teardown(&f);

  setup(&f, 2, 4);
  f.shape[0][1] = -1;
  EXPECT(bind(&f, sym, data) == MIXIR_ERR_SHAPE && mentions("negative"),
         "negative dim: %s", mixir_last_error());
  teardown(&f);
}

static void testAliasing(void) {
  Fixture f;
  int64_t sym[2];
  void *data[5];
  setup(&f, 2, 4);
  /* In place: hT is the very buffer of h0. */
  f.t[4].data = f.buf[2];
  EXPECT(bind(&f, sym, data) == MIXIR_OK, "in-place state: %s",
         mixir_last_error());
  /* hT overlapping h0 with an offset is not an in-place update. */
  f.t[4].byte_offset = 4;
  EXPECT(bind(&f, sym, data) == MIXIR_ERR_ALIAS && mentions("'hT'"),
         "shifted alias: %s", mixir_last_error());
  f.t[4].data = f.buf[4];
  f.t[4].byte_offset = 0;
  /* o overlapping the input q */
  f.t[3].data = f.buf[0];
  EXPECT(bind(&f, sym, data) == MIXIR_ERR_ALIAS && mentions("'o'") &&
             mentions("'q'"),
         "output over input: %s", mixir_last_error());
  f.t[3].data = f.buf[3];
  /* two results sharing memory */
  f.t[4].data = f.buf[3];
  EXPECT(bind(&f, sym, data) == MIXIR_ERR_ALIAS, "result over result: %s",
         mixir_last_error());
  f.t[4].data = f.buf[4];
  /* inputs may overlap each other */
  f.t[2].data = f.buf[0];
  EXPECT(bind(&f, sym, data) == MIXIR_OK, "inputs may overlap: %s",
         mixir_last_error());
  teardown(&f);

  /* Empty tensors: T = 0 lets o have NULL data and never alias. */
  setup(&f, 2, 0);
  f.t[0].data = NULL;
  f.t[3].data = NULL;
  EXPECT(bind(&f, sym, data) == MIXIR_OK && sym[1] == 0,
         "empty tensors: %s", mixir_last_error());
  teardown(&f);
}

static void testSignatures(void) {
  Fixture f;
  setup(&f, 2, 4);
  DLTensor *ts[1] = {&f.t[1]};
  int64_t sym[4];
  void *data[1];
  const char *bad[] = {"",        "k",           "k(g:f32[2]",
                       "k(g:f64[2])->()", "k(g:f32[2])->(",
                       "k(g:bf[2])->()", "k(g:f32)->()",
                       "k(g:f32[2]@x)->()", "k(g:f32[2],)->()"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; ++i)
    EXPECT(mixir_rt_bind(bad[i], 1, ts, sym, 4, data) == MIXIR_ERR_SIGNATURE,
           "malformed signature '%s' accepted", bad[i]);
  EXPECT(mixir_rt_bind("k(g:f32[2])->()", 1, ts, sym, 4, data) == MIXIR_OK,
         "minimal signature: %s", mixir_last_error());
  EXPECT(mixir_rt_bind("k(g:f32[2])->()", 2, ts, sym, 4, data) ==
             MIXIR_ERR_SIGNATURE,
         "tensor count mismatch");
  EXPECT(mixir_rt_bind("k(g:f32[A])->()", 1, ts, sym, 0, data) ==
             MIXIR_ERR_SIGNATURE,
         "too many symbols");
  teardown(&f);
}

/* Element types other than f32: each tensor is checked against its own
 * dtype, alignment is the element's size, and overlap counts its bytes. */
static void testElementTypes(void) {
  int64_t shape[2] = {3, 4};
  uint16_t a[12 + 2], o[12 + 2];
  int32_t ids[3];
  int64_t idShape[1] = {3};
  DLTensor ta = {a, {kDLCPU, 0}, 2, {kDLBfloat, 16, 1}, shape, NULL, 0};
  DLTensor tid = {ids, {kDLCPU, 0}, 1, {kDLInt, 32, 1}, idShape, NULL, 0};
  DLTensor to = {o, {kDLCPU, 0}, 2, {kDLFloat, 16, 1}, shape, NULL, 0};
  DLTensor *ts[3] = {&ta, &tid, &to};
  int64_t sym[1];
  void *data[3];
  const char *sig = "k(a:bf16[R,4],ids:i32[R])->(o:f16[R,4])";
  EXPECT(mixir_rt_bind(sig, 3, ts, sym, 1, data) == MIXIR_OK,
         "bf16, i32 and f16 tensors: %s", mixir_last_error());
  EXPECT(sym[0] == 3, "R bound to %lld", (long long)sym[0]);

  ta.dtype.code = kDLFloat;
  EXPECT(mixir_rt_bind(sig, 3, ts, sym, 1, data) == MIXIR_ERR_DTYPE &&
             mentions("expected bf16 (code 4, 16 bits, 1 lane)"),
         "f16 passed for bf16: %s", mixir_last_error());
  ta.dtype.code = kDLBfloat;
  tid.dtype.bits = 64;
  EXPECT(mixir_rt_bind(sig, 3, ts, sym, 1, data) == MIXIR_ERR_DTYPE &&
             mentions("'ids'") && mentions("expected i32"),
         "i64 passed for i32: %s", mixir_last_error());
  tid.dtype.bits = 32;

  /* 2-byte alignment suffices for 16-bit elements; 1 byte does not. */
  ta.byte_offset = 2;
  EXPECT(mixir_rt_bind(sig, 3, ts, sym, 1, data) == MIXIR_OK,
         "bf16 at a 2-byte offset: %s", mixir_last_error());
  ta.byte_offset = 1;
  EXPECT(mixir_rt_bind(sig, 3, ts, sym, 1, data) == MIXIR_ERR_ALIGN &&
             mentions("2-byte aligned"),
         "bf16 at an odd address: %s", mixir_last_error());
  ta.byte_offset = 0;

  /* The output starts right after the input's 24 bytes: no overlap; one
   * element earlier it overlaps. */
  uint16_t both[24];
  ta.data = both;
  to.data = both + 12;
  EXPECT(mixir_rt_bind(sig, 3, ts, sym, 1, data) == MIXIR_OK,
         "adjacent 16-bit tensors: %s", mixir_last_error());
  to.data = both + 11;
  EXPECT(mixir_rt_bind(sig, 3, ts, sym, 1, data) == MIXIR_ERR_ALIAS,
         "overlapping 16-bit tensors accepted");
}

static void *setErrorInThread(void *arg) {
  (void)arg;
  mixir_rt_set_error("from another thread");
  return NULL;
}

static void testThreads(void) {
  mixir_rt_set_error("main thread");
  pthread_t thread;
  pthread_create(&thread, NULL, setErrorInThread, NULL);
  pthread_join(thread, NULL);
  EXPECT(strcmp(mixir_last_error(), "main thread") == 0,
         "messages are per thread: '%s'", mixir_last_error());
  mixir_set_num_threads(1);
  EXPECT(mixir_get_num_threads() == 1, "set 1 thread");
  mixir_set_num_threads(0);
  EXPECT(mixir_get_num_threads() >= 1, "default thread count");

  /* Kernels split work for as many workers as will run them: all threads
   * outside a parallel region, one inside a region that allows no nested
   * one. (gcc's OpenMP pragmas; libomp implements their ABI.) */
  mixir_set_num_threads(3);
  EXPECT(mixir_rt_num_workers() == 3, "workers outside a parallel region");
  int inside = 0;
#pragma omp parallel num_threads(2)
  {
#pragma omp master
    inside = mixir_rt_num_workers();
  }
  EXPECT(inside == 1, "workers inside a parallel region: %d", inside);
  mixir_set_num_threads(0);
}

/* A product that is subnormal in f32 (2^-130), computed at run time. */
static float tinyProduct(volatile float x) { return x * 0x1p-100f; }

static void testSubnormals(void) {
  volatile float x = 0x1p-30f;
  EXPECT(tinyProduct(x) != 0.0f, "subnormals are kept by default");
  uint32_t saved = mixir_rt_flush_subnormals_begin();
#if defined(__x86_64__) || defined(__i386__) || defined(__aarch64__)
  EXPECT(tinyProduct(x) == 0.0f, "a subnormal product is flushed to zero");
#endif
  uint32_t inner = mixir_rt_flush_subnormals_begin();
  mixir_rt_flush_subnormals_end(inner);
#if defined(__x86_64__) || defined(__i386__) || defined(__aarch64__)
  EXPECT(tinyProduct(x) == 0.0f, "a nested begin/end keeps flushing");
#endif
  mixir_rt_flush_subnormals_end(saved);
  EXPECT(tinyProduct(x) != 0.0f, "the caller's state is restored");
}

int main(void) {
  testSuccess();
  testErrors();
  testAliasing();
  testSignatures();
  testElementTypes();
  testThreads();
  testSubnormals();
  printf("%d passed, %d failed\n", passed, failed);
  return failed != 0;
}
