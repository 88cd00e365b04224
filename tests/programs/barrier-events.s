# Spike events wait for their own barrier, not for the first one their core
# meets (docs/isa.md, `barrier`), on tests/golden/chips/one-chip.yaml (four
# cores in a row, x = 0..3). Core 0's events go to core 2 and belong to
# barrier 1, the first after the emit on core 0 that lists core 2; barrier
# 0, which core 2 passes first, does not wait for them.
#
#   core 0  thresholds and encodes 4 words (ternary), emits their events to
#           core 2, then barrier 1
#   core 1  y = silu(x) over 5 words (100 ns), then barrier 0: it arrives
#           after core 0's events were sent, before they are served
#   core 2  barrier 0, then barrier 1
#
# ---- Inputs assumed --------------------------------------------------------
# No token enters (no lookup): core 0 reads a `param` buffer of ones, core 1
# one of zeros (float records' values, .wdata below). k = const 0 = 1.
#
# ---- Values, by hand (docs/semantics.md) ------------------------------------
# thresh: V = f32((sum |x| / n) / k) = 1. encode (flags 1: ternary, adaptive
#   T): s_i = rne(1 / 1) = 1: one event a word, 4. silu(0) = 0 exactly.
#
# ---- Counts ----------------------------------------------------------------
# Instructions (13): barrier 4, halt 3, setlen 2, thresh 1, encode 1, emit 1,
#   vsilu 1.
# Events: 4, to one core. Messages: none.
# Work: access_neuron 4; update_neuron 4; spike_out 4; message_out 4,
#   message_in 4, hop_east 4 x 2 = 8; silu 5; barrier 2 (one chip each).
#
# ---- axon inspect ------------------------------------------------------------
# Buffers: core 0 4 + 1 + 4 = 9 words (36 bytes), core 1 5 + 5 = 10 (40);
# free of 65536 bytes: 65500 and 65496 (the lower middle of two: 65496).
# sram_free_bytes_min 65496, sram_free_bytes_median 65496
#
# ---- Cycles (ns at 1 GHz), by the rules of README.md ------------------------
# Costs used: access_neuron 4; update_neuron 5; spike_out 6; axon_out 7;
#   axon_in 9; east hop 15; sync 50; silu is not listed: dense.default 20.
# core 0: thresh 4 x 4 = 16; encode 4 x 5 = 20 (36). emit: axon_out (7 an
#   event) is slower than the soma (6): event e (0..3) leaves at
#   36 + 6 + 7 + 7e = 49 + 7e, the last at 70: core 0 reaches barrier 1 at 70.
# Link 0->1 (15 a packet, slower than axon_out): event e takes it at
#   49 + 15e, router 1 at 64 + 15e; link 1->2 at once, router 2 at 79 + 15e;
#   core 2 serves it at 88 + 15e (axon_in 9 < 15, never behind), the last
#   at 133.
# core 1: vsilu 5 x 20 = 100: it reaches barrier 0 at 100; core 2 at 0.
# barrier 0: no event belongs to it: 100 + 50 = 150. (Were it to wait for
#   the events sent to its cores, as the simulator's barriers did before,
#   it would end at 133 + 50 = 183, and barrier 1 at 233.)
# barrier 1: core 0 at 70, core 2 at 150, its events served at 133:
#   150 + 50 = 200, for cores 0 and 2.
# cycles 200
#
# ---- The lower bound of the token, term by term -----------------------------
# compute: core 1's dense unit 100; core 0's soma 16 + 20 + 4 x 6 = 60
#   (axon_out 4 x 7 = 28); core 2's axon_in 36. 100.
# link: links 0->1 and 1->2 carry 4 packets each: 4 x 15 = 60.
# input: core 2 serves 4 packets: 36.
# chain: every shared resource free: event e leaves core 0 at 49 + 7e and
#   takes the two hops at once: served at 49 + 7e + 30 + 9, the last at
#   109; barrier 0 at 150; barrier 1 at max(70, 150, 109) + 50 = 200.
# bound = max(100, 60, 36, 200) = 200, by the chain: the latency is its
#   bound.
#
# ---- What `axon sim` reports, from the figures above (programs.sim) ----------
# want cycles 200
# want bound 200 chain
# want term compute 100
# want term link 60
# want term input 36
# want term chain 200
# want executed instructions 13
# want executed messages 0
# want executed events 4
# want executed synaptic_ops 0
# want ledger access_neuron 4
# want ledger update_neuron 4
# want ledger spike_out 4
# want ledger message_out 4
# want ledger message_in 4
# want ledger hop_east 8
# want ledger silu 5
# want ledger barrier 2
# want values 1 y 0
.axb 2
.cores 4
.sram_words 16384            # 64 KiB / 4
.cores_per_chip 4
.dram_bytes_per_chip 0
.meta "model" "hand-written"
.meta "chip" "golden-one-chip"
.const 1                                                                  # const 0: k
.weights core=0 tensor="be.x" rows=0+1 cols=0+4 sram float                # weight 0
# The numbers of the weight record: ones.
.wdata 0 row=0 values=1
.weights core=1 tensor="be.z" rows=0+1 cols=0+5 sram float                # weight 1
.wdata 1 row=0 values=0
.buffer core=0 addr=0   words=4   kind=param   ref=0 name=x
.buffer core=0 addr=4   words=1   kind=scalar  name=vth
.buffer core=0 addr=8   words=4   kind=counts  name=cnt
.buffer core=1 addr=0   words=5   kind=param   ref=1 name=x
.buffer core=1 addr=8   words=5   kind=value   node=2 name=y
.route src=0 dst=2 spikes                   # route 0: the events
.barrier cores=1,2                          # barrier 0
.barrier cores=0,2                          # barrier 1: core 0's events
.code 0
    setlen 4
    thresh x, vth            # k = const 0
    encode x, vth, cnt .flags 1   # ternary, adaptive T
    emit cnt, 0
    barrier 1
    halt
.code 1
    setlen 5
    vsilu y, x
    barrier 0
    halt
.code 2
    barrier 0
    barrier 1
    halt
.opmap core=0 first=0 count=6 node=1
.opmap core=1 first=0 count=4 node=2
.opmap core=2 first=0 count=3 node=1
.node 1 name="events" op="linear" layer=0 site=""
.node 2 name="work" op="silu" layer=0 site=""
.file "chip.yaml" from="../golden/chips/one-chip.yaml"
