//===- ScanForms.cpp - the scan and parallel_scan forms of mixer.prefix_scan
//===//
//
// docs/math.md, section 4.5. With e_t = element(x_t) and h_t = h_{t−1} ⊕ e_t,
// the sequence is cut into S chunks of L steps (S = 1 for the scan form):
//   1. per batch element and chunk s < S−1: the chunk's combination
//      E_s = e_{sL} ⊕ … ⊕ e_{sL+L−1}, from its first element (⊕ need
//      not have an identity);
//   2. per batch element: the carries c_0 = h_0, c_{s+1} = c_s ⊕ E_s;
//   3. per batch element and chunk: h = c_s, then h = h ⊕ e_t and
//      y_t = read(h, x_t) for the chunk's steps.
// Associativity makes the regrouping exact; chunks 0..S−2 are read twice,
// which pays only when workers would idle: S = min(⌈workers / B⌉,
// ⌊T / minChunk⌋), at least 1, decided at run time. The regions are cloned
// where they run, on f32 tensors of one batch element.
//
//===----------------------------------------------------------------------===//
#include "PrefixScanForms.h"

#include "../Common/Tiles.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mixir;
using namespace mixir::forms;

namespace {
/// The values `region` yields for `args`, its ops cloned at `b`.
SmallVector<Value> inlineRegion(ImplicitLocOpBuilder &b, Region &region,
                                ValueRange args) {
  Block &block = region.front();
  IRMapping mapping;
  mapping.map(block.getArguments(), args);
  for (Operation &op : block.without_terminator())
    b.clone(op, mapping);
  SmallVector<Value> yielded;
  for (Value v : block.getTerminator()->getOperands())
    yielded.push_back(mapping.lookupOrDefault(v));
  return yielded;
}

class PrefixScanBuilder {
public:
  PrefixScanBuilder(ImplicitLocOpBuilder &b, mixer::PrefixScanOp op)
      : b(b), op(op) {
    Value first = op.getInputs().front();
    B = tensor::DimOp::create(b, first, 0);
    T = tensor::DimOp::create(b, first, 1);
  }

  /// The op's outputs: in one chunk (the scan form) without `minChunk`,
  /// else in S = min(⌈workers / B⌉, ⌊T / minChunk⌋) chunks, at least 1, of
  /// L = ⌈T / S⌉ steps.
  SmallVector<Value> build(std::optional<int64_t> minChunk) {
    Value one = index(b, 1);
    if (!minChunk)
      return scanChunks({}, one, T);
    Value workers = mixer::NumWorkersOp::create(b, b.getIndexType());
    Value perItem = arith::CeilDivUIOp::create(
        b, workers, arith::MaxUIOp::create(b, B, one));
    Value byLength = arith::DivUIOp::create(b, T, index(b, *minChunk));
    Value wanted = arith::MaxUIOp::create(
        b, arith::MinUIOp::create(b, perItem, byLength), one);
    Value L = arith::MaxUIOp::create(
        b, arith::CeilDivUIOp::create(b, T, wanted), one);
    Value S =
        arith::MaxUIOp::create(b, arith::CeilDivUIOp::create(b, T, L), one);
    return scanChunks(chunkCarries(combinedChunks(S, L), S), S, L);
  }

private:
  static Value index(ImplicitLocOpBuilder &b, int64_t v) {
    return arith::ConstantIndexOp::create(b, v);
  }

  RankedTensorType stateType(unsigned s) {
    return cast<RankedTensorType>(
        op.getCombine().front().getArgument(s).getType());
  }

  /// One [S, B, s...] f32 tensor per state tensor.
  SmallVector<Value> perChunk(Value S) {
    SmallVector<Value> v;
    for (unsigned s = 0; s < op.getNumStates(); ++s) {
      SmallVector<OpFoldResult> sizes{S, B};
      for (int64_t d : stateType(s).getShape())
        sizes.push_back(b.getIndexAttr(d));
      v.push_back(tensor::EmptyOp::create(b, sizes, b.getF32Type()));
    }
    return v;
  }

  /// Step t of every input of batch element `batch`, as f32.
  SmallVector<Value> stepInputs(ImplicitLocOpBuilder &ib, Value batch,
                                Value t) {
    HeadIndex at{batch, nullptr, T};
    TileBuilder x(ib, at);
    SmallVector<Value> steps;
    for (Value input : op.getInputs())
      steps.push_back(x.toF32(extractWindow(ib, input, {batch, t})));
    return steps;
  }

  SmallVector<Value> combine(ImplicitLocOpBuilder &ib, ValueRange left,
                             ValueRange right) {
    SmallVector<Value> args(left);
    llvm::append_range(args, right);
    return inlineRegion(ib, op.getCombine(), args);
  }

  /// Folds the elements of steps [t0, t1) of `batch` into `h` in order.
  SmallVector<Value> foldSteps(ImplicitLocOpBuilder &ib, Value batch, Value t0,
                               Value t1, ValueRange h) {
    auto loop = scf::ForOp::create(
        ib, t0, t1, index(ib, 1), h,
        [&](OpBuilder &nb, Location loc, Value t, ValueRange iter) {
          ImplicitLocOpBuilder lb(loc, nb);
          SmallVector<Value> e =
              inlineRegion(lb, op.getElement(), stepInputs(lb, batch, t));
          scf::YieldOp::create(lb, combine(lb, iter, e));
        });
    return SmallVector<Value>(loop.getResults());
  }

  /// 1. E_s of every batch element and chunk s < S−1, [S, B, s...] each.
  SmallVector<Value> combinedChunks(Value S, Value L) {
    Value Sm1 = arith::SubIOp::create(b, S, index(b, 1));
    return buildForall(
        b, {B, Sm1}, perChunk(S), [&](ValueRange ivs, ValueRange) {
          Value batch = ivs[0], s = ivs[1];
          Value t0 = arith::MulIOp::create(b, s, L);
          Value t1 = arith::AddIOp::create(b, t0, L);
          SmallVector<Value> first =
              inlineRegion(b, op.getElement(), stepInputs(b, batch, t0));
          SmallVector<Value> E = foldSteps(
              b, batch, arith::AddIOp::create(b, t0, index(b, 1)), t1, first);
          SmallVector<ParallelInsert> inserts;
          for (Value v : E) {
            Window w = windowAt(b, cast<RankedTensorType>(v.getType()), {});
            w.offsets.insert(w.offsets.begin(), {s, batch});
            w.sizes.insert(w.sizes.begin(), 2, b.getIndexAttr(1));
            inserts.push_back({v, w.offsets, w.sizes});
          }
          return inserts;
        });
  }

  /// The initial state of batch element `batch`, as f32.
  SmallVector<Value> initialState(ImplicitLocOpBuilder &ib, Value batch) {
    HeadIndex at{batch, nullptr, T};
    TileBuilder x(ib, at);
    SmallVector<Value> h;
    for (Value init : op.getInits())
      h.push_back(x.toF32(extractWindow(ib, init, {batch})));
    return h;
  }

  /// 2. The carries c_s, [S, B, s...] each.
  SmallVector<Value> chunkCarries(ArrayRef<Value> E, Value S) {
    const unsigned n = op.getNumStates();
    Value Sm1 = arith::SubIOp::create(b, S, index(b, 1));
    return buildForall(b, {B}, perChunk(S), [&](ValueRange ivs, ValueRange) {
      Value batch = ivs[0];
      SmallVector<Value> iterInit = initialState(b, batch);
      for (unsigned s = 0; s < n; ++s) {
        SmallVector<OpFoldResult> sizes{S};
        for (int64_t d : stateType(s).getShape())
          sizes.push_back(b.getIndexAttr(d));
        iterInit.push_back(tensor::EmptyOp::create(b, sizes, b.getF32Type()));
      }
      auto setRow = [&](ImplicitLocOpBuilder &ib, Value row, Value into,
                        Value s) -> Value {
        Window w = windowAt(ib, cast<RankedTensorType>(into.getType()), {s});
        return tensor::InsertSliceOp::create(ib, row, into, w.offsets, w.sizes,
                                             w.strides);
      };
      auto loop = scf::ForOp::create(
          b, index(b, 0), Sm1, index(b, 1), iterInit,
          [&](OpBuilder &nb, Location loc, Value s, ValueRange iter) {
            ImplicitLocOpBuilder ib(loc, nb);
            SmallVector<Value> Es;
            for (Value e : E)
              Es.push_back(extractWindow(ib, e, {s, batch}));
            SmallVector<Value> next = combine(ib, iter.take_front(n), Es);
            for (unsigned p = 0; p < n; ++p)
              next.push_back(setRow(ib, iter[p], iter[n + p], s));
            scf::YieldOp::create(ib, next);
          });
      SmallVector<ParallelInsert> inserts;
      for (unsigned p = 0; p < n; ++p) {
        Value rows = setRow(b, loop.getResult(p), loop.getResult(n + p), Sm1);
        Window w = windowAt(b, stateType(p), {});
        w.offsets.insert(w.offsets.begin(), {b.getIndexAttr(0), batch});
        w.sizes.insert(w.sizes.begin(), {S, b.getIndexAttr(1)});
        inserts.push_back({rows, w.offsets, w.sizes});
      }
      return inserts;
    });
  }

  /// 3. Every chunk's steps from its carry (the initial state when
  /// `carries` is empty: one chunk), writing the outputs.
  SmallVector<Value> scanChunks(ArrayRef<Value> carries, Value S, Value L) {
    SmallVector<Value> outs;
    for (Value r : op.getResults()) {
      auto type = cast<RankedTensorType>(r.getType());
      SmallVector<OpFoldResult> sizes{B, T};
      for (int64_t d = 2; d < type.getRank(); ++d)
        sizes.push_back(b.getIndexAttr(type.getDimSize(d)));
      outs.push_back(tensor::EmptyOp::create(b, sizes, type.getElementType()));
    }
    const unsigned n = op.getNumStates();
    return buildForall(b, {B, S}, outs, [&](ValueRange ivs, ValueRange) {
      Value batch = ivs[0], s = ivs[1];
      Value t0 = arith::MulIOp::create(b, s, L);
      Value t1 = arith::MinUIOp::create(b, arith::AddIOp::create(b, t0, L), T);
      Value len = arith::SubIOp::create(b, t1, t0);
      SmallVector<Value> iterInit;
      if (carries.empty())
        iterInit = initialState(b, batch);
      else
        for (Value c : carries)
          iterInit.push_back(extractWindow(b, c, {s, batch}));
      for (Value r : op.getResults()) {
        auto type = cast<RankedTensorType>(r.getType());
        SmallVector<OpFoldResult> sizes{len};
        for (int64_t d = 2; d < type.getRank(); ++d)
          sizes.push_back(b.getIndexAttr(type.getDimSize(d)));
        iterInit.push_back(
            tensor::EmptyOp::create(b, sizes, type.getElementType()));
      }
      auto loop = scf::ForOp::create(
          b, t0, t1, index(b, 1), iterInit,
          [&](OpBuilder &nb, Location loc, Value t, ValueRange iter) {
            ImplicitLocOpBuilder ib(loc, nb);
            HeadIndex at{batch, nullptr, T};
            TileBuilder x(ib, at);
            SmallVector<Value> steps = stepInputs(ib, batch, t);
            SmallVector<Value> e = inlineRegion(ib, op.getElement(), steps);
            SmallVector<Value> next = combine(ib, iter.take_front(n), e);
            SmallVector<Value> readArgs(next);
            readArgs.append(steps);
            SmallVector<Value> y = inlineRegion(ib, op.getRead(), readArgs);
            Value row = arith::SubIOp::create(ib, t, t0);
            for (auto [o, rows] : llvm::enumerate(iter.drop_front(n))) {
              auto rowsType = cast<RankedTensorType>(rows.getType());
              Window w = windowAt(ib, rowsType, {row});
              next.push_back(tensor::InsertSliceOp::create(
                  ib, x.convertTo(y[o], rowsType.getElementType()), rows,
                  w.offsets, w.sizes, w.strides));
            }
            scf::YieldOp::create(ib, next);
          });
      SmallVector<ParallelInsert> inserts;
      for (auto [o, r] : llvm::enumerate(op.getResults())) {
        Window w =
            windowAt(b, cast<RankedTensorType>(r.getType()), {batch}, t0, len);
        inserts.push_back({loop.getResult(n + o), w.offsets, w.sizes});
      }
      return inserts;
    });
  }

  ImplicitLocOpBuilder &b;
  mixer::PrefixScanOp op;
  Value B, T;
};

void lower(RewriterBase &rewriter, mixer::PrefixScanOp op,
           std::optional<int64_t> minChunk) {
  ImplicitLocOpBuilder b(op.getLoc(), rewriter);
  b.setInsertionPoint(op);
  PrefixScanBuilder builder(b, op);
  rewriter.replaceOp(
      op, castToTypes(b, op->getResultTypes(), builder.build(minChunk)));
}
} // namespace

void mixir::forms::prefix_scan::lowerScan(RewriterBase &rewriter,
                                          mixer::PrefixScanOp op) {
  lower(rewriter, op, std::nullopt);
}

void mixir::forms::prefix_scan::lowerParallelScan(RewriterBase &rewriter,
                                                  mixer::PrefixScanOp op,
                                                  int64_t minChunk) {
  lower(rewriter, op, minChunk);
}
