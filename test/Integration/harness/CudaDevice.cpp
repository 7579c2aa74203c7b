//===- CudaDevice.cpp - device buffers for mixir-check --cuda -------------===//
#include "CudaDevice.h"

#include <dlfcn.h>

using namespace mixir::check;

namespace {
using CUresult = int;
using CUdevice = int;
using CUcontext = void *;
using CUevent = void *;
using CUstream = void *;
using CUdeviceptr = unsigned long long;

struct Driver {
  CUresult (*init)(unsigned);
  CUresult (*deviceGet)(CUdevice *, int);
  CUresult (*primaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*ctxSetCurrent)(CUcontext);
  CUresult (*ctxSynchronize)();
  CUresult (*memAlloc)(CUdeviceptr *, size_t);
  CUresult (*memFree)(CUdeviceptr);
  CUresult (*memcpyHtoD)(CUdeviceptr, const void *, size_t);
  CUresult (*memcpyDtoH)(void *, CUdeviceptr, size_t);
  CUresult (*eventCreate)(CUevent *, unsigned);
  CUresult (*eventRecord)(CUevent, CUstream);
  CUresult (*eventSynchronize)(CUevent);
  CUresult (*eventElapsedTime)(float *, CUevent, CUevent);
  CUresult (*getErrorString)(CUresult, const char **);
  std::string error;
};

Driver &driver() {
  static Driver d = [] {
    Driver d{};
    void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      const char *why = dlerror();
      d.error = std::string("no CUDA driver: ") + (why ? why : "");
      return d;
    }
    auto load = [&](auto &fn, const char *name) {
      *reinterpret_cast<void **>(&fn) = dlsym(lib, name);
      if (!fn && d.error.empty())
        d.error = std::string("libcuda.so.1 lacks ") + name;
    };
    load(d.init, "cuInit");
    load(d.deviceGet, "cuDeviceGet");
    load(d.primaryCtxRetain, "cuDevicePrimaryCtxRetain");
    load(d.ctxSetCurrent, "cuCtxSetCurrent");
    load(d.ctxSynchronize, "cuCtxSynchronize");
    load(d.memAlloc, "cuMemAlloc_v2");
    load(d.memFree, "cuMemFree_v2");
    load(d.memcpyHtoD, "cuMemcpyHtoD_v2");
    load(d.memcpyDtoH, "cuMemcpyDtoH_v2");
    load(d.eventCreate, "cuEventCreate");
    load(d.eventRecord, "cuEventRecord");
    load(d.eventSynchronize, "cuEventSynchronize");
    load(d.eventElapsedTime, "cuEventElapsedTime_v2");
    if (!d.eventElapsedTime) {
      d.error.clear();
      load(d.eventElapsedTime, "cuEventElapsedTime");
    }
    load(d.getErrorString, "cuGetErrorString");
    return d;
  }();
  return d;
}
} // namespace

bool CudaDevice::check(int rc, const char *what) {
  if (rc == 0)
    return true;
  const char *text = nullptr;
  if (driver().getErrorString)
    driver().getErrorString(rc, &text);
  if (error_.empty())
    error_ = std::string(what) + " failed: " + (text ? text : "unknown") +
             " (" + std::to_string(rc) + ")";
  return false;
}

CudaDevice::CudaDevice() {
  Driver &d = driver();
  if (!d.error.empty()) {
    error_ = d.error;
    return;
  }
  CUdevice dev;
  CUcontext ctx;
  check(d.init(0), "cuInit") && check(d.deviceGet(&dev, 0), "cuDeviceGet") &&
      check(d.primaryCtxRetain(&ctx, dev), "cuDevicePrimaryCtxRetain") &&
      check(d.ctxSetCurrent(ctx), "cuCtxSetCurrent");
}

uint64_t CudaDevice::alloc(size_t bytes) {
  CUdeviceptr p = 0;
  if (!check(driver().memAlloc(&p, bytes ? bytes : 1), "cuMemAlloc"))
    return 0;
  return p;
}
void CudaDevice::free(uint64_t ptr) {
  if (ptr)
    check(driver().memFree(ptr), "cuMemFree");
}
bool CudaDevice::toDevice(uint64_t dst, const void *src, size_t bytes) {
  return !bytes || check(driver().memcpyHtoD(dst, src, bytes), "cuMemcpyHtoD");
}
bool CudaDevice::toHost(void *dst, uint64_t src, size_t bytes) {
  return !bytes || check(driver().memcpyDtoH(dst, src, bytes), "cuMemcpyDtoH");
}
bool CudaDevice::synchronize() {
  return check(driver().ctxSynchronize(), "cuCtxSynchronize");
}
double CudaDevice::timeMs(void (*run)(void *), void *arg, int repeats) {
  Driver &d = driver();
  CUevent start, stop;
  if (!synchronize() || !check(d.eventCreate(&start, 0), "cuEventCreate") ||
      !check(d.eventCreate(&stop, 0), "cuEventCreate"))
    return -1;
  check(d.eventRecord(start, nullptr), "cuEventRecord");
  for (int i = 0; i < repeats; ++i)
    run(arg);
  check(d.eventRecord(stop, nullptr), "cuEventRecord");
  float ms = -1;
  if (check(d.eventSynchronize(stop), "cuEventSynchronize"))
    check(d.eventElapsedTime(&ms, start, stop), "cuEventElapsedTime");
  return repeats > 0 ? ms / repeats : -1;
}
