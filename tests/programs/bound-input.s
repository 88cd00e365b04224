# One core flooded with spike events, on tests/golden/chips/distinct.yaml
# (8 x 4 tiles of four cores each): cores 0, 1 and 2 each emit a train of
# events to core 3, all four in tile 0. Each train alone comes faster (one
# event every 5.1 ns) than core 3's axon_in serves them (16 ns each), and no
# router link is on the way (cores of one tile pass packets locally), so
# the token waits for one core's axon_in.
#
#   cores 0, 1, 2  threshold and encode 8 words each (ternary), emit them to
#                  core 3
#   core 3         receives the three trains; barrier 0 (cores 0..3) ends
#                  when they have passed its axon_in
#
# ---- Inputs assumed --------------------------------------------------------
# No token enters (no lookup): each emitting core reads a `param` buffer of
# eight ones (a float record's values, .wdata below). k = const 0 = 8.
#
# ---- Values, by hand (docs/semantics.md, "The spiking linear layer") --------
# thresh: V = f32((sum |x| / n) / k) = 1 / 8 = 0.125 on each core.
# encode (flags 1: ternary, adaptive T): s_i = rne(1 / 0.125) = 8, so 8
#   events per word: 64 events per emitting core, 192 in all.
# No core runs synacc: the events are only delivered.
#
# ---- Counts ----------------------------------------------------------------
# Instructions (20): barrier 4, halt 4, setlen 3, thresh 3, encode 3, emit 3.
# Messages (one packet an event, one destination): 3 x 64 = 192 packets,
#   each between two cores of tile 0: message_out = message_in = 192,
#   local 192, no router hop.
# Work: access_neuron 3 x 8 = 24; update_neuron 24; spike_out 192;
#   barrier 1 (one chip).
#
# ---- axon inspect ------------------------------------------------------------
# Buffers per core: cores 0, 1, 2 8 + 1 + 8 = 17 words (68 bytes); free of
# 196608 bytes (192 KiB): 196540 each.
# sram_free_bytes_min 196540, sram_free_bytes_median 196540
#
# ---- Cycles (ns at 1 GHz), by the rules of README.md ------------------------
# Costs used (distinct.yaml): access_neuron 3.0; update_neuron 1.85;
#   spike_out 3.0; axon_out 5.1; local 2.1 a packet; axon_in 16; sync 200.
# cores 0, 1, 2 alike: thresh 8 x 3.0 = 24; encode 8 x 1.85 = 14.8 (38.8).
#   emit: axon_out (5.1 an event) is slower than the soma (3.0), so event e
#   (0..63) leaves at 38.8 + 3.0 + 5.1 + 5.1e = 46.9 + 5.1e, the last at
#   368.2, and reaches core 3 at 49.0 + 5.1e: each core reaches barrier 0 at
#   368.2.
# core 3: from 49.0 on, three trains arrive, one event every 5.1 ns each;
#   axon_in serves one each 16 ns, so it has one waiting from its first
#   until the last of the 192 is served: 49.0 + 192 x 16 = 3121, in
#   whatever order it takes them. (`axon sim` routes the three emits whole,
#   the lower core first: core 0's over 49..1073, core 1's to 2097, core 2's
#   to 3121.)
# barrier 0: cores 0, 1, 2 reach it at 368.2, core 3 at 0; the last event
#   is in at 3121: 3121 + 200 = 3321.
# cycles 3321
#
# ---- The lower bound of the token, term by term -----------------------------
# compute: the busiest unit of one core (axon_in aside): each emitting
#   core's soma 24 + 14.8 + 64 x 3.0 = 230.8, axon_out 64 x 5.1 = 326.4; no
#   DRAM. 326.4.
# link: no packet crosses a router link (all four cores are in tile 0). 0.
# input: core 3's axon_in serves 192 packets, 192 x 16 = 3072.
# chain: the latency with every shared resource free: each emitter's last
#   event leaves at 368.2, passes locally: 370.3, axon_in 386.3; barrier 0
#   at max(368.2, 0, 386.3) + 200 = 586.3 (587 cycles).
# bound = max(326.4, 0, 3072, 586.3) = 3072, first reached by input. The
#   latency, 3321, is the bound plus what cannot overlap core 3's axon_in:
#   49 before the first event arrives (thresh and encode 38.8, spike_out
#   3.0, axon_out 5.1, local 2.1) and the sync 200.
#
# ---- What `axon sim` reports, from the figures above (programs.sim) ----------
# `axon sim PROG.axb --token-ids 0` runs on the .wdata below; each `want` line
# is one figure worked out above (spiking-projection.s says how they are read;
# `bound N BY` is the report's latency.bound_cycles and latency.bound_by).
# want cycles 3321
# want bound 3072 input
# want executed instructions 20
# want executed messages 0
# want executed events 192
# want executed synaptic_ops 0
# want ledger message_out 192
# want ledger message_in 192
# want ledger local 192
# want ledger access_neuron 24
# want ledger update_neuron 24
# want ledger spike_out 192
# want ledger barrier 1
.axb 2
.cores 128                   # one chip: 8 x 4 tiles of 4 cores
.sram_words 49152            # 192 KiB / 4
.cores_per_chip 128
.dram_bytes_per_chip 17179869184            # 16 GiB
.meta "model" "hand-written"
.meta "chip" "golden-distinct"
.const 8                                                                  # const 0: k
.weights core=0 tensor="flood0.x" rows=0+1 cols=0+8 sram float            # weight 0
.weights core=1 tensor="flood1.x" rows=0+1 cols=0+8 sram float            # weight 1
.weights core=2 tensor="flood2.x" rows=0+1 cols=0+8 sram float            # weight 2
# The numbers of the weight records: ones.
.wdata 0 row=0 values=1
.wdata 1 row=0 values=1
.wdata 2 row=0 values=1
.buffer core=0 addr=0   words=8   kind=param   ref=0 name=x
.buffer core=0 addr=8   words=1   kind=scalar  name=vth
.buffer core=0 addr=16  words=8   kind=counts  name=cnt
.buffer core=1 addr=0   words=8   kind=param   ref=1 name=x
.buffer core=1 addr=8   words=1   kind=scalar  name=vth
.buffer core=1 addr=16  words=8   kind=counts  name=cnt
.buffer core=2 addr=0   words=8   kind=param   ref=2 name=x
.buffer core=2 addr=8   words=1   kind=scalar  name=vth
.buffer core=2 addr=16  words=8   kind=counts  name=cnt
.route src=0 dst=3 spikes                   # route 0: core 0's train
.route src=1 dst=3 spikes                   # route 1: core 1's train
.route src=2 dst=3 spikes                   # route 2: core 2's train
.barrier cores=0,1,2,3                      # barrier 0: the three trains delivered
.code 0
    setlen 8
    thresh x, vth            # k = const 0
    encode x, vth, cnt .flags 1   # ternary, adaptive T
    emit cnt, 0
    barrier 0
    halt
.code 1
    setlen 8
    thresh x, vth            # k = const 0
    encode x, vth, cnt .flags 1   # ternary, adaptive T
    emit cnt, 1
    barrier 0
    halt
.code 2
    setlen 8
    thresh x, vth            # k = const 0
    encode x, vth, cnt .flags 1   # ternary, adaptive T
    emit cnt, 2
    barrier 0
    halt
.code 3
    barrier 0
    halt
.opmap core=0 first=0 count=6 node=1
.opmap core=1 first=0 count=6 node=1
.opmap core=2 first=0 count=6 node=1
.opmap core=3 first=0 count=2 node=1
.node 1 name="trains" op="spikes" layer=0 site=""
.file "chip.yaml" from="../golden/chips/distinct.yaml"
