/* The graph IR: building from every model, the verifier, the text form's
 * round trip, a golden file, and malformed IR texts. */
#define _POSIX_C_SOURCE 200809L
#include "ax_test.h"

#include "ax_fs.h"
#include "ax_ir.h"
#include "ax_mem.h"
#include "ax_model.h"

#include <stdlib.h>

#define SRC AX_SOURCE_DIR

/* The text form of `g` in a fresh malloc'd string. */
static char *print_to_string(const struct ax_ir_graph *g, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    CHECK(f != NULL);
    if (!f)
        return NULL;
    CHECK(ax_ir_print(g, f) == AX_OK);
    fclose(f);
    return buf;
}

static int build(const char *dir, struct ax_ir_graph *g)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_model *m = NULL;
    ax_status st = ax_model_open(dir, &m, &diags);
    if (st == AX_OK)
        st = ax_ir_build(g, m, &diags);
    if (st != AX_OK)
        ax_diag_print(&diags, stderr);
    ax_diag_list_free(&diags);
    ax_model_close(m);
    CHECK(st == AX_OK);
    return st == AX_OK;
}

/* print -> parse -> verify -> print gives the same text. */
static void check_round_trip(const struct ax_ir_graph *g, const char *what)
{
    size_t len;
    char *text = print_to_string(g, &len);
    if (!text)
        return;
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_ir_graph back;
    ax_status st = ax_ir_parse(&back, what, text, len, &diags);
    if (st == AX_OK)
        st = ax_ir_verify(&back, what, &diags);
    if (st != AX_OK)
        ax_diag_print(&diags, stderr);
    CHECK(st == AX_OK);
    CHECK(back.n_nodes == g->n_nodes);
    size_t len2;
    char *again = print_to_string(&back, &len2);
    CHECK(again && len2 == len && strcmp(text, again) == 0);
    for (uint32_t i = 0; i < g->n_nodes && i < back.n_nodes; i++)
        CHECK(back.nodes[i].out_dim == g->nodes[i].out_dim);
    free(again);
    free(text);
    ax_ir_free(&back);
    ax_diag_list_free(&diags);
}

static uint32_t count_ops(const struct ax_ir_graph *g, enum ax_ir_op op)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < g->n_nodes; i++)
        n += g->nodes[i].op == op;
    return n;
}

static const struct ax_ir_node *find_weight(const struct ax_ir_graph *g, const char *weight)
{
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        if (g->nodes[i].weight && strcmp(g->nodes[i].weight, weight) == 0)
            return &g->nodes[i];
    }
    return NULL;
}

static void test_7b(void)
{
    struct ax_ir_graph g;
    if (!build(SRC "/models/nets/spikingbrain-7b", &g))
        return;
    /* 14 GLA layers: q k v gk.0 gk.1 o gate up down; 14 SWA layers: 7 each. */
    CHECK(count_ops(&g, AX_IR_LINEAR) == 14 * 9 + 14 * 7);
    CHECK(count_ops(&g, AX_IR_GLA) == 14 && count_ops(&g, AX_IR_SWA) == 14);
    CHECK(count_ops(&g, AX_IR_ROPE) == 28);
    CHECK(count_ops(&g, AX_IR_MOE_EXPERTS) == 0 && count_ops(&g, AX_IR_META_PREFIX) == 0);
    const struct ax_ir_node *n = find_weight(&g, "model.layers.0.attn.gk_proj.0.weight");
    CHECK(n && n->in == 3584 && n->out == 16 && n->bias == NULL);
    n = find_weight(&g, "model.layers.1.attn.k_proj.weight");
    CHECK(n && n->out == 512 && n->bias && strcmp(n->bias, "model.layers.1.attn.k_proj.bias") == 0);
    n = find_weight(&g, "model.layers.0.attn.g_norm.weight");
    CHECK(n && n->op == AX_IR_RMSNORM && n->group == 128 && n->dim == 3584);
    n = find_weight(&g, "lm_head.weight");
    CHECK(n && n->op == AX_IR_LM_HEAD && n->out_dim == 152064);
    for (uint32_t i = 0; i < g.n_nodes; i++) {
        if (g.nodes[i].op == AX_IR_SWA)
            CHECK(g.nodes[i].window == 4096 && g.nodes[i].layer % 2 == 1);
    }
    check_round_trip(&g, "spikingbrain-7b.ir");
    ax_ir_free(&g);
}

static void test_76b(void)
{
    struct ax_ir_graph g;
    if (!build(SRC "/models/nets/spikingbrain-76b", &g))
        return;
    CHECK(count_ops(&g, AX_IR_MERGE) == 28);
    CHECK(count_ops(&g, AX_IR_MOE_EXPERTS) == 21 && count_ops(&g, AX_IR_MOE_ROUTER) == 21);
    CHECK(count_ops(&g, AX_IR_META_PREFIX) == 1);
    uint32_t full = 0, key_tied = 0;
    for (uint32_t i = 0; i < g.n_nodes; i++) {
        const struct ax_ir_node *n = &g.nodes[i];
        if (n->op == AX_IR_SWA) {
            full += n->window == 0;
            CHECK(n->meta == 128);
        }
        if (n->op == AX_IR_GLA)
            key_tied += n->gate == AX_IR_GATE_KEY_TIED;
    }
    CHECK(full == 4);
    CHECK(key_tied == 1);
    check_round_trip(&g, "spikingbrain-76b.ir");
    ax_ir_free(&g);
}

/* The trained small model: the bf16 layout with its low-rank gate. */
static void test_tiny(void)
{
    struct ax_ir_graph g;
    if (!build(SRC "/models/nets/spikingbrain-tiny", &g))
        return;
    CHECK(count_ops(&g, AX_IR_GLA) == 2 && count_ops(&g, AX_IR_SWA) == 2);
    const struct ax_ir_node *n = find_weight(&g, "model.layers.0.attn.gk_proj.1.weight");
    CHECK(n && n->in == 16 && n->out == 128);
    for (uint32_t i = 0; i < g.n_nodes; i++) {
        if (g.nodes[i].op == AX_IR_SWA)
            CHECK(g.nodes[i].window == 64 && g.nodes[i].heads == 4 && g.nodes[i].kv_heads == 2);
    }
    check_round_trip(&g, "spikingbrain-tiny.ir");
    ax_ir_free(&g);
}

/* The mini configs print exactly their golden files. */
static void check_golden(const char *dir, const char *golden)
{
    struct ax_ir_graph g;
    if (!build(dir, &g))
        return;
    size_t len, want_len;
    char *text = print_to_string(&g, &len);
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    char *want = NULL;
    CHECK(ax_fs_read_file(golden, 1 << 20, &want, &want_len, &diags) == AX_OK);
    int same = text && want && strcmp(text, want) == 0;
    CHECK(same);
    if (!same && text)
        fprintf(stderr, "  %s differs; the graph printed:\n%s", golden, text);
    check_round_trip(&g, golden);
    free(text);
    ax_mem_free(want);
    ax_diag_list_free(&diags);
    ax_ir_free(&g);
}

static void test_golden_mini(void)
{
    check_golden(SRC "/tests/ir/mini", SRC "/tests/ir/mini.ir");
}

static void test_golden_mini_hybrid(void)
{
    check_golden(SRC "/tests/ir/mini-hybrid", SRC "/tests/ir/mini-hybrid.ir");
}

/* A graph the verifier rejects once broken, naming the node and the reason. */
static void test_verifier_catches(void)
{
    struct ax_ir_graph g;
    if (!build(SRC "/tests/ir/mini", &g))
        return;
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    uint32_t lin = 0;
    while (lin < g.n_nodes && g.nodes[lin].op != AX_IR_LINEAR)
        lin++;
    g.nodes[lin].in = 100;
    CHECK(ax_ir_verify(&g, "broken", &diags) == AX_ERR_INVALID);
    CHECK(diags.n_items >= 1 && strstr(diags.items[0].message, "has length 256 but in is 100"));
    g.nodes[lin].in = 256;
    ax_diag_list_free(&diags);
    CHECK(ax_ir_verify(&g, "fixed", &diags) == AX_OK);
    g.nodes[lin].attrs_set &= ~(1u << AX_IR_ATTR_QUANT);
    CHECK(ax_ir_verify(&g, "broken", &diags) == AX_ERR_INVALID);
    CHECK(diags.n_items >= 1 && strstr(diags.items[0].message, "missing attribute 'quant'"));
    ax_diag_list_free(&diags);
    ax_ir_free(&g);
}

static void test_malformed_text(void)
{
    static const struct {
        const char *text, *pos, *msg;
    } cases[] = {
        {"", "0:0", "missing the header"},
        {"axon-ir 2\n", "1:9", "unsupported IR version"},
        {"graph \"x\"\n", "1:1", "expected the header 'axon-ir 1'"},
        {"axon-ir 1\n%0 = input vocab=4\n", "2:1", "expected 'graph \"NAME\"'"},
        {"axon-ir 1\ngraph \"x\n", "2:7", "unterminated string"},
        {"axon-ir 1\ngraph \"x\"\n%1 = input vocab=4\n", "3:1", "expected %0 here"},
        {"axon-ir 1\ngraph \"x\"\n%0 = inptu vocab=4\n", "3:6", "unknown op 'inptu'"},
        {"axon-ir 1\ngraph \"x\"\n%0 = input vocab=-4\n", "3:18", "vocab: expected a whole number"},
        {"axon-ir 1\ngraph \"x\"\n%0 = input size=4\n", "3:12", "input takes no attribute 'size'"},
        {"axon-ir 1\ngraph \"x\"\n%0 = input vocab=4 vocab=5\n", "3:20", "attribute 'vocab' given twice"},
        {"axon-ir 1\ngraph \"x\"\n%0 = input vocab=4\n%1 = embedding %1 vocab=4 dim=8 weight=\"w\"\n",
         "4:16", "operand %1 is not an earlier node"},
        {"axon-ir 1\ngraph \"x\"\n%0 = input vocab=4\n%1 = rmsnorm %0 eps=fast\n", "4:21",
         "eps: expected a number"},
        {"axon-ir 1\ngraph \"x\"\n%0 = input vocab=4\n%1 = rmsnorm %0 eps=1e400\n", "4:21",
         "is not a finite number"},
        {"axon-ir 1\ngraph \"x\"\n%0 = input vocab=4\n%1 = linear %0 quant=int4\n", "4:22",
         "quant: 'int4' is not one of none, int8_g128"},
        {"axon-ir 1\ngraph \"x\"\n%0 = input vocab=4\n%1 = output %0 %0 %0 %0 %0\n", "4:25",
         "more than 4 operands"},
        {"axon-ir 1\ngraph \"x\"\n%0 = input vocab=4 # comment\n%1 = output %0\n%2 = output %0\n",
         "4:1", "the output must be the last node"},
        {"axon-ir 1\ngraph \"x\"\n%0 = input vocab=4\n%1 = linear %0 in=1 out=8 quant=none\n%2 = output %1\n",
         "4:1", "missing attribute 'weight'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ax_diag_list diags;
        ax_diag_list_init(&diags);
        struct ax_ir_graph g;
        const char *text = cases[i].text;
        ax_status st = ax_ir_parse(&g, "bad.ir", text, strlen(text), &diags);
        if (st == AX_OK)
            st = ax_ir_verify(&g, "bad.ir", &diags);
        unsigned line = 0, col = 0;
        sscanf(cases[i].pos, "%u:%u", &line, &col);
        int ok = st != AX_OK && diags.n_items > 0 && diags.items[0].line == line &&
                 diags.items[0].col == (col ? col : diags.items[0].col) &&
                 strstr(diags.items[0].message, cases[i].msg) != NULL;
        CHECK(ok);
        if (!ok) {
            fprintf(stderr, "  case %zu: expected %s '%s'; got:\n", i, cases[i].pos, cases[i].msg);
            ax_diag_print(&diags, stderr);
        }
        ax_ir_free(&g);
        ax_diag_list_free(&diags);
    }
}

/* Random damage to a golden IR text parses and verifies or fails with a
 * diagnostic, never crashes (the sanitizer build watches). */
static void test_random_damage(void)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    char *golden;
    size_t len;
    CHECK(ax_fs_read_file(SRC "/tests/ir/mini.ir", 1 << 20, &golden, &len, &diags) == AX_OK);
    ax_diag_list_free(&diags);
    if (!golden)
        return;
    char *text = malloc(len + 1);
    uint64_t x = 0x853c49e6748fea9bu;
    static const char alphabet[] = " %=\"\n#0123456789.e-+abglinrwx";
    int n_silent = 0, n_failed = 0;
    for (int i = 0; i < 3000; i++) {
        memcpy(text, golden, len + 1);
        for (int k = 0; k < 1 + i % 3; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            text[x % len] = alphabet[(x >> 32) % (sizeof alphabet - 1)];
        }
        ax_diag_list_init(&diags);
        struct ax_ir_graph g;
        ax_status st = ax_ir_parse(&g, "damaged.ir", text, len, &diags);
        if (st == AX_OK)
            st = ax_ir_verify(&g, "damaged.ir", &diags);
        if (st != AX_OK)
            n_failed++, n_silent += diags.n_errors == 0;
        ax_ir_free(&g);
        ax_diag_list_free(&diags);
    }
    CHECK(n_silent == 0 && n_failed > 1000);
    free(text);
    ax_mem_free(golden);
}

AX_TEST_MAIN(T(test_7b), T(test_random_damage), T(test_76b), T(test_tiny), T(test_golden_mini), T(test_golden_mini_hybrid),
             T(test_verifier_catches), T(test_malformed_text))
