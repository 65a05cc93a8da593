/*
 * fcpts_status helpers: format an error record (see fcpts/status.h). Compiled
 * into both native libraries; used by every C ABI entry point.
 */
#include "fcpts/status.h"

#include <cstdarg>
#include <cstdio>
#include <cstring>

extern "C" int fcpts_status_set(fcpts_status* status, int code, int64_t index, const char* file,
                                int line, const char* library_name, int library_code,
                                const char* format, ...) {
    if (status == nullptr) {
        return code;
    }
    status->code = code;
    status->library_code = library_code;
    status->index = index;
    status->line = line;
    std::snprintf(status->library_name, sizeof status->library_name, "%s",
                  library_name != nullptr ? library_name : "");
    const char* base = file != nullptr ? std::strrchr(file, '/') : nullptr;
    std::snprintf(status->file, sizeof status->file, "%s",
                  base != nullptr ? base + 1 : (file != nullptr ? file : ""));
    va_list args;
    va_start(args, format);
    std::vsnprintf(status->message, sizeof status->message, format, args);
    va_end(args);
    return code;
}

extern "C" int fcpts_status_clear(fcpts_status* status) {
    if (status != nullptr) {
        std::memset(status, 0, sizeof *status);
        status->index = -1;
    }
    return FCPTS_OK;
}
