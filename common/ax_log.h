/* Logging with levels and a user callback.
 *
 * Library code reports progress and notes through AX_LOG_*; diagnostics about
 * a user's file go through ax_diag instead. The default sink writes
 * "axon: level: message" to standard error, never to standard output, so
 * machine-readable output stays clean. */
#ifndef AX_LOG_H
#define AX_LOG_H

enum ax_log_level {
    AX_LOG_LEVEL_ERROR,
    AX_LOG_LEVEL_WARN,
    AX_LOG_LEVEL_INFO,
    AX_LOG_LEVEL_DEBUG,
    AX_LOG_LEVEL_COUNT
};

typedef void (*ax_log_fn)(void *user, enum ax_log_level level, const char *msg);

/* Messages above `level` are dropped (default: AX_LOG_LEVEL_WARN). */
void ax_log_set_level(enum ax_log_level level);
enum ax_log_level ax_log_get_level(void);
/* Replaces the sink (NULL restores the default one on standard error). */
void ax_log_set_sink(ax_log_fn fn, void *user);
/* Parses "error", "warn", "info" or "debug"; returns 0 on success, -1 otherwise. */
int ax_log_parse_level(const char *name, enum ax_log_level *out);
const char *ax_log_level_str(enum ax_log_level level);

void ax_log(enum ax_log_level level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#define AX_LOG_ERROR(...) ax_log(AX_LOG_LEVEL_ERROR, __VA_ARGS__)
#define AX_LOG_WARN(...) ax_log(AX_LOG_LEVEL_WARN, __VA_ARGS__)
#define AX_LOG_INFO(...) ax_log(AX_LOG_LEVEL_INFO, __VA_ARGS__)
#define AX_LOG_DEBUG(...) ax_log(AX_LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
