/* The HTML report: one self-contained page with the summary's tables and six
 * inline SVG charts (ax_report.h; docs/report.md says what each shows).
 *
 * No scripts, no external resources, no fonts or images to fetch: the page
 * is a single file that opens offline and prints. Every string that comes
 * from the result or the chip description is escaped. Each chart is an
 * <svg> with a fixed id; each drawn mark carries a <title> with its values,
 * which browsers show on hover. The heatmaps draw at most MAX_MARKS marks
 * and say so in their caption when they stop early. */
#define _POSIX_C_SOURCE 200809L
#include "ax_report.h"

#include "ax_fs.h"
#include "ax_mem.h"
#include "ax_text.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

/* The most marks one heatmap draws (a page a browser still opens quickly). */
#define MAX_MARKS 40000u


/* `s` escaped for HTML text and attribute values. */
static void esc(struct ax_text_buf *b, const char *s)
{
    if (!s)
        return;
    for (; *s; s++) {
        switch (*s) {
        case '&':
            ax_text_printf(b, "&amp;");
            break;
        case '<':
            ax_text_printf(b, "&lt;");
            break;
        case '>':
            ax_text_printf(b, "&gt;");
            break;
        case '"':
            ax_text_printf(b, "&quot;");
            break;
        case '\'':
            ax_text_printf(b, "&#39;");
            break;
        default:
            ax_text_printf(b, "%c", *s);
            break;
        }
    }
}

/* A formatted string, escaped. */
static void escf(struct ax_text_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void escf(struct ax_text_buf *b, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    esc(b, text);
}

static const char *str_or(const char *s, const char *fallback)
{
    return s && *s ? s : fallback;
}

/* ---- scales and colours ------------------------------------------------------------ */

/* The smallest of 1, 2, 2.5, 5 x 10^n at or above v (1 for v <= 0). */
static double nice_max(double v)
{
    if (!(v > 0) || !isfinite(v))
        return 1.0;
    double e = pow(10.0, floor(log10(v)));
    double f = v / e;
    double n = f <= 1.0 ? 1.0 : f <= 2.0 ? 2.0 : f <= 2.5 ? 2.5 : f <= 5.0 ? 5.0 : 10.0;
    return n * e;
}

static double clamp01(double t)
{
    return t > 1.0 ? 1.0 : t >= 0.0 ? t : 0.0;
}

/* A light-to-dark blue ramp (ColorBrewer "Blues") at t in [0, 1]. */
static void ramp(double t, char out[8])
{
    static const unsigned char stops[5][3] = {{0xde, 0xeb, 0xf7},
                                              {0x9e, 0xca, 0xe1},
                                              {0x42, 0x92, 0xc6},
                                              {0x21, 0x71, 0xb5},
                                              {0x08, 0x30, 0x6b}};
    t = clamp01(t) * 4.0;
    int i = t >= 4.0 ? 3 : (int)t;
    double f = t - i;
    int c[3];
    for (int k = 0; k < 3; k++)
        c[k] = (int)lround(stops[i][k] + f * (stops[i + 1][k] - stops[i][k]));
    snprintf(out, 8, "#%02x%02x%02x", c[0], c[1], c[2]);
}

/* One colour per energy category, in ax_energy_cat order (Tableau 10). */
static const char *const cat_colour[AX_ENERGY_CAT_COUNT] = {
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
};

#define COLOUR_A "#4e79a7"    /* the run */
#define COLOUR_B "#f28e2b"    /* a second series */
#define COLOUR_REF "#9d9d9d"  /* published or idealized figures */
#define COLOUR_NONE "#eeeeee" /* no traffic, no work */
#define COLOUR_BOUND "#222222" /* a lower bound */

/* ---- SVG pieces -------------------------------------------------------------------- */

static void svg_open(struct ax_text_buf *b, const char *id, double w, double h, const char *title)
{
    ax_text_printf(b,
            "<svg id=\"%s\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\" "
            "aria-labelledby=\"%s-title\"><title id=\"%s-title\">",
            id, w, h, w, h, id, id);
    esc(b, title);
    ax_text_printf(b, "</title>\n");
}

static void svg_close(struct ax_text_buf *b)
{
    ax_text_printf(b, "</svg>\n");
}

/* A filled rectangle with its hover text; nothing for a non-positive size. */
static void mark_rect(struct ax_text_buf *b, double x, double y, double w, double h, const char *fill,
                      const char *hover)
{
    if (!(w > 0) || !(h > 0))
        return;
    ax_text_printf(b,
            "<rect class=\"mark\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\">"
            "<title>",
            x, y, w, h, fill);
    esc(b, hover);
    ax_text_printf(b, "</title></rect>\n");
}

static void line(struct ax_text_buf *b, double x1, double y1, double x2, double y2, const char *cls)
{
    ax_text_printf(b, "<line class=\"%s\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n", cls, x1,
            y1, x2, y2);
}

/* Text at (x, y); anchor "start", "middle" or "end". */
static void text(struct ax_text_buf *b, double x, double y, const char *anchor, const char *s)
{
    ax_text_printf(b, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"%s\">", x, y, anchor);
    esc(b, s);
    ax_text_printf(b, "</text>\n");
}

static void legend_swatch(struct ax_text_buf *b, double x, double y, const char *fill, const char *label)
{
    ax_text_printf(b, "<rect x=\"%.2f\" y=\"%.2f\" width=\"10\" height=\"10\" fill=\"%s\"/>\n", x, y - 9,
            fill);
    text(b, x + 14, y, "start", label);
}

/* A colour ramp legend: five swatches labelled with the values they stand
 * for; the chart colours value v as ramp(lo + (1 - lo) * v / max). */
static void legend_ramp(struct ax_text_buf *b, double x, double y, double max, double lo, const char *unit,
                        const char *what)
{
    char label[64], col[8];
    text(b, x, y, "start", what);
    for (int i = 0; i < 5; i++) {
        ramp(lo + (1.0 - lo) * i / 4.0, col);
        double v = max * i / 4.0;
        ax_text_printf(b, "<rect x=\"%.2f\" y=\"%.2f\" width=\"34\" height=\"10\" fill=\"%s\"/>\n",
                x + i * 60.0, y + 6, col);
        if (unit || max >= 1000) /* "53.7 k" rather than "5.37e+04" */
            ax_report_si(v, unit ? unit : "", label, sizeof label);
        else
            snprintf(label, sizeof label, "%.3g", v);
        text(b, x + i * 60.0, y + 28, "start", label);
    }
}

/* A horizontal value axis from x0 to x1 at y, 0..max, with light gridlines
 * up to `top`. `unit` NULL: plain numbers; otherwise SI with that unit. */
static void x_axis(struct ax_text_buf *b, double x0, double x1, double y, double top, double max,
                   const char *unit, const char *label)
{
    char s[64];
    line(b, x0, y, x1, y, "axis");
    for (int i = 0; i <= 4; i++) {
        double x = x0 + (x1 - x0) * i / 4.0, v = max * i / 4.0;
        if (i > 0)
            line(b, x, top, x, y, "grid");
        line(b, x, y, x, y + 4, "axis");
        if (unit)
            ax_report_si(v, unit, s, sizeof s);
        else
            snprintf(s, sizeof s, "%.3g", v);
        text(b, x, y + 16, "middle", s);
    }
    text(b, (x0 + x1) / 2, y + 32, "middle", label);
}

static void empty_note(struct ax_text_buf *b, double x, double y, const char *what)
{
    text(b, x, y, "start", what);
}

/* ---- the charts -------------------------------------------------------------------- */

/* Spikes per element and zero fraction per layer: two bars per row. */
static void chart_firing(struct ax_text_buf *b, const struct ax_sim_result *r)
{
    const double left = 130, right = 700, top = 34, row = 24;
    double h = top + row * (r->n_layers ? r->n_layers : 1) + 50;
    svg_open(b, "chart-firing", 720, h, "Firing per layer: spikes per element and zero fraction");
    legend_swatch(b, left, 16, COLOUR_A, "spikes per element");
    legend_swatch(b, left + 170, 16, COLOUR_B, "zero fraction (0 to 1)");
    double max = 1.0;
    for (uint32_t i = 0; i < r->n_layers; i++)
        if (isfinite(r->layers[i].sparsity.spikes_per_element) &&
            r->layers[i].sparsity.spikes_per_element > max)
            max = r->layers[i].sparsity.spikes_per_element;
    max = nice_max(max);
    double bottom = top + row * (r->n_layers ? r->n_layers : 1);
    x_axis(b, left, right, bottom, top, max, NULL, "spikes per element; zero fraction");
    if (!r->n_layers)
        empty_note(b, left + 8, top + 16, "no layers recorded");
    char hover[256];
    for (uint32_t i = 0; i < r->n_layers; i++) {
        const struct ax_sim_layer *l = &r->layers[i];
        double y = top + row * i;
        text(b, left - 6, y + row / 2 + 4, "end", l->name);
        if (!l->n_sites) {
            ax_text_printf(b, "<text class=\"note\" x=\"%.2f\" y=\"%.2f\">no spiking projections</text>\n",
                    left + 6, y + row / 2 + 4);
            continue;
        }
        double spe = l->sparsity.spikes_per_element, zf = l->sparsity.zero_fraction;
        snprintf(hover, sizeof hover, "%s: %.4g spikes per element (%u spiking sites)", l->name,
                 spe, l->n_sites);
        mark_rect(b, left, y + 3, (right - left) * clamp01(spe / max), 8, COLOUR_A, hover);
        snprintf(hover, sizeof hover, "%s: zero fraction %.4f", l->name, zf);
        mark_rect(b, left, y + 12, (right - left) * clamp01(zf / max), 8, COLOUR_B, hover);
    }
    svg_close(b);
}

/* Values with 0, 1, 2, >= 3 spikes in a 3-step window; the published bars beside. */
static void chart_histogram(struct ax_text_buf *b, const struct ax_sim_result *r)
{
    const double left = 60, right = 460, top = 34, bottom = 234;
    int has_t = r->synthetic.is_synthetic;
    svg_open(b, "chart-histogram", 480, 290, "Spike counts in a 3-step window");
    legend_swatch(b, left, 16, COLOUR_A, "this run");
    if (has_t)
        legend_swatch(b, left + 100, 16, COLOUR_REF, "published (SpikingBrain-7B)");
    double max = 0;
    for (int i = 0; i < 4; i++) {
        if (isfinite(r->sparsity.histogram_t3[i]) && r->sparsity.histogram_t3[i] > max)
            max = r->sparsity.histogram_t3[i];
        if (has_t && isfinite(r->synthetic.target_hist_t3[i]) &&
            r->synthetic.target_hist_t3[i] > max)
            max = r->synthetic.target_hist_t3[i];
    }
    max = nice_max(max > 1.0 ? 1.0 : max);
    line(b, left, bottom, right, bottom, "axis");
    line(b, left, top, left, bottom, "axis");
    char s[256];
    for (int i = 0; i <= 4; i++) {
        double y = bottom - (bottom - top) * i / 4.0;
        if (i > 0)
            line(b, left, y, right, y, "grid");
        snprintf(s, sizeof s, "%.3g", max * i / 4.0);
        text(b, left - 6, y + 4, "end", s);
    }
    ax_text_printf(b,
            "<text x=\"14\" y=\"%.2f\" text-anchor=\"middle\" transform=\"rotate(-90 14 %.2f)\">"
            "fraction of values</text>\n",
            (top + bottom) / 2, (top + bottom) / 2);
    static const char *const bins[4] = {"0", "1", "2", "≥3"};
    double slot = (right - left) / 4.0, bw = has_t ? slot * 0.34 : slot * 0.5;
    for (int i = 0; i < 4; i++) {
        double x = left + slot * i + (slot - (has_t ? 2 * bw + 4 : bw)) / 2;
        double v = r->sparsity.histogram_t3[i];
        double hh = (bottom - top) * clamp01(v / max);
        snprintf(s, sizeof s, "%s spikes: %.2f %% of values (this run)", bins[i], 100 * v);
        mark_rect(b, x, bottom - hh, bw, hh, COLOUR_A, s);
        snprintf(s, sizeof s, "%.1f%%", 100 * v);
        text(b, x + bw / 2, bottom - hh - 4, "middle", s);
        if (has_t) {
            double t = r->synthetic.target_hist_t3[i];
            double th = (bottom - top) * clamp01(t / max);
            snprintf(s, sizeof s, "%s spikes: %.2f %% of values (published, %s)", bins[i], 100 * t,
                     str_or(r->synthetic.source, "SpikingBrain report"));
            mark_rect(b, x + bw + 4, bottom - th, bw, th, COLOUR_REF, s);
            snprintf(s, sizeof s, "%.1f%%", 100 * t);
            text(b, x + bw * 1.5 + 4, bottom - th - 4, "middle", s);
        }
        text(b, left + slot * i + slot / 2, bottom + 16, "middle", bins[i]);
    }
    text(b, (left + right) / 2, bottom + 34, "middle", "spikes in a 3-step window");
    svg_close(b);
}

/* Left: the hardware model's ten categories (linear). Right: its total and
 * synapse category against the idealized figures (log scale). */
static void chart_energy(struct ax_text_buf *b, const struct ax_sim_result *r)
{
    const struct ax_ledger *L = &r->ledger;
    const double left = 90, right = 440, top = 40, row = 22;
    double bottom = top + row * AX_ENERGY_CAT_COUNT;
    svg_open(b, "chart-energy", 940, bottom + 60,
             "Energy: hardware model by category, and against the idealized arithmetic");
    text(b, left, 20, "start", "hardware model, by category");
    double max = 0;
    for (int c = 0; c < AX_ENERGY_CAT_COUNT; c++)
        if (isfinite(L->cat_j[c]) && L->cat_j[c] > max)
            max = L->cat_j[c];
    max = nice_max(max);
    x_axis(b, left, right, bottom, top, max, "J", "energy over the run");
    char s[256], v1[48], v2[48];
    for (int c = 0; c < AX_ENERGY_CAT_COUNT; c++) {
        double y = top + row * c, v = L->cat_j[c];
        const char *name = ax_energy_cat_str((enum ax_energy_cat)c);
        text(b, left - 6, y + 15, "end", name);
        double share = L->total_j > 0 ? 100 * v / L->total_j : 0;
        snprintf(s, sizeof s, "%s: %s (%.1f %% of %s)", name, ax_report_si(v, "J", v1, sizeof v1),
                 share, ax_report_si(L->total_j, "J", v2, sizeof v2));
        double w = (right - left) * clamp01(v / max);
        mark_rect(b, left, y + 4, w > 0 && w < 1 ? 1 : w, 14, cat_colour[c], s);
    }

    /* The comparison, on a log scale from the decade below the smallest value. */
    const double l2 = 620, r2 = 920;
    text(b, l2, 20, "start", "hardware model against idealized (log scale)");
    const char *const names[5] = {"hardware total", "synapse only", "ideal spiking",
                                  "ideal INT8 MAC", "ideal FP16 MAC"};
    const double vals[5] = {L->total_j, L->cat_j[AX_ENERGY_SYNAPSE], r->ideal_spiking_j,
                            r->ideal_int8_mac_j, r->ideal_fp16_mac_j};
    const char *const fills[5] = {"#555555", cat_colour[AX_ENERGY_SYNAPSE], COLOUR_REF, COLOUR_REF,
                                  COLOUR_REF};
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < 5; i++)
        if (isfinite(vals[i]) && vals[i] > 0) {
            lo = fmin(lo, floor(log10(vals[i])));
            hi = fmax(hi, ceil(log10(vals[i])));
        }
    double b2 = top + row * 5 + 20;
    if (!isfinite(lo)) {
        empty_note(b, l2, top + 16, "no energy recorded");
    } else {
        lo -= 1; /* so that the smallest bar has a visible length */
        if (hi <= lo)
            hi = lo + 1;
        line(b, l2, b2, r2, b2, "axis");
        int decades = (int)(hi - lo);
        int stride = decades > 8 ? (decades + 7) / 8 : 1;
        for (int d = 0; d <= decades; d += stride) {
            double x = l2 + (r2 - l2) * d / (hi - lo);
            if (d > 0)
                line(b, x, top, x, b2, "grid");
            line(b, x, b2, x, b2 + 4, "axis");
            text(b, x, b2 + 16, "middle", ax_report_si(pow(10.0, lo + d), "J", v1, sizeof v1));
        }
        text(b, (l2 + r2) / 2, b2 + 32, "middle", "energy over the run");
        for (int i = 0; i < 5; i++) {
            double y = top + row * i;
            text(b, l2 - 6, y + 15, "end", names[i]);
            if (!(isfinite(vals[i]) && vals[i] > 0))
                continue;
            double w = (r2 - l2) * (log10(vals[i]) - lo) / (hi - lo);
            snprintf(s, sizeof s, "%s: %s%s", names[i], ax_report_si(vals[i], "J", v1, sizeof v1),
                     i >= 2 ? " (SpikingBrain report §5.5 unit costs, 45 nm)"
                            : " (hardware model)");
            mark_rect(b, l2, y + 4, w, 14, fills[i], s);
        }
    }
    svg_close(b);
}

/* Latency per layer. */
static void chart_latency(struct ax_text_buf *b, const struct ax_sim_result *r)
{
    const double left = 130, right = 700, top = 20, row = 20;
    double bottom = top + row * (r->n_layers ? r->n_layers : 1);
    svg_open(b, "chart-latency", 720, bottom + 50, "Latency per layer");
    double max = 0;
    for (uint32_t i = 0; i < r->n_layers; i++)
        if (isfinite(r->layers[i].seconds) && r->layers[i].seconds > max)
            max = r->layers[i].seconds;
    max = nice_max(max);
    x_axis(b, left, right, bottom, top, max, "s", "time over the run (all tokens)");
    if (!r->n_layers)
        empty_note(b, left + 8, top + 14, "no layers recorded");
    char s[256], v1[48];
    for (uint32_t i = 0; i < r->n_layers; i++) {
        const struct ax_sim_layer *l = &r->layers[i];
        double y = top + row * i;
        text(b, left - 6, y + 14, "end", l->name);
        snprintf(s, sizeof s, "%s: %s, %" PRIu64 " cycles (%.1f %% of the run)", l->name,
                 ax_report_si(l->seconds, "s", v1, sizeof v1), l->cycles,
                 r->seconds > 0 ? 100 * l->seconds / r->seconds : 0.0);
        double w = (right - left) * clamp01(l->seconds / max);
        mark_rect(b, left, y + 3, w > 0 && w < 1 ? 1 : w, 14, COLOUR_A, s);
        /* the layer's lower bound over the run (its tokens' bounds summed),
         * a tick across its bar */
        double bound = l->bound_s;
        if (bound > 0) {
            snprintf(s, sizeof s, "%s: lower bound %s, by %s", l->name,
                     ax_report_si(bound, "s", v1, sizeof v1), ax_sim_bound_by_str(l->bound_by));
            mark_rect(b, left + (right - left) * clamp01(bound / max) - 1, y + 1, 2, 18,
                      COLOUR_BOUND, s);
        }
    }
    svg_close(b);
}

/* The lightest colour a link with traffic gets, so that it stands apart
 * from the grey of a link without. */
#define NOC_RAMP_LO 0.15

/* The network: each chip's mesh of routers, each router's four outgoing
 * links as half-segments towards the neighbour, coloured by packets. The
 * mesh is drawn with row 0 at the top and north pointing up. */
static void chart_noc(struct ax_text_buf *b, const struct ax_sim_result *r)
{
    uint32_t mw = r->mesh_w ? r->mesh_w : 1, mh = r->mesh_h ? r->mesh_h : 1;
    uint32_t chips = r->chips_used ? r->chips_used : 1;
    uint32_t gw = r->chip_grid_w ? r->chip_grid_w : 1;
    /* Chips drawn: as many as the mark budget allows, at least one. */
    uint64_t per_chip = (uint64_t)mw * mh * (AX_DIR_COUNT + 1);
    uint32_t shown = chips;
    if ((uint64_t)shown * per_chip > MAX_MARKS)
        shown = (uint32_t)(MAX_MARKS / per_chip) ? (uint32_t)(MAX_MARKS / per_chip) : 1;
    if (gw > shown)
        gw = shown;
    uint32_t gh = (shown + gw - 1) / gw;
    double cell = floor(640.0 / (gw * mw));
    cell = cell < 6 ? 6 : cell > 72 ? 72 : cell;
    double gap = cell < 16 ? 16 : cell, left = 20, top = 30;
    double chip_w = mw * cell, chip_h = mh * cell;
    double w = left * 2 + gw * chip_w + (gw - 1) * gap, h = top + gh * (chip_h + gap) + 50;
    if (w < 360)
        w = 360;
    svg_open(b, "chart-noc", w, h, "Network on chip: packets on each router's outgoing links");

    double max = 0;
    for (uint32_t i = 0; i < r->n_links; i++)
        if (isfinite(r->links[i].packets) && r->links[i].packets > max)
            max = r->links[i].packets;
    char s[256], v1[48], col[8];
    for (uint32_t c = 0; c < shown; c++) {
        double ox = left + (c % gw) * (chip_w + gap), oy = top + (c / gw) * (chip_h + gap);
        ax_text_printf(b, "<rect class=\"chip\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"/>\n",
                ox, oy, chip_w, chip_h);
        snprintf(s, sizeof s, "chip %" PRIu32, c);
        text(b, ox, oy - 6, "start", s);
        for (uint32_t y = 0; y < mh; y++)
            for (uint32_t x = 0; x < mw; x++) {
                double q = cell * 0.3;
                snprintf(s, sizeof s, "chip %" PRIu32 ", router (%" PRIu32 ", %" PRIu32 ")", c, x,
                         y);
                mark_rect(b, ox + x * cell + (cell - q) / 2, oy + y * cell + (cell - q) / 2, q, q,
                          "#666666", s);
            }
    }
    /* Unit vectors of the directions on screen: north up, east right. */
    static const int dx[AX_DIR_COUNT] = {0, 1, 0, -1}, dy[AX_DIR_COUNT] = {-1, 0, 1, 0};
    for (uint32_t i = 0; i < r->n_links; i++) {
        const struct ax_sim_link *l = &r->links[i];
        if (l->chip >= shown || l->x >= mw || l->y >= mh || l->dir >= AX_DIR_COUNT)
            continue;
        double ox = left + (l->chip % gw) * (chip_w + gap),
               oy = top + (l->chip / gw) * (chip_h + gap);
        double cx = ox + (l->x + 0.5) * cell, cy = oy + (l->y + 0.5) * cell;
        double r0 = cell * 0.15, len = cell * 0.5 - r0, t = cell * 0.22 < 2 ? 2 : cell * 0.22;
        double x0, y0, ww, hh;
        if (dx[l->dir]) {
            ww = len, hh = t, y0 = cy - t / 2;
            x0 = dx[l->dir] > 0 ? cx + r0 : cx - r0 - len;
        } else {
            ww = t, hh = len, x0 = cx - t / 2;
            y0 = dy[l->dir] > 0 ? cy + r0 : cy - r0 - len;
        }
        if (l->packets > 0)
            ramp(NOC_RAMP_LO + (1.0 - NOC_RAMP_LO) * l->packets / max, col);
        else
            snprintf(col, sizeof col, "%s", COLOUR_NONE);
        snprintf(s, sizeof s,
                 "chip %" PRIu32 ", router (%" PRIu32 ", %" PRIu32
                 ") %s: %.6g packets, busy %s (%.1f %% of the run)",
                 l->chip, l->x, l->y, ax_dir_str(l->dir), l->packets,
                 ax_report_si(l->busy_s, "s", v1, sizeof v1),
                 r->seconds > 0 ? 100 * l->busy_s / r->seconds : 0.0);
        mark_rect(b, x0, y0, ww, hh, col, s);
    }
    double ly = top + gh * (chip_h + gap) + 2;
    legend_ramp(b, left, ly, max, NOC_RAMP_LO, NULL, "packets per link (grey: none)");
    if (shown < chips) {
        snprintf(s, sizeof s, "first %" PRIu32 " of %" PRIu32 " chips shown", shown, chips);
        text(b, w - 10, ly, "end", s);
    }
    svg_close(b);
}

/* Core occupancy: a grid per chip, cells in core order, coloured by the
 * busy fraction (ax_report_core_occupancy); unused cores outlined. */
static void chart_occupancy(struct ax_text_buf *b, const struct ax_sim_result *r)
{
    uint32_t cpc = r->cores_per_chip ? r->cores_per_chip : 1;
    uint32_t chips = r->chips_used ? r->chips_used : 1;
    /* 32 cells a row, more (up to 64) when that keeps a chip's grid nearer square. */
    uint32_t cols = cpc < 32 ? cpc : 32;
    while (cols < 64 && (uint64_t)cols * cols < cpc)
        cols++;
    uint32_t rows = (cpc + cols - 1) / cols;
    uint32_t shown = chips;
    if ((uint64_t)shown * cpc > MAX_MARKS)
        shown = (uint32_t)(MAX_MARKS / cpc) ? (uint32_t)(MAX_MARKS / cpc) : 1;
    double cell = cols * 24.0 > 640 ? 640.0 / cols : 24.0;
    double block_w = cols * cell + 24, block_h = rows * cell + 24;
    uint32_t per_row = (uint32_t)(680.0 / block_w);
    per_row = per_row < 1 ? 1 : per_row > shown ? shown : per_row;
    uint32_t n_rows = (shown + per_row - 1) / per_row;
    double left = 20, top = 30;
    double w = left * 2 + per_row * block_w, h = top + n_rows * block_h + 50;
    if (w < 360)
        w = 360;
    svg_open(b, "chart-occupancy", w, h,
             "Core occupancy: busiest unit's busy fraction of each core");
    for (uint32_t c = 0; c < shown; c++) {
        char s[64];
        double ox = left + (c % per_row) * block_w, oy = top + (c / per_row) * block_h;
        snprintf(s, sizeof s, "chip %" PRIu32, c);
        text(b, ox, oy - 6, "start", s);
    }
    char s[512], col[8], v[6][48], e[48];
    /* every core of the chips shown; the table lists the ones the program
     * names, in ascending order */
    uint32_t i = 0;
    for (uint64_t id = 0; id < (uint64_t)shown * cpc; id++) {
        uint32_t chip = (uint32_t)(id / cpc), local = (uint32_t)(id % cpc);
        while (i < r->n_cores && r->cores[i].core < id)
            i++;
        const struct ax_sim_core *c = i < r->n_cores && r->cores[i].core == id ? &r->cores[i] : NULL;
        double ox = left + (chip % per_row) * block_w, oy = top + (chip / per_row) * block_h;
        double x = ox + (local % cols) * cell, y = oy + (local / cols) * cell;
        if (!c || !c->is_used) {
            snprintf(s, sizeof s, "core %" PRIu64 " (chip %" PRIu32 "): unused", id, chip);
            ax_text_printf(
                b,
                "<rect class=\"mark idle\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\">"
                "<title>",
                x + 0.5, y + 0.5, cell - 1, cell - 1);
            esc(b, s);
            ax_text_printf(b, "</title></rect>\n");
            continue;
        }
        double occ = ax_report_core_occupancy(r, c);
        ramp(occ, col);
        for (int u = 0; u <= AX_UNIT_COUNT; u++)
            ax_report_si(c->busy_s[u], "s", v[u], sizeof v[u]);
        snprintf(s, sizeof s,
                 "core %" PRIu32 " (chip %" PRIu32
                 "): busy %.1f %%; axon_in %s, synapse %s, dendrite %s, "
                 "soma %s, axon_out %s, dense %s; %.6g synaptic ops, %.6g packets in, %.6g out, %s",
                 c->core, chip, 100 * occ, v[0], v[1], v[2], v[3], v[4], v[5], c->synaptic_ops,
                 c->packets_in, c->packets_out, ax_report_si(c->energy_j, "J", e, sizeof e));
        mark_rect(b, x + 0.5, y + 0.5, cell - 1, cell - 1, col, s);
    }
    double ly = top + n_rows * block_h;
    legend_ramp(b, left, ly, 1.0, 0.0, NULL, "busy fraction (outlined: unused core)");
    if (shown < chips) {
        snprintf(s, sizeof s, "first %" PRIu32 " of %" PRIu32 " chips shown", shown, chips);
        text(b, w - 10, ly, "end", s);
    }
    svg_close(b);
}

/* ---- the page ---------------------------------------------------------------------- */

static const char style[] =
    "body{font:14px/1.45 system-ui,-apple-system,\"Segoe UI\",Helvetica,Arial,sans-serif;"
    "color:#222;background:#fff;max-width:1000px;margin:2em auto;padding:0 1em}\n"
    "h1{font-size:1.5em;margin-bottom:.2em}\n"
    "h2{font-size:1.15em;border-bottom:1px solid #ddd;margin-top:2em;padding-bottom:.2em}\n"
    "table{border-collapse:collapse;margin:.5em 0 1em}\n"
    "td,th{padding:2px 10px;text-align:right;border-bottom:1px solid #f0f0f0;white-space:nowrap}\n"
    "td:first-child,th:first-child{text-align:left}\n"
    "td.sub{padding-left:2em}\n"
    "th{font-weight:600;border-bottom:1px solid #ccc}\n"
    "table.meta td{text-align:left;white-space:normal}\n"
    "td.src{text-align:left;color:#555;font-size:.9em;white-space:normal}\n"
    ".warn{background:#fff4e0;border-left:4px solid #e08a00;padding:.6em 1em}\n"
    "figure{margin:1em 0 1.5em}\n"
    "figcaption{color:#555;font-size:.9em;max-width:720px}\n"
    "svg{display:block;max-width:100%;height:auto}\n"
    "svg text{font-size:11px;fill:#333}\n"
    "svg .note{fill:#888;font-style:italic}\n"
    "svg .axis{stroke:#888;stroke-width:1}\n"
    "svg .grid{stroke:#e8e8e8;stroke-width:1}\n"
    "svg .chip{fill:none;stroke:#ccc;stroke-dasharray:3 2}\n"
    "svg .idle{fill:#fafafa;stroke:#d0d0d0;stroke-width:.5}\n"
    "@media print{body{max-width:none;margin:0}h2{break-after:avoid}"
    "figure,table{break-inside:avoid}}\n";

static void row2(struct ax_text_buf *b, const char *k, const char *v)
{
    ax_text_printf(b, "<tr><td>");
    esc(b, k);
    ax_text_printf(b, "</td><td>");
    esc(b, v);
    ax_text_printf(b, "</td></tr>\n");
}

static void page_header(struct ax_text_buf *b, const struct ax_sim_result *r, const ax_arch_t *arch)
{
    const char *chip = str_or(r->chip_name, arch ? ax_arch_desc(arch)->name : NULL);
    char v[512], s1[48], s2[48];
    ax_text_printf(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    escf(b, "axon report: %s on %s", str_or(r->model_name, "model"), str_or(chip, "chip"));
    ax_text_printf(b, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>", style);
    escf(b, "%s on %s", str_or(r->model_name, "(unnamed model)"), str_or(chip, "(unnamed chip)"));
    ax_text_printf(b, "</h1>\n<p>axon simulation report (schema %s)</p>\n<table class=\"meta\">\n",
            AX_REPORT_SCHEMA);
    snprintf(v, sizeof v, "%s, %s parameters", str_or(r->model_name, "(unnamed)"),
             ax_report_si(r->params, "", s1, sizeof s1));
    row2(b, "model", v);
    snprintf(v, sizeof v,
             "%s: %" PRIu32 " chip%s used, %" PRIu32 " cores used; %" PRIu32 " x %" PRIu32
             " tiles per chip, %" PRIu32 " cores per tile, clock %s",
             str_or(chip, "(unnamed)"), r->chips_used, r->chips_used == 1 ? "" : "s", r->cores_used,
             r->mesh_w, r->mesh_h, r->cores_per_tile,
             r->clock_hz > 0 ? ax_report_si(r->clock_hz, "Hz", s2, sizeof s2) : "not described");
    row2(b, "chip", v);
    snprintf(v, sizeof v,
             "%s mode, %s engine, %s timing, %s sync; %" PRIu32 " token%s after %" PRIu64
             " of context; seed %" PRIu64 "; %" PRIu32 " thread%s",
             ax_sim_mode_str(r->mode), str_or(r->engine, "?"), ax_sim_timing_str(r->timing),
             ax_sim_sync_str(r->sync), r->tokens, r->tokens == 1 ? "" : "s", r->context, r->seed,
             r->threads, r->threads == 1 ? "" : "s");
    row2(b, "run", v);
    char steps[32];
    if (r->spike.steps)
        snprintf(steps, sizeof steps, "T = %" PRIu32, r->spike.steps);
    else
        snprintf(steps, sizeof steps, "adaptive T");
    snprintf(v, sizeof v, "%s projections, %s encoding, k = %g, %s",
             ax_spike_mode_str(r->spike.mode), ax_spike_encoding_str(r->spike.encoding), r->spike.k,
             steps);
    row2(b, "spikes", v);
    ax_text_printf(b, "</table>\n");
    if (r->synthetic.is_synthetic) {
        ax_text_printf(b,
                "<p class=\"warn\"><strong>Counting mode: the activations are synthetic.</strong> "
                "They are drawn for each spiking projection from a seeded distribution, fitted to "
                "the published sparsity figures or taken from a functional run's profile; spike "
                "counts, latency and energy follow from them, not from the model's values.");
        if (r->synthetic.source) {
            ax_text_printf(b, " Published targets: ");
            esc(b, r->synthetic.source);
            ax_text_printf(b, ".");
        }
        ax_text_printf(b, "</p>\n");
    } else if (r->mode == AX_SIM_COUNTING) {
        ax_text_printf(b,
                "<p class=\"warn\"><strong>Counting mode:</strong> activations are not computed; "
                "spike counts, latency and energy do not come from the model's values.</p>\n");
    }
}

/* A row of the sparsity table; `is_sub` indents the label under the row above. */
static void frac_row(struct ax_text_buf *b, const char *k, int is_sub, double v, int has_t, double t)
{
    ax_text_printf(b, "<tr><td%s>", is_sub ? " class=\"sub\"" : "");
    esc(b, k);
    ax_text_printf(b, "</td><td>%.4f</td>", v);
    if (has_t)
        ax_text_printf(b, "<td>%.4f</td>", t);
    ax_text_printf(b, "</tr>\n");
}

static void section_sparsity(struct ax_text_buf *b, const struct ax_sim_result *r)
{
    const struct ax_spike_summary *s = &r->sparsity;
    int has_t = r->synthetic.is_synthetic;
    char v1[48];
    ax_text_printf(b,
            "<h2>Sparsity</h2>\n<table>\n<tr><th>spiking projection inputs, all tokens</th>"
            "<th>this run</th>%s</tr>\n",
            has_t ? "<th>published</th>" : "");
    frac_row(b, "zero fraction", 0, s->zero_fraction, has_t, r->synthetic.target_zero_fraction);
    frac_row(b, "spikes per element", 0, s->spikes_per_element, has_t,
             r->synthetic.target_spikes_per_element);
    frac_row(b, "spikes per non-zero element", 0, r->spikes_per_nonzero, 0, 0);
    frac_row(b, "slot sparsity, 3-step window", 0, s->slot_sparsity_t3, 0, 0);
    frac_row(b, "slot sparsity at the encoding's T", 0, s->slot_sparsity, 0, 0);
    frac_row(b, "silent channels", 0, s->silent_channels, 0, 0);
    ax_text_printf(b, "<tr><td>values by spikes in a 3-step window:</td><td></td>%s</tr>\n",
            has_t ? "<td></td>" : "");
    static const char *const bins[4] = {"0 spikes", "1 spike", "2 spikes", "≥ 3 spikes"};
    for (int i = 0; i < 4; i++)
        frac_row(b, bins[i], 1, s->histogram_t3[i], has_t, r->synthetic.target_hist_t3[i]);
    ax_text_printf(b, "<tr><td>synaptic ops per token</td><td>");
    esc(b, ax_report_si(r->sop_per_token, "", v1, sizeof v1));
    ax_text_printf(b, "</td>%s</tr>\n<tr><td>dense MACs of those projections per token</td><td>",
            has_t ? "<td></td>" : "");
    esc(b, ax_report_si(r->dense_mac_per_token, "", v1, sizeof v1));
    ax_text_printf(b, "</td>%s</tr>\n</table>\n", has_t ? "<td></td>" : "");

    ax_text_printf(b, "<figure>\n");
    chart_firing(b, r);
    ax_text_printf(b, "<figcaption>Firing per layer: spikes per input value (blue) and the fraction of "
               "input values whose count is zero (orange), over the layer's spiking "
               "projections and every token.</figcaption>\n</figure>\n<figure>\n");
    chart_histogram(b, r);
    ax_text_printf(b,
            "<figcaption>Input values by the number of spikes they send within a 3-step "
            "window (the SpikingBrain report's Fig. 9 measure)%s.</figcaption>\n</figure>\n",
            has_t ? ", beside the published SpikingBrain-7B bars the synthetic activations are "
                    "fitted to"
                  : "");
}

static void section_latency(struct ax_text_buf *b, const struct ax_sim_result *r)
{
    char v1[48], v2[48];
    ax_text_printf(b, "<h2>Latency</h2>\n<table class=\"meta\">\n");
    char v[128];
    snprintf(v, sizeof v, "%" PRIu64 "%s%s", r->cycles, r->clock_hz > 0 ? " at " : "",
             r->clock_hz > 0 ? ax_report_si(r->clock_hz, "Hz", v1, sizeof v1) : "");
    row2(b, "cycles", v);
    row2(b, "total", ax_report_si(r->seconds, "s", v1, sizeof v1));
    snprintf(v, sizeof v, "%s%s%s%s", ax_report_si(r->seconds_per_token, "s", v1, sizeof v1),
             r->seconds_per_token > 0 ? " (" : "",
             r->seconds_per_token > 0 ? ax_report_si(1.0 / r->seconds_per_token, "", v2, sizeof v2)
                                      : "",
             r->seconds_per_token > 0 ? " tokens/s)" : "");
    row2(b, "per token", v);
    if (r->bound_s > 0) {
        char w[256];
        snprintf(w, sizeof w, "%s per token, by %s (%s); the latency is %.3g\xc3\x97 it",
                 ax_report_si(r->bound_s / (r->tokens ? r->tokens : 1), "s", v1, sizeof v1),
                 ax_sim_bound_by_str(r->bound_by), r->bound_where, r->seconds / r->bound_s);
        row2(b, "lower bound", w);
    }
    if (r->prefill_tokens) {
        char w[256], v3[48];
        double n = r->prefill_tokens;
        snprintf(w, sizeof w,
                 "%.0f tokens as a pipeline: first token after %s (bound %s), %s "
                 "tokens/s, %s per token",
                 n, ax_report_si(r->prefill_s, "s", v1, sizeof v1),
                 ax_report_si(r->prefill_bound_s, "s", v2, sizeof v2),
                 ax_report_si(r->prefill_s > 0 ? n / r->prefill_s : 0, "", v3, sizeof v3),
                 ax_report_si(r->prefill_j / n, "J", v, sizeof v));
        row2(b, "prefill", w);
    }
    if (r->batch_tokens) {
        char w[256];
        ax_report_batch_line(r, w, sizeof w);
        row2(b, "batch", w);
    }
    ax_text_printf(b, "</table>\n<figure>\n");
    chart_latency(b, r);
    ax_text_printf(b, "<figcaption>Time each layer's work took over the run, barriers "
               "included; the dark tick is the layer's lower bound (its busiest unit, link or "
               "axon_in).</figcaption>\n</figure>\n");
}

static void section_energy(struct ax_text_buf *b, const struct ax_sim_result *r, const ax_arch_t *arch)
{
    const struct ax_ledger *L = &r->ledger;
    char v1[48], v2[48];
    ax_text_printf(b, "<h2>Energy</h2>\n<table>\n<tr><th>hardware model</th><th>energy</th><th>share</th>"
               "<th>per token</th></tr>\n");
    for (int c = 0; c <= AX_ENERGY_CAT_COUNT; c++) {
        double v = c < AX_ENERGY_CAT_COUNT ? L->cat_j[c] : L->total_j;
        ax_text_printf(b, "<tr><td>%s</td><td>",
                c < AX_ENERGY_CAT_COUNT ? ax_energy_cat_str((enum ax_energy_cat)c)
                                        : "<strong>total</strong>");
        esc(b, ax_report_si(v, "J", v1, sizeof v1));
        if (L->total_j > 0)
            ax_text_printf(b, "</td><td>%.1f %%</td><td>", 100 * v / L->total_j);
        else
            ax_text_printf(b, "</td><td>-</td><td>");
        esc(b, ax_report_si(r->tokens ? v / r->tokens : NAN, "J", v2, sizeof v2));
        ax_text_printf(b, "</td></tr>\n");
    }
    ax_text_printf(b, "</table>\n<p class=\"estimated\">%.1f %% of the total rests on costs "
               "the chip file marks as estimates (<code>estimate: true</code>; "
               "docs/calibration.md).</p>\n", 100.0 * r->estimated_fraction);
    ax_text_printf(b, "<table>\n<tr><th>idealized (SpikingBrain report §5.5, 45 nm), "
               "spiking projections only</th><th>energy</th><th>per token</th></tr>\n");
    const char *const labels[3] = {"spiking: synaptic ops × 0.03 pJ (INT8 add)",
                                   "FP16 MAC: dense MACs × 1.5 pJ",
                                   "INT8 MAC: dense MACs × 0.23 pJ"};
    const double ideal[3] = {r->ideal_spiking_j, r->ideal_fp16_mac_j, r->ideal_int8_mac_j};
    for (int i = 0; i < 3; i++) {
        ax_text_printf(b, "<tr><td>");
        esc(b, labels[i]);
        ax_text_printf(b, "</td><td>");
        esc(b, ax_report_si(ideal[i], "J", v1, sizeof v1));
        ax_text_printf(b, "</td><td>");
        esc(b, ax_report_si(r->tokens ? ideal[i] / r->tokens : NAN, "J", v2, sizeof v2));
        ax_text_printf(b, "</td></tr>\n");
    }
    ax_text_printf(b, "</table>\n");
    if (r->ideal_spiking_j > 0) {
        double x1 = L->total_j / r->ideal_spiking_j,
               x2 = L->cat_j[AX_ENERGY_SYNAPSE] / r->ideal_spiking_j;
        ax_text_printf(b,
                "<p>The hardware model's total is %.*f× the idealized spiking figure; "
                "its synapse category alone %.*f×.</p>\n",
                x1 >= 100 ? 0 : 2, x1, x2 >= 100 ? 0 : 2, x2);
    }
    ax_text_printf(b, "<figure>\n");
    chart_energy(b, r);
    ax_text_printf(b, "<figcaption>Left: the hardware model's ledger by category (they sum to the total). "
               "Right, on a log scale: its total and its synapse category beside the idealized "
               "arithmetic of the SpikingBrain report (spikes × INT8 add against dense MACs "
               "× INT8 or FP16 MAC).</figcaption>\n</figure>\n");

    /* The full ledger: every item, its count and unit cost, and their source. */
    ax_text_printf(b, "<table>\n<tr><th>ledger item</th><th>category</th><th>count</th><th>unit</th>"
               "<th>per unit</th><th>energy</th><th>source</th></tr>\n");
    for (int i = 0; i < AX_LEDGER_COUNT; i++) {
        enum ax_ledger_item it = (enum ax_ledger_item)i;
        const struct ax_ledger_line *ln = &L->line[i];
        const struct ax_provenance *p = arch ? ax_ledger_item_source(arch, it) : NULL;
        ax_text_printf(b, "<tr><td>");
        esc(b, ax_ledger_item_name(it));
        ax_text_printf(b, "</td><td>%s</td><td>%.6g</td><td>", ax_energy_cat_str(ax_ledger_item_cat(it)),
                ln->count);
        esc(b, ax_ledger_item_unit(it));
        ax_text_printf(b, "</td><td>");
        esc(b, ax_report_si(ln->unit_j, "J", v1, sizeof v1));
        ax_text_printf(b, "</td><td>");
        esc(b, ax_report_si(ln->energy_j, "J", v2, sizeof v2));
        ax_text_printf(b, "</td><td class=\"src\">");
        if (p && p->source)
            esc(b, p->source);
        if (p && p->is_estimate && !(p->source && strstr(p->source, "estimate")))
            ax_text_printf(b, "%sestimate", p->source ? "; " : "");
        ax_text_printf(b, "</td></tr>\n");
    }
    ax_text_printf(b, "</table>\n");
}

static void section_machine(struct ax_text_buf *b, const struct ax_sim_result *r)
{
    ax_text_printf(b, "<h2>Network and cores</h2>\n<figure>\n");
    chart_noc(b, r);
    ax_text_printf(b, "<figcaption>Each router of each chip used (dark squares, row 0 at the top) with "
               "its four outgoing links drawn as half-segments towards the neighbour (north up), "
               "coloured by the packets they carried over the run.</figcaption>\n</figure>\n"
               "<figure>\n");
    chart_occupancy(b, r);
    ax_text_printf(b, "<figcaption>Each core of each chip used, in core order, coloured by the busy "
               "fraction of its busiest unit (busy time divided by the run's time).</figcaption>\n"
               "</figure>\n");
}

static void section_validation(struct ax_text_buf *b, const struct ax_sim_result *r)
{
    const struct ax_sim_validation *v = &r->validation;
    ax_text_printf(b, "<h2>Validation</h2>\n<p>");
    if (!v->is_done) {
        ax_text_printf(b, "Not validated%s.", r->mode == AX_SIM_COUNTING ? " (counting mode)" : "");
    } else {
        escf(b,
             "Bit exact: %s; max relative error %.3g (%s reference, %" PRIu64
             " values checked, %" PRIu64 " mismatches).",
             v->is_bit_exact ? "yes" : "no", v->max_rel_err, str_or(v->reference, "?"),
             v->n_values_checked, v->n_mismatches);
        if (v->first_mismatch[0]) {
            ax_text_printf(b, " First mismatch: ");
            esc(b, v->first_mismatch);
        }
    }
    ax_text_printf(b, "</p>\n");
}

ax_status ax_report_write_html(const struct ax_sim_result *r, const ax_arch_t *arch,
                               const char *path, struct ax_diag_list *diags)
{
    struct ax_text_buf b = {0};
    page_header(&b, r, arch);
    section_sparsity(&b, r);
    section_latency(&b, r);
    section_energy(&b, r, arch);
    section_machine(&b, r);
    section_validation(&b, r);
    ax_text_printf(&b, "</body>\n</html>\n");
    ax_status st = b.is_oom ? AX_ERR_NOMEM : ax_fs_write_atomic(path, b.p, b.len, diags);
    ax_mem_free(b.p);
    return st;
}
