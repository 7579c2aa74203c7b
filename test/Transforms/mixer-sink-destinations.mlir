// RUN: mixir-opt %s -mixer-sink-destinations -split-input-file | FileCheck %s

// A nested dispatch with two results: every leaf branch writes both
// destinations itself, and the scf.if ops lose the results.
// CHECK-LABEL: func @nested
// CHECK: scf.if %{{.*}} {
// CHECK-NEXT: %[[A:.*]] = tensor.empty
// CHECK-NEXT: %[[B:.*]] = tensor.empty
// CHECK-DAG: bufferization.materialize_in_destination %[[A]] in restrict writable %[[OUT:.*]] :
// CHECK-DAG: bufferization.materialize_in_destination %[[B]] in restrict writable %[[STATE:.*]] :
// CHECK: } else {
// CHECK-NEXT: scf.if %{{.*}} {
// CHECK-COUNT-2: bufferization.materialize_in_destination
// CHECK: } else {
// CHECK-COUNT-2: bufferization.materialize_in_destination
// CHECK: }
// CHECK-NEXT: }
// CHECK-NEXT: return
func.func @nested(%c: i1, %d: i1, %n: index, %out: memref<?xf32>, %state: memref<4xf32>) {
  %r:2 = scf.if %c -> (tensor<?xf32>, tensor<4xf32>) {
    %e = tensor.empty(%n) : tensor<?xf32>
    %s = tensor.empty() : tensor<4xf32>
    scf.yield %e, %s : tensor<?xf32>, tensor<4xf32>
  } else {
    %i:2 = scf.if %d -> (tensor<?xf32>, tensor<4xf32>) {
      %e = tensor.empty(%n) : tensor<?xf32>
      %s = tensor.empty() : tensor<4xf32>
      scf.yield %e, %s : tensor<?xf32>, tensor<4xf32>
    } else {
      %e = tensor.empty(%n) : tensor<?xf32>
      %s = tensor.empty() : tensor<4xf32>
      scf.yield %e, %s : tensor<?xf32>, tensor<4xf32>
    }
    scf.yield %i#0, %i#1 : tensor<?xf32>, tensor<4xf32>
  }
  bufferization.materialize_in_destination %r#0 in restrict writable %out : (tensor<?xf32>, memref<?xf32>) -> ()
  bufferization.materialize_in_destination %r#1 in restrict writable %state : (tensor<4xf32>, memref<4xf32>) -> ()
  return
}

// -----

// A result that is also used elsewhere stays where it is.
// CHECK-LABEL: func @other_use
// CHECK: %[[R:.*]] = scf.if
// CHECK: bufferization.materialize_in_destination %[[R]]
// CHECK: return %[[R]]
func.func @other_use(%c: i1, %n: index, %out: memref<?xf32>) -> tensor<?xf32> {
  %r = scf.if %c -> tensor<?xf32> {
    %e = tensor.empty(%n) : tensor<?xf32>
    scf.yield %e : tensor<?xf32>
  } else {
    %e = tensor.empty(%n) : tensor<?xf32>
    scf.yield %e : tensor<?xf32>
  }
  bufferization.materialize_in_destination %r in restrict writable %out : (tensor<?xf32>, memref<?xf32>) -> ()
  return %r : tensor<?xf32>
}

// -----

// A source that is not an scf.if result is left alone.
// CHECK-LABEL: func @no_dispatch
// CHECK-NEXT: %[[E:.*]] = tensor.empty
// CHECK-NEXT: bufferization.materialize_in_destination %[[E]]
func.func @no_dispatch(%n: index, %out: memref<?xf32>) {
  %e = tensor.empty(%n) : tensor<?xf32>
  bufferization.materialize_in_destination %e in restrict writable %out : (tensor<?xf32>, memref<?xf32>) -> ()
  return
}
