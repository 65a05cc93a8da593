/* fcpts_cpu_live_plans (ops_cpu.h): how many native CPU plans exist now (live_plans.h). */
#include "fcpts/ops_cpu.h"
#include "live_plans.h"

extern "C" int64_t fcpts_cpu_live_plans(void) { return fcpts::live_plan_count().load(std::memory_order_relaxed); }
