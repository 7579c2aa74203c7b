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

LogicalResult mixir::mixer::detail::verifyMixerOp(Operation *op) {
  auto mixer = cast<MixerOpInterface>(op);
  FormAttr form = mixer.getSelectedForm();
  if (!form)
    return success();
  if (llvm::is_contained(mixer.getForms(), form.getKind())) {
    int64_t most = mixer.getMaxTile(form.getKind());
    if (form.getTile() > most)
      return op->emitOpError()
             << "takes " << form.getKind() << " tiles of at most " << most
             << " tokens, got " << form.getTile();
    return success();
  }
  InFlightDiagnostic diag = op->emitOpError()
                            << "has no '" << form.getKind()
                            << "' form (its forms: " << formList(mixer) << ")";
  std::string reason = mixer.getMissingFormReason(form.getKind());
  if (!reason.empty())
    diag << ": " << reason;
  return diag;
}
