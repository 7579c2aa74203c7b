//===- MixerInterfaces.cpp - what generic machinery asks a mixer ------------===//
#include "mixir/Dialect/Mixer/MixerOps.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace mixir::mixer;

#include "mixer/MixerInterfaces.cpp.inc"

std::string mixir::mixer::formList(MixerOpInterface op) {
  return llvm::join(op.getForms(), ", ");
}

std::optional<std::pair<Value, unsigned>>
mixir::mixer::lengthDimension(MixerOpInterface op) {
  for (const TensorRoles &tensor : op.getTensorRoles())
    for (auto [d, role] : llvm::enumerate(tensor.dims))
      if (role == kLengthRole)
        return std::make_pair(tensor.value, static_cast<unsigned>(d));
  return std::nullopt;
}

LogicalResult mixir::mixer::checkForm(MixerOpInterface op, StringRef form,
                                      int64_t tile) {
  if (!llvm::is_contained(op.getForms(), form)) {
    InFlightDiagnostic diag = op->emitOpError()
                              << "has no '" << form
                              << "' form (its forms: " << formList(op) << ")";
    std::string reason = op.getMissingFormReason(form);
    if (!reason.empty())
      diag << ": " << reason;
    return diag;
  }
  int64_t most = op.getMaxTile(form);
  if (tile > most)
    return op->emitOpError() << "takes " << form << " tiles of at most "
                             << most << " tokens, got " << tile;
  return success();
}

MixerFormInterface mixir::mixer::getFormModel(MixerOpInterface op) {
  auto model = dyn_cast<MixerFormInterface>(op.getOperation());
  if (!model)
    op->emitOpError() << "has no form models registered (the tool did not "
                         "register mixir::forms::registerFormModels)";
  return model;
}

LogicalResult mixir::mixer::detail::verifyMixerOp(Operation *op) {
  auto mixer = cast<MixerOpInterface>(op);
  FormAttr form = mixer.getSelectedForm();
  if (!form)
    return success();
  return checkForm(mixer, form.getKind(), form.getTile());
}
