/*
 * fcpts status: the error record every fcpts C ABI function fills on failure.
 *
 * Every entry point returns an int status (FCPTS_OK == 0) and, when the caller
 * passes a non-NULL fcpts_status*, records what failed: the expression or
 * check, file and line, the failing library's error name and code (for example
 * "cudaErrorMemoryAllocation", 2) and the index of the offending segment or
 * argument. The Java wrapper turns a non-zero status into a typed exception
 * carrying the same facts. Nothing in the library calls exit() or abort().
 */
#ifndef FCPTS_STATUS_H
#define FCPTS_STATUS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum fcpts_status_code {
    FCPTS_OK = 0,
    FCPTS_INVALID_ARGUMENT = 1,   /* a pointer, size or value the caller passed is wrong */
    FCPTS_CUDA_ERROR = 2,         /* the CUDA runtime reported an error */
    FCPTS_OUT_OF_MEMORY = 3,      /* an allocation failed */
    FCPTS_NOT_COMPILED = 4,       /* this build has no CUDA kernels (no CUDA compiler at build time) */
    FCPTS_INTERNAL = 5            /* an unexpected C++ exception or broken invariant */
};

typedef struct fcpts_status {
    int32_t code;                 /* enum fcpts_status_code */
    int32_t library_code;         /* the failing library's own error code, 0 if none */
    int64_t index;                /* offending segment / argument index, -1 if none */
    int32_t line;                 /* source line of the failed check */
    char library_name[64];        /* e.g. "cudaErrorInvalidValue"; "" if none */
    char file[96];                /* source file of the failed check */
    char message[352];            /* human-readable description, NUL-terminated */
} fcpts_status;

/* Fills *status (when non-NULL) and returns code. printf-style message. */
int fcpts_status_set(fcpts_status* status, int code, int64_t index, const char* file, int line,
                     const char* library_name, int library_code, const char* format, ...);

/* Resets *status (when non-NULL) to FCPTS_OK and returns FCPTS_OK. */
int fcpts_status_clear(fcpts_status* status);

#ifdef __cplusplus
}
#endif

/* Record a failure with its call site and return from the enclosing function. */
#define FCPTS_FAIL(status, code, index, ...) \
    return fcpts_status_set((status), (code), (index), __FILE__, __LINE__, "", 0, __VA_ARGS__)

/* Check a precondition; on failure name the expression and return FCPTS_INVALID_ARGUMENT. */
#define FCPTS_REQUIRE(status, cond, index, ...)                                            \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            return fcpts_status_set((status), FCPTS_INVALID_ARGUMENT, (index), __FILE__,   \
                                    __LINE__, "", 0, __VA_ARGS__);                         \
        }                                                                                  \
    } while (0)

#endif /* FCPTS_STATUS_H */
