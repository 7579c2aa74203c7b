//===- MixerInterfaces.h - what generic machinery asks a mixer --*- C++ -*-===//
#ifndef MIXIR_DIALECT_MIXER_MIXERINTERFACES_H
#define MIXIR_DIALECT_MIXER_MIXERINTERFACES_H

#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/SmallVector.h"

#include <string>

namespace mixir::mixer {
class FormAttr;

/// The roles of one tensor of a mixer op: per dimension a size symbol
/// ("B", "T", "H", "K", "V", ...) or "" (docs/design.md). Dimensions of one op
/// with the same symbol have equal sizes.
struct TensorRoles {
  mlir::Value value;
  llvm::SmallVector<llvm::StringRef, 4> dims;
};

/// The symbol of the batch dimension and of the sequence length.
inline constexpr llvm::StringLiteral kBatchRole = "B";
inline constexpr llvm::StringLiteral kLengthRole = "T";
/// The name of every op's sequential form.
inline constexpr llvm::StringLiteral kScanForm = "scan";

namespace detail {
/// The interface's verifier: a form set on the op is one of its forms.
mlir::LogicalResult verifyMixerOp(mlir::Operation *op);
} // namespace detail
} // namespace mixir::mixer

#include "mixer/MixerInterfaces.h.inc"

namespace mixir::mixer {
/// The forms of `op` as one comma-separated string, for diagnostics.
std::string formList(MixerOpInterface op);
/// Succeeds when `form` is one of `op`'s forms and `tile` (0: the default)
/// is no larger than the form takes; else reports why, at the op.
mlir::LogicalResult checkForm(MixerOpInterface op, llvm::StringRef form,
                              int64_t tile);
/// The cost and lowering of `op`'s forms, or null with a diagnostic at the
/// op when the tool registered none (mixir::forms::registerFormModels).
MixerFormInterface getFormModel(MixerOpInterface op);
/// The (tensor, dimension) whose size is the sequence length T of `op`
/// (the first dimension with role "T"), if it has one.
std::optional<std::pair<mlir::Value, unsigned>>
lengthDimension(MixerOpInterface op);
} // namespace mixir::mixer

#endif // MIXIR_DIALECT_MIXER_MIXERINTERFACES_H
