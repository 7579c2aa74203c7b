//===- CudaDevice.h - device buffers for mixir-check --cuda ------*- C++ -*-===//
//
// Test glue: copies a case's buffers to the GPU, calls a kernel compiled
// with --target=nvptx on them, and copies them back, through the CUDA
// driver API loaded at run time (libcuda.so.1), so mixir-check builds and
// runs its CPU checks anywhere.
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_CHECK_CUDADEVICE_H
#define MIXIR_CHECK_CUDADEVICE_H

#include <cstdint>
#include <string>

namespace mixir::check {

class CudaDevice {
public:
  /// Loads the driver and makes device 0's primary context current; on
  /// failure error() says why.
  CudaDevice();
  bool ok() const { return error_.empty(); }
  const std::string &error() const { return error_; }

  /// Device memory; 0 and error() set on failure.
  uint64_t alloc(size_t bytes);
  void free(uint64_t ptr);
  bool toDevice(uint64_t dst, const void *src, size_t bytes);
  bool toHost(void *dst, uint64_t src, size_t bytes);
  /// Waits for all work of the context (every stream).
  bool synchronize();
  /// Milliseconds between two points of the default stream around `run`,
  /// after a synchronisation (CUDA events).
  double timeMs(void (*run)(void *), void *arg, int repeats);

private:
  bool check(int rc, const char *what);
  std::string error_;
};

} // namespace mixir::check

#endif // MIXIR_CHECK_CUDADEVICE_H
