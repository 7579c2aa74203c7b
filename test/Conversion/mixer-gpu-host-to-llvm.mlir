// RUN: mixir-opt %s -mixer-gpu-host-to-llvm | FileCheck %s

// The host side of a GPU kernel: the binary's objects become constant
// globals (the cubin, and the PTX with its NUL the runtime falls back to), a device buffer a call of the runtime's stream-ordered
// allocator with a descriptor around it, and the launch a call of
// mixir_cuda_launch with an array of the addresses of the kernel's
// parameters: the memref as its descriptor's five fields (allocated,
// aligned, offset, size, stride), then the index.
// CHECK-DAG: llvm.mlir.global internal constant @kernels_k_name("k\00")
// CHECK-DAG: llvm.mlir.global internal constant @kernels_image("CUBIN")
// CHECK-DAG: llvm.mlir.global internal constant @kernels_ptx("//ptx\00")
// CHECK-NOT: gpu.binary
// The parameter slots are allocated in the entry block.
// CHECK-LABEL: llvm.func @host(
// CHECK: %[[PARAMS:.*]] = llvm.alloca %{{.*}} x !llvm.ptr
// CHECK-COUNT-2: llvm.alloca %{{.*}} x !llvm.ptr
// CHECK-COUNT-4: llvm.alloca %{{.*}} x i64
// CHECK: %[[BYTES:.*]] = llvm.ptrtoint
// CHECK: %[[PTR:.*]] = llvm.call @mixir_cuda_alloc(%[[BYTES]]) : (i64) -> !llvm.ptr
// CHECK: %[[IMAGE:.*]] = llvm.mlir.addressof @kernels_image
// CHECK: %[[PTX:.*]] = llvm.mlir.addressof @kernels_ptx
// CHECK: %[[NAMEG:.*]] = llvm.mlir.addressof @kernels_k_name
// CHECK: %[[NAME:.*]] = llvm.getelementptr %[[NAMEG]][0, 0]
// CHECK-COUNT-12: llvm.store
// CHECK: llvm.call @mixir_cuda_launch(%[[IMAGE]], %[[PTX]], %[[NAME]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[PARAMS]])
// CHECK: llvm.call @mixir_cuda_free(%{{.*}})
module attributes {gpu.container_module} {
  func.func @host(%n: index) {
    %c1 = arith.constant 1 : index
    %c128 = arith.constant 128 : index
    %smem = arith.constant 1024 : i32
    %buf = gpu.alloc (%n) : memref<?xf32>
    gpu.launch_func @kernels::@k blocks in (%n, %c1, %c1) threads in (%c128, %c1, %c1) dynamic_shared_memory_size %smem args(%buf : memref<?xf32>, %n : index)
    gpu.dealloc %buf : memref<?xf32>
    return
  }
  gpu.binary @kernels [#gpu.object<#nvvm.target<chip = "sm_90">, bin = "CUBIN">, #gpu.object<#nvvm.target<chip = "sm_90">, assembly = "//ptx">]
}
