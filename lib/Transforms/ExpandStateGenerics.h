//===- ExpandStateGenerics.h - element-wise generics on a state as tensor ops -*- C++ -*-===//
//
// docs/math.md, section 4.2. The rules that prove a recurrence linear in
// its state follow tensor-level element-wise ops (arith and math on
// tensors) and read broadcasts of independent values; a body that writes
// y = f(h, x) as a linalg.generic over the state's shape says the same
// thing in other words. Before the analysis, each such generic that reads a
// value depending on a state is rewritten as the tensor ops of its body:
// inputs read through the identity as they are, inputs read through another
// projected permutation (independent of the state) through a copy generic
// that broadcasts them, scalar constants as splats. A generic that reads a
// state-dependent value through another map (a transpose of the state) is
// left as it is, and blocks as before.
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_LIB_TRANSFORMS_EXPANDSTATEGENERICS_H
#define MIXIR_LIB_TRANSFORMS_EXPANDSTATEGENERICS_H

#include "mixir/Dialect/Mixer/MixerOps.h"

namespace mixir {

/// Rewrites the element-wise generics of `op`'s body that read a value
/// depending on a state as tensor ops; returns how many.
unsigned expandStateGenerics(mixer::RecurrenceOp op);

} // namespace mixir

#endif // MIXIR_LIB_TRANSFORMS_EXPANDSTATEGENERICS_H
