/*
 * The names of the op lists of fcpts/ops.def (fcpts_enum_name / fcpts_enum_count of fcpts/ops_cpu.h), for
 * the Java test NativeEnumAgreementTest: value v of a list is named as the Java constant with ordinal v
 * must be (NetworkKernels.Unary / Binary / Pool, ConvActivation). Called from java: backend.cpu.CpuNatives.
 */
#include "fcpts/ops_cpu.h"

namespace {

#define FCPTS_X_NAME_(NAME, ...) #NAME,
const char* const kUnary[] = {FCPTS_UNARY_OPS(FCPTS_X_NAME_)};
const char* const kBinary[] = {FCPTS_BINARY_OPS(FCPTS_X_NAME_)};
const char* const kPool[] = {FCPTS_POOL_KINDS(FCPTS_X_NAME_)};
const char* const kActivation[] = {FCPTS_ACTIVATIONS(FCPTS_X_NAME_)};
#undef FCPTS_X_NAME_

static_assert(sizeof kUnary / sizeof kUnary[0] == FCPTS_UNARY_OP_COUNT, "unary names");
static_assert(sizeof kBinary / sizeof kBinary[0] == FCPTS_BINARY_OP_COUNT, "binary names");
static_assert(sizeof kPool / sizeof kPool[0] == FCPTS_POOL_KIND_COUNT, "pool names");
static_assert(sizeof kActivation / sizeof kActivation[0] == FCPTS_ACTIVATION_COUNT, "activation names");

struct List {
    const char* const* names;
    int32_t count;
};

List list_of(int32_t kind) {
    switch (kind) {
        case FCPTS_ENUM_UNARY_OP: return {kUnary, FCPTS_UNARY_OP_COUNT};
        case FCPTS_ENUM_BINARY_OP: return {kBinary, FCPTS_BINARY_OP_COUNT};
        case FCPTS_ENUM_POOL_KIND: return {kPool, FCPTS_POOL_KIND_COUNT};
        case FCPTS_ENUM_ACTIVATION: return {kActivation, FCPTS_ACTIVATION_COUNT};
        default: return {nullptr, -1};
    }
}

}  // namespace

extern "C" const char* fcpts_enum_name(int32_t kind, int32_t value) {
    const List l = list_of(kind);
    return l.names != nullptr && value >= 0 && value < l.count ? l.names[value] : nullptr;
}

extern "C" int32_t fcpts_enum_count(int32_t kind) { return list_of(kind).count; }
