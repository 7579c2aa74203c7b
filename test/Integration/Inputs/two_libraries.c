/* Two shared libraries from mixirc loaded in one process: each reports the
 * errors of its own kernels through its own mixir_last_error (dlsym on its
 * handle), per thread. */
#include <dlfcn.h>
#include <dlpack/dlpack.h>
#include <stdio.h>
#include <string.h>

typedef const char *(*LastError)(void);
typedef int (*Kernel3)(DLTensor *, DLTensor *, DLTensor *, DLTensor *);

int main(int argc, char **argv) {
  if (argc != 3)
    return 2;
  void *a = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  void *b = dlopen(argv[2], RTLD_NOW | RTLD_LOCAL);
  if (!a || !b) {
    printf("dlopen failed: %s\n", dlerror());
    return 1;
  }
  Kernel3 linear = (Kernel3)dlsym(a, "linear_attention");
  LastError errorA = (LastError)dlsym(a, "mixir_last_error");
  LastError errorB = (LastError)dlsym(b, "mixir_last_error");
  if (!linear || !errorA || !errorB || errorA == errorB) {
    printf("symbols: %p %p %p\n", (void *)linear, (void *)errorA,
           (void *)errorB);
    return 1;
  }
  int rc = linear(NULL, NULL, NULL, NULL);
  printf("rc=%d\nA: %s\nB: '%s'\n", rc, errorA(), errorB());
  return 0;
}
