// RUN: mixir-opt %s -split-input-file -mixer-flush-subnormals -verify-diagnostics | FileCheck %s

// A kernel behind a C entry point sets flush-to-zero on entry and restores
// the caller's control word before each return; each parallel loop
// iteration (an OpenMP worker's) does the same. Functions that are not
// kernels are left alone.
// CHECK-LABEL: module attributes {mixer.c_abi
// CHECK-DAG: func.func private @mixir_rt_flush_subnormals_begin() -> i32
// CHECK-DAG: func.func private @mixir_rt_flush_subnormals_end(i32)
// CHECK-LABEL: func.func @__mixir_kernel
// CHECK-NEXT: %[[SAVED:.*]] = call @mixir_rt_flush_subnormals_begin() : () -> i32
// CHECK: scf.parallel
// CHECK-NEXT: %[[INNER:.*]] = func.call @mixir_rt_flush_subnormals_begin() : () -> i32
// CHECK: memref.store
// CHECK-NEXT: func.call @mixir_rt_flush_subnormals_end(%[[INNER]]) : (i32) -> ()
// CHECK-NEXT: scf.reduce
// CHECK: cf.cond_br
// CHECK: call @mixir_rt_flush_subnormals_end(%[[SAVED]]) : (i32) -> ()
// CHECK-NEXT: return
// CHECK: call @mixir_rt_flush_subnormals_end(%[[SAVED]]) : (i32) -> ()
// CHECK-NEXT: return
// CHECK-LABEL: func.func @helper
// CHECK-NOT: flush_subnormals
// CHECK: return
module attributes {mixer.c_abi = [{impl = "__mixir_kernel", name = "kernel"}]} {
  func.func @__mixir_kernel(%m: memref<?xf32>, %n: index, %early: i1) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %zero = arith.constant 0.0 : f32
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      memref.store %zero, %m[%i] : memref<?xf32>
      scf.reduce
    }
    cf.cond_br %early, ^early, ^late
  ^early:
    return
  ^late:
    return
  }
  func.func @helper() {
    return
  }
}

// -----

// The runtime's names are reserved.
module attributes {mixer.c_abi = [{impl = "__mixir_kernel", name = "kernel"}]} {
  // expected-error@+1 {{'@mixir_rt_flush_subnormals_begin' is reserved for the mixir runtime, as '() -> i32'}}
  func.func private @mixir_rt_flush_subnormals_begin() -> f32
  func.func @__mixir_kernel() {
    return
  }
}
