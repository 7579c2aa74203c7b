//===- mixir-check.cpp - run a compiled mixer against the reference ---------===//
//
//   mixir-check --lib LIB.so --example NAME [--B 2] [--T 1,7,64,100,1000]
//               [--Tk ...] [--strong] [--label FORM] [--abi] [--threads N]
//               [--summary] [--cuda]
//
// Loads a library that mixirc produced (--emit=shared), calls the example's
// entry point through the DLPack C ABI on deterministic random inputs, and
// compares every output with the double-precision recurrence:
// ‖got − ref‖₂ / ‖ref‖₂ ≤ 1e-4 for f32 outputs (2e-3 f16, 1e-2 bf16; the
// reference reads 16-bit inputs as the kernel does, rounded), every element
// finite and written, nothing written past the end. --abi runs the ABI's negative and edge cases.
// --cuda runs a library compiled with --target=nvptx on GPU 0: the buffers
// (and their guard bytes) are copied to the device and back around the call.
// The last line reads "N passed, M failed"; the exit code is 1 on any
// failure, 2 on a usage or load error.
//
//===----------------------------------------------------------------------===//
#include "CudaDevice.h"
#include "Examples.h"

#include <dlfcn.h>
#include <dlpack/dlpack.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <optional>
#include <sstream>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

using namespace mixir::check;

namespace {
constexpr size_t kFront = 16;  // elements before each buffer (byte_offset tests)
constexpr size_t kCanary = 16; // guard elements after each buffer
constexpr uint8_t kCanaryByte = 0xa5;

DLDataType dlpackOf(DType type) {
  switch (type) {
  case DType::F32:
    return {kDLFloat, 32, 1};
  case DType::F16:
    return {kDLFloat, 16, 1};
  case DType::BF16:
    return {kDLBfloat, 16, 1};
  case DType::I32:
    return {kDLInt, 32, 1};
  }
  return {kDLFloat, 32, 1};
}

/// The calling thread's floating-point control word (x86 MXCSR without its
/// exception flags, AArch64 FPCR; 0 elsewhere): a kernel must give it back
/// as it found it.
static uint32_t fpControl() {
#if defined(__x86_64__) || defined(__i386__)
  return _mm_getcsr() & ~0x3Fu;
#elif defined(__aarch64__)
  uint64_t fpcr;
  __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
  return uint32_t(fpcr);
#else
  return 0;
#endif
}

struct Library {
  void *handle = nullptr;
  void *entry = nullptr;
  const char *(*lastError)() = nullptr;
  void (*setThreads)(int32_t) = nullptr;

  int32_t call(std::vector<DLTensor *> t) const {
    using P = DLTensor *;
    switch (t.size()) {
#define MIXIR_CALL(N, ...)                                                     \
  case N:                                                                      \
    return reinterpret_cast<int32_t (*)(__VA_ARGS__)>(entry)
      MIXIR_CALL(2, P, P)(t[0], t[1]);
      MIXIR_CALL(3, P, P, P)(t[0], t[1], t[2]);
      MIXIR_CALL(4, P, P, P, P)(t[0], t[1], t[2], t[3]);
      MIXIR_CALL(5, P, P, P, P, P)(t[0], t[1], t[2], t[3], t[4]);
      MIXIR_CALL(6, P, P, P, P, P, P)(t[0], t[1], t[2], t[3], t[4], t[5]);
      MIXIR_CALL(7, P, P, P, P, P, P, P)
      (t[0], t[1], t[2], t[3], t[4], t[5], t[6]);
      MIXIR_CALL(8, P, P, P, P, P, P, P, P)
      (t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7]);
      MIXIR_CALL(9, P, P, P, P, P, P, P, P, P)
      (t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8]);
      MIXIR_CALL(10, P, P, P, P, P, P, P, P, P, P)
      (t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8], t[9]);
#undef MIXIR_CALL
    }
    std::fprintf(stderr, "mixir-check: unsupported arity %zu\n", t.size());
    std::exit(2);
  }
};

/// One call's tensors: inputs drawn at random (and rounded to their element
/// type), outputs filled with NaN, each buffer with room in front and guard
/// bytes behind.
struct Case {
  const Example &ex;
  int64_t B, T, Tk;
  std::vector<std::vector<uint8_t>> storage;
  std::vector<std::vector<int64_t>> shapes;
  std::vector<size_t> numel;
  std::vector<DLTensor> tensors;

  Case(const Example &ex, int64_t B, int64_t T, bool strong, unsigned seed,
       int64_t Tk = -1)
      : ex(ex), B(B), T(T), Tk(Tk < 0 ? T : Tk) {
    std::mt19937 rng(seed);
    for (const TensorSpec &spec : ex.tensors) {
      shapes.push_back(shapeOf(spec, B, T, this->Tk));
      size_t n = 1;
      for (int64_t d : shapes.back())
        n *= size_t(d);
      numel.push_back(n);
      const size_t bytes = bytesOf(spec.dtype);
      std::vector<uint8_t> buf((kFront + n + kCanary) * bytes, kCanaryByte);
      void *body = buf.data() + kFront * bytes;
      std::vector<float> v(n, NAN);
      if (!spec.isResult)
        v = drawValues(spec.draw, n, size_t(shapes.back().back()), strong,
                       rng);
      for (size_t j = 0; j < n; ++j)
        storeElement(spec.dtype, body, j, v[j]);
      storage.push_back(std::move(buf));
    }
    for (size_t i = 0; i < storage.size(); ++i) {
      DLTensor t{};
      t.data = storage[i].data() + kFront * bytesOf(ex.tensors[i].dtype);
      t.device = {kDLCPU, 0};
      t.ndim = int32_t(shapes[i].size());
      t.dtype = dlpackOf(ex.tensors[i].dtype);
      t.shape = shapes[i].data();
      tensors.push_back(t);
    }
  }

  std::vector<DLTensor *> pointers() {
    std::vector<DLTensor *> p;
    for (DLTensor &t : tensors)
      p.push_back(&t);
    return p;
  }
  size_t index(const std::string &name) const {
    for (size_t i = 0; i < ex.tensors.size(); ++i)
      if (ex.tensors[i].name == name)
        return i;
    return size_t(-1);
  }
  size_t elementBytes(size_t i) const { return bytesOf(ex.tensors[i].dtype); }
  /// Where tensor i's elements start, honouring its byte_offset.
  uint8_t *begin(size_t i) const {
    return static_cast<uint8_t *>(tensors[i].data) + tensors[i].byte_offset;
  }
  /// Tensor i's elements as floats.
  std::vector<float> values(size_t i) const {
    std::vector<float> v(numel[i]);
    for (size_t j = 0; j < numel[i]; ++j)
      v[j] = loadElement(ex.tensors[i].dtype, begin(i), j);
    return v;
  }
  Inputs inputs() const {
    Inputs x;
    for (size_t i = 0; i < ex.tensors.size(); ++i)
      if (!ex.tensors[i].isResult)
        x.push_back(values(i));
    return x;
  }
  bool canariesIntact() const {
    for (size_t i = 0; i < storage.size(); ++i)
      for (size_t j = storage[i].size() - kCanary * elementBytes(i);
           j < storage[i].size(); ++j)
        if (storage[i][j] != kCanaryByte)
          return false;
    return true;
  }
};

struct Tally {
  int passed = 0, failed = 0;
  void record(bool ok, const std::string &what) {
    ok ? ++passed : ++failed;
    if (!ok)
      std::printf("FAIL: %s\n", what.c_str());
  }
};

/// Relative L2 error of every output against the reference; negative when
/// an element is not finite where the reference is (an infinity the
/// reference has, such as the log-sum-exp −inf of a row that sees no key,
/// must be matched exactly).
std::vector<double> errors(Case &c, const Outputs &ref) {
  std::vector<double> result;
  size_t r = 0;
  for (size_t i = 0; i < c.ex.tensors.size(); ++i) {
    if (!c.ex.tensors[i].isResult)
      continue;
    std::vector<float> got = c.values(i);
    double diff = 0, norm = 0;
    bool finite = true;
    for (size_t j = 0; j < c.numel[i]; ++j) {
      if (std::isinf(ref[r][j])) {
        finite &= double(got[j]) == ref[r][j];
        continue;
      }
      finite &= std::isfinite(got[j]);
      double d = double(got[j]) - ref[r][j];
      diff += d * d;
      norm += ref[r][j] * ref[r][j];
    }
    ++r;
    if (!finite)
      result.push_back(-1);
    else
      result.push_back(norm > 0 ? std::sqrt(diff / norm) : std::sqrt(diff));
  }
  return result;
}

/// With --cuda: the GPU the kernels run on (compiled with --target=nvptx).
CudaDevice *device = nullptr;

/// Calls the kernel on the GPU: every buffer of the case (its front room and
/// guard bytes included) copied to the device, the tensors pointing there
/// (kDLCUDA), the kernel called and waited for, every buffer copied back.
int32_t callOnDevice(const Library &lib, Case &c, std::string &why) {
  std::vector<uint64_t> buffers;
  bool ok = true;
  for (const std::vector<uint8_t> &s : c.storage) {
    buffers.push_back(device->alloc(s.size()));
    ok &= buffers.back() && device->toDevice(buffers.back(), s.data(), s.size());
  }
  std::vector<DLTensor> host = c.tensors;
  for (size_t i = 0; i < c.tensors.size(); ++i) {
    auto offset = static_cast<uint8_t *>(c.tensors[i].data) - c.storage[i].data();
    c.tensors[i].data = reinterpret_cast<void *>(buffers[i] + offset);
    c.tensors[i].device = {kDLCUDA, 0};
  }
  int32_t rc = ok ? lib.call(c.pointers()) : -1;
  ok &= device->synchronize();
  for (size_t i = 0; i < buffers.size(); ++i) {
    ok &= device->toHost(c.storage[i].data(), buffers[i], c.storage[i].size());
    device->free(buffers[i]);
  }
  c.tensors = host;
  if (!ok) {
    why = "CUDA: " + device->error();
    return -1;
  }
  return rc;
}

/// Runs one case and checks it against the reference; returns the errors.
bool runAndCompare(const Library &lib, Case &c, std::vector<double> &errs,
                   std::string &why) {
  const uint32_t fpBefore = fpControl();
  int32_t rc = device ? callOnDevice(lib, c, why) : lib.call(c.pointers());
  if (rc < 0)
    return false;
  if (fpControl() != fpBefore) {
    why = "changed the caller's floating-point control word (flush-to-zero)";
    return false;
  }
  if (rc != 0) {
    why = "returned " + std::to_string(rc) + ": " +
          (lib.lastError ? lib.lastError() : "");
    return false;
  }
  if (!c.canariesIntact()) {
    why = "wrote past the end of a buffer";
    return false;
  }
  errs = errors(c, c.ex.reference(c.inputs(), c.B, c.T, c.Tk));
  size_t r = 0;
  for (const TensorSpec &t : c.ex.tensors) {
    if (!t.isResult)
      continue;
    double e = errs[r++];
    if (e < 0 || e > toleranceOf(t.dtype)) {
      why = std::string("error above ") +
            (t.dtype == DType::F32 ? "1e-4" : t.dtype == DType::F16 ? "2e-3"
                                                                    : "1e-2") +
            " or not finite";
      return false;
    }
  }
  return true;
}

//===----------------------------------------------------------------------===//
// ABI cases
//===----------------------------------------------------------------------===//

void abiTests(const Library &lib, const Example &ex, Tally &tally) {
  const int64_t B = 2, T = 9;
  auto expectError = [&](const std::string &what, auto mutate) {
    Case c(ex, B, T, false, 7);
    std::vector<DLTensor *> p = c.pointers();
    std::string name = mutate(c, p);
    int32_t rc = lib.call(p);
    std::string message = lib.lastError ? lib.lastError() : "";
    bool ok = rc != 0 && !message.empty() &&
              message.find("'" + name + "'") != std::string::npos &&
              c.canariesIntact();
    std::printf("  abi  %-44s rc=%d  %s\n", what.c_str(), rc,
                message.c_str());
    tally.record(ok, ex.name + ": " + what);
  };
  auto expectCorrect = [&](const std::string &what, int64_t b, int64_t t,
                           auto mutate) {
    Case c(ex, b, t, false, 11);
    mutate(c);
    std::vector<double> errs;
    std::string why;
    bool ok = runAndCompare(lib, c, errs, why);
    std::printf("  abi  %-44s %s\n", what.c_str(), ok ? "ok" : why.c_str());
    tally.record(ok, ex.name + ": " + what + " (" + why + ")");
  };
  const std::string first = ex.tensors[0].name;
  size_t firstResult = 0;
  while (!ex.tensors[firstResult].isResult)
    ++firstResult;
  const std::string out = ex.tensors[firstResult].name;

  expectError("dtype float64", [&](Case &c, auto &) {
    c.tensors[0].dtype.bits = 64;
    return first;
  });
  expectError("dtype of the other float width", [&](Case &c, auto &) {
    c.tensors[0].dtype.bits = c.tensors[0].dtype.bits == 32 ? 16 : 32;
    return first;
  });
  expectError("dtype int32", [&](Case &c, auto &) {
    c.tensors[firstResult].dtype.code = kDLInt;
    return out;
  });
  expectError("device CUDA", [&](Case &c, auto &) {
    c.tensors[0].device.device_type = kDLCUDA;
    return first;
  });
  expectError("rank", [&](Case &c, auto &) {
    c.tensors[0].ndim -= 1;
    return first;
  });
  expectError("static size", [&](Case &c, auto &) {
    c.shapes[0].back() += 1;
    return first;
  });
  expectError("batch differs between tensors", [&](Case &c, auto &) {
    c.shapes[firstResult][0] = B + 1;
    return out;
  });
  expectError("length differs between tensors", [&](Case &c, auto &) {
    c.shapes[firstResult][1] = T - 1;
    return out;
  });
  expectError("NULL tensor", [&](Case &, auto &p) {
    p[0] = nullptr;
    return first;
  });
  expectError("non-compact strides", [&](Case &c, auto &) {
    static thread_local std::vector<int64_t> strides;
    strides.assign(c.shapes[0].size(), 1);
    for (int d = int(strides.size()) - 2; d >= 0; --d)
      strides[d] = strides[d + 1] * c.shapes[0][d + 1];
    strides[0] *= 2;
    c.tensors[0].strides = strides.data();
    return first;
  });
  expectError("misaligned data (half an element)", [&](Case &c, auto &) {
    c.tensors[0].byte_offset = c.elementBytes(0) / 2;
    return first;
  });
  expectError("output aliases an input", [&](Case &c, auto &) {
    c.tensors[firstResult].data = c.tensors[0].data;
    return out;
  });

  expectCorrect("explicit compact strides", B, T, [&](Case &c) {
    static thread_local std::vector<std::vector<int64_t>> strides;
    strides.clear();
    for (size_t i = 0; i < c.tensors.size(); ++i) {
      std::vector<int64_t> s(c.shapes[i].size(), 1);
      for (int d = int(s.size()) - 2; d >= 0; --d)
        s[d] = s[d + 1] * c.shapes[i][d + 1];
      strides.push_back(s);
    }
    for (size_t i = 0; i < c.tensors.size(); ++i)
      c.tensors[i].strides = strides[i].data();
  });
  expectCorrect("byte_offset 64 honoured", B, T, [&](Case &c) {
    for (size_t i = 0; i < c.tensors.size(); ++i) {
      c.tensors[i].data = c.storage[i].data();
      c.tensors[i].byte_offset = kFront * c.elementBytes(i);
    }
  });
  expectCorrect("B = 0", 0, T, [](Case &) {});
  expectCorrect("T = 0", B, 0, [](Case &) {});
  expectCorrect("T = 1", B, 1, [](Case &) {});
  // A final state updated in place: the result is passed as the very buffer
  // of its initial state.
  for (size_t r = 0; r < ex.tensors.size(); ++r) {
    const std::string &src = ex.tensors[r].inPlaceOf;
    if (src.empty())
      continue;
    Case c(ex, B, T, false, 13);
    size_t s = c.index(src);
    const size_t bytes = c.numel[s] * c.elementBytes(s);
    std::vector<uint8_t> initial(c.begin(s), c.begin(s) + bytes);
    void *own = c.tensors[r].data;
    c.tensors[r].data = c.tensors[s].data;
    int32_t rc = lib.call(c.pointers());
    // Move the result to its own buffer and restore the input, so that the
    // reference sees the initial state.
    c.tensors[r].data = own;
    std::copy(c.begin(s), c.begin(s) + bytes, c.begin(r));
    std::copy(initial.begin(), initial.end(), c.begin(s));
    bool ok = rc == 0 && c.canariesIntact();
    if (ok)
      for (double e : errors(c, ex.reference(c.inputs(), B, T, T)))
        ok &= e >= 0 && e <= toleranceOf(ex.tensors[r].dtype);
    std::string what = ex.tensors[r].name + " updated in place in " + src;
    std::printf("  abi  %-44s %s\n", what.c_str(), ok ? "ok" : "FAIL");
    tally.record(ok, ex.name + ": " + what);
  }
}
} // namespace

int main(int argc, char **argv) {
  std::string libPath, exampleName, label = "-";
  std::vector<int64_t> lengths{1, 7, 64, 100, 1000}, keyLengths;
  int64_t B = 2;
  int threads = 0;
  bool strong = false, abi = false, summary = false, cuda = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "mixir-check: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--lib")
      libPath = value();
    else if (a == "--example")
      exampleName = value();
    else if (a == "--label")
      label = value();
    else if (a == "--B")
      B = std::stoll(value());
    else if (a == "--threads")
      threads = std::stoi(value());
    else if (a == "--T" || a == "--Tk") {
      std::vector<int64_t> &list = a == "--T" ? lengths : keyLengths;
      list.clear();
      std::stringstream ss(value());
      for (std::string t; std::getline(ss, t, ',');)
        list.push_back(std::stoll(t));
    } else if (a == "--strong")
      strong = true;
    else if (a == "--abi")
      abi = true;
    else if (a == "--summary")
      summary = true;
    else if (a == "--cuda")
      cuda = true;
    else {
      std::fprintf(stderr, "mixir-check: unknown option %s\n", a.c_str());
      return 2;
    }
  }
  const Example *ex = findExample(exampleName);
  if (libPath.empty() || !ex) {
    std::fprintf(stderr, "usage: mixir-check --lib LIB.so --example NAME "
                         "[--B n] [--T t,...] [--strong] [--label s] [--abi] "
                         "[--threads n] [--summary] [--cuda]\nexamples:");
    for (const std::string &n : exampleNames())
      std::fprintf(stderr, " %s", n.c_str());
    std::fprintf(stderr, "\n");
    return 2;
  }
  std::optional<CudaDevice> gpu;
  if (cuda) {
    gpu.emplace();
    if (abi) {
      std::fprintf(stderr, "mixir-check: --abi runs on the CPU only\n");
      return 2;
    }
    if (!gpu->ok()) {
      std::fprintf(stderr, "mixir-check: --cuda: %s\n", gpu->error().c_str());
      return 2;
    }
    device = &*gpu;
  }
  Library lib;
  lib.handle = dlopen(libPath.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib.handle) {
    std::fprintf(stderr, "mixir-check: cannot load %s: %s\n", libPath.c_str(),
                 dlerror());
    return 2;
  }
  lib.entry = dlsym(lib.handle, ex->name.c_str());
  lib.lastError = reinterpret_cast<const char *(*)()>(
      dlsym(lib.handle, "mixir_last_error"));
  lib.setThreads = reinterpret_cast<void (*)(int32_t)>(
      dlsym(lib.handle, "mixir_set_num_threads"));
  if (!lib.entry || !lib.lastError) {
    std::fprintf(stderr, "mixir-check: %s lacks %s or mixir_last_error\n",
                 libPath.c_str(), ex->name.c_str());
    return 2;
  }
  if (threads > 0 && lib.setThreads)
    lib.setThreads(threads);

  Tally tally;
  std::vector<double> worst;
  std::string failures;
  if (!summary)
    std::printf("%-17s %-10s %6s  %-8s %s\n", "example", "form", "T",
                "output", "rel. L2 error");
  if (!keyLengths.empty() && keyLengths.size() != lengths.size()) {
    std::fprintf(stderr, "mixir-check: --Tk needs one length per --T\n");
    return 2;
  }
  for (size_t n = 0; n < lengths.size(); ++n) {
    const int64_t T = lengths[n];
    int64_t Tk = keyLengths.empty() ? T : keyLengths[n];
    Case c(*ex, B, T, strong, unsigned(1000 + T), Tk);
    std::vector<double> errs;
    std::string why;
    bool ok = runAndCompare(lib, c, errs, why);
    tally.record(ok, ex->name + " " + label + " T=" + std::to_string(T) +
                         ": " + why);
    if (!ok)
      failures += " T=" + std::to_string(T) + ": " + why + ";";
    worst.resize(errs.size(), 0.0);
    size_t r = 0;
    for (const TensorSpec &t : ex->tensors) {
      if (!t.isResult)
        continue;
      if (r < errs.size()) {
        worst[r] = std::max(worst[r], errs[r] < 0 ? INFINITY : errs[r]);
        if (!summary)
          std::printf("%-17s %-10s %6lld  %-8s %.2e  %s\n", ex->name.c_str(),
                      label.c_str(), (long long)T, t.name.c_str(), errs[r],
                      errs[r] >= 0 && errs[r] <= toleranceOf(t.dtype)
                          ? "ok"
                          : "FAIL");
      }
      ++r;
    }
    if (errs.empty() && !summary)
      std::printf("%-17s %-10s %6lld  %s\n", ex->name.c_str(), label.c_str(),
                  (long long)T, why.c_str());
  }
  if (summary) {
    std::printf("%-18s %-10s max error over T=", ex->name.c_str(),
                label.c_str());
    for (size_t i = 0; i < lengths.size(); ++i)
      std::printf("%s%lld", i ? "," : "", (long long)lengths[i]);
    std::printf(": ");
    size_t r = 0;
    for (const TensorSpec &t : ex->tensors)
      if (t.isResult && r < worst.size())
        std::printf("%s %.1e  ", t.name.c_str(), worst[r++]);
    std::printf("%s%s\n", tally.failed ? "FAIL" : "ok", failures.c_str());
  }
  if (abi)
    abiTests(lib, *ex, tally);
  if (!summary || tally.failed)
    std::printf("%d passed, %d failed\n", tally.passed, tally.failed);
  return tally.failed ? 1 : 0;
}
