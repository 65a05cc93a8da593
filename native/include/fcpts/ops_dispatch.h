/*
 * Compile-time dispatch over the op lists of fcpts/ops.def, for C++ host code (the CPU kernels and the
 * launch wrappers of the .cu files): fcpts_dispatch_<list>(value, f) calls
 *   f(std::integral_constant<int, FCPTS_<PREFIX>_<NAME>>{})
 * for the entry with that value, so that f instantiates its loop or kernel template for that op
 * (constexpr int OP = decltype(c)::value) and the per-element switch of fcpts/ops_math.h folds to one
 * case. One case per list entry, generated; for a value outside the list it calls nothing and returns
 * false (every entry point rejects such a value first, with FCPTS_REQUIRE_* of fcpts/ops_cpu.h).
 */
#ifndef FCPTS_OPS_DISPATCH_H
#define FCPTS_OPS_DISPATCH_H

#include <type_traits>

#include "fcpts/ops_cpu.h"

#define FCPTS_X_DISPATCH_CASE_(CONSTANT)                    \
    case CONSTANT:                                          \
        f(std::integral_constant<int, CONSTANT>{});         \
        return true;
#define FCPTS_X_DISPATCH_UNARY_(NAME, ...) FCPTS_X_DISPATCH_CASE_(FCPTS_UNARY_##NAME)
#define FCPTS_X_DISPATCH_BINARY_(NAME, ...) FCPTS_X_DISPATCH_CASE_(FCPTS_BINARY_##NAME)
#define FCPTS_X_DISPATCH_POOL_(NAME) FCPTS_X_DISPATCH_CASE_(FCPTS_POOL_##NAME)
#define FCPTS_X_DISPATCH_ACT_(NAME, ...) FCPTS_X_DISPATCH_CASE_(FCPTS_ACT_##NAME)

template <typename F>
inline bool fcpts_dispatch_unary(int op, F&& f) {
    switch (op) {
        FCPTS_UNARY_OPS(FCPTS_X_DISPATCH_UNARY_)
        default: return false;
    }
}

template <typename F>
inline bool fcpts_dispatch_binary(int op, F&& f) {
    switch (op) {
        FCPTS_BINARY_OPS(FCPTS_X_DISPATCH_BINARY_)
        default: return false;
    }
}

template <typename F>
inline bool fcpts_dispatch_pool(int kind, F&& f) {
    switch (kind) {
        FCPTS_POOL_KINDS(FCPTS_X_DISPATCH_POOL_)
        default: return false;
    }
}

template <typename F>
inline bool fcpts_dispatch_activation(int act, F&& f) {
    switch (act) {
        FCPTS_ACTIVATIONS(FCPTS_X_DISPATCH_ACT_)
        default: return false;
    }
}

#endif /* FCPTS_OPS_DISPATCH_H */
