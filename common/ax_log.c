/* Logging: a level filter in front of one replaceable sink. */
#include "ax_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const level_names[] = {"error", "warn", "info", "debug"};
_Static_assert(sizeof level_names / sizeof level_names[0] == AX_LOG_LEVEL_COUNT,
               "log level names out of step with the enum");

static void default_sink(void *user, enum ax_log_level level, const char *msg)
{
    (void)user;
    fprintf(stderr, "axon: %s: %s\n", level_names[level], msg);
}

static enum ax_log_level log_level = AX_LOG_LEVEL_WARN;
static ax_log_fn log_sink = default_sink;
static void *log_user;

void ax_log_set_level(enum ax_log_level level) { log_level = level; }
enum ax_log_level ax_log_get_level(void) { return log_level; }

void ax_log_set_sink(ax_log_fn fn, void *user)
{
    log_sink = fn ? fn : default_sink;
    log_user = fn ? user : NULL;
}

const char *ax_log_level_str(enum ax_log_level level)
{
    return (unsigned)level < AX_LOG_LEVEL_COUNT ? level_names[level] : "?";
}

int ax_log_parse_level(const char *name, enum ax_log_level *out)
{
    for (int i = 0; i < AX_LOG_LEVEL_COUNT; i++) {
        if (strcmp(name, level_names[i]) == 0) {
            *out = (enum ax_log_level)i;
            return 0;
        }
    }
    return -1;
}

void ax_log(enum ax_log_level level, const char *fmt, ...)
{
    if (level > log_level)
        return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    log_sink(log_user, level, buf);
}
