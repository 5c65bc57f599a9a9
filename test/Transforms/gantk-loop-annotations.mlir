// RUN: gantk-opt %s -split-input-file -gantk-loop-annotations | FileCheck %s
// RUN: gantk-opt %s -split-input-file -gantk-loop-annotations --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

// convert-scf-to-cf copies an scf.for's llvm.loop_annotation onto the back
// branch as a discardable attribute, which the translation to LLVM IR
// ignores. The pass moves it into llvm.br's loop_annotation property (the
// branch's own attribute, `<{loop_annotation = ...}>` in the generic form),
// so that the hint reaches LLVM's loop metadata. The entry branch, which has
// no hint, stays as it is.
// CHECK: #[[UNROLL:.*]] = #llvm.loop_unroll<disable = true>
// CHECK: #[[HINT:.*]] = #llvm.loop_annotation<unroll = #[[UNROLL]]>
// CHECK-LABEL: llvm.func @loop
// CHECK: llvm.br ^[[HEAD:.*]](%{{.*}} : i64){{$}}
// CHECK: llvm.br ^[[HEAD]](%{{.*}} : i64) {loop_annotation = #[[HINT]]}
// CHECK-NOT: llvm.loop_annotation
// GENERIC-LABEL: "llvm.func"
// GENERIC: "llvm.br"(%{{.*}})[^{{.*}}] : (i64) -> ()
// GENERIC: "llvm.br"(%{{.*}})[^{{.*}}] <{loop_annotation = #{{.*}}}> : (i64) -> ()
// GENERIC-NOT: llvm.loop_annotation
#unroll = #llvm.loop_unroll<disable = true>
#hint = #llvm.loop_annotation<unroll = #unroll>
llvm.func @loop(%n: i64) {
  %c0 = llvm.mlir.constant(0 : i64) : i64
  %c1 = llvm.mlir.constant(1 : i64) : i64
  llvm.br ^head(%c0 : i64)
^head(%i: i64):
  %done = llvm.icmp "sge" %i, %n : i64
  llvm.cond_br %done, ^exit, ^body
^body:
  %next = llvm.add %i, %c1 : i64
  llvm.br ^head(%next : i64) {llvm.loop_annotation = #hint}
^exit:
  llvm.return
}

// -----

// Only a loop annotation is moved: another value under that name is left
// where it is.
// CHECK-LABEL: llvm.func @other
// CHECK: llvm.br ^{{.*}} {llvm.loop_annotation = "not a hint"}
// GENERIC-LABEL: "llvm.func"
// GENERIC: "llvm.br"()[^{{.*}}] {llvm.loop_annotation = "not a hint"} : () -> ()
llvm.func @other() {
  llvm.br ^next {llvm.loop_annotation = "not a hint"}
^next:
  llvm.return
}
