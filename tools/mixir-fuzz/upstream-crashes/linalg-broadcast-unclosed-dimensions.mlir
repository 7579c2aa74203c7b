// Crashes MLIR 22 itself: `mlir-opt` from Debian (llvm-22) segfaults on it
// (linalg.broadcast's parser sets a null `dimensions` attribute after the
// error), so every MLIR tool does, mixir-opt and mixirc included. Found by
// the .mlir fuzz target (scripts/fuzz.sh), which now skips inputs that use
// linalg.broadcast's custom syntax; kept to check a newer LLVM.
func.func @f(%a: tensor<4xf32>, %e: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %b = linalg.broadcast ins(%a : tensor<4xf32>) outs(%e : tensor<4x64xf32>) dimensions = [4xf32>
  return %b : tensor<4x64xf32>
}
