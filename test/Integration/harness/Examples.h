//===- Examples.h - the example catalogue, as the harness sees it -*- C++ -*-===//
//
// One table row per file of examples/: its tensors (names, shapes in terms
// of B and T, how inputs are drawn, honouring each mixer's preconditions)
// and how its outputs follow from the double-precision recurrence.
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_TEST_HARNESS_EXAMPLES_H
#define MIXIR_TEST_HARNESS_EXAMPLES_H

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace mixir::check {

/// How an input is drawn. `strong` asks for log decays down to about -10
/// per token and for rates near 1.
enum class Draw {
  Normal,    ///< N(0, 1)
  LogDecay,  ///< g ≤ 0
  Dt,        ///< dt > 0
  NegativeA, ///< A < 0
  UnitRows,  ///< N(0, 1), each row (last dimension) L2-normalised
  Rate,      ///< in (0, 1); strong: in (0.9, 1)
  Small,     ///< N(0, 0.1²)
  Documents, ///< document ids: non-decreasing integers along each row,
             ///< documents of 1 to about 200 tokens
};

/// The element type of a tensor at the ABI.
enum class DType { F32, F16, BF16, I32 };
size_t bytesOf(DType type);
/// `v` rounded to the nearest value of `type` (round to nearest even).
float roundTo(DType type, float v);
/// Element i of a buffer of `type`, read and written as float.
float loadElement(DType type, const void *data, size_t i);
void storeElement(DType type, void *data, size_t i, float v);
/// The error bound for outputs of `type` (1e-4 f32, 2e-3 f16, 1e-2 bf16).
/// I32 holds integers, carried as exact floats in the harness.
double toleranceOf(DType type);
const char *nameOf(DType type);

struct TensorSpec {
  std::string name;
  std::vector<std::string> dims; ///< "B", "T", "Tk" or a number
  Draw draw = Draw::Normal;
  bool isResult = false;
  std::string inPlaceOf; ///< a result that may share the named input's buffer
  DType dtype = DType::F32;
};

/// The inputs as the kernel sees them (16-bit values widened exactly).
using Inputs = std::vector<std::vector<float>>;
using Outputs = std::vector<std::vector<double>>;

struct Example {
  std::string name;
  std::vector<TensorSpec> tensors; ///< inputs first, then results
  /// The outputs for inputs of batch B, length T and, where tensors have a
  /// dimension "Tk" (the keys of cross attention), Tk.
  std::function<Outputs(const Inputs &, int64_t B, int64_t T, int64_t Tk)>
      reference;
};

const Example *findExample(const std::string &name);
std::vector<std::string> exampleNames();

/// The concrete shape of a tensor for given B and T.
std::vector<int64_t> shapeOf(const TensorSpec &spec, int64_t B, int64_t T,
                             int64_t Tk);
/// Deterministic input values.
std::vector<float> drawValues(Draw draw, size_t count, size_t rowLength,
                              bool strong,
                              std::mt19937 &rng);

} // namespace mixir::check

#endif
