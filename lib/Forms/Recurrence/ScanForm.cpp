//===- ScanForm.cpp - the scan form of mixer.recurrence -----------------===//
//
// docs/math.md, section 3: an scf.forall over the batch; per batch element
// an scf.for over the steps carries the states (f32, from the initial
// states or zero) and the batch element's slice of every output; each step
// reads one row of every input (converted to f32), runs a clone of the
// body, writes the step's outputs at row t, and carries the new states.
//
//===----------------------------------------------------------------------===//
#include "RecurrenceForms.h"

#include "../Common/Tiles.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mixir;
using namespace mixir::forms;

namespace {
/// Offsets, sizes and strides selecting `lead` leading indices of a tensor
/// of `type` (size 1 each) and the whole of its other dimensions.
struct Window {
  SmallVector<OpFoldResult> offsets, sizes, strides;
};

Window windowAt(OpBuilder &b, RankedTensorType type, ArrayRef<Value> lead,
                Value T = nullptr) {
  Window w;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    w.strides.push_back(b.getIndexAttr(1));
    if (d < static_cast<int64_t>(lead.size())) {
      w.offsets.push_back(lead[d]);
      w.sizes.push_back(b.getIndexAttr(1));
      continue;
    }
    w.offsets.push_back(b.getIndexAttr(0));
    if (d == 1 && T)
      w.sizes.push_back(T);
    else
      w.sizes.push_back(b.getIndexAttr(type.getDimSize(d)));
  }
  return w;
}

/// The slice of `x` at the leading indices `lead`, those dimensions dropped.
Value sliceAt(ImplicitLocOpBuilder &b, Value x, ArrayRef<Value> lead,
              Value T = nullptr) {
  auto type = cast<RankedTensorType>(x.getType());
  Window w = windowAt(b, type, lead, T);
  SmallVector<int64_t> shape;
  for (int64_t d = lead.size(); d < type.getRank(); ++d)
    shape.push_back(d == 1 && T ? ShapedType::kDynamic : type.getDimSize(d));
  return tensor::ExtractSliceOp::create(
      b, RankedTensorType::get(shape, type.getElementType()), x, w.offsets,
      w.sizes, w.strides);
}
} // namespace

void mixir::forms::recurrence::lowerScan(RewriterBase &rewriter,
                                         mixer::RecurrenceOp op) {
  ImplicitLocOpBuilder b(op.getLoc(), rewriter);
  b.setInsertionPoint(op);
  const unsigned numStates = op.getNumStates(),
                 numOutputs = op.getNumOutputs();
  Block &body = op.getBody().front();
  Value first = op.getInputs().front();
  Value B = tensor::DimOp::create(b, first, 0);
  Value T = tensor::DimOp::create(b, first, 1);
  SmallVector<Value> outs;
  for (Value r : op.getResults()) {
    auto type = cast<RankedTensorType>(r.getType());
    SmallVector<OpFoldResult> sizes{B};
    for (int64_t d = 1; d < type.getRank(); ++d)
      sizes.push_back(d == 1 && outs.size() < numOutputs
                          ? OpFoldResult(T)
                          : OpFoldResult(b.getIndexAttr(type.getDimSize(d))));
    outs.push_back(tensor::EmptyOp::create(b, sizes, type.getElementType()));
  }
  SmallVector<Value> results = buildForall(
      b, {B}, outs, [&](ValueRange iv, ValueRange shared) {
        Value batch = iv[0];
        HeadIndex at{batch, nullptr, T};
        TileBuilder x(b, at);
        // Initial states, f32.
        SmallVector<Value> init;
        for (unsigned s = 0; s < numStates; ++s) {
          auto type = cast<RankedTensorType>(body.getArgument(s).getType());
          init.push_back(op.getInits().empty()
                             ? x.zeros(type.getShape())
                             : x.toF32(sliceAt(b, op.getInits()[s], {batch})));
        }
        // The batch element's slice of every output, [T, e...].
        for (unsigned o = 0; o < numOutputs; ++o)
          init.push_back(sliceAt(b, shared[o], {batch}, T));
        auto loop = scf::ForOp::create(
            b, x.index(0), T, x.index(1), init,
            [&](OpBuilder &nb, Location loc, Value t, ValueRange iter) {
              ImplicitLocOpBuilder ib(loc, nb);
              TileBuilder xt(ib, at);
              IRMapping mapping;
              for (unsigned s = 0; s < numStates; ++s)
                mapping.map(body.getArgument(s), iter[s]);
              for (auto [i, input] : llvm::enumerate(op.getInputs()))
                mapping.map(body.getArgument(numStates + i),
                            xt.toF32(sliceAt(ib, input, {batch, t})));
              for (Operation &inner : body.without_terminator())
                ib.clone(inner, mapping);
              SmallVector<Value> next;
              Operation *yield = op.getYield();
              for (unsigned s = 0; s < numStates; ++s)
                next.push_back(mapping.lookupOrDefault(yield->getOperand(s)));
              for (unsigned o = 0; o < numOutputs; ++o) {
                Value rows = iter[numStates + o];
                auto rowsType = cast<RankedTensorType>(rows.getType());
                Value step = xt.convertTo(
                    mapping.lookupOrDefault(yield->getOperand(numStates + o)),
                    rowsType.getElementType());
                Window w = windowAt(ib, rowsType, {t});
                next.push_back(tensor::InsertSliceOp::create(
                    ib, step, rows, w.offsets, w.sizes, w.strides));
              }
              scf::YieldOp::create(ib, next);
            });
        SmallVector<ParallelInsert> inserts;
        for (auto [r, dest] : llvm::enumerate(shared)) {
          auto type = cast<RankedTensorType>(dest.getType());
          Window w = windowAt(b, type, {batch}, r < numOutputs ? T : nullptr);
          Value value = r < numOutputs ? loop.getResult(numStates + r)
                                       : x.convertTo(loop.getResult(r - numOutputs),
                                                     type.getElementType());
          inserts.push_back({value, w.offsets, w.sizes});
        }
        return inserts;
      });
  rewriter.replaceOp(op, castToTypes(b, op->getResultTypes(), results));
}
