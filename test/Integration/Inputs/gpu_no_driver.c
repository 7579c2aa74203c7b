/* A GPU kernel (mixirc --target=nvptx --emit=obj) linked into a program
 * with the runtime and called through its generated header on a machine
 * whose CUDA driver is missing or fails: the call returns MIXIR_ERR_CUDA
 * with a message, and touches no tensor data (the pointers are not valid
 * on the host). With a driver, it launches on the current stream. */
#include "hgrn.h"

#include <stdio.h>
#include <string.h>

static DLTensor tensor(int64_t *shape, int device) {
  DLTensor t;
  memset(&t, 0, sizeof t);
  t.data = (void *)(uintptr_t)0x100000; /* a device address: never read */
  t.device.device_type = (DLDeviceType)device;
  t.ndim = 3;
  t.dtype.code = kDLFloat;
  t.dtype.bits = 32;
  t.dtype.lanes = 1;
  t.shape = shape;
  return t;
}

int main(void) {
  int64_t shape[3] = {2, 5, 512};
  DLTensor i = tensor(shape, kDLCUDA), f = tensor(shape, kDLCUDA),
           o = tensor(shape, kDLCUDA);
  mixir_cuda_set_stream(NULL);
  int32_t rc = hgrn(&i, &f, &o);
  printf("cuda tensors: rc %d (MIXIR_ERR_CUDA %d): %s\n", (int)rc,
         10, mixir_last_error());
  return 0;
}
