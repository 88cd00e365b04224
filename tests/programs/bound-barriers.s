# A chain of barriers between two cores of tests/golden/chips/one-chip.yaml
# (four cores in a row, x = 0..3): the cores take turns, each barrier
# handing the token from one to the other, so no two phases overlap.
#
#   core 0  a = silu(x) over 50 words, then barrier 0; barrier 1, then
#           b = exp(x) over 20 words, then barrier 2
#   core 1  barrier 0, then c = silu(x) over 30 words, then barrier 1;
#           barrier 2, then d = exp(x) over 10 words
#
# No unit is busy for most of the token: its latency is the chain of the
# four phases and the three barriers' sync latencies, the chain bound.
#
# ---- Inputs assumed --------------------------------------------------------
# No token enters (no lookup): each core reads a `param` buffer of zeros (a
# float record's values, .wdata below): 50 words on core 0, 30 on core 1.
#
# ---- Values, by hand (docs/semantics.md, "Dense operations") ----------------
# silu(0) = 0 / (1 + exp(0)) = 0; exp(0) = 1, both exact: a = c = 0,
# b = d = 1.
#
# ---- Counts ----------------------------------------------------------------
# Instructions (16): barrier 6, setlen 4, vsilu 2, vexp 2, halt 2.
# Messages: none. Work: silu 50 + 30 = 80, exp 20 + 10 = 30; barrier 3 (each
# on one chip).
#
# ---- axon inspect ------------------------------------------------------------
# Buffers per core: core 0 50 + 50 + 20 = 120 words (480 bytes), core 1
# 30 + 30 + 10 = 70 (280); free of 65536 bytes: 65056, 65256 (the lower
# middle of two: 65056).
# sram_free_bytes_min 65056, sram_free_bytes_median 65056
#
# ---- Cycles (ns at 1 GHz), by the rules of README.md ------------------------
# Costs used (one-chip.yaml): silu and exp are not listed: dense.default 20;
#   sync 50.
# core 0: vsilu 50 x 20 = 1000 (0..1000), reaches barrier 0 at 1000.
# barrier 0: core 1 waits from 0; core 0 last, at 1000: 1000 + 50 = 1050.
# core 1: vsilu 30 x 20 = 600 (1050..1650), reaches barrier 1 at 1650.
# barrier 1: core 0 waits from 1050; core 1 last, at 1650: 1700.
# core 0: vexp 20 x 20 = 400 (1700..2100), reaches barrier 2 at 2100.
# barrier 2: core 1 waits from 1700; core 0 last, at 2100: 2150.
# core 1: vexp 10 x 20 = 200 (2150..2350).
# cycles 2350
#
# ---- The lower bound of the token, term by term -----------------------------
# compute: the busiest unit of one core (axon_in aside): core 0's dense unit
#   1000 + 400 = 1400, core 1's 600 + 200 = 800; no DRAM. 1400.
# link: no message crosses a router link. 0.
# input: no packet reaches an axon_in. 0.
# chain: the latency with every shared resource free. Nothing is shared
#   here, so it is the latency itself: 1000 + 50 + 600 + 50 + 400 + 50 + 200
#   = 2350.
# bound = max(1400, 0, 0, 2350) = 2350, first reached by chain: the latency,
#   2350, is the bound.
#
# ---- What `axon sim` reports, from the figures above (programs.sim) ----------
# `axon sim PROG.axb --token-ids 0` runs on the .wdata below; each `want` line
# is one figure worked out above (spiking-projection.s says how they are read;
# `bound N BY` is the report's latency.bound_cycles and latency.bound_by).
# want cycles 2350
# want bound 2350 chain
# want executed instructions 16
# want executed messages 0
# want executed events 0
# want executed synaptic_ops 0
# want ledger silu 80
# want ledger exp 30
# want ledger barrier 3
# want values 0 a 0
# want values 0 b 1
# want values 1 c 0
# want values 1 d 1
.axb 2
.cores 4
.sram_words 16384            # 64 KiB / 4
.cores_per_chip 4
.dram_bytes_per_chip 0
.meta "model" "hand-written"
.meta "chip" "golden-one-chip"
.weights core=0 tensor="chain0.x" rows=0+1 cols=0+50 sram float          # weight 0
.weights core=1 tensor="chain1.x" rows=0+1 cols=0+30 sram float          # weight 1
# The numbers of the weight records: zeros.
.wdata 0 row=0 values=0
.wdata 1 row=0 values=0
.buffer core=0 addr=0   words=50  kind=param   ref=0 name=x
.buffer core=0 addr=64  words=50  kind=value   node=1 name=a
.buffer core=0 addr=128 words=20  kind=value   node=3 name=b
.buffer core=1 addr=0   words=30  kind=param   ref=1 name=x
.buffer core=1 addr=32  words=30  kind=value   node=2 name=c
.buffer core=1 addr=64  words=10  kind=value   node=4 name=d
.barrier cores=0,1                          # barrier 0: core 0 hands over to core 1
.barrier cores=0,1                          # barrier 1: core 1 hands back
.barrier cores=0,1                          # barrier 2: core 0 hands over again
.code 0
    setlen 50
    vsilu a, x
    barrier 0
    barrier 1
    setlen 20
    vexp b, x
    barrier 2
    halt
.code 1
    barrier 0
    setlen 30
    vsilu c, x
    barrier 1
    barrier 2
    setlen 10
    vexp d, x
    halt
.opmap core=0 first=0 count=3 node=1
.opmap core=0 first=3 count=4 node=3
.opmap core=1 first=0 count=4 node=2
.opmap core=1 first=4 count=4 node=4
.node 1 name="phase0" op="silu" layer=0 site=""
.node 2 name="phase1" op="silu" layer=0 site=""
.node 3 name="phase2" op="exp" layer=0 site=""
.node 4 name="phase3" op="exp" layer=0 site=""
.file "chip.yaml" from="../golden/chips/one-chip.yaml"
