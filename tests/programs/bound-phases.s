# Two independent phases on two cores of tests/golden/chips/one-chip.yaml
# (four cores in a row, x = 0..3): no message, no barrier, nothing shared.
#
#   core 0  y = silu(x) over 50 words
#   core 1  y = exp(x) over 50 words
#
# Each phase takes 1 us on its own core's dense unit, and the two run side by
# side: the token takes 1 us, not 2. Its latency equals the compute bound.
#
# ---- Inputs assumed --------------------------------------------------------
# No token enters (no lookup): each core reads a `param` buffer of 50 zeros
# (a float record's values, .wdata below).
#
# ---- Values, by hand (docs/semantics.md, "Dense operations") ----------------
# silu(0) = 0 / (1 + exp(0)) = 0; exp(0) = 1, both exact.
#
# ---- Counts ----------------------------------------------------------------
# Instructions (6): setlen 2, halt 2, vsilu 1, vexp 1.
# Messages: none. Work: silu 50, exp 50. No barrier, no spikes.
#
# ---- axon inspect ------------------------------------------------------------
# Buffers per core: cores 0 and 1 50 + 50 = 100 words (400 bytes); free of
# 65536 bytes: 65136 each.
# sram_free_bytes_min 65136, sram_free_bytes_median 65136
#
# ---- Cycles (ns at 1 GHz), by the rules of README.md ------------------------
# Costs used (one-chip.yaml): silu and exp are not listed: dense.default 20.
# core 0: vsilu 50 x 20 = 1000 (0..1000).
# core 1: vexp 50 x 20 = 1000 (0..1000), beside core 0's.
# cycles 1000
#
# ---- The lower bound of the token, term by term -----------------------------
# compute: the busiest unit of one core (axon_in aside): core 0's dense unit
#   1000, core 1's 1000; no DRAM. 1000.
# link: no message crosses a router link. 0.
# input: no packet reaches an axon_in. 0.
# chain: the latency with every shared resource free: each core's code in
#   order, nothing to wait for: max(1000, 1000) = 1000.
# bound = max(1000, 0, 0, 1000) = 1000, first reached by compute: the
#   latency, 1000, is the bound.
#
# ---- What `axon sim` reports, from the figures above (programs.sim) ----------
# `axon sim PROG.axb --token-ids 0` runs on the .wdata below; each `want` line
# is one figure worked out above (spiking-projection.s says how they are read;
# `bound N BY` is the report's latency.bound_cycles and latency.bound_by).
# want cycles 1000
# want bound 1000 compute
# want executed instructions 6
# want executed messages 0
# want executed events 0
# want executed synaptic_ops 0
# want ledger silu 50
# want ledger exp 50
# want values 0 y 0
# want values 1 y 1
.axb 2
.cores 4
.sram_words 16384            # 64 KiB / 4
.cores_per_chip 4
.dram_bytes_per_chip 0
.meta "model" "hand-written"
.meta "chip" "golden-one-chip"
.weights core=0 tensor="phase0.x" rows=0+1 cols=0+50 sram float          # weight 0
.weights core=1 tensor="phase1.x" rows=0+1 cols=0+50 sram float          # weight 1
# The numbers of the weight records: zeros.
.wdata 0 row=0 values=0
.wdata 1 row=0 values=0
.buffer core=0 addr=0   words=50  kind=param   ref=0 name=x
.buffer core=0 addr=64  words=50  kind=value   node=1 name=y
.buffer core=1 addr=0   words=50  kind=param   ref=1 name=x
.buffer core=1 addr=64  words=50  kind=value   node=2 name=y
.code 0
    setlen 50
    vsilu y, x
    halt
.code 1
    setlen 50
    vexp y, x
    halt
.opmap core=0 first=0 count=3 node=1
.opmap core=1 first=0 count=3 node=2
.node 1 name="phase0" op="silu" layer=0 site=""
.node 2 name="phase1" op="exp" layer=0 site=""
.file "chip.yaml" from="../golden/chips/one-chip.yaml"
