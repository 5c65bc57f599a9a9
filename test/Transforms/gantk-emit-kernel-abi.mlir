// RUN: gantk-opt %s -split-input-file -verify-diagnostics -gantk-emit-kernel-abi | FileCheck %s

// A kernel k(p0, p1, begin, end) lowered with bare-pointer memrefs gets the
// runtime's uniform entry k_entry(void **args, i64 begin, i64 end): it loads
// p0 and p1 from args[0] and args[1] and calls k, which becomes internal so
// that LLVM inlines it. Functions without gantk.kernel are left alone.
// CHECK-LABEL: llvm.func internal @k(
// CHECK-SAME: %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: i64, %{{.*}}: i64) attributes {gantk.kernel}
// CHECK-LABEL: llvm.func @k_entry(
// CHECK-SAME: %[[ARGS:.*]]: !llvm.ptr, %[[BEGIN:.*]]: i64, %[[END:.*]]: i64) {
// CHECK-NEXT: %[[SLOT0:.*]] = llvm.getelementptr %[[ARGS]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK-NEXT: %[[P0:.*]] = llvm.load %[[SLOT0]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT: %[[SLOT1:.*]] = llvm.getelementptr %[[ARGS]][1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK-NEXT: %[[P1:.*]] = llvm.load %[[SLOT1]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT: llvm.call @k(%[[P0]], %[[P1]], %[[BEGIN]], %[[END]]) : (!llvm.ptr, !llvm.ptr, i64, i64) -> ()
// CHECK-NEXT: llvm.return
// CHECK-LABEL: llvm.func @helper(
// CHECK-NOT: @helper_entry
llvm.func @k(%a: !llvm.ptr, %b: !llvm.ptr, %lo: i64, %hi: i64) attributes {gantk.kernel} {
  llvm.return
}
llvm.func @helper(%a: !llvm.ptr) {
  llvm.return
}

// -----

// Memref descriptors (the default calling convention) do not fit the ABI.
// expected-error @+1 {{'llvm.func' op kernel argument 1 is not a bare pointer; lower memrefs with use-bare-ptr-memref-call-conv}}
llvm.func @k(%a: !llvm.ptr, %b: !llvm.struct<(ptr, ptr, i64)>, %lo: i64, %hi: i64) attributes {gantk.kernel} {
  llvm.return
}
