/*
 * oneDNN plans of the CPU engine (contract: fcpts/ops_cpu.h): convolution,
 * pooling (its forward runs on pooling_ops_cpu.cpp, oneDNN's NCHW pooling being its slow reference path; the
 * backward on oneDNN), matrix product and batched matrix product (y[b] = op(a[b]) op(b[b]),
 * a shared b as oneDNN's batch-1 broadcast) in plain row-major layouts (nchw / goihw / ab / abc),
 * primitive descriptors built once per shape and reused. oneDNN runs on the
 * OpenMP runtime shared with libfcpts_cpu; each execution sets the plan's thread
 * count for the calling thread. dnnl::error and std::bad_alloc become statuses
 * carrying oneDNN's status name. Called from java: backend.cpu.CpuNatives.
 *
 * Non-finite values: oneDNN's relu and clip post-ops (vmaxps / vminps with the bound second) turn NaN into 0 /
 * lo, unlike ONNX Runtime and fcpts/ops.def. A conv plan with a fused activation therefore checks its input,
 * residual and (once per weight pointer) weights and bias for Inf / NaN, one vectorized pass over each; if one
 * holds any, that call runs a twin plan without the activation post-op and applies the activation after it.
 * Finite calls take the fused path unchanged. Max pooling gives NaN for a window holding one
 * (pooling_ops_cpu.cpp).
 *
 * Threads: a plan holds per-execution state (reorder buffers, the packed weights, its scratchpad), so one
 * plan runs on one thread at a time; distinct plans may run concurrently from different threads. The
 * forward primitives use oneDNN's user scratchpad mode with a scratchpad owned by the plan, so they never
 * touch the library's shared (per-thread, created-in-one-thread) scratchpad and a plan may move between
 * threads. Backward primitives (training, single-threaded) keep the library scratchpad.
 */
#include <omp.h>

#include <memory>
#include <new>
#include <unordered_map>
#include <vector>

#include "dnnl.hpp"
#include "fcpts/ops_cpu.h"
#include "fcpts/ops_math.h"
#include "live_plans.h"
#include "pooling_cpu.h"

namespace {

const dnnl::engine& cpu_engine() {
    static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
    return engine;
}

dnnl::memory wrap(const dnnl::memory::desc& d, const float* data) {
    return dnnl::memory(d, cpu_engine(), const_cast<float*>(data));
}

/*
 * One primitive argument: the caller's plain layout (user) and the layout the
 * primitive chose (internal, often blocked). When they differ, the plan owns a
 * scratch buffer in the internal layout and reorders on the way in or out.
 */
struct Arg {
    dnnl::memory::desc user, internal;
    dnnl::memory scratch;
    bool reorder = false;

    void init(const dnnl::memory::desc& u, const dnnl::memory::desc& i) {
        user = u;
        internal = i;
        reorder = u != i;
        if (reorder) scratch = dnnl::memory(i, cpu_engine());
    }
    /* The primitive's input, reordered from the caller's buffer if needed. */
    dnnl::memory in(const float* p, dnnl::stream& s) {
        dnnl::memory u = wrap(user, p);
        if (!reorder) return u;
        dnnl::reorder(u, scratch).execute(s, u, scratch);
        return scratch;
    }
    /* Where the primitive writes an output; call finish() after it ran. */
    dnnl::memory out(float* p) { return reorder ? scratch : wrap(user, p); }
    void finish(float* p, dnnl::stream& s) {
        if (!reorder) return;
        dnnl::memory u = wrap(user, p);
        dnnl::reorder(scratch, u).execute(s, scratch, u);
    }
};

struct Geometry {
    int64_t n, c, h, w, oc, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, groups;
};

}  // namespace

struct fcpts_dnnl_plan {
    fcpts::LivePlan live;                          /* counted by fcpts_cpu_live_plans */
    dnnl::primitive primitive;                     /* forward (inference) */
    Arg conv_src, conv_weights, conv_dst;          /* convolution forward arguments */
    Arg bd_diff_dst, bd_weights, bd_diff_src;      /* convolution backward data */
    Arg bw_src, bw_diff_dst, bw_diff_weights;      /* convolution backward weights */
    dnnl::memory::desc src, weights, bias, dst;
    dnnl::stream stream;
    dnnl::memory scratchpad;                       /* the forward primitive's (user scratchpad mode) */
    int threads;
    /* what the backward primitives need; they are built on first use */
    dnnl::memory::dims strides, dilates, pad_l, pad_r, kernel;
    bool has_bias = false;
    dnnl::algorithm algorithm = dnnl::algorithm::undef;
    dnnl::primitive bwd_data, bwd_weights, fwd_training;
    dnnl::memory::desc workspace;
    std::vector<float> scratch_dst;                /* pooling: forward output recomputed for max backward */
    bool constant_weights = false;                 /* conv: weights reordered once per pointer */
    bool residual = false;                         /* conv: a sum post-op adds a residual input */
    const float* packed_from = nullptr;            /* conv: the weight pointer conv_weights.scratch was made from */
    Geometry pool{};                               /* pooling: the window geometry */
    int32_t pool_kind = -1;                        /* pooling: its fcpts_pool_kind; -1 for the other plans */
    /* conv: what make_conv_plan was given; with a fused activation, the plan without it (made on the first
     * call with a non-finite input) and whether the weights last checked hold a non-finite value */
    Geometry conv{};
    int32_t flags = 0, activation = FCPTS_ACT_NONE;
    float act_lo = 0.0f, act_hi = 0.0f;
    std::unique_ptr<fcpts_dnnl_plan> plain;
    const float* checked_weights = nullptr;
    bool weights_nonfinite = false;
};

namespace {

using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;
using dims = dnnl::memory::dims;

const char* dnnl_status_name(dnnl_status_t s) {
    switch (s) {
        case dnnl_out_of_memory: return "dnnl_out_of_memory";
        case dnnl_invalid_arguments: return "dnnl_invalid_arguments";
        case dnnl_unimplemented: return "dnnl_unimplemented";
        case dnnl_runtime_error: return "dnnl_runtime_error";
        default: return "dnnl_error";
    }
}

int fail_dnnl(fcpts_status* status, const dnnl::error& e, const char* what, int line) {
    return fcpts_status_set(status, e.status == dnnl_out_of_memory ? FCPTS_OUT_OF_MEMORY : FCPTS_INTERNAL, -1,
                            __FILE__, line, dnnl_status_name(e.status), (int)e.status, "%s: %s", what, e.what());
}

int read_geometry(const int64_t* g, Geometry* out, fcpts_status* status) {
    FCPTS_REQUIRE(status, g != nullptr, -1, "geometry is NULL");
    *out = Geometry{g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], g[12], g[13], g[14],
                    g[15], g[16], g[17]};
    for (int i = 0; i < FCPTS_GEOMETRY_LEN; ++i) {
        FCPTS_REQUIRE(status, g[i] >= 0, i, "geometry[%d] is negative (%lld)", i, (long long)g[i]);
    }
    FCPTS_REQUIRE(status, out->sh > 0 && out->sw > 0 && out->dh > 0 && out->dw > 0, 9,
                  "strides and dilations must be >= 1");
    return FCPTS_OK;
}

template <typename Body>
int guarded(fcpts_status* status, const char* what, int line, Body body) {
    fcpts_status_clear(status);
    try {
        return body();
    } catch (const dnnl::error& e) {
        return fail_dnnl(status, e, what, line);
    } catch (const std::bad_alloc&) {
        return fcpts_status_set(status, FCPTS_OUT_OF_MEMORY, -1, __FILE__, line, "", 0, "%s: out of memory", what);
    } catch (...) {
        return fcpts_status_set(status, FCPTS_INTERNAL, -1, __FILE__, line, "", 0, "%s: unexpected exception", what);
    }
}

/* Primitive attributes of every forward plan: the plan owns the scratchpad (see the top of the file). */
dnnl::primitive_attr user_scratchpad(dnnl::primitive_attr attr = {}) {
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    return attr;
}

/* The forward primitive of `pd` and its scratchpad, into plan p. */
template <typename PrimitiveDesc, typename Primitive>
void set_forward(fcpts_dnnl_plan* p, const PrimitiveDesc& pd) {
    p->primitive = Primitive(pd);
    p->scratchpad = dnnl::memory(pd.scratchpad_desc(), cpu_engine());
}

void execute(fcpts_dnnl_plan* p, std::unordered_map<int, dnnl::memory> args) {
    omp_set_num_threads(p->threads);
    args.emplace(DNNL_ARG_SCRATCHPAD, p->scratchpad);
    p->primitive.execute(p->stream, args);
    p->stream.wait();
}

}  // namespace

namespace {

/* A convolution plan (see fcpts_conv_plan_create; arguments checked there). Throws dnnl::error. */
fcpts_dnnl_plan* make_conv_plan(const Geometry& g, int32_t flags, int32_t activation, float act_lo, float act_hi,
                                int threads) {
    const bool has_bias = (flags & FCPTS_CONV_BIAS) != 0;
    const bool residual = (flags & FCPTS_CONV_RESIDUAL) != 0;
    std::unique_ptr<fcpts_dnnl_plan> p(new fcpts_dnnl_plan());
    p->residual = residual;
    p->constant_weights = (flags & FCPTS_CONV_CONSTANT_WEIGHTS) != 0;
    p->threads = threads;
    p->conv = g;
    p->flags = flags;
    p->activation = activation;
    p->act_lo = act_lo;
    p->act_hi = act_hi;
    p->src = dnnl::memory::desc({g.n, g.c, g.h, g.w}, dt::f32, tag::nchw);
    p->weights = g.groups == 1
                     ? dnnl::memory::desc({g.oc, g.c, g.kh, g.kw}, dt::f32, tag::oihw)
                     : dnnl::memory::desc({g.groups, g.oc / g.groups, g.c / g.groups, g.kh, g.kw}, dt::f32,
                                          tag::goihw);
    p->bias = dnnl::memory::desc({g.oc}, dt::f32, tag::x);
    p->dst = dnnl::memory::desc({g.n, g.oc, g.oh, g.ow}, dt::f32, tag::nchw);
    dims strides{g.sh, g.sw}, dilates{g.dh - 1, g.dw - 1}, pad_l{g.pt, g.pl}, pad_r{g.pb, g.pr};
    p->strides = strides;
    p->dilates = dilates;
    p->pad_l = pad_l;
    p->pad_r = pad_r;
    p->has_bias = has_bias;
    const auto any4 = [](const dnnl::memory::desc& d) { return dnnl::memory::desc(d.get_dims(), dt::f32, tag::any); };
    // epilogue: dst = act(conv + bias + residual) as oneDNN post-ops (sum reads dst first)
    dnnl::post_ops ops;
    if (residual) ops.append_sum(1.0f);
    if (activation == FCPTS_ACT_RELU) ops.append_eltwise(dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
    if (activation == FCPTS_ACT_CLIP) ops.append_eltwise(dnnl::algorithm::eltwise_clip, act_lo, act_hi);
    dnnl::primitive_attr attr = user_scratchpad();
    attr.set_post_ops(ops);
    auto pd = has_bias ? dnnl::convolution_forward::primitive_desc(
                             cpu_engine(), dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                             any4(p->src), any4(p->weights), p->bias, any4(p->dst), strides, dilates, pad_l, pad_r,
                             attr)
                       : dnnl::convolution_forward::primitive_desc(
                             cpu_engine(), dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                             any4(p->src), any4(p->weights), any4(p->dst), strides, dilates, pad_l, pad_r, attr);
    p->conv_src.init(p->src, pd.src_desc());
    p->conv_weights.init(p->weights, pd.weights_desc());
    p->conv_dst.init(p->dst, pd.dst_desc());
    set_forward<decltype(pd), dnnl::convolution_forward>(p.get(), pd);
    p->stream = dnnl::stream(cpu_engine());
    return p.release();
}

/* y = conv(x, weight) + bias (+ residual), then the plan's post-op activation (arguments checked). */
void conv_forward(fcpts_dnnl_plan* plan, const float* x, const float* weight, const float* bias,
                  const float* residual, float* y) {
    omp_set_num_threads(plan->threads);
    dnnl::memory weights;
    if (plan->constant_weights && plan->conv_weights.reorder && plan->packed_from == weight) {
        weights = plan->conv_weights.scratch;
    } else {
        weights = plan->conv_weights.in(weight, plan->stream);
        plan->packed_from = plan->constant_weights ? weight : nullptr;
    }
    if (residual != nullptr) {  // the sum post-op accumulates onto dst: start it at the residual
        dnnl::memory r = wrap(plan->dst, residual);
        dnnl::memory d = plan->conv_dst.out(y);
        dnnl::reorder(r, d).execute(plan->stream, r, d);
    }
    std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, plan->conv_src.in(x, plan->stream)},
                                               {DNNL_ARG_WEIGHTS, weights},
                                               {DNNL_ARG_DST, plan->conv_dst.out(y)},
                                               {DNNL_ARG_SCRATCHPAD, plan->scratchpad}};
    if (bias != nullptr) args.emplace(DNNL_ARG_BIAS, wrap(plan->bias, bias));
    plan->primitive.execute(plan->stream, args);
    plan->conv_dst.finish(y, plan->stream);
    plan->stream.wait();
}

/* Whether any of v[0 .. n) is Inf or NaN: one vectorized pass, about 1 us per 12k floats. Below 2^16 floats
 * on the calling thread without entering OpenMP at all (even a parallel region with if(false) costs about a
 * microsecond, as much as the scan of a small layer). */
bool any_nonfinite(const float* v, int64_t n, int threads) {
    if (v == nullptr) return false;
    int any = 0;
    if (n < (1 << 16)) {
        for (int64_t i = 0; i < n; ++i) any |= fcpts_nonfinite_f(v[i]);
        return any != 0;
    }
#pragma omp parallel for schedule(static) reduction(| : any) num_threads(threads)
    for (int64_t i = 0; i < n; ++i) any |= fcpts_nonfinite_f(v[i]);
    return any != 0;
}

}  // namespace

extern "C" int fcpts_conv_plan_create(const int64_t* geometry, int32_t flags, int32_t activation, float act_lo,
                                      float act_hi, int32_t n_threads, fcpts_dnnl_plan** plan,
                                      fcpts_status* status) {
    return guarded(status, "convolution plan", __LINE__, [&]() -> int {
        FCPTS_REQUIRE_ACTIVATION(status, activation);
        Geometry g{};
        int rc = read_geometry(geometry, &g, status);
        if (rc != FCPTS_OK) return rc;
        FCPTS_REQUIRE(status, plan != nullptr, -1, "plan is NULL");
        FCPTS_REQUIRE(status, g.groups >= 1 && g.c % g.groups == 0 && g.oc % g.groups == 0, 17,
                      "groups %lld must divide channels %lld and %lld", (long long)g.groups, (long long)g.c,
                      (long long)g.oc);
        const bool residual = (flags & FCPTS_CONV_RESIDUAL) != 0;
        FCPTS_REQUIRE(status, (flags & FCPTS_CONV_CONSTANT_WEIGHTS) || (!residual && activation == FCPTS_ACT_NONE),
                      -1, "a fused epilogue needs a constant-weights (inference) plan");
        *plan = make_conv_plan(g, flags, activation, act_lo, act_hi, n_threads > 0 ? n_threads : omp_get_max_threads());
        return FCPTS_OK;
    });
}

extern "C" int fcpts_conv_forward(fcpts_dnnl_plan* plan, const float* x, const float* weight, const float* bias,
                                  const float* residual, float* y, fcpts_status* status) {
    return guarded(status, "convolution forward", __LINE__, [&]() -> int {
        FCPTS_REQUIRE(status, plan && x && weight && y, -1, "NULL plan or buffer");
        FCPTS_REQUIRE(status, (residual != nullptr) == plan->residual, -1, "residual %s",
                      plan->residual ? "missing" : "given to a plan without one");
        FCPTS_REQUIRE(status, residual == nullptr || (residual != y && x != y), -1, "y aliases x or residual");
        if (plan->activation == FCPTS_ACT_NONE) {
            conv_forward(plan, x, weight, bias, residual, y);
            return FCPTS_OK;
        }
        /* oneDNN's relu / clip post-ops map NaN to 0 / lo (see the top of the file): with a non-finite input,
         * residual or weight, the conv runs without them and the activation follows as fcpts/ops.def has it */
        const Geometry& g = plan->conv;
        if (plan->checked_weights != weight) {
            plan->weights_nonfinite = any_nonfinite(weight, g.oc * (g.c / g.groups) * g.kh * g.kw, plan->threads) ||
                                      any_nonfinite(bias, g.oc, plan->threads);
            plan->checked_weights = weight;
        }
        const int64_t out = g.n * g.oc * g.oh * g.ow;
        if (!plan->weights_nonfinite && !any_nonfinite(x, g.n * g.c * g.h * g.w, plan->threads) &&
            !any_nonfinite(residual, out, plan->threads)) {
            conv_forward(plan, x, weight, bias, residual, y);
            return FCPTS_OK;
        }
        if (!plan->plain) {
            plan->plain.reset(make_conv_plan(g, plan->flags, FCPTS_ACT_NONE, 0.0f, 0.0f, plan->threads));
        }
        conv_forward(plan->plain.get(), x, weight, bias, residual, y);
        const int32_t act = plan->activation;
        const float lo = plan->act_lo, hi = plan->act_hi;
#pragma omp parallel for schedule(static) num_threads(plan->threads)
        for (int64_t i = 0; i < out; ++i) y[i] = fcpts_activation_value(act, y[i], lo, hi);
        return FCPTS_OK;
    });
}

extern "C" int fcpts_pool_plan_create(const int64_t* geometry, int32_t kind, int32_t n_threads,
                                      fcpts_dnnl_plan** plan, fcpts_status* status) {
    return guarded(status, "pooling plan", __LINE__, [&]() -> int {
        FCPTS_REQUIRE_POOL_KIND(status, kind);
        Geometry g{};
        int rc = read_geometry(geometry, &g, status);
        if (rc != FCPTS_OK) return rc;
        FCPTS_REQUIRE(status, plan != nullptr, -1, "plan is NULL");
        const dnnl::algorithm algo = kind == FCPTS_POOL_MAX ? dnnl::algorithm::pooling_max
                                     : kind == FCPTS_POOL_AVERAGE_EXCLUDE_PAD
                                         ? dnnl::algorithm::pooling_avg_exclude_padding
                                         : dnnl::algorithm::pooling_avg_include_padding;
        auto* p = new fcpts_dnnl_plan();
        p->threads = n_threads > 0 ? n_threads : omp_get_max_threads();
        p->src = dnnl::memory::desc({g.n, g.c, g.h, g.w}, dt::f32, tag::nchw);
        p->dst = dnnl::memory::desc({g.n, g.c, g.oh, g.ow}, dt::f32, tag::nchw);
        p->strides = dims{g.sh, g.sw};
        p->kernel = dims{g.kh, g.kw};
        p->dilates = dims{g.dh - 1, g.dw - 1};
        p->pad_l = dims{g.pt, g.pl};
        p->pad_r = dims{g.pb, g.pr};
        p->algorithm = algo;
        p->pool = g;
        p->pool_kind = kind;
        try {
            /* forward runs on pooling_ops_cpu.cpp; the backward of training runs on oneDNN, so the geometry
             * must be one oneDNN takes: its descriptor refuses the others here, at plan time */
            dnnl::pooling_forward::primitive_desc(cpu_engine(), dnnl::prop_kind::forward_training, algo, p->src,
                                                  p->dst, p->strides, p->kernel, p->dilates, p->pad_l, p->pad_r);
            p->stream = dnnl::stream(cpu_engine());
        } catch (...) {
            delete p;
            throw;
        }
        *plan = p;
        return FCPTS_OK;
    });
}

extern "C" int fcpts_pool_forward(fcpts_dnnl_plan* plan, const float* x, float* y, fcpts_status* status) {
    return guarded(status, "pooling forward", __LINE__, [&]() -> int {
        FCPTS_REQUIRE(status, plan && x && y, -1, "NULL plan or buffer");
        FCPTS_REQUIRE(status, plan->pool_kind >= 0, -1, "not a pooling plan");
        const Geometry& g = plan->pool;
        fcpts::pool_forward_nchw(plan->pool_kind,
                                 fcpts::PoolWindow{g.n * g.c, g.h, g.w, g.oh, g.ow, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw,
                                                   g.pt, g.pl},
                                 x, y, plan->threads);
        return FCPTS_OK;
    });
}

extern "C" int fcpts_matmul_plan_create(int64_t m, int64_t k, int64_t n, int32_t trans_a, int32_t trans_b,
                                        int32_t has_bias, int32_t n_threads, fcpts_dnnl_plan** plan,
                                        fcpts_status* status) {
    return guarded(status, "matmul plan", __LINE__, [&]() -> int {
        FCPTS_REQUIRE(status, m > 0 && k > 0 && n > 0, -1, "matmul dims must be > 0 (m %lld, k %lld, n %lld)",
                      (long long)m, (long long)k, (long long)n);
        FCPTS_REQUIRE(status, plan != nullptr, -1, "plan is NULL");
        auto* p = new fcpts_dnnl_plan();
        p->threads = n_threads > 0 ? n_threads : omp_get_max_threads();
        p->src = dnnl::memory::desc({m, k}, dt::f32, trans_a ? dims{1, m} : dims{k, 1});
        p->weights = dnnl::memory::desc({k, n}, dt::f32, trans_b ? dims{1, k} : dims{n, 1});
        p->bias = dnnl::memory::desc({1, n}, dt::f32, tag::ab);
        p->dst = dnnl::memory::desc({m, n}, dt::f32, tag::ab);
        try {
            auto pd = has_bias ? dnnl::matmul::primitive_desc(cpu_engine(), p->src, p->weights, p->bias, p->dst,
                                                              user_scratchpad())
                               : dnnl::matmul::primitive_desc(cpu_engine(), p->src, p->weights, p->dst,
                                                              user_scratchpad());
            set_forward<decltype(pd), dnnl::matmul>(p, pd);
            p->stream = dnnl::stream(cpu_engine());
        } catch (...) {
            delete p;
            throw;
        }
        *plan = p;
        return FCPTS_OK;
    });
}

extern "C" int fcpts_matmul_forward(fcpts_dnnl_plan* plan, const float* a, const float* b, const float* bias,
                                    float* y, fcpts_status* status) {
    return guarded(status, "matmul forward", __LINE__, [&]() -> int {
        FCPTS_REQUIRE(status, plan && a && b && y, -1, "NULL plan or buffer");
        std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, wrap(plan->src, a)},
                                                   {DNNL_ARG_WEIGHTS, wrap(plan->weights, b)},
                                                   {DNNL_ARG_DST, wrap(plan->dst, y)}};
        if (bias != nullptr) args.emplace(DNNL_ARG_BIAS, wrap(plan->bias, bias));
        execute(plan, args);
        return FCPTS_OK;
    });
}

extern "C" int fcpts_batched_matmul_plan_create(int64_t batch, int64_t m, int64_t k, int64_t n, int32_t trans_a,
                                                int32_t trans_b, int32_t shared_b, int32_t n_threads,
                                                fcpts_dnnl_plan** plan, fcpts_status* status) {
    return guarded(status, "batched matmul plan", __LINE__, [&]() -> int {
        FCPTS_REQUIRE(status, batch > 0 && m > 0 && k > 0 && n > 0, -1,
                      "batched matmul dims must be > 0 (batch %lld, m %lld, k %lld, n %lld)", (long long)batch,
                      (long long)m, (long long)k, (long long)n);
        FCPTS_REQUIRE(status, plan != nullptr, -1, "plan is NULL");
        auto* p = new fcpts_dnnl_plan();
        p->threads = n_threads > 0 ? n_threads : omp_get_max_threads();
        /* a [batch, m, k] stored as is or as [batch, k, m]; b likewise, batch 1 (broadcast by oneDNN) when shared */
        p->src = dnnl::memory::desc({batch, m, k}, dt::f32, trans_a ? dims{m * k, 1, m} : dims{m * k, k, 1});
        p->weights = dnnl::memory::desc({shared_b ? 1 : batch, k, n}, dt::f32,
                                        trans_b ? dims{k * n, 1, k} : dims{k * n, n, 1});
        p->dst = dnnl::memory::desc({batch, m, n}, dt::f32, tag::abc);
        try {
            set_forward<dnnl::matmul::primitive_desc, dnnl::matmul>(
                p, dnnl::matmul::primitive_desc(cpu_engine(), p->src, p->weights, p->dst, user_scratchpad()));
            p->stream = dnnl::stream(cpu_engine());
        } catch (...) {
            delete p;
            throw;
        }
        *plan = p;
        return FCPTS_OK;
    });
}

extern "C" int fcpts_batched_matmul_forward(fcpts_dnnl_plan* plan, const float* a, const float* b, float* y,
                                            fcpts_status* status) {
    return guarded(status, "batched matmul forward", __LINE__, [&]() -> int {
        FCPTS_REQUIRE(status, plan && a && b && y, -1, "NULL plan or buffer");
        FCPTS_REQUIRE(status, plan->dst.get_ndims() == 3, -1, "not a batched matmul plan");
        execute(plan, {{DNNL_ARG_SRC, wrap(plan->src, a)},
                       {DNNL_ARG_WEIGHTS, wrap(plan->weights, b)},
                       {DNNL_ARG_DST, wrap(plan->dst, y)}});
        return FCPTS_OK;
    });
}

extern "C" int fcpts_conv_backward(fcpts_dnnl_plan* p, const float* x, const float* weight, const float* dy,
                                   float* dx, float* dweight, float* dbias, fcpts_status* status) {
    return guarded(status, "convolution backward", __LINE__, [&]() -> int {
        FCPTS_REQUIRE(status, p && x && weight && dy, -1, "NULL plan or buffer");
        FCPTS_REQUIRE(status, !p->constant_weights, -1, "backward of a plan made for constant weights");
        FCPTS_REQUIRE(status, !dbias || p->has_bias, -1, "dbias requested from a plan without bias");
        const auto algo = dnnl::algorithm::convolution_direct;
        if (!p->bwd_data) {
            const auto any4 = [](const dnnl::memory::desc& d) {
                return dnnl::memory::desc(d.get_dims(), dt::f32, tag::any);
            };
            auto hint = p->has_bias
                            ? dnnl::convolution_forward::primitive_desc(cpu_engine(), dnnl::prop_kind::forward_training,
                                  algo, any4(p->src), any4(p->weights), p->bias, any4(p->dst), p->strides, p->dilates,
                                  p->pad_l, p->pad_r)
                            : dnnl::convolution_forward::primitive_desc(cpu_engine(), dnnl::prop_kind::forward_training,
                                  algo, any4(p->src), any4(p->weights), any4(p->dst), p->strides, p->dilates,
                                  p->pad_l, p->pad_r);
            auto data_pd = dnnl::convolution_backward_data::primitive_desc(cpu_engine(), algo, any4(p->src),
                any4(p->weights), any4(p->dst), p->strides, p->dilates, p->pad_l, p->pad_r, hint);
            auto weights_pd = p->has_bias
                ? dnnl::convolution_backward_weights::primitive_desc(cpu_engine(), algo, any4(p->src),
                      any4(p->weights), p->bias, any4(p->dst), p->strides, p->dilates, p->pad_l, p->pad_r, hint)
                : dnnl::convolution_backward_weights::primitive_desc(cpu_engine(), algo, any4(p->src),
                      any4(p->weights), any4(p->dst), p->strides, p->dilates, p->pad_l, p->pad_r, hint);
            p->bd_diff_dst.init(p->dst, data_pd.diff_dst_desc());
            p->bd_weights.init(p->weights, data_pd.weights_desc());
            p->bd_diff_src.init(p->src, data_pd.diff_src_desc());
            p->bw_src.init(p->src, weights_pd.src_desc());
            p->bw_diff_dst.init(p->dst, weights_pd.diff_dst_desc());
            p->bw_diff_weights.init(p->weights, weights_pd.diff_weights_desc());
            p->bwd_data = dnnl::convolution_backward_data(data_pd);
            p->bwd_weights = dnnl::convolution_backward_weights(weights_pd);
        }
        omp_set_num_threads(p->threads);
        if (dx) {
            p->bwd_data.execute(p->stream, {{DNNL_ARG_DIFF_DST, p->bd_diff_dst.in(dy, p->stream)},
                                            {DNNL_ARG_WEIGHTS, p->bd_weights.in(weight, p->stream)},
                                            {DNNL_ARG_DIFF_SRC, p->bd_diff_src.out(dx)}});
            p->bd_diff_src.finish(dx, p->stream);
        }
        if (dweight) {
            std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, p->bw_src.in(x, p->stream)},
                                                       {DNNL_ARG_DIFF_DST, p->bw_diff_dst.in(dy, p->stream)},
                                                       {DNNL_ARG_DIFF_WEIGHTS, p->bw_diff_weights.out(dweight)}};
            std::vector<float> unused_bias;
            if (p->has_bias) {
                if (!dbias) unused_bias.resize((size_t)p->bias.get_dims()[0]);
                args.emplace(DNNL_ARG_DIFF_BIAS, wrap(p->bias, dbias ? dbias : unused_bias.data()));
            }
            p->bwd_weights.execute(p->stream, args);
            p->bw_diff_weights.finish(dweight, p->stream);
        }
        p->stream.wait();
        return FCPTS_OK;
    });
}

extern "C" int fcpts_pool_backward(fcpts_dnnl_plan* p, const float* x, const float* dy, float* dx,
                                   fcpts_status* status) {
    return guarded(status, "pooling backward", __LINE__, [&]() -> int {
        FCPTS_REQUIRE(status, p && x && dy && dx, -1, "NULL plan or buffer");
        FCPTS_REQUIRE(status, p->algorithm != dnnl::algorithm::undef, -1, "not a pooling plan");
        auto hint = dnnl::pooling_forward::primitive_desc(cpu_engine(), dnnl::prop_kind::forward_training,
                                                          p->algorithm, p->src, p->dst, p->strides, p->kernel,
                                                          p->dilates, p->pad_l, p->pad_r);
        if (!p->bwd_data) {
            p->bwd_data = dnnl::pooling_backward(dnnl::pooling_backward::primitive_desc(
                cpu_engine(), p->algorithm, p->src, p->dst, p->strides, p->kernel, p->dilates, p->pad_l, p->pad_r,
                hint));
            p->fwd_training = dnnl::pooling_forward(hint);
            p->workspace = hint.workspace_desc();
            p->scratch_dst.resize(p->dst.get_size() / sizeof(float));
        }
        omp_set_num_threads(p->threads);
        std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_DIFF_DST, wrap(p->dst, dy)},
                                                   {DNNL_ARG_DIFF_SRC, wrap(p->src, dx)}};
        if (p->algorithm == dnnl::algorithm::pooling_max) {
            dnnl::memory ws(p->workspace, cpu_engine());
            p->fwd_training.execute(p->stream, {{DNNL_ARG_SRC, wrap(p->src, x)},
                                                {DNNL_ARG_DST, wrap(p->dst, p->scratch_dst.data())},
                                                {DNNL_ARG_WORKSPACE, ws}});
            args.emplace(DNNL_ARG_WORKSPACE, ws);
        }
        p->bwd_data.execute(p->stream, args);
        p->stream.wait();
        return FCPTS_OK;
    });
}

extern "C" void fcpts_dnnl_plan_destroy(fcpts_dnnl_plan* plan) { delete plan; }
