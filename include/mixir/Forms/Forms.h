//===- Forms.h - the forms of every structure class -------------*- C++ -*-===//
//
// Each structure class (lib/Forms/<Class>/) attaches the cost and lowering
// of its op's forms (MixerFormInterface) as an external model; a tool
// registers them all with registerFormModels.
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_FORMS_FORMS_H
#define MIXIR_FORMS_FORMS_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace mixir::forms {

/// The forms of mixer.semiseparable (lib/Forms/Semiseparable/).
void registerSemiseparableFormModels(mlir::DialectRegistry &registry);

/// The forms of mixer.attention (lib/Forms/Attention/).
void registerAttentionFormModels(mlir::DialectRegistry &registry);

/// The forms of mixer.recurrence (lib/Forms/Recurrence/).
void registerRecurrenceFormModels(mlir::DialectRegistry &registry);

/// The forms of mixer.diagonal_recurrence (lib/Forms/Diagonal/).
void registerDiagonalRecurrenceFormModels(mlir::DialectRegistry &registry);

/// The forms of mixer.prefix_scan (lib/Forms/PrefixScan/).
void registerPrefixScanFormModels(mlir::DialectRegistry &registry);

/// Every structure class's forms.
void registerFormModels(mlir::DialectRegistry &registry);

} // namespace mixir::forms

#endif // MIXIR_FORMS_FORMS_H
