/* Counts the CPU library's native plans alive (oneDNN plans, index maps, sparse conv and sparse linear plans).
 * Each plan struct holds one fcpts::LivePlan member: its constructor adds one, its destructor takes one away, so
 * every path counts, failed creations that delete a half-built plan included. fcpts_cpu_live_plans() (ops_cpu.h)
 * reads the count; the leak tests check that it comes back to its value before a run, a failed one included. */
#pragma once

#include <atomic>
#include <cstdint>

namespace fcpts {

inline std::atomic<int64_t>& live_plan_count() {
    static std::atomic<int64_t> count{0};
    return count;
}

struct LivePlan {
    LivePlan() { live_plan_count().fetch_add(1, std::memory_order_relaxed); }
    LivePlan(const LivePlan&) : LivePlan() {}
    LivePlan& operator=(const LivePlan&) = default;
    ~LivePlan() { live_plan_count().fetch_sub(1, std::memory_order_relaxed); }
};

}  // namespace fcpts
