/* Reference code generation through the LLVM 19 C API: the only file in
 * axon that includes llvm-c/ headers (STYLE.md habit 10).
 *
 * Requires: a plan (ref_internal.h) of a graph with its precision.
 * Produces: one LLVM module with one kernel per distinct phase (kind and
 *           constant shapes: the q projections of every layer share one),
 *           each `void k<N>_<phase>(ptr args, i32 token, i64 pos)` loading
 *           its buffers from its argument slice by constant index; its body
 *           is a loop over the phase's items (host) or one item per thread
 *           (GPU kernel, calling convention 71). For the host the module
 *           also holds the entry `axon_step(ptr args, i32 token, i64 pos)`,
 *           which calls the phases in graph order, each with its slice.
 *
 * The arithmetic is docs/semantics.md's, operation for operation: f64 sums
 * start from -0.0 (so a sum's value is exactly the left-to-right sum of its
 * terms), run in ascending index order, and no instruction carries a
 * fast-math flag, so the optimizer cannot reassociate or contract them; the
 * host code is bit-identical to a scalar C implementation compiled with
 * -ffp-contract=off. Rounding to integers uses llvm.rint (round half to even
 * in the default mode). exp, log1p, sin, cos and pow are calls to the C
 * library's functions, marked `nobuiltin` so that LLVM neither folds nor
 * rewrites them; sqrt is llvm.sqrt (correctly rounded). On the GPU the same
 * five functions are generated into the module (gpu_math_* below): they
 * agree with glibc within a few ulps, not bit for bit.
 *
 * Speed: a linear layer works on blocks of REF_RB rows whose weights are
 * interleaved (ref_internal.h), so one input value feeds REF_RB independent
 * f64 accumulation chains held in vector registers: every row's sum is still
 * in ascending order, but the chains pipeline. */
#include "ref_internal.h"

#include "ax_mem.h"

#include <llvm-c/Analysis.h>
#include <llvm-c/Core.h>
#include <llvm-c/Error.h>
#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#define PTX_KERNEL_CC 71u /* LLVM's CallingConv::PTX_Kernel */

int ax_ref_has_llvm(void)
{
    return 1;
}

struct cg {
    LLVMContextRef ctx;
    LLVMModuleRef mod;
    LLVMBuilderRef b;  /* the body */
    LLVMBuilderRef ab; /* allocas, at the end of the entry block */
    int is_gpu;
    const struct ax_ref_plan *p;
    LLVMTypeRef t_void, t_i1, t_i8, t_i16, t_i32, t_i64, t_f32, t_f64, t_ptr, t_phase, t_f64_1,
        t_f64_2;
    LLVMTypeRef t_vf, t_vd, t_vi16, t_vi32; /* REF_RB lanes */
    LLVMValueRef fn, tab, token, pos;       /* the kernel being built; tab: its argument slice */
    uint32_t n_args;                        /* of the kernel being built */
    const struct ref_phase *ph;             /* the phase it is built from */
    LLVMBasicBlockRef entry, start;
    /* math: libm declarations (host) or generated functions (GPU) */
    LLVMValueRef f_exp, f_log1p, f_sin, f_cos, f_pow;
    unsigned k_nobuiltin;
};

/* ---- small helpers ------------------------------------------------------------ */

static LLVMValueRef ci32(struct cg *c, int64_t v)
{
    return LLVMConstInt(c->t_i32, (unsigned long long)v, 1);
}
static LLVMValueRef ci64(struct cg *c, int64_t v)
{
    return LLVMConstInt(c->t_i64, (unsigned long long)v, 1);
}
static LLVMValueRef cf64(struct cg *c, double v)
{
    return LLVMConstReal(c->t_f64, v);
}
static LLVMValueRef cf32(struct cg *c, float v)
{
    return LLVMConstReal(c->t_f32, (double)v);
}

static LLVMValueRef vadd(struct cg *c, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildAdd(c->b, a, b, "");
}
static LLVMValueRef vmul(struct cg *c, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildMul(c->b, a, b, "");
}
static LLVMValueRef vfadd(struct cg *c, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildFAdd(c->b, a, b, "");
}
static LLVMValueRef vfsub(struct cg *c, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildFSub(c->b, a, b, "");
}
static LLVMValueRef vfmul(struct cg *c, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildFMul(c->b, a, b, "");
}
static LLVMValueRef vfdiv(struct cg *c, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildFDiv(c->b, a, b, "");
}
static LLVMValueRef vfneg(struct cg *c, LLVMValueRef a)
{
    return LLVMBuildFNeg(c->b, a, "");
}
static LLVMValueRef ext(struct cg *c, LLVMValueRef f32)
{
    return LLVMBuildFPExt(c->b, f32, c->t_f64, "");
}
static LLVMValueRef trunc32(struct cg *c, LLVMValueRef f64)
{
    return LLVMBuildFPTrunc(c->b, f64, c->t_f32, "");
}
static LLVMValueRef sel(struct cg *c, LLVMValueRef cond, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildSelect(c->b, cond, a, b, "");
}
static LLVMValueRef fcmp(struct cg *c, LLVMRealPredicate p, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildFCmp(c->b, p, a, b, "");
}
static LLVMValueRef icmp(struct cg *c, LLVMIntPredicate p, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildICmp(c->b, p, a, b, "");
}

/* A pointer to element `idx` of an array of `t` at `base`. */
static LLVMValueRef at(struct cg *c, LLVMTypeRef t, LLVMValueRef base, LLVMValueRef idx)
{
    return LLVMBuildInBoundsGEP2(c->b, t, base, &idx, 1, "");
}
static LLVMValueRef ld(struct cg *c, LLVMTypeRef t, LLVMValueRef base, LLVMValueRef idx)
{
    return LLVMBuildLoad2(c->b, t, at(c, t, base, idx), "");
}
static void st(struct cg *c, LLVMValueRef v, LLVMValueRef base, LLVMValueRef idx)
{
    LLVMBuildStore(c->b, v, at(c, LLVMTypeOf(v), base, idx));
}
static LLVMValueRef ldv(struct cg *c, LLVMTypeRef vt, LLVMValueRef p, unsigned align)
{
    LLVMValueRef v = LLVMBuildLoad2(c->b, vt, p, "");
    LLVMSetAlignment(v, align);
    /* LLVM 19's NVPTX back-end folds a vector load and its widening into
     * extending vector loads that ptxas rejects ("ld.v2.f32" into f64
     * registers); a freeze in between keeps them apart. */
    return c->is_gpu ? LLVMBuildFreeze(c->b, v, "") : v;
}
static void stv(struct cg *c, LLVMValueRef v, LLVMValueRef p, unsigned align)
{
    LLVMSetAlignment(LLVMBuildStore(c->b, v, p), align);
}

/* A local variable (an alloca in the entry block, promoted to registers by
 * the optimizer) holding `init`, stored at the current position. */
static LLVMValueRef var(struct cg *c, LLVMTypeRef t, LLVMValueRef init)
{
    LLVMValueRef v = LLVMBuildAlloca(c->ab, t, "");
    if (init)
        LLVMBuildStore(c->b, init, v);
    return v;
}
static LLVMValueRef get(struct cg *c, LLVMTypeRef t, LLVMValueRef v)
{
    return LLVMBuildLoad2(c->b, t, v, "");
}
static void set(struct cg *c, LLVMValueRef v, LLVMValueRef x)
{
    LLVMBuildStore(c->b, x, v);
}

/* A local array of n elements of t. */
static LLVMValueRef local_array(struct cg *c, LLVMTypeRef t, uint32_t n)
{
    return LLVMBuildArrayAlloca(c->ab, t, ci64(c, n), "");
}

static LLVMValueRef splat(struct cg *c, LLVMValueRef s)
{
    LLVMTypeRef vt = LLVMVectorType(LLVMTypeOf(s), REF_RB);
    LLVMValueRef v = LLVMBuildInsertElement(c->b, LLVMGetPoison(vt), s, ci32(c, 0), "");
    LLVMValueRef mask = LLVMConstNull(LLVMVectorType(c->t_i32, REF_RB));
    return LLVMBuildShuffleVector(c->b, v, LLVMGetPoison(vt), mask, "");
}
static LLVMValueRef splat_const(LLVMValueRef s)
{
    LLVMValueRef lanes[REF_RB];
    for (unsigned i = 0; i < REF_RB; i++)
        lanes[i] = s;
    return LLVMConstVector(lanes, REF_RB);
}

/* Calls an intrinsic overloaded on the type of its first argument. */
static LLVMValueRef intrinsic(struct cg *c, const char *name, LLVMValueRef *args, unsigned n)
{
    unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
    LLVMTypeRef t = LLVMTypeOf(args[0]);
    LLVMValueRef fn = LLVMGetIntrinsicDeclaration(c->mod, id, &t, 1);
    LLVMTypeRef ft = LLVMIntrinsicGetType(c->ctx, id, &t, 1);
    return LLVMBuildCall2(c->b, ft, fn, args, n, "");
}
static LLVMValueRef fabs_(struct cg *c, LLVMValueRef x)
{
    return intrinsic(c, "llvm.fabs", &x, 1);
}
static LLVMValueRef sqrt_(struct cg *c, LLVMValueRef x)
{
    return intrinsic(c, "llvm.sqrt", &x, 1);
}
static LLVMValueRef rint_(struct cg *c, LLVMValueRef x)
{
    return intrinsic(c, "llvm.rint", &x, 1);
}

/* A call of a math function (one or two f64 arguments). */
static LLVMValueRef math(struct cg *c, LLVMValueRef fn, LLVMValueRef a, LLVMValueRef b)
{
    LLVMValueRef args[2] = {a, b};
    LLVMValueRef call = LLVMBuildCall2(c->b, b ? c->t_f64_2 : c->t_f64_1, fn, args, b ? 2 : 1, "");
    if (!c->is_gpu)
        LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex,
                                 LLVMCreateEnumAttribute(c->ctx, c->k_nobuiltin, 0));
    return call;
}

/* ---- loops --------------------------------------------------------------------- */

struct loop {
    LLVMValueRef iv, end;
    LLVMBasicBlockRef cond, body, done;
};

/* for (i = begin; i < end; i++) { ... }: returns i inside the body. */
static LLVMValueRef loop_open(struct cg *c, struct loop *l, LLVMValueRef begin, LLVMValueRef end)
{
    l->iv = var(c, c->t_i64, begin);
    l->end = end;
    l->cond = LLVMAppendBasicBlockInContext(c->ctx, c->fn, "loop");
    l->body = LLVMAppendBasicBlockInContext(c->ctx, c->fn, "body");
    l->done = LLVMAppendBasicBlockInContext(c->ctx, c->fn, "done");
    LLVMBuildBr(c->b, l->cond);
    LLVMPositionBuilderAtEnd(c->b, l->cond);
    LLVMValueRef i = get(c, c->t_i64, l->iv);
    LLVMBuildCondBr(c->b, icmp(c, LLVMIntSLT, i, end), l->body, l->done);
    LLVMPositionBuilderAtEnd(c->b, l->body);
    return get(c, c->t_i64, l->iv);
}

static void loop_close(struct cg *c, struct loop *l)
{
    LLVMValueRef i = get(c, c->t_i64, l->iv);
    set(c, l->iv, LLVMBuildNSWAdd(c->b, i, ci64(c, 1), ""));
    LLVMBuildBr(c->b, l->cond);
    LLVMPositionBuilderAtEnd(c->b, l->done);
}

/* The items of a phase: a loop on the host, one thread per item on a GPU
 * (item = ctaid.x * ntid.x + tid.x, skipped beyond n). */
static LLVMValueRef items_open(struct cg *c, struct loop *l, uint32_t n)
{
    if (!c->is_gpu)
        return loop_open(c, l, ci64(c, 0), ci64(c, n));
    LLVMTypeRef ft = LLVMFunctionType(c->t_i32, NULL, 0, 0);
    const char *names[3] = {"llvm.nvvm.read.ptx.sreg.ctaid.x", "llvm.nvvm.read.ptx.sreg.ntid.x",
                            "llvm.nvvm.read.ptx.sreg.tid.x"};
    LLVMValueRef v[3];
    for (int k = 0; k < 3; k++) {
        unsigned id = LLVMLookupIntrinsicID(names[k], strlen(names[k]));
        LLVMValueRef fn = LLVMGetIntrinsicDeclaration(c->mod, id, NULL, 0);
        v[k] = LLVMBuildZExt(c->b, LLVMBuildCall2(c->b, ft, fn, NULL, 0, ""), c->t_i64, "");
    }
    LLVMValueRef item = vadd(c, vmul(c, v[0], v[1]), v[2]);
    l->body = LLVMAppendBasicBlockInContext(c->ctx, c->fn, "item");
    l->done = LLVMAppendBasicBlockInContext(c->ctx, c->fn, "done");
    LLVMBuildCondBr(c->b, icmp(c, LLVMIntULT, item, ci64(c, n)), l->body, l->done);
    LLVMPositionBuilderAtEnd(c->b, l->body);
    return item;
}

static void items_close(struct cg *c, struct loop *l)
{
    if (!c->is_gpu) {
        loop_close(c, l);
        return;
    }
    LLVMBuildBr(c->b, l->done);
    LLVMPositionBuilderAtEnd(c->b, l->done);
}

/* ---- phase functions ------------------------------------------------------------- */

static void phase_open(struct cg *c, const char *name)
{
    c->fn = LLVMAddFunction(c->mod, name, c->t_phase);
    if (c->is_gpu) {
        LLVMSetFunctionCallConv(c->fn, PTX_KERNEL_CC);
    } else {
        /* one copy per kernel, called from the step: not inlined into it */
        LLVMSetLinkage(c->fn, LLVMInternalLinkage);
        const char *attrs[2] = {"nounwind", "noinline"};
        for (int k = 0; k < 2; k++)
            LLVMAddAttributeAtIndex(
                c->fn, LLVMAttributeFunctionIndex,
                LLVMCreateEnumAttribute(
                    c->ctx, LLVMGetEnumAttributeKindForName(attrs[k], strlen(attrs[k])), 0));
    }
    c->tab = LLVMGetParam(c->fn, 0);
    c->token = LLVMGetParam(c->fn, 1);
    c->pos = LLVMGetParam(c->fn, 2);
    LLVMSetValueName2(c->tab, "args", 4);
    LLVMSetValueName2(c->token, "token", 5);
    LLVMSetValueName2(c->pos, "pos", 3);
    c->entry = LLVMAppendBasicBlockInContext(c->ctx, c->fn, "entry");
    c->start = LLVMAppendBasicBlockInContext(c->ctx, c->fn, "start");
    LLVMPositionBuilderAtEnd(c->ab, c->entry);
    LLVMPositionBuilderAtEnd(c->b, c->start);
}

static void phase_close(struct cg *c)
{
    LLVMBuildRetVoid(c->b);
    LLVMPositionBuilderAtEnd(c->ab, c->entry);
    LLVMBuildBr(c->ab, c->start);
}

/* Argument k of the kernel: the pointer at args[k]. */
static LLVMValueRef arg(struct cg *c, uint32_t k)
{
    AX_ASSERT(k < c->n_args);
    return LLVMBuildLoad2(c->b, c->t_ptr, at(c, c->t_ptr, c->tab, ci64(c, k)), "");
}

/* The element type of argument k's buffer. */
static enum ref_elem arg_elem(struct cg *c, uint32_t k)
{
    return c->p->bufs[c->p->args[c->ph->arg0 + k]].elem;
}

/* REF_RB weights at p as <REF_RB x float>: f32 as is, bf16 and f16 widened
 * exactly. */
static LLVMValueRef load_weights(struct cg *c, LLVMValueRef p, enum ref_elem e)
{
    if (e == REF_ELEM_F32)
        return ldv(c, c->t_vf, p, 64);
    if (e == REF_ELEM_F16)
        return LLVMBuildFPExt(c->b,
                              ldv(c, LLVMVectorType(LLVMHalfTypeInContext(c->ctx), REF_RB), p, 32),
                              c->t_vf, "");
    /* bf16: the upper half of a binary32 */
    LLVMValueRef w = LLVMBuildZExt(c->b, ldv(c, c->t_vi16, p, 32), c->t_vi32, "");
    w = LLVMBuildShl(c->b, w, splat_const(ci32(c, 16)), "");
    return LLVMBuildBitCast(c->b, w, c->t_vf, "");
}

/* ---- shared pieces of arithmetic --------------------------------------------------- */

/* The threshold of `n` values at x[base..]: a = sum |f64(x_i)| ascending,
 * V = f32((a / n) / k), clamped to [1e-5f, 1e4f] in f32. */
static LLVMValueRef threshold(struct cg *c, LLVMValueRef x, LLVMValueRef base, uint32_t n)
{
    LLVMValueRef a = var(c, c->t_f64, cf64(c, -0.0));
    struct loop l;
    LLVMValueRef i = loop_open(c, &l, ci64(c, 0), ci64(c, n));
    set(c, a,
        vfadd(c, get(c, c->t_f64, a), fabs_(c, ext(c, ld(c, c->t_f32, x, vadd(c, base, i))))));
    loop_close(c, &l);
    LLVMValueRef v = trunc32(c, vfdiv(c, vfdiv(c, get(c, c->t_f64, a), cf64(c, (double)n)),
                                      cf64(c, c->p->opts.spike.k)));
    v = sel(c, fcmp(c, LLVMRealOLT, v, cf32(c, 1e-5f)), cf32(c, 1e-5f), v);
    return sel(c, fcmp(c, LLVMRealOGT, v, cf32(c, 1e4f)), cf32(c, 1e4f), v);
}

/* The count of an f64 quotient: rne, saturated to the encoder's bound
 * (ax_spike_count_bound), NaN to 0, as i32. */
static LLVMValueRef count(struct cg *c, LLVMValueRef q)
{
    double bound = (double)ax_spike_count_bound(&c->p->opts.spike);
    LLVMValueRef r = rint_(c, q);
    r = sel(c, fcmp(c, LLVMRealOGT, r, cf64(c, bound)), cf64(c, bound), r);
    r = sel(c, fcmp(c, LLVMRealOLT, r, cf64(c, -bound)), cf64(c, -bound), r);
    r = sel(c, fcmp(c, LLVMRealUNO, r, r), cf64(c, 0.0), r);
    return LLVMBuildFPToSI(c->b, r, c->t_i32, "");
}

static LLVMValueRef relu(struct cg *c, LLVMValueRef x, const struct ax_ir_node *n)
{
    if (n->feature != AX_IR_FEATURE_RELU)
        return x;
    return sel(c, fcmp(c, LLVMRealOGT, x, cf32(c, 0.0f)), x, cf32(c, 0.0f));
}

static double inv_sqrt(uint32_t d)
{
    return 1.0 / sqrt((double)d);
}

/* ---- the phases ------------------------------------------------------------------------ */

static void gen_embed(struct cg *c, uint32_t id)
{
    const struct ax_ir_node *n = &c->p->g->nodes[id];
    LLVMValueRef e = arg(c, 0), out = arg(c, 1);
    LLVMValueRef row = vmul(c, LLVMBuildZExt(c->b, c->token, c->t_i64, ""), ci64(c, n->dim));
    struct loop it;
    LLVMValueRef i = items_open(c, &it, n->dim);
    st(c, ld(c, c->t_f32, e, vadd(c, row, i)), out, i);
    items_close(c, &it);
}

static void gen_rmsnorm(struct cg *c, uint32_t id)
{
    const struct ax_ir_node *n = &c->p->g->nodes[id];
    LLVMValueRef x = arg(c, 0), w = arg(c, 1), out = arg(c, 2);
    struct loop it, l1, l2;
    LLVMValueRef base = vmul(c, items_open(c, &it, n->dim / n->group), ci64(c, n->group));
    LLVMValueRef ss = var(c, c->t_f64, cf64(c, -0.0));
    LLVMValueRef i = loop_open(c, &l1, ci64(c, 0), ci64(c, n->group));
    LLVMValueRef xd = ext(c, ld(c, c->t_f32, x, vadd(c, base, i)));
    set(c, ss, vfadd(c, get(c, c->t_f64, ss), vfmul(c, xd, xd)));
    loop_close(c, &l1);
    LLVMValueRef mean = vfdiv(c, get(c, c->t_f64, ss), cf64(c, (double)n->group));
    LLVMValueRef r = vfdiv(c, cf64(c, 1.0), sqrt_(c, vfadd(c, mean, cf64(c, n->eps))));
    i = vadd(c, base, loop_open(c, &l2, ci64(c, 0), ci64(c, n->group)));
    LLVMValueRef y = trunc32(c, vfmul(c, ext(c, ld(c, c->t_f32, x, i)), r));
    st(c, LLVMBuildFMul(c->b, y, ld(c, c->t_f32, w, i), ""), out, i);
    loop_close(c, &l2);
    items_close(c, &it);
}

/* A dense linear layer (f32 weights), one row block per item: per group g,
 * p_g = sum f64(W) * f64(x) ascending; y = f32(((p_0 + p_1) + ...)) + b. */
static void linear_dense(struct cg *c, uint32_t id)
{
    const struct ax_ir_node *n = &c->p->g->nodes[id];
    uint32_t in = n->in, out_len = n->op == AX_IR_LM_HEAD ? n->vocab : n->out;
    uint32_t n_blocks = (out_len + REF_RB - 1) / REF_RB,
             n_groups = (in + REF_GROUP - 1) / REF_GROUP;
    LLVMValueRef x = arg(c, 0), w = arg(c, 1), out = arg(c, 2);
    LLVMValueRef bias = c->n_args > 3 ? arg(c, 3) : NULL;
    LLVMValueRef neg0 = splat_const(cf64(c, -0.0));
    struct loop it, lg, li;
    LLVMValueRef blk = items_open(c, &it, n_blocks);
    enum ref_elem we = arg_elem(c, 1);
    LLVMTypeRef wt = we == REF_ELEM_F32 ? c->t_f32 : c->t_i16; /* bf16, f16: 16-bit steps */
    LLVMValueRef wb = at(c, wt, w, vmul(c, blk, ci64(c, (int64_t)in * REF_RB)));
    LLVMValueRef tot = var(c, c->t_vd, neg0), acc = var(c, c->t_vd, NULL);
    LLVMValueRef g = loop_open(c, &lg, ci64(c, 0), ci64(c, n_groups));
    set(c, acc, neg0);
    LLVMValueRef lo = vmul(c, g, ci64(c, REF_GROUP)), hi = vadd(c, lo, ci64(c, REF_GROUP));
    if (in % REF_GROUP)
        hi = sel(c, icmp(c, LLVMIntSGT, hi, ci64(c, in)), ci64(c, in), hi);
    LLVMValueRef i = loop_open(c, &li, lo, hi);
    LLVMValueRef wv = LLVMBuildFPExt(
        c->b, load_weights(c, at(c, wt, wb, vmul(c, i, ci64(c, REF_RB))), we), c->t_vd, "");
    LLVMValueRef xs = splat(c, ext(c, ld(c, c->t_f32, x, i)));
    set(c, acc, vfadd(c, get(c, c->t_vd, acc), vfmul(c, wv, xs)));
    loop_close(c, &li);
    set(c, tot, vfadd(c, get(c, c->t_vd, tot), get(c, c->t_vd, acc)));
    loop_close(c, &lg);
    LLVMValueRef y = LLVMBuildFPTrunc(c->b, get(c, c->t_vd, tot), c->t_vf, "");
    LLVMValueRef off = vmul(c, blk, ci64(c, REF_RB));
    if (bias)
        y = vfadd(c, y, ldv(c, c->t_vf, at(c, c->t_f32, bias, off), 64));
    stv(c, y, at(c, c->t_f32, out, off), 64);
    items_close(c, &it);
}

static void gen_encode(struct cg *c, uint32_t id)
{
    const struct ax_ir_node *n = &c->p->g->nodes[id];
    LLVMValueRef x = arg(c, 0), counts = arg(c, 1), vth = arg(c, 2);
    struct loop it, l;
    items_open(c, &it, 1);
    LLVMValueRef v = threshold(c, x, ci64(c, 0), n->in);
    st(c, v, vth, ci64(c, 0));
    LLVMValueRef vd = ext(c, v);
    LLVMValueRef i = loop_open(c, &l, ci64(c, 0), ci64(c, n->in));
    st(c, count(c, vfdiv(c, ext(c, ld(c, c->t_f32, x, i)), vd)), counts, i);
    loop_close(c, &l);
    items_close(c, &it);
}

/* A spiking linear layer, one row block per item: acc_g = sum s_i * q[j,i]
 * in i32 per group; y = f32(f64(V) * sum_g f64(scale) * f64(acc_g)) + b. */
static void gen_spike_linear(struct cg *c, uint32_t id)
{
    const struct ax_ir_node *n = &c->p->g->nodes[id];
    uint32_t in = n->in, n_blocks = (n->out + REF_RB - 1) / REF_RB, n_groups = in / REF_GROUP;
    LLVMValueRef codes = arg(c, 0), scales = arg(c, 1), counts = arg(c, 2), out = arg(c, 4);
    LLVMValueRef vd = ext(c, ld(c, c->t_f32, arg(c, 3), ci64(c, 0)));
    LLVMValueRef bias = c->n_args > 5 ? arg(c, 5) : NULL;
    LLVMValueRef neg0 = splat_const(cf64(c, -0.0));
    struct loop it, lg, li;
    LLVMValueRef blk = items_open(c, &it, n_blocks);
    int is_i8 = arg_elem(c, 0) == REF_ELEM_I8;
    LLVMTypeRef ct = is_i8 ? c->t_i8 : c->t_i16;
    LLVMValueRef cb = at(c, ct, codes, vmul(c, blk, ci64(c, (int64_t)in * REF_RB)));
    LLVMValueRef sb = at(c, c->t_f32, scales, vmul(c, blk, ci64(c, (int64_t)n_groups * REF_RB)));
    LLVMValueRef tot = var(c, c->t_vd, neg0), acc = var(c, c->t_vi32, NULL);
    LLVMValueRef g = loop_open(c, &lg, ci64(c, 0), ci64(c, n_groups));
    set(c, acc, LLVMConstNull(c->t_vi32));
    LLVMValueRef lo = vmul(c, g, ci64(c, REF_GROUP));
    LLVMValueRef i = loop_open(c, &li, lo, vadd(c, lo, ci64(c, REF_GROUP)));
    LLVMValueRef q = LLVMBuildSExt(c->b,
                                   ldv(c, LLVMVectorType(ct, REF_RB),
                                       at(c, ct, cb, vmul(c, i, ci64(c, REF_RB))), is_i8 ? 16 : 32),
                                   c->t_vi32, "");
    LLVMValueRef s = splat(c, ld(c, c->t_i32, counts, i));
    set(c, acc, vadd(c, get(c, c->t_vi32, acc), vmul(c, q, s)));
    loop_close(c, &li);
    LLVMValueRef sc = LLVMBuildFPExt(
        c->b, ldv(c, c->t_vf, at(c, c->t_f32, sb, vmul(c, g, ci64(c, REF_RB))), 64), c->t_vd, "");
    LLVMValueRef accd = LLVMBuildSIToFP(c->b, get(c, c->t_vi32, acc), c->t_vd, "");
    set(c, tot, vfadd(c, get(c, c->t_vd, tot), vfmul(c, sc, accd)));
    loop_close(c, &lg);
    LLVMValueRef y =
        LLVMBuildFPTrunc(c->b, vfmul(c, splat(c, vd), get(c, c->t_vd, tot)), c->t_vf, "");
    LLVMValueRef off = vmul(c, blk, ci64(c, REF_RB));
    if (bias)
        y = vfadd(c, y, ldv(c, c->t_vf, at(c, c->t_f32, bias, off), 64));
    stv(c, y, at(c, c->t_f32, out, off), 64);
    items_close(c, &it);
}

static void gen_rope_table(struct cg *c, uint32_t id)
{
    const struct ax_ir_node *n = &c->p->g->nodes[id];
    uint32_t half = n->head_dim / 2;
    LLVMValueRef t = arg(c, 0);
    struct loop it, l;
    items_open(c, &it, 1);
    LLVMValueRef i = loop_open(c, &l, ci64(c, 0), ci64(c, half));
    /* inv = pow(theta, f64(-2i) / f64(d)); a = f64(pos) * inv */
    LLVMValueRef e = vfdiv(c, LLVMBuildSIToFP(c->b, vmul(c, i, ci64(c, -2)), c->t_f64, ""),
                           cf64(c, (double)n->head_dim));
    LLVMValueRef inv = math(c, c->f_pow, cf64(c, n->theta), e);
    LLVMValueRef a = vfmul(c, LLVMBuildSIToFP(c->b, c->pos, c->t_f64, ""), inv);
    st(c, math(c, c->f_cos, a, NULL), t, i);
    st(c, math(c, c->f_sin, a, NULL), t, vadd(c, i, ci64(c, half)));
    loop_close(c, &l);
    items_close(c, &it);
}

static void gen_rope(struct cg *c, uint32_t id)
{
    const struct ax_ir_node *n = &c->p->g->nodes[id];
    uint32_t d = n->head_dim, half = d / 2;
    LLVMValueRef x = arg(c, 0), t = arg(c, 1), out = arg(c, 2);
    struct loop it, l;
    LLVMValueRef base = vmul(c, items_open(c, &it, n->heads), ci64(c, d));
    LLVMValueRef i = loop_open(c, &l, ci64(c, 0), ci64(c, half));
    LLVMValueRef cs = ld(c, c->t_f64, t, i), sn = ld(c, c->t_f64, t, vadd(c, i, ci64(c, half)));
    LLVMValueRef i1 = vadd(c, base, i), i2 = vadd(c, i1, ci64(c, half));
    LLVMValueRef x1 = ext(c, ld(c, c->t_f32, x, i1)), x2 = ext(c, ld(c, c->t_f32, x, i2));
    st(c, trunc32(c, vfsub(c, vfmul(c, x1, cs), vfmul(c, x2, sn))), out, i1);
    st(c, trunc32(c, vfadd(c, vfmul(c, x2, cs), vfmul(c, x1, sn))), out, i2);
    loop_close(c, &l);
    items_close(c, &it);
}

/* int8 K/V: scale = f32(amax |x| / 127), code = clamp(rne(x / scale), -128, 127). */
static void store_int8(struct cg *c, LLVMValueRef x, LLVMValueRef src, LLVMValueRef codes,
                       LLVMValueRef dst, LLVMValueRef scales, LLVMValueRef at_scale, uint32_t d)
{
    struct loop l1, l2;
    LLVMValueRef amax = var(c, c->t_f32, cf32(c, 0.0f));
    LLVMValueRef i = loop_open(c, &l1, ci64(c, 0), ci64(c, d));
    LLVMValueRef a = fabs_(c, ld(c, c->t_f32, x, vadd(c, src, i)));
    LLVMValueRef m = get(c, c->t_f32, amax);
    set(c, amax, sel(c, fcmp(c, LLVMRealOGT, a, m), a, m));
    loop_close(c, &l1);
    LLVMValueRef scale = LLVMBuildFDiv(c->b, get(c, c->t_f32, amax), cf32(c, 127.0f), "");
    st(c, scale, scales, at_scale);
    LLVMValueRef sd = ext(c, scale), is_zero = fcmp(c, LLVMRealOEQ, scale, cf32(c, 0.0f));
    i = loop_open(c, &l2, ci64(c, 0), ci64(c, d));
    LLVMValueRef r = rint_(c, vfdiv(c, ext(c, ld(c, c->t_f32, x, vadd(c, src, i))), sd));
    r = sel(c, fcmp(c, LLVMRealOGT, r, cf64(c, 127.0)), cf64(c, 127.0), r);
    r = sel(c, fcmp(c, LLVMRealOLT, r, cf64(c, -128.0)), cf64(c, -128.0), r);
    r = sel(c, fcmp(c, LLVMRealUNO, r, r), cf64(c, 0.0), r);
    r = sel(c, is_zero, cf64(c, 0.0), r);
    st(c, LLVMBuildFPToSI(c->b, r, c->t_i8, ""), codes, vadd(c, dst, i));
    loop_close(c, &l2);
}

static void gen_swa_store(struct cg *c, uint32_t id)
{
    const struct ax_ir_node *n = &c->p->g->nodes[id];
    uint32_t d = n->head_dim, kvh = n->kv_heads;
    LLVMValueRef k = arg(c, 0), v = arg(c, 1), kc = arg(c, 2), vc = arg(c, 3);
    int is_int8 = n->kv == AX_IR_KV_INT8;
    LLVMValueRef ks = is_int8 ? arg(c, 4) : NULL, vs = is_int8 ? arg(c, 5) : NULL;
    LLVMValueRef slot = LLVMBuildURem(c->b, c->pos, ci64(c, n->window), "");
    struct loop it, l;
    LLVMValueRef hk = items_open(c, &it, kvh);
    LLVMValueRef row = vadd(c, vmul(c, slot, ci64(c, kvh)), hk);
    LLVMValueRef dst = vmul(c, row, ci64(c, d)), src = vmul(c, hk, ci64(c, d));
    if (is_int8) {
        store_int8(c, k, src, kc, dst, ks, row, d);
        store_int8(c, v, src, vc, dst, vs, row, d);
    } else {
        LLVMValueRef i = loop_open(c, &l, ci64(c, 0), ci64(c, d));
        st(c, ld(c, c->t_f32, k, vadd(c, src, i)), kc, vadd(c, dst, i));
        st(c, ld(c, c->t_f32, v, vadd(c, src, i)), vc, vadd(c, dst, i));
        loop_close(c, &l);
    }
    items_close(c, &it);
}

/* The f64 value of a cached key or value element. */
static LLVMValueRef cached(struct cg *c, const struct ax_ir_node *n, LLVMValueRef cache,
                           LLVMValueRef scales, LLVMValueRef row, LLVMValueRef idx)
{
    if (n->kv != AX_IR_KV_INT8)
        return ext(c, ld(c, c->t_f32, cache, idx));
    LLVMValueRef code = LLVMBuildSIToFP(c->b, ld(c, c->t_i8, cache, idx), c->t_f64, "");
    return vfmul(c, code, ext(c, ld(c, c->t_f32, scales, row)));
}

static void gen_swa_attend(struct cg *c, uint32_t id)
{
    const struct ax_ir_node *n = &c->p->g->nodes[id];
    uint32_t d = n->head_dim, kvh = n->kv_heads, w = n->window, group = n->heads / n->kv_heads;
    int is_int8 = n->kv == AX_IR_KV_INT8, is_spike = n->spike == AX_IR_SPIKE_SPIKE;
    LLVMValueRef q = arg(c, 0), kc = arg(c, 1), vc = arg(c, 2), out = arg(c, 3);
    LLVMValueRef ks = is_int8 ? arg(c, 4) : NULL, vs = is_int8 ? arg(c, 5) : NULL;
    uint32_t next = is_int8 ? 6 : 4;
    LLVMValueRef counts = is_spike ? arg(c, next) : NULL, vth = is_spike ? arg(c, next + 1) : NULL;
    LLVMValueRef qd = local_array(c, c->t_f64, d), scores = local_array(c, c->t_f64, w);
    LLVMValueRef acc = local_array(c, c->t_f64, d);
    /* keys j0 .. pos: n_keys = min(pos + 1, w) */
    LLVMValueRef pos1 = vadd(c, c->pos, ci64(c, 1));
    LLVMValueRef n_keys = sel(c, icmp(c, LLVMIntSLT, pos1, ci64(c, w)), pos1, ci64(c, w));
    LLVMValueRef j0 = LLVMBuildSub(c->b, pos1, n_keys, "");
    struct loop it, l, lt, lc;
    LLVMValueRef h = items_open(c, &it, n->heads);
    LLVMValueRef hk = LLVMBuildUDiv(c->b, h, ci64(c, group), ""), qb = vmul(c, h, ci64(c, d));
    /* the query: spiked per head (q' = s * V in f64) or as is */
    if (is_spike) {
        LLVMValueRef v = threshold(c, q, qb, d);
        st(c, v, vth, h);
        LLVMValueRef vd = ext(c, v);
        LLVMValueRef i = loop_open(c, &l, ci64(c, 0), ci64(c, d));
        LLVMValueRef s = count(c, vfdiv(c, ext(c, ld(c, c->t_f32, q, vadd(c, qb, i))), vd));
        st(c, s, counts, vadd(c, qb, i));
        st(c, vfmul(c, LLVMBuildSIToFP(c->b, s, c->t_f64, ""), vd), qd, i);
        loop_close(c, &l);
    } else {
        LLVMValueRef i = loop_open(c, &l, ci64(c, 0), ci64(c, d));
        st(c, ext(c, ld(c, c->t_f32, q, vadd(c, qb, i))), qd, i);
        loop_close(c, &l);
    }
    /* scores, oldest key first */
    LLVMValueRef t = loop_open(c, &lt, ci64(c, 0), n_keys);
    LLVMValueRef row =
        vadd(c, vmul(c, LLVMBuildURem(c->b, vadd(c, j0, t), ci64(c, w), ""), ci64(c, kvh)), hk);
    LLVMValueRef kb = vmul(c, row, ci64(c, d));
    LLVMValueRef sum = var(c, c->t_f64, cf64(c, -0.0));
    LLVMValueRef ci = loop_open(c, &lc, ci64(c, 0), ci64(c, d));
    LLVMValueRef kv = cached(c, n, kc, ks, row, vadd(c, kb, ci));
    set(c, sum, vfadd(c, get(c, c->t_f64, sum), vfmul(c, ld(c, c->t_f64, qd, ci), kv)));
    loop_close(c, &lc);
    st(c, vfmul(c, get(c, c->t_f64, sum), cf64(c, inv_sqrt(d))), scores, t);
    loop_close(c, &lt);
    /* m = max score; e_j = exp(score_j - m); Z = sum e_j */
    LLVMValueRef m = var(c, c->t_f64, ld(c, c->t_f64, scores, ci64(c, 0)));
    t = loop_open(c, &lt, ci64(c, 1), n_keys);
    LLVMValueRef s = ld(c, c->t_f64, scores, t), mv = get(c, c->t_f64, m);
    set(c, m, sel(c, fcmp(c, LLVMRealOGT, s, mv), s, mv));
    loop_close(c, &lt);
    LLVMValueRef mx = get(c, c->t_f64, m), z = var(c, c->t_f64, cf64(c, -0.0));
    t = loop_open(c, &lt, ci64(c, 0), n_keys);
    LLVMValueRef e = math(c, c->f_exp, vfsub(c, ld(c, c->t_f64, scores, t), mx), NULL);
    st(c, e, scores, t);
    set(c, z, vfadd(c, get(c, c->t_f64, z), e));
    loop_close(c, &lt);
    /* o_c = f32((sum_j e_j * v_jc) / Z) */
    ci = loop_open(c, &lc, ci64(c, 0), ci64(c, d));
    st(c, cf64(c, -0.0), acc, ci);
    loop_close(c, &lc);
    t = loop_open(c, &lt, ci64(c, 0), n_keys);
    row = vadd(c, vmul(c, LLVMBuildURem(c->b, vadd(c, j0, t), ci64(c, w), ""), ci64(c, kvh)), hk);
    LLVMValueRef vb = vmul(c, row, ci64(c, d)), ej = ld(c, c->t_f64, scores, t);
    ci = loop_open(c, &lc, ci64(c, 0), ci64(c, d));
    LLVMValueRef vv = cached(c, n, vc, vs, row, vadd(c, vb, ci));
    st(c, vfadd(c, ld(c, c->t_f64, acc, ci), vfmul(c, ej, vv)), acc, ci);
    loop_close(c, &lc);
    loop_close(c, &lt);
    LLVMValueRef zz = get(c, c->t_f64, z);
    ci = loop_open(c, &lc, ci64(c, 0), ci64(c, d));
    st(c, trunc32(c, vfdiv(c, ld(c, c->t_f64, acc, ci), zz)), out, vadd(c, qb, ci));
    loop_close(c, &lc);
    items_close(c, &it);
}

static void gen_gla_update(struct cg *c, uint32_t id)
{
    const struct ax_ir_node *n = &c->p->g->nodes[id];
    uint32_t d = n->head_dim;
    LLVMValueRef k = arg(c, 0), v = arg(c, 1), g = arg(c, 2), s = arg(c, 3);
    struct loop it, lc, le;
    LLVMValueRef hk = items_open(c, &it, n->kv_heads), hb = vmul(c, hk, ci64(c, d));
    LLVMValueRef ch = vadd(c, hb, loop_open(c, &lc, ci64(c, 0), ci64(c, d)));
    /* decay = f32(exp(logsigmoid(z) / normalizer)); logsigmoid(z) = -log1p(exp(-z)) for
     * z >= 0, z - log1p(exp(z)) otherwise: one exp(-|z|) serves both */
    LLVMValueRef z = ext(c, ld(c, c->t_f32, g, ch));
    LLVMValueRef l = math(c, c->f_log1p, math(c, c->f_exp, vfneg(c, fabs_(c, z)), NULL), NULL);
    LLVMValueRef ls = sel(c, fcmp(c, LLVMRealOGE, z, cf64(c, 0.0)), vfneg(c, l), vfsub(c, z, l));
    LLVMValueRef decay =
        ext(c, trunc32(c, math(c, c->f_exp, vfdiv(c, ls, cf64(c, n->normalizer)), NULL)));
    LLVMValueRef kd = ext(c, relu(c, ld(c, c->t_f32, k, ch), n));
    LLVMValueRef sb = vmul(c, ch, ci64(c, d));
    LLVMValueRef e = loop_open(c, &le, ci64(c, 0), ci64(c, d));
    LLVMValueRef p = at(c, c->t_f32, s, vadd(c, sb, e));
    LLVMValueRef old = ext(c, LLVMBuildLoad2(c->b, c->t_f32, p, ""));
    LLVMValueRef ve = ext(c, ld(c, c->t_f32, v, vadd(c, hb, e)));
    LLVMBuildStore(c->b, trunc32(c, vfadd(c, vfmul(c, decay, old), vfmul(c, kd, ve))), p);
    loop_close(c, &le);
    loop_close(c, &lc);
    items_close(c, &it);
}

static void gen_gla_read(struct cg *c, uint32_t id)
{
    const struct ax_ir_node *n = &c->p->g->nodes[id];
    uint32_t d = n->head_dim, group = n->heads / n->kv_heads;
    LLVMValueRef q = arg(c, 0), s = arg(c, 1), out = arg(c, 2);
    LLVMValueRef acc = local_array(c, c->t_f64, d);
    struct loop it, lc, le;
    LLVMValueRef h = items_open(c, &it, n->heads);
    LLVMValueRef hk = LLVMBuildUDiv(c->b, h, ci64(c, group), ""), qb = vmul(c, h, ci64(c, d));
    LLVMValueRef e = loop_open(c, &le, ci64(c, 0), ci64(c, d));
    st(c, cf64(c, -0.0), acc, e);
    loop_close(c, &le);
    LLVMValueRef ci = loop_open(c, &lc, ci64(c, 0), ci64(c, d));
    LLVMValueRef qc = ext(c, relu(c, ld(c, c->t_f32, q, vadd(c, qb, ci)), n));
    LLVMValueRef sb = vmul(c, vadd(c, vmul(c, hk, ci64(c, d)), ci), ci64(c, d));
    e = loop_open(c, &le, ci64(c, 0), ci64(c, d));
    LLVMValueRef se = ext(c, ld(c, c->t_f32, s, vadd(c, sb, e)));
    st(c, vfadd(c, ld(c, c->t_f64, acc, e), vfmul(c, qc, se)), acc, e);
    loop_close(c, &le);
    loop_close(c, &lc);
    e = loop_open(c, &le, ci64(c, 0), ci64(c, d));
    st(c, trunc32(c, vfmul(c, ld(c, c->t_f64, acc, e), cf64(c, inv_sqrt(d)))), out, vadd(c, qb, e));
    loop_close(c, &le);
    items_close(c, &it);
}

static void gen_elementwise(struct cg *c, uint32_t id, int is_swiglu)
{
    const struct ax_ir_node *n = &c->p->g->nodes[id];
    LLVMValueRef a = arg(c, 0), b = arg(c, 1), out = arg(c, 2);
    struct loop it;
    LLVMValueRef i = items_open(c, &it, n->dim);
    LLVMValueRef x = ld(c, c->t_f32, a, i), y = ld(c, c->t_f32, b, i);
    if (is_swiglu) {
        /* f32(silu(f64(g)) * f64(u)), silu(z) = z / (1 + exp(-z)) */
        LLVMValueRef z = ext(c, x);
        LLVMValueRef silu =
            vfdiv(c, z, vfadd(c, cf64(c, 1.0), math(c, c->f_exp, vfneg(c, z), NULL)));
        st(c, trunc32(c, vfmul(c, silu, ext(c, y))), out, i);
    } else {
        st(c, LLVMBuildFAdd(c->b, x, y, ""), out, i);
    }
    items_close(c, &it);
}

static void gen_phase(struct cg *c, const struct ref_phase *ph)
{
    switch (ph->kind) {
    case REF_PHASE_EMBED:
        gen_embed(c, ph->node);
        break;
    case REF_PHASE_RMSNORM:
        gen_rmsnorm(c, ph->node);
        break;
    case REF_PHASE_LINEAR:
        linear_dense(c, ph->node);
        break;
    case REF_PHASE_ENCODE:
        gen_encode(c, ph->node);
        break;
    case REF_PHASE_SPIKE_LINEAR:
        gen_spike_linear(c, ph->node);
        break;
    case REF_PHASE_ROPE_TABLE:
        gen_rope_table(c, ph->node);
        break;
    case REF_PHASE_ROPE:
        gen_rope(c, ph->node);
        break;
    case REF_PHASE_SWA_STORE:
        gen_swa_store(c, ph->node);
        break;
    case REF_PHASE_SWA_ATTEND:
        gen_swa_attend(c, ph->node);
        break;
    case REF_PHASE_GLA_UPDATE:
        gen_gla_update(c, ph->node);
        break;
    case REF_PHASE_GLA_READ:
        gen_gla_read(c, ph->node);
        break;
    case REF_PHASE_SWIGLU:
        gen_elementwise(c, ph->node, 1);
        break;
    case REF_PHASE_ADD:
        gen_elementwise(c, ph->node, 0);
        break;
    case REF_PHASE_COUNT:
        break;
    }
}

/* ---- GPU math: exp, log1p, sin, cos, pow generated into the module ------------------- */

/* The GPU has no C library: exp, log1p, sin, cos and pow are generated
 * into the module as internal functions, branch-free, from fdlibm's
 * classic reductions (Cody-Waite splits of ln 2 and pi/2) and Taylor
 * polynomials evaluated with separate multiplies and adds. They agree with
 * glibc within a few ulps on the ranges the model uses (exp everywhere,
 * log1p on (-1, inf], sin and cos for |x| < 2^20 * pi/2, pow for x > 0):
 * GPU results match the CPU's within tolerance, not bit for bit. */

static LLVMValueRef gpu_fn(struct cg *c, const char *name, LLVMTypeRef t)
{
    LLVMValueRef fn = LLVMAddFunction(c->mod, name, t);
    LLVMSetLinkage(fn, LLVMInternalLinkage);
    LLVMPositionBuilderAtEnd(c->b, LLVMAppendBasicBlockInContext(c->ctx, fn, "entry"));
    return fn;
}

/* p(x) = coef[0] + x * (coef[1] + x * (... + x * coef[n-1])) */
static LLVMValueRef horner(struct cg *c, LLVMValueRef x, const double *coef, int n)
{
    LLVMValueRef p = cf64(c, coef[n - 1]);
    for (int i = n - 2; i >= 0; i--)
        p = vfadd(c, vfmul(c, p, x), cf64(c, coef[i]));
    return p;
}

/* 2^k for an i64 k with |k| <= 1022 */
static LLVMValueRef pow2i(struct cg *c, LLVMValueRef k)
{
    LLVMValueRef bits = LLVMBuildShl(c->b, vadd(c, k, ci64(c, 1023)), ci64(c, 52), "");
    return LLVMBuildBitCast(c->b, bits, c->t_f64, "");
}

static const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;

static LLVMValueRef gpu_exp_body(struct cg *c, LLVMValueRef x)
{
    double taylor[14]; /* 1 / n! */
    taylor[0] = 1.0;
    for (int n = 1; n < 14; n++)
        taylor[n] = taylor[n - 1] / n;
    LLVMValueRef xc = sel(c, fcmp(c, LLVMRealOLT, x, cf64(c, -746.0)), cf64(c, -746.0), x);
    xc = sel(c, fcmp(c, LLVMRealOGT, xc, cf64(c, 710.0)), cf64(c, 710.0), xc);
    LLVMValueRef is_nan = fcmp(c, LLVMRealUNO, x, x);
    xc = sel(c, is_nan, cf64(c, 0.0), xc);
    LLVMValueRef k = rint_(c, vfmul(c, xc, cf64(c, 1.4426950408889634074)));
    LLVMValueRef r =
        vfsub(c, vfsub(c, xc, vfmul(c, k, cf64(c, ln2_hi))), vfmul(c, k, cf64(c, ln2_lo)));
    LLVMValueRef p = horner(c, r, taylor, 14);
    LLVMValueRef ki = LLVMBuildFPToSI(c->b, k, c->t_i64, "");
    LLVMValueRef k1 = LLVMBuildSDiv(c->b, ki, ci64(c, 2), ""), k2 = LLVMBuildSub(c->b, ki, k1, "");
    LLVMValueRef y = vfmul(c, vfmul(c, p, pow2i(c, k1)), pow2i(c, k2));
    return sel(c, is_nan, x, y);
}

/* log(u) for u > 0, with the IEEE answers for 0, negatives, inf and NaN */
static LLVMValueRef gpu_log_body(struct cg *c, LLVMValueRef u)
{
    LLVMValueRef is_sub = fcmp(c, LLVMRealOLT, u, cf64(c, 0x1p-1022));
    LLVMValueRef v = sel(c, is_sub, vfmul(c, u, cf64(c, 0x1p54)), u);
    LLVMValueRef bits = LLVMBuildBitCast(c->b, v, c->t_i64, "");
    LLVMValueRef e = LLVMBuildSub(
        c->b, LLVMBuildAnd(c->b, LLVMBuildLShr(c->b, bits, ci64(c, 52), ""), ci64(c, 0x7ff), ""),
        ci64(c, 1023), "");
    e = LLVMBuildSub(c->b, e, sel(c, is_sub, ci64(c, 54), ci64(c, 0)), "");
    LLVMValueRef mbits =
        LLVMBuildOr(c->b, LLVMBuildAnd(c->b, bits, ci64(c, 0x000fffffffffffffLL), ""),
                    ci64(c, 0x3ff0000000000000LL), "");
    LLVMValueRef m = LLVMBuildBitCast(c->b, mbits, c->t_f64, "");
    LLVMValueRef big = fcmp(c, LLVMRealOGT, m, cf64(c, 1.41421356237309504880));
    m = sel(c, big, vfmul(c, m, cf64(c, 0.5)), m);
    e = vadd(c, e, LLVMBuildZExt(c->b, big, c->t_i64, ""));
    /* log(m) = 2 atanh(s), s = (m - 1) / (m + 1) */
    LLVMValueRef s = vfdiv(c, vfsub(c, m, cf64(c, 1.0)), vfadd(c, m, cf64(c, 1.0)));
    LLVMValueRef s2 = vfmul(c, s, s);
    double odd[13];
    for (int i = 0; i < 13; i++)
        odd[i] = 1.0 / (2 * i + 1);
    LLVMValueRef lm = vfmul(c, vfmul(c, cf64(c, 2.0), s), horner(c, s2, odd, 13));
    LLVMValueRef ef = LLVMBuildSIToFP(c->b, e, c->t_f64, "");
    LLVMValueRef y =
        vfadd(c, vfmul(c, ef, cf64(c, ln2_hi)), vfadd(c, lm, vfmul(c, ef, cf64(c, ln2_lo))));
    y = sel(c, fcmp(c, LLVMRealOEQ, u, cf64(c, 0.0)), cf64(c, -INFINITY), y);
    y = sel(c, fcmp(c, LLVMRealOEQ, u, cf64(c, INFINITY)), cf64(c, INFINITY), y);
    return sel(c, fcmp(c, LLVMRealUGE, u, cf64(c, 0.0)), y, cf64(c, NAN)); /* NaN, negatives */
}

static LLVMValueRef gpu_log1p_body(struct cg *c, LLVMValueRef x)
{
    /* log1p(x) = log(u) * x / (u - 1) with u = 1 + x (exact where u - 1 == x) */
    LLVMValueRef u = vfadd(c, cf64(c, 1.0), x), d = vfsub(c, u, cf64(c, 1.0));
    LLVMValueRef y = vfmul(c, gpu_log_body(c, u), vfdiv(c, x, d));
    y = sel(c, fcmp(c, LLVMRealOEQ, d, cf64(c, 0.0)), x, y);
    y = sel(c, fcmp(c, LLVMRealOEQ, u, cf64(c, INFINITY)), u, y);
    y = sel(c, fcmp(c, LLVMRealOEQ, u, cf64(c, 0.0)), cf64(c, -INFINITY), y);
    return sel(c, fcmp(c, LLVMRealUNO, x, x), x, y);
}

/* sin (is_cos = 0) or cos (1) */
static LLVMValueRef gpu_sincos_body(struct cg *c, LLVMValueRef x, int is_cos)
{
    /* Taylor: sin r = r * sum (-1)^n r^2n / (2n+1)!, cos r = sum (-1)^n r^2n / (2n)! */
    double sin_c[9], cos_c[10];
    sin_c[0] = cos_c[0] = 1.0;
    for (int n = 1; n < 10; n++) {
        cos_c[n] = -cos_c[n - 1] / ((2.0 * n - 1) * (2.0 * n));
        if (n < 9)
            sin_c[n] = -sin_c[n - 1] / ((2.0 * n) * (2.0 * n + 1));
    }
    LLVMValueRef is_finite = fcmp(c, LLVMRealOLT, fabs_(c, x), cf64(c, INFINITY));
    LLVMValueRef xs = sel(c, is_finite, x, cf64(c, 0.0));
    LLVMValueRef k = rint_(c, vfmul(c, xs, cf64(c, 6.36619772367581382433e-01)));
    LLVMValueRef r = vfsub(c, xs, vfmul(c, k, cf64(c, 1.57079632673412561417e+00)));
    r = vfsub(c, r, vfmul(c, k, cf64(c, 6.07710050630396597660e-11)));
    r = vfsub(c, r, vfmul(c, k, cf64(c, 2.02226624871116645580e-21)));
    LLVMValueRef r2 = vfmul(c, r, r);
    LLVMValueRef sp = vfmul(c, r, horner(c, r2, sin_c, 9)), cp = horner(c, r2, cos_c, 10);
    LLVMValueRef q = LLVMBuildAnd(
        c->b, vadd(c, LLVMBuildFPToSI(c->b, k, c->t_i64, ""), ci64(c, is_cos)), ci64(c, 3), "");
    /* quadrant q of sin: sin, cos, -sin, -cos */
    LLVMValueRef odd = LLVMBuildTrunc(c->b, q, c->t_i1, "");
    LLVMValueRef neg = icmp(c, LLVMIntUGE, q, ci64(c, 2));
    LLVMValueRef y = sel(c, odd, cp, sp);
    y = sel(c, neg, vfneg(c, y), y);
    return sel(c, is_finite, y, cf64(c, NAN));
}

static LLVMValueRef gpu_pow_body(struct cg *c, LLVMValueRef x, LLVMValueRef y)
{
    LLVMValueRef r = gpu_exp_body(c, vfmul(c, y, gpu_log_body(c, x)));
    return sel(c, fcmp(c, LLVMRealOEQ, y, cf64(c, 0.0)), cf64(c, 1.0), r);
}

static void gpu_math_define(struct cg *c)
{
    c->f_exp = gpu_fn(c, "axon_exp", c->t_f64_1);
    LLVMBuildRet(c->b, gpu_exp_body(c, LLVMGetParam(c->f_exp, 0)));
    c->f_log1p = gpu_fn(c, "axon_log1p", c->t_f64_1);
    LLVMBuildRet(c->b, gpu_log1p_body(c, LLVMGetParam(c->f_log1p, 0)));
    c->f_sin = gpu_fn(c, "axon_sin", c->t_f64_1);
    LLVMBuildRet(c->b, gpu_sincos_body(c, LLVMGetParam(c->f_sin, 0), 0));
    c->f_cos = gpu_fn(c, "axon_cos", c->t_f64_1);
    LLVMBuildRet(c->b, gpu_sincos_body(c, LLVMGetParam(c->f_cos, 0), 1));
    c->f_pow = gpu_fn(c, "axon_pow", c->t_f64_2);
    LLVMBuildRet(c->b, gpu_pow_body(c, LLVMGetParam(c->f_pow, 0), LLVMGetParam(c->f_pow, 1)));
}

/* ---- the module ------------------------------------------------------------------------ */

static void cg_init(struct cg *c, LLVMContextRef ctx, const struct ax_ref_plan *p, const char *name,
                    int is_gpu)
{
    memset(c, 0, sizeof *c);
    c->ctx = ctx;
    c->p = p;
    c->is_gpu = is_gpu;
    c->mod = LLVMModuleCreateWithNameInContext(name && name[0] ? name : "axon", ctx);
    c->b = LLVMCreateBuilderInContext(ctx);
    c->ab = LLVMCreateBuilderInContext(ctx);
    c->t_void = LLVMVoidTypeInContext(ctx);
    c->t_i1 = LLVMInt1TypeInContext(ctx);
    c->t_i8 = LLVMInt8TypeInContext(ctx);
    c->t_i16 = LLVMInt16TypeInContext(ctx);
    c->t_i32 = LLVMInt32TypeInContext(ctx);
    c->t_i64 = LLVMInt64TypeInContext(ctx);
    c->t_f32 = LLVMFloatTypeInContext(ctx);
    c->t_f64 = LLVMDoubleTypeInContext(ctx);
    c->t_ptr = LLVMPointerTypeInContext(ctx, 0);
    c->t_vf = LLVMVectorType(c->t_f32, REF_RB);
    c->t_vd = LLVMVectorType(c->t_f64, REF_RB);
    c->t_vi16 = LLVMVectorType(c->t_i16, REF_RB);
    c->t_vi32 = LLVMVectorType(c->t_i32, REF_RB);
    LLVMTypeRef params[3] = {c->t_ptr, c->t_i32, c->t_i64};
    c->t_phase = LLVMFunctionType(c->t_void, params, 3, 0);
    LLVMTypeRef d2[2] = {c->t_f64, c->t_f64};
    c->t_f64_1 = LLVMFunctionType(c->t_f64, d2, 1, 0);
    c->t_f64_2 = LLVMFunctionType(c->t_f64, d2, 2, 0);
    c->k_nobuiltin = LLVMGetEnumAttributeKindForName("nobuiltin", 9);
    if (is_gpu) {
        gpu_math_define(c);
    } else {
        c->f_exp = LLVMAddFunction(c->mod, "exp", c->t_f64_1);
        c->f_log1p = LLVMAddFunction(c->mod, "log1p", c->t_f64_1);
        c->f_sin = LLVMAddFunction(c->mod, "sin", c->t_f64_1);
        c->f_cos = LLVMAddFunction(c->mod, "cos", c->t_f64_1);
        c->f_pow = LLVMAddFunction(c->mod, "pow", c->t_f64_2);
    }
}

static void cg_dispose_builders(struct cg *c)
{
    LLVMDisposeBuilder(c->b);
    LLVMDisposeBuilder(c->ab);
}

/* Generates one kernel per distinct phase key (ax_ref_plan_kernels) and,
 * for the host, axon_step, which calls each phase's kernel with its slice of
 * the argument table. AX_ERR_NOMEM leaves the module incomplete. */
static ax_status cg_generate(struct cg *c)
{
    const struct ax_ref_plan *p = c->p;
    uint32_t n = p->n_phases ? p->n_phases : 1;
    LLVMValueRef *fns = ax_mem_alloc((size_t)n * sizeof *fns);
    uint32_t *kernel_of = ax_mem_alloc((size_t)n * sizeof *kernel_of);
    uint32_t n_kernels = 0;
    ax_status st = fns && kernel_of ? ax_ref_plan_kernels(p, kernel_of, &n_kernels) : AX_ERR_NOMEM;
    if (st != AX_OK) {
        ax_mem_free(kernel_of);
        ax_mem_free(fns);
        return st;
    }
    for (uint32_t i = 0, k_next = 0; i < p->n_phases; i++) {
        const struct ref_phase *ph = &p->phases[i];
        if (kernel_of[i] != k_next)
            continue; /* an earlier phase's kernel */
        char name[96];
        ax_ref_kernel_name(p, kernel_of, i, name, sizeof name);
        c->n_args = ph->n_args;
        c->ph = ph;
        phase_open(c, name);
        gen_phase(c, ph);
        phase_close(c);
        fns[k_next++] = c->fn;
    }
    if (!c->is_gpu) {
        LLVMValueRef step = LLVMAddFunction(c->mod, "axon_step", c->t_phase);
        LLVMValueRef args = LLVMGetParam(step, 0), token = LLVMGetParam(step, 1);
        LLVMValueRef pos = LLVMGetParam(step, 2);
        LLVMSetValueName2(args, "args", 4);
        LLVMSetValueName2(token, "token", 5);
        LLVMSetValueName2(pos, "pos", 3);
        LLVMPositionBuilderAtEnd(c->b, LLVMAppendBasicBlockInContext(c->ctx, step, "entry"));
        for (uint32_t i = 0; i < p->n_phases; i++) {
            char name[32];
            snprintf(name, sizeof name, "n%u", p->phases[i].node); /* the graph node */
            LLVMValueRef off = ci64(c, p->phases[i].arg0);
            LLVMValueRef a[3] = {LLVMBuildInBoundsGEP2(c->b, c->t_ptr, args, &off, 1, name), token,
                                 pos};
            LLVMBuildCall2(c->b, c->t_phase, fns[kernel_of[i]], a, 3, "");
        }
        LLVMBuildRetVoid(c->b);
    }
    ax_mem_free(kernel_of);
    ax_mem_free(fns);
    return AX_OK;
}

/* Verifies the module; a failure is a bug in this file. */
static ax_status cg_verify(struct cg *c, struct ax_diag_list *diags)
{
    char *msg = NULL;
    if (LLVMVerifyModule(c->mod, LLVMReturnStatusAction, &msg)) {
        ax_diag_add(diags, AX_DIAG_ERROR, c->p ? c->p->g->name : NULL, 0, 0,
                    "generated LLVM module is invalid (a bug in axon): %.400s", msg ? msg : "");
        LLVMDisposeMessage(msg);
        return AX_ERR_INTERNAL;
    }
    LLVMDisposeMessage(msg);
    return AX_OK;
}

static void llvm_error(struct ax_diag_list *diags, const char *what, LLVMErrorRef err)
{
    char *msg = LLVMGetErrorMessage(err);
    ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0, "%s: %s", what, msg);
    LLVMDisposeErrorMessage(msg);
}

/* A target machine for the host (CPU name and features detected). */
static LLVMTargetMachineRef host_machine(const char *triple, struct ax_diag_list *diags)
{
    LLVMTargetRef target;
    char *err = NULL;
    if (LLVMGetTargetFromTriple(triple, &target, &err)) {
        ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0, "LLVM has no target for %s: %s", triple,
                    err ? err : "");
        LLVMDisposeMessage(err);
        return NULL;
    }
    char *cpu = LLVMGetHostCPUName(), *features = LLVMGetHostCPUFeatures();
    LLVMTargetMachineRef tm =
        LLVMCreateTargetMachine(target, triple, cpu, features, LLVMCodeGenLevelDefault,
                                LLVMRelocDefault, LLVMCodeModelJITDefault);
    LLVMDisposeMessage(cpu);
    LLVMDisposeMessage(features);
    return tm;
}

static ax_status optimize(LLVMModuleRef mod, LLVMTargetMachineRef tm, struct ax_diag_list *diags)
{
    LLVMPassBuilderOptionsRef opts = LLVMCreatePassBuilderOptions();
    LLVMErrorRef err = LLVMRunPasses(mod, "default<O2>", tm, opts);
    LLVMDisposePassBuilderOptions(opts);
    if (err) {
        llvm_error(diags, "optimizing the generated module", err);
        return AX_ERR_INTERNAL;
    }
    return AX_OK;
}

struct ax_ref_jit {
    LLVMOrcLLJITRef jit;
};

/* A JIT for this CPU (its name and features, AVX2 and so on) at the default
 * optimization level: the builder takes a target machine made like the one
 * the passes use. */
static ax_status jit_new(struct ax_ref_jit **out, struct ax_diag_list *diags)
{
    *out = NULL;
    LLVMInitializeNativeTarget();
    LLVMInitializeNativeAsmPrinter();
    struct ax_ref_jit *j = ax_mem_calloc(1, sizeof *j);
    if (!j)
        return AX_ERR_NOMEM;
    char *host = LLVMGetDefaultTargetTriple();
    LLVMTargetMachineRef jit_tm = host_machine(host, diags);
    LLVMDisposeMessage(host);
    if (!jit_tm) {
        ax_mem_free(j);
        return AX_ERR_INTERNAL;
    }
    LLVMOrcLLJITBuilderRef builder = LLVMOrcCreateLLJITBuilder();
    LLVMOrcLLJITBuilderSetJITTargetMachineBuilder(
        builder, LLVMOrcJITTargetMachineBuilderCreateFromTargetMachine(jit_tm));
    LLVMErrorRef err = LLVMOrcCreateLLJIT(&j->jit, builder);
    if (err) {
        llvm_error(diags, "creating the JIT", err);
        ax_mem_free(j);
        return AX_ERR_INTERNAL;
    }
    *out = j;
    return AX_OK;
}

/* Verifies and optimizes the module built in `c` (in the context of `tsc`)
 * and hands both to the JIT; the C library's functions resolve to the
 * process's. The module and the context are consumed either way. */
static ax_status jit_add(struct ax_ref_jit *j, struct cg *c, LLVMOrcThreadSafeContextRef tsc,
                         struct ax_diag_list *diags)
{
    ax_status st = cg_verify(c, diags);
    const char *triple = LLVMOrcLLJITGetTripleString(j->jit);
    LLVMTargetMachineRef tm = st == AX_OK ? host_machine(triple, diags) : NULL;
    if (st == AX_OK && !tm)
        st = AX_ERR_INTERNAL;
    if (st == AX_OK)
        st = optimize(c->mod, tm, diags);
    if (tm)
        LLVMDisposeTargetMachine(tm);
    if (st != AX_OK) {
        LLVMDisposeModule(c->mod);
        LLVMOrcDisposeThreadSafeContext(tsc);
        return st;
    }
    LLVMOrcJITDylibRef jd = LLVMOrcLLJITGetMainJITDylib(j->jit);
    LLVMOrcDefinitionGeneratorRef gen = NULL;
    LLVMErrorRef err = LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(
        &gen, LLVMOrcLLJITGetGlobalPrefix(j->jit), NULL, NULL);
    if (!err) {
        LLVMOrcJITDylibAddGenerator(jd, gen);
        /* the JIT owns the module from here, whatever happens */
        err =
            LLVMOrcLLJITAddLLVMIRModule(j->jit, jd, LLVMOrcCreateNewThreadSafeModule(c->mod, tsc));
    } else {
        LLVMDisposeModule(c->mod);
    }
    LLVMOrcDisposeThreadSafeContext(tsc);
    if (err) {
        llvm_error(diags, "compiling the generated module", err);
        return AX_ERR_INTERNAL;
    }
    return AX_OK;
}

/* The address of `name`, compiled on first lookup. */
static ax_status jit_lookup(struct ax_ref_jit *j, const char *name, LLVMOrcExecutorAddress *addr,
                            struct ax_diag_list *diags)
{
    LLVMErrorRef err = LLVMOrcLLJITLookup(j->jit, addr, name);
    if (err) {
        llvm_error(diags, "compiling the generated module", err);
        return AX_ERR_INTERNAL;
    }
    return AX_OK;
}

/* A new module for the JIT: its context, the code generator on it. */
static LLVMOrcThreadSafeContextRef jit_module(struct ax_ref_jit *j, struct cg *c,
                                              const struct ax_ref_plan *p, const char *name,
                                              int is_gpu)
{
    LLVMOrcThreadSafeContextRef tsc = LLVMOrcCreateNewThreadSafeContext();
    cg_init(c, LLVMOrcThreadSafeContextGetContext(tsc), p, name, is_gpu);
    LLVMSetTarget(c->mod, LLVMOrcLLJITGetTripleString(j->jit));
    LLVMSetDataLayout(c->mod, LLVMOrcLLJITGetDataLayoutStr(j->jit));
    return tsc;
}

ax_status ax_ref_jit_compile(const struct ax_ref_plan *p, struct ax_ref_jit **out,
                             ax_ref_step_fn *step, struct ax_diag_list *diags)
{
    *out = NULL;
    *step = NULL;
    struct ax_ref_jit *j;
    ax_status st = jit_new(&j, diags);
    if (st != AX_OK)
        return st;
    struct cg c;
    LLVMOrcThreadSafeContextRef tsc = jit_module(j, &c, p, p->g->name, 0);
    st = cg_generate(&c);
    cg_dispose_builders(&c);
    if (st != AX_OK) {
        LLVMDisposeModule(c.mod);
        LLVMOrcDisposeThreadSafeContext(tsc);
        ax_ref_jit_free(j);
        return st;
    }
    LLVMOrcExecutorAddress addr = 0;
    st = jit_add(j, &c, tsc, diags);
    if (st == AX_OK)
        st = jit_lookup(j, "axon_step", &addr, diags);
    if (st != AX_OK) {
        ax_ref_jit_free(j);
        return st;
    }
    /* The JIT hands out an address; the step has the C signature it was built with. */
    union {
        LLVMOrcExecutorAddress addr;
        ax_ref_step_fn fn;
    } u;
    _Static_assert(sizeof u.addr == sizeof u.fn, "function pointers are 64 bits");
    u.addr = addr;
    *step = u.fn;
    *out = j;
    return AX_OK;
}

ax_status ax_ref_gpu_math_host(struct ax_ref_gpu_math *out, struct ax_diag_list *diags)
{
    memset(out, 0, sizeof *out);
    struct ax_ref_jit *j;
    ax_status st = jit_new(&j, diags);
    if (st != AX_OK)
        return st;
    struct cg c;
    LLVMOrcThreadSafeContextRef tsc = jit_module(j, &c, NULL, "axon_gpu_math", 1);
    const char *names[5] = {"axon_exp", "axon_log1p", "axon_sin", "axon_cos", "axon_pow"};
    LLVMValueRef fns[5] = {c.f_exp, c.f_log1p, c.f_sin, c.f_cos, c.f_pow};
    for (int i = 0; i < 5; i++)
        LLVMSetLinkage(fns[i], LLVMExternalLinkage);
    cg_dispose_builders(&c);
    st = jit_add(j, &c, tsc, diags);
    LLVMOrcExecutorAddress addr[5] = {0};
    for (int i = 0; i < 5 && st == AX_OK; i++)
        st = jit_lookup(j, names[i], &addr[i], diags);
    if (st != AX_OK) {
        ax_ref_jit_free(j);
        return st;
    }
    union {
        LLVMOrcExecutorAddress addr;
        double (*f1)(double);
        double (*f2)(double, double);
    } u;
    u.addr = addr[0];
    out->exp = u.f1;
    u.addr = addr[1];
    out->log1p = u.f1;
    u.addr = addr[2];
    out->sin = u.f1;
    u.addr = addr[3];
    out->cos = u.f1;
    u.addr = addr[4];
    out->pow = u.f2;
    out->jit = j;
    return AX_OK;
}

void ax_ref_jit_free(struct ax_ref_jit *j)
{
    if (!j)
        return;
    if (j->jit) {
        LLVMErrorRef err = LLVMOrcDisposeLLJIT(j->jit);
        if (err)
            LLVMConsumeError(err);
    }
    ax_mem_free(j);
}

/* PTX for sm_90 from the GPU lowering. */
static ax_status emit_ptx(struct cg *c, FILE *out, struct ax_diag_list *diags)
{
    LLVMInitializeNVPTXTargetInfo();
    LLVMInitializeNVPTXTarget();
    LLVMInitializeNVPTXTargetMC();
    LLVMInitializeNVPTXAsmPrinter();
    const char *triple = "nvptx64-nvidia-cuda";
    LLVMTargetRef target;
    char *err = NULL;
    if (LLVMGetTargetFromTriple(triple, &target, &err)) {
        ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0, "this LLVM has no NVPTX target: %s",
                    err ? err : "");
        LLVMDisposeMessage(err);
        return AX_ERR_UNSUPPORTED;
    }
    LLVMTargetMachineRef tm =
        LLVMCreateTargetMachine(target, triple, "sm_90", "+ptx80", LLVMCodeGenLevelDefault,
                                LLVMRelocDefault, LLVMCodeModelDefault);
    LLVMSetTarget(c->mod, triple);
    LLVMTargetDataRef td = LLVMCreateTargetDataLayout(tm);
    char *layout = LLVMCopyStringRepOfTargetData(td);
    LLVMSetDataLayout(c->mod, layout);
    LLVMDisposeMessage(layout);
    LLVMDisposeTargetData(td);
    ax_status st = optimize(c->mod, tm, diags);
    LLVMMemoryBufferRef mb = NULL;
    if (st == AX_OK &&
        LLVMTargetMachineEmitToMemoryBuffer(tm, c->mod, LLVMAssemblyFile, &err, &mb)) {
        ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0, "emitting PTX: %s", err ? err : "");
        LLVMDisposeMessage(err);
        st = AX_ERR_INTERNAL;
    }
    if (st == AX_OK) {
        size_t len = LLVMGetBufferSize(mb);
        if (fwrite(LLVMGetBufferStart(mb), 1, len, out) != len)
            st = AX_ERR_IO;
        LLVMDisposeMemoryBuffer(mb);
    }
    LLVMDisposeTargetMachine(tm);
    return st;
}

ax_status ax_ref_codegen_emit(const struct ax_ref_plan *p, enum ax_ref_emit what, FILE *out,
                              struct ax_diag_list *diags)
{
    LLVMContextRef ctx = LLVMContextCreate();
    struct cg c;
    int is_gpu = what == AX_REF_EMIT_PTX;
    cg_init(&c, ctx, p, p->g->name, is_gpu);
    if (!is_gpu) {
        char *triple = LLVMGetDefaultTargetTriple();
        LLVMSetTarget(c.mod, triple);
        LLVMDisposeMessage(triple);
    }
    ax_status st = cg_generate(&c);
    cg_dispose_builders(&c);
    if (st == AX_OK)
        st = cg_verify(&c, diags);
    if (st == AX_OK && is_gpu) {
        st = emit_ptx(&c, out, diags);
    } else if (st == AX_OK) {
        char *text = LLVMPrintModuleToString(c.mod);
        if (fputs(text, out) < 0)
            st = AX_ERR_IO;
        LLVMDisposeMessage(text);
    }
    LLVMDisposeModule(c.mod);
    LLVMContextDispose(ctx);
    return st;
}
