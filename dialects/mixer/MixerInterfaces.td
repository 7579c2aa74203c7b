//===- MixerInterfaces.td - what generic machinery asks a mixer -*- tablegen -*-===//
//
// Two interfaces split what the compiler needs to know of a mixer op:
// - MixerOpInterface: facts of the IR (the role of every tensor dimension,
//   in-place results, which algorithm forms exist), implemented by every
//   mixer op in its own ODS and C++.
// - MixerFormInterface: the cost and the lowering of each form, attached as
//   an external model by the op's structure class (lib/Forms/<Class>/), so
//   that the dialect does not depend on the form builders.
// The ABI analysis, form selection, the lowering pass, the driver and the
// pipeline are written against these two and never name a concrete op
// (docs/design.md, "Adding a mixer class").
//
//===----------------------------------------------------------------------===//
#ifndef MIXER_INTERFACES_TD
#define MIXER_INTERFACES_TD

include "mlir/IR/OpBase.td"

def Mixer_MixerOpInterface : OpInterface<"MixerOpInterface"> {
  let cppNamespace = "::mixir::mixer";
  let description = [{
    A sequence mixer: an op that applies a structured T×T matrix along the
    sequence of a batch of multi-head tensors. Generic passes read its
    tensors' dimension roles (which sizes must agree, which is the length),
    its in-place results and the forms it can be computed in from here.
  }];
  let methods = [
    InterfaceMethod<[{
        Every tensor operand and result with, per dimension, a size symbol
        ("B", "T", "H", "K", "V", ...) or an empty string for a dimension
        without a role. Within one op, dimensions that carry the same symbol
        have equal sizes; "B" is the batch and "T" the sequence length the
        forms' costs depend on.
      }],
      "::llvm::SmallVector<::mixir::mixer::TensorRoles>", "getTensorRoles">,
    InterfaceMethod<[{
        The operand whose buffer result `result` may overwrite in place (a
        final state written over its initial state), if any.
      }],
      "std::optional<unsigned>", "getInPlaceOperand",
      (ins "unsigned":$result),
      [{}], [{ return std::nullopt; }]>,
    InterfaceMethod<[{
        The names of the algorithm forms this op (with its operands and
        attributes) can be computed in. Every op has `scan`, its sequential
        form.
      }],
      "::llvm::SmallVector<::llvm::StringRef>", "getForms">,
    InterfaceMethod<[{
        Why `form` is not among getForms(), for the diagnostic; empty when
        there is nothing to say beyond "it has no such form".
      }],
      "std::string", "getMissingFormReason", (ins "::llvm::StringRef":$form),
      [{}], [{ return std::string(); }]>,
    InterfaceMethod<[{
        The largest tile `form` takes on this op (at most kMaxTile).
      }],
      "int64_t", "getMaxTile", (ins "::llvm::StringRef":$form),
      [{}], [{ return ::mixir::mixer::kMaxTile; }]>,
    InterfaceMethod<"The form chosen or pinned (null: none yet).",
      "::mixir::mixer::FormAttr", "getSelectedForm", (ins), [{}],
      [{ return $_op.getFormAttr(); }]>,
    InterfaceMethod<"Records the form.",
      "void", "setSelectedForm", (ins "::mixir::mixer::FormAttr":$form), [{}],
      [{ $_op.setFormAttr(form); }]>,
  ];
  // After the op's own verifier: getForms() may read its operands.
  let verify = [{ return ::mixir::mixer::detail::verifyMixerOp($_op); }];
  let verifyWithRegions = 1;
}

def Mixer_MixerFormInterface : OpInterface<"MixerFormInterface"> {
  let cppNamespace = "::mixir::mixer";
  let description = [{
    The cost and the lowering of a mixer op's forms. A structure class
    attaches it to its op as an external model (lib/Forms/<Class>/); the
    dialect promises it, so a tool that forgot to register the class's
    forms reports that instead of miscompiling.
  }];
  let methods = [
    InterfaceMethod<[{
        The tile (chunk or block length) the cost model uses for `form`, or
        0 when the form takes no tile.
      }],
      "int64_t", "getDefaultTile", (ins "::llvm::StringRef":$form)>,
    InterfaceMethod<[{
        The estimated cost of computing one (batch, head) of length `T` in
        `form` with tile `tile` (0: the default tile), in flops weighted by
        how fast the target runs each kind of work (docs/forms-and-cost-model.md).
      }],
      "double", "estimateCost",
      (ins "::llvm::StringRef":$form, "int64_t":$T, "int64_t":$tile)>,
    InterfaceMethod<[{
        Replaces the op, whose form is set, by its form's loops over tiles on
        tensors (scf, linalg, tensor, arith, math and mixer.num_workers).
        Fails with a diagnostic when it cannot.
      }],
      "::llvm::LogicalResult", "lowerForm",
      (ins "::mlir::RewriterBase &":$rewriter)>,
  ];
}

#endif // MIXER_INTERFACES_TD
