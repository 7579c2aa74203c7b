// RUN: mixir-opt %s -pass-pipeline="builtin.module(gpu.module(mixer-extern-dynamic-shared))" | FileCheck %s

// The zero-length shared global convert-gpu-to-nvvm makes for
// gpu.dynamic_shared_memory becomes an external declaration (PTX's
// `.extern .shared .b8 x[]`); other globals stay as they are.
// CHECK-LABEL: gpu.module @kernels
// CHECK: llvm.mlir.global external @__dynamic_shmem__0() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<0 x i8>
// CHECK: llvm.mlir.global internal @table(dense<1.000000e+00> : tensor<4xf32>) {addr_space = 3 : i32} : !llvm.array<4 x f32>
// CHECK: llvm.mlir.global internal constant @consts(dense<2.000000e+00> : tensor<0xf32>) {addr_space = 0 : i32} : !llvm.array<0 x f32>
gpu.module @kernels {
  llvm.mlir.global internal @__dynamic_shmem__0() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<0 x i8>
  llvm.mlir.global internal @table(dense<1.0> : tensor<4xf32>) {addr_space = 3 : i32} : !llvm.array<4 x f32>
  llvm.mlir.global internal constant @consts(dense<2.0> : tensor<0xf32>) {addr_space = 0 : i32} : !llvm.array<0 x f32>
}
