//===- Tiles.h - tiles of one head, and arithmetic on them -------*- C++ -*-===//
//
// The pieces every structure class builds its forms from, on tensors:
//   - the per-(batch, head) skeleton: an `scf.forall` over (B, H) whose body
//     fills one head's slice of each result;
//   - static tiles of C tokens of one head of a [B, T, H, D] operand,
//     zero-padded to C rows and converted to f32 (every computed value is
//     f32, whatever the element type of the inputs), and their store back
//     into a result, converted to its element type;
//   - element-wise tile arithmetic, in-place updates, cumulative sums and
//     matmul-shaped contractions (`linalg.generic`s that the CPU's register
//     tiling and a GPU mapping both recognise).
// Nothing here knows a mixer op: a class passes its operands as values.
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_LIB_FORMS_COMMON_TILES_H
#define MIXIR_LIB_FORMS_COMMON_TILES_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/PatternMatch.h"

namespace mixir::forms {

/// The (batch, head) a per-head body computes, and the sequence length.
struct HeadIndex {
  mlir::Value b, h, T; ///< index values
};

/// A result filled one (batch, head) at a time: its element type and sizes,
/// and the positions of its batch and head dimensions. A body sees the slice
/// of the other dimensions (e.g. [T, V] of a [B, T, H, V] output).
struct PerHeadResult {
  mlir::Type elementType;
  llvm::SmallVector<mlir::OpFoldResult> sizes;
  unsigned batchDim, headDim;
};

/// A slice that one iteration of an scf.forall writes into a shared output.
struct ParallelInsert {
  mlir::Value source;
  llvm::SmallVector<mlir::OpFoldResult> offsets, sizes;
};

/// An scf.forall over [0, ubs) with shared outputs `outs`, at the builder's
/// insertion point; `body` builds one iteration from the induction variables
/// and the shared outputs and returns what it writes into each of them.
llvm::SmallVector<mlir::Value> buildForall(
    mlir::ImplicitLocOpBuilder &b, llvm::ArrayRef<mlir::OpFoldResult> ubs,
    mlir::ValueRange outs,
    llvm::function_ref<llvm::SmallVector<ParallelInsert>(mlir::ValueRange,
                                                         mlir::ValueRange)>
        body);

/// A scalar float converted to another float type, through f32 (f16, bf16
/// and f32 convert to one another exactly or with one rounding).
mlir::Value convertScalar(mlir::ImplicitLocOpBuilder &b, mlir::Value x,
                          mlir::Type to);

/// The element type of a tensor value.
mlir::Type elementTypeOf(mlir::Value tensor);

/// Computes one head: given its slice of every result, returns the new
/// slices (f32 values are converted to the result's element type).
using PerHeadBody = llvm::function_ref<llvm::SmallVector<mlir::Value>(
    mlir::ImplicitLocOpBuilder &, const HeadIndex &, mlir::ValueRange)>;

/// An `scf.forall` over (B, numHeads) around `body`, at the builder's
/// insertion point; returns the filled results.
llvm::SmallVector<mlir::Value>
buildPerHead(mlir::ImplicitLocOpBuilder &b, mlir::Value B, mlir::Value T,
             int64_t numHeads, llvm::ArrayRef<PerHeadResult> results,
             PerHeadBody body);

/// `values` cast to `types` where those are more static.
llvm::SmallVector<mlir::Value> castToTypes(mlir::ImplicitLocOpBuilder &b,
                                           mlir::TypeRange types,
                                           llvm::SmallVector<mlir::Value> values);

/// A window of a tensor: the indices `lead` of its leading dimensions
/// (size 1 each), then, when `len` is given, rows [start, start + len) of
/// the next dimension (start 0 when null), and the whole of the others.
struct Window {
  llvm::SmallVector<mlir::OpFoldResult> offsets, sizes, strides;
};
Window windowAt(mlir::OpBuilder &b, mlir::RankedTensorType type,
                llvm::ArrayRef<mlir::Value> lead, mlir::Value start = nullptr,
                mlir::Value len = nullptr);

/// The window of `x` (see windowAt), its `lead` dimensions dropped.
mlir::Value extractWindow(mlir::ImplicitLocOpBuilder &b, mlir::Value x,
                          llvm::ArrayRef<mlir::Value> lead,
                          mlir::Value start = nullptr,
                          mlir::Value len = nullptr);
/// The window `w` of `x`, its first `numLead` dimensions (of size 1)
/// dropped.
mlir::Value extractWindow(mlir::ImplicitLocOpBuilder &b, mlir::Value x,
                          const Window &w, unsigned numLead);

/// Float ops inside contractions may be reassociated and contracted into
/// FMAs: the references tolerate 1e-4 relative error in f32.
mlir::arith::FastMathFlagsAttr contractionFastMath(mlir::OpBuilder &b);

/// A map of `numDims` dimensions selecting `dims`.
mlir::AffineMap dimsMap(mlir::MLIRContext *ctx, unsigned numDims,
                        llvm::ArrayRef<unsigned> dims);

/// Tile builders for one head.
class TileBuilder {
public:
  TileBuilder(mlir::ImplicitLocOpBuilder &b, const HeadIndex &at)
      : b(b), at(at) {}

  // Constants and scalars.
  mlir::Value index(int64_t v);
  mlir::Value f32(double v);
  /// min(size, T - t0).
  mlir::Value tileLength(mlir::Value t0, int64_t size);

  // Reading operands at this head, converted to f32.
  /// Row t of a [B,T,H,D] operand: tensor<D>.
  mlir::Value row(mlir::Value x, mlir::Value t);
  /// Element [b, t, h] of a [B,T,H] operand, and element [h] of an [H] one.
  mlir::Value scalarAt(mlir::Value x, mlir::Value t);
  mlir::Value headScalar(mlir::Value x);
  /// Tokens [t0, t0+len) of a [B,T,H,D] operand, zero-padded to `size` rows:
  /// tensor<size x D x f32>.
  mlir::Value tile(mlir::Value x, mlir::Value t0, mlir::Value len,
                   int64_t size);
  /// Same for a [B,T,H] operand: tensor<size x f32>.
  mlir::Value tile1d(mlir::Value x, mlir::Value t0, mlir::Value len,
                     int64_t size);
  /// The slice [b, h] of a [B,H,R,C] operand: tensor<R x C x f32>.
  mlir::Value headMatrix(mlir::Value x);
  /// Writes rows [0, len) of `tileRows` (C×D, f32) into `rows` (T×D, any
  /// float type) at row t0.
  mlir::Value storeRows(mlir::Value tileRows, mlir::Value rows,
                        mlir::Value t0, mlir::Value len);
  /// Writes elements [0, len) of `tile` (C, f32) into `out` (T) at t0.
  mlir::Value storeElements(mlir::Value tile, mlir::Value out,
                            mlir::Value t0, mlir::Value len);

  // Element types.
  /// `x` (a scalar or a static tensor) as f32, and f32 `x` as `elementType`.
  mlir::Value toF32(mlir::Value x);
  mlir::Value convertTo(mlir::Value x, mlir::Type elementType);

  // Element-wise arithmetic.
  /// Inclusive cumulative sum along the tile's first dimension, one row at
  /// a time (O(C·D)).
  mlir::Value cumsum(mlir::Value tile);
  /// Row t of a tile (tensor<C> → f32, tensor<C x D> → tensor<D>), and the
  /// tile with row t replaced.
  mlir::Value rowAt(mlir::Value tile, mlir::Value t);
  mlir::Value setRowAt(mlir::Value tile, mlir::Value row, mlir::Value t);
  mlir::Value lastRow(mlir::Value tile);
  /// Elementwise sum and product of two scalars or two tensors of one
  /// static shape.
  mlir::Value addRows(mlir::Value a, mlir::Value c);
  mlir::Value mulRows(mlir::Value a, mlir::Value c);
  /// exp of a scalar or of a tensor, elementwise.
  mlir::Value expRow(mlir::Value row);
  mlir::Value exp(mlir::Value x);
  /// -x, elementwise.
  mlir::Value negate(mlir::Value x);
  /// x[t, i] * e[i] for e: tensor<D>, or x[t, i] * e for a scalar e.
  mlir::Value scaleColumns(mlir::Value x, mlir::Value e);
  /// x[t, i] * s[t] for s: tensor<C>.
  mlir::Value scaleRows(mlir::Value x, mlir::Value s);
  /// x[t, s] = body(inputs at their maps..., x[t, s]) over a 2-D x, updated
  /// in place (x is the generic's init, so a loop-carried x keeps one
  /// buffer).
  mlir::Value updateInPlace2D(
      mlir::Value x, mlir::ValueRange inputs,
      llvm::ArrayRef<mlir::AffineMap> inputMaps,
      llvm::function_ref<mlir::Value(mlir::ImplicitLocOpBuilder &,
                                     mlir::ValueRange)>
          body);

  /// A tensor filled with `value`, and with zeros.
  mlir::Value filled(llvm::ArrayRef<int64_t> shape, double value);
  mlir::Value zeros(llvm::ArrayRef<int64_t> shape);
  /// The C×C identity.
  mlir::Value identity(int64_t n);

  // Contractions.
  /// acc[accMap] += Σ lhs[lhsMap] * rhs[rhsMap] over the iteration space of
  /// the maps.
  mlir::Value contract(mlir::Value lhs, mlir::AffineMap lhsMap,
                       mlir::Value rhs, mlir::AffineMap rhsMap,
                       mlir::Value acc, mlir::AffineMap accMap,
                       llvm::ArrayRef<mlir::utils::IteratorType> iterators);
  /// acc[t, j] += Σ_i a[t, i] c[i, j]
  mlir::Value matmulAcc(mlir::Value a, mlir::Value c, mlir::Value acc);
  /// The transpose of a 2-D tile.
  mlir::Value transpose(mlir::Value x);
  /// acc[t, s] += Σ_i a[t, i] c[s, i]
  mlir::Value matmulTransBAcc(mlir::Value a, mlir::Value c, mlir::Value acc);
  /// acc[i, j] += Σ_s a[s, i] c[s, j]
  mlir::Value matmulTransAAcc(mlir::Value a, mlir::Value c, mlir::Value acc);

  /// X with X = R + L X, for L (C×C) strictly lower triangular and R (C×N):
  /// forward substitution, i.e. X = (I − L)⁻¹ R. In sub-blocks of 16 rows
  /// when 16 divides C: the blocks below the diagonal are matmuls
  /// X_i += L_ij X_j, and only the 16×16 diagonal blocks go row by row.
  mlir::Value solveUnitLower(mlir::Value L, mlir::Value R);

  mlir::ImplicitLocOpBuilder &b;
  const HeadIndex &at;
};

} // namespace mixir::forms

#endif // MIXIR_LIB_FORMS_COMMON_TILES_H
