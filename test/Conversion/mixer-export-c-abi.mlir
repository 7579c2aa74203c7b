// RUN: mixir-opt %s -mixer-export-c-abi -split-input-file -verify-diagnostics | FileCheck %s
// RUN: mixir-opt %s -mixer-export-c-abi="device-type=2 begin-function=mixir_cuda_begin end-function=mixir_cuda_end" -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=CUDA

// CHECK: llvm.mlir.global internal constant @__mixir_f_signature("f(x:f32[T,4])->(y:f32[T,4])\00")
// CHECK: llvm.func internal @__mixir_f(
// CHECK: llvm.func internal @helper()
// CHECK: llvm.func @mixir_rt_bind_device(!llvm.ptr, i32, i32, i32, !llvm.ptr, !llvm.ptr, i32, !llvm.ptr) -> i32
// CHECK-LABEL: llvm.func @f(
// CHECK-SAME: %[[X:.*]]: !llvm.ptr, %[[Y:.*]]: !llvm.ptr) -> i32
// CHECK: %[[ID0:.*]] = llvm.mlir.constant(0 : i32) : i32
// CHECK: %[[TENSORS:.*]] = llvm.alloca %{{.*}} x !llvm.ptr
// CHECK: %[[SLOT:.*]] = llvm.getelementptr %[[TENSORS]][0]
// CHECK: llvm.store %[[X]], %[[SLOT]]
// CHECK: %[[SYMS:.*]] = llvm.alloca %{{.*}} x i64
// CHECK: %[[DATA:.*]] = llvm.alloca %{{.*}} x !llvm.ptr
// The CPU: device type 1 (kDLCPU), id 0.
// CHECK: %[[CPU:.*]] = llvm.mlir.constant(1 : i32) : i32
// CHECK: %[[RC:.*]] = llvm.call @mixir_rt_bind_device(%{{.*}}, %[[CPU]], %[[ID0]], %{{.*}}, %[[TENSORS]], %[[SYMS]], %{{.*}}, %[[DATA]])
// CHECK: %[[OK:.*]] = llvm.icmp "eq" %[[RC]]
// CHECK: llvm.cond_br %[[OK]], ^[[CALL:.*]], ^[[FAIL:.*]]
// CHECK: ^[[CALL]]:
// CHECK: %[[TSLOT:.*]] = llvm.getelementptr %[[SYMS]][0]
// CHECK: %[[T:.*]] = llvm.load %[[TSLOT]] : !llvm.ptr -> i64
// CHECK: %[[XSLOT:.*]] = llvm.getelementptr %[[DATA]][0]
// CHECK: %[[PX:.*]] = llvm.load %[[XSLOT]] : !llvm.ptr -> !llvm.ptr
// CHECK: llvm.call @__mixir_f(%[[PX]], %[[PX]], %{{.*}}, %[[T]],
// CHECK: llvm.return %{{.*}} : i32
// CHECK: ^[[FAIL]]:
// CHECK: llvm.return %[[RC]] : i32
// For kernels on a GPU (prefix CUDA) the entry first asks the runtime for
// the device (returning its error), checks the tensors against kDLCUDA (2)
// on that device, and returns what the launches reported.
// CUDA-LABEL: llvm.func @f(
// CUDA: %[[SLOT:.*]] = llvm.alloca %{{.*}} x i32
// CUDA: %[[BEGIN:.*]] = llvm.call @mixir_cuda_begin(%[[SLOT]]) : (!llvm.ptr) -> i32
// CUDA: llvm.cond_br %{{.*}}, ^[[STARTED:.*]], ^[[NODEVICE:.*]]
// CUDA: ^[[STARTED]]:
// CUDA: %[[DEV:.*]] = llvm.load %[[SLOT]] : !llvm.ptr -> i32
// CUDA: %[[RC:.*]] = llvm.call @mixir_rt_bind_device(%{{.*}}, %{{.*}}, %[[DEV]],
// CUDA: ^[[NODEVICE]]:
// CUDA-NEXT: llvm.return %[[BEGIN]] : i32
// CUDA: llvm.call @__mixir_f(
// CUDA-NEXT: %[[END:.*]] = llvm.call @mixir_cuda_end() : () -> i32
// CUDA-NEXT: llvm.return %[[END]] : i32
module attributes {mixer.c_abi = [{dims = [array<i64: -1, 4>, array<i64: -1, 4>], impl = "__mixir_f", name = "f", num_inputs = 1 : i64, num_symbols = 1 : i64, signature = "f(x:f32[T,4])->(y:f32[T,4])"}]} {
  llvm.func @__mixir_f(%a0: !llvm.ptr, %a1: !llvm.ptr, %a2: i64, %a3: i64, %a4: i64, %a5: i64, %a6: i64,
                       %b0: !llvm.ptr, %b1: !llvm.ptr, %b2: i64, %b3: i64, %b4: i64, %b5: i64, %b6: i64) {
    llvm.return
  }
  llvm.func @helper() {
    llvm.return
  }
}

// -----

// expected-error @+1 {{mixer-export-c-abi: kernel '__mixir_g' was not lowered to the LLVM dialect}}
module attributes {mixer.c_abi = [{dims = [array<i64: 4>], impl = "__mixir_g", name = "g", num_inputs = 1 : i64, num_symbols = 0 : i64, signature = "g(x:f32[4])->()"}]} {
}

// -----

module attributes {mixer.c_abi = [{dims = [array<i64: 4>], impl = "__mixir_h", name = "h", num_inputs = 1 : i64, num_symbols = 0 : i64, signature = "h(x:f32[4])->()"}]} {
  // expected-error @+1 {{mixer-export-c-abi: expected 5 descriptor arguments, found 1}}
  llvm.func @__mixir_h(%a0: !llvm.ptr) {
    llvm.return
  }
}
