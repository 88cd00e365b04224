# One saturated router link on tests/golden/chips/one-chip.yaml (four cores
# in a row, x = 0..3): cores 0 and 1 each emit a train of spike events to
# core 2, so both trains cross the link from router 1 east to router 2, one
# packet every 15 ns, while each core sends one every 7 ns. The link is the
# slowest thing the token needs, and it is shared: the token waits for it.
#
#   core 0  thresholds and encodes 8 words (ternary), emits them to core 2
#           (two east hops: 0 -> 1 -> 2)
#   core 1  the same over 10 words (one east hop: 1 -> 2)
#   core 2  receives both trains; barrier 0 (cores 0, 1, 2) ends when they
#           have passed its axon_in
#
# Core 1 holds 10 words, not 8, so that it starts emitting 18 ns after core
# 0 and its first event reaches the shared link after core 0's first: from
# then on the link has a packet waiting until the last has crossed, in
# whatever order it takes the two trains.
#
# ---- Inputs assumed --------------------------------------------------------
# No token enters (no lookup): each core reads a `param` buffer of ones (a
# float record's values, .wdata below). k = const 0 = 8.
#
# ---- Values, by hand (docs/semantics.md, "The spiking linear layer") --------
# thresh: V = f32((sum |x| / n) / k) = 1 / 8 = 0.125 on both cores.
# encode (flags 1: ternary, adaptive T): s_i = rne(1 / 0.125) = 8, so 8
#   events per word: 8 x 8 = 64 events on core 0, 8 x 10 = 80 on core 1.
# No core runs synacc: the events are only delivered.
#
# ---- Counts ----------------------------------------------------------------
# Instructions (14): barrier 3, halt 3, setlen 2, thresh 2, encode 2, emit 2.
# Messages (one packet an event, one destination): 64 + 80 = 144 packets:
#   message_out = message_in = 144; hop_east 64 x 2 + 80 = 208.
# Work: access_neuron 8 + 10 = 18; update_neuron 18; spike_out 144;
#   barrier 1 (one chip).
#
# ---- axon inspect ------------------------------------------------------------
# Buffers per core: core 0 8 + 1 + 8 = 17 words (68 bytes), core 1
# 10 + 1 + 10 = 21 (84); free of 65536 bytes: 65468, 65452 (the lower
# middle of two: 65452).
# sram_free_bytes_min 65452, sram_free_bytes_median 65452
#
# ---- Cycles (ns at 1 GHz), by the rules of README.md ------------------------
# Costs used (one-chip.yaml): access_neuron 4; update_neuron 5; spike_out 6;
#   axon_out 7; axon_in 9; east hop 15; sync 50.
# core 0: thresh 8 x 4 = 32; encode 8 x 5 = 40 (72). emit: axon_out (7 ns an
#   event) is slower than the soma (6), so event e (0..63) leaves at
#   72 + 6 + 7 + 7e = 85 + 7e, the last at 526: core 0 reaches barrier 0 at
#   526.
# Link 0->1 (15 ns a packet, slower than axon_out): event e takes it at
#   85 + 15e, reaches router 1 at 100 + 15e and takes link 1->2 at once: the
#   link 1->2 carries core 0's train over 100..1060.
# core 1: thresh 10 x 4 = 40; encode 10 x 5 = 50 (90). emit: event e (0..79)
#   leaves at 90 + 13 + 7e = 103 + 7e, the last at 656: core 1 reaches
#   barrier 0 at 656.
# Link 1->2: core 1's events reach it from 103 on, behind core 0's; it takes
#   each when it frees and never idles from 100 until its 144 packets have
#   crossed: 100 + 144 x 15 = 2260. (`axon sim` routes core 0's emit whole
#   first, its clock being the lower: core 1's event e takes the link at
#   1060 + 15e and reaches core 2 at 1075 + 15e, the last at 2260.)
# core 2: packets arrive 15 ns apart or more, and axon_in takes 9: each is
#   served 9 after it arrives, the last at 2260 + 9 = 2269.
# barrier 0: cores 0, 1, 2 reach it at 526, 656, 0; the last event is in at
#   2269: 2269 + 50 = 2319.
# cycles 2319
#
# ---- The lower bound of the token, term by term -----------------------------
# compute: the busiest unit of one core (axon_in aside): core 0's soma
#   32 + 40 + 64 x 6 = 456, axon_out 64 x 7 = 448; core 1's soma
#   40 + 50 + 80 x 6 = 570, axon_out 80 x 7 = 560; no DRAM. 570.
# link: link 1->2 carries 144 packets, 144 x 15 = 2160; link 0->1 64 x 15 =
#   960. 2160.
# input: core 2's axon_in serves 144 packets, 144 x 9 = 1296.
# chain: the latency with every shared resource free: core 0's last event
#   leaves at 526 and crosses two free hops: 556, axon_in 565; core 1's
#   leaves at 656, one hop: 671, axon_in 680; barrier 0 at max(526, 656, 0,
#   565, 680) + 50 = 730.
# bound = max(570, 2160, 1296, 730) = 2160, first reached by link. The
#   latency, 2319, is the bound plus what cannot overlap the link: 100
#   before its first packet (thresh and encode 72, spike_out 6, axon_out 7,
#   hop 0->1 15), the last packet's axon_in 9 and the sync 50.
#
# ---- What `axon sim` reports, from the figures above (programs.sim) ----------
# `axon sim PROG.axb --token-ids 0` runs on the .wdata below; each `want` line
# is one figure worked out above (spiking-projection.s says how they are read;
# `bound N BY` is the report's latency.bound_cycles and latency.bound_by).
# want cycles 2319
# want bound 2160 link
# want executed instructions 14
# want executed messages 0
# want executed events 144
# want executed synaptic_ops 0
# want ledger message_out 144
# want ledger message_in 144
# want ledger hop_east 208
# want ledger access_neuron 18
# want ledger update_neuron 18
# want ledger spike_out 144
# want ledger barrier 1
.axb 2
.cores 4
.sram_words 16384            # 64 KiB / 4
.cores_per_chip 4
.dram_bytes_per_chip 0
.meta "model" "hand-written"
.meta "chip" "golden-one-chip"
.const 8                                                                  # const 0: k
.weights core=0 tensor="link0.x" rows=0+1 cols=0+8 sram float             # weight 0
.weights core=1 tensor="link1.x" rows=0+1 cols=0+10 sram float            # weight 1
# The numbers of the weight records: ones.
.wdata 0 row=0 values=1
.wdata 1 row=0 values=1
.buffer core=0 addr=0   words=8   kind=param   ref=0 name=x
.buffer core=0 addr=8   words=1   kind=scalar  name=vth
.buffer core=0 addr=16  words=8   kind=counts  name=cnt
.buffer core=1 addr=0   words=10  kind=param   ref=1 name=x
.buffer core=1 addr=16  words=1   kind=scalar  name=vth
.buffer core=1 addr=32  words=10  kind=counts  name=cnt
.route src=0 dst=2 spikes                   # route 0: core 0's train
.route src=1 dst=2 spikes                   # route 1: core 1's train
.barrier cores=0,1,2                        # barrier 0: both trains delivered
.code 0
    setlen 8
    thresh x, vth            # k = const 0
    encode x, vth, cnt .flags 1   # ternary, adaptive T
    emit cnt, 0
    barrier 0
    halt
.code 1
    setlen 10
    thresh x, vth            # k = const 0
    encode x, vth, cnt .flags 1   # ternary, adaptive T
    emit cnt, 1
    barrier 0
    halt
.code 2
    barrier 0
    halt
.opmap core=0 first=0 count=6 node=1
.opmap core=1 first=0 count=6 node=1
.opmap core=2 first=0 count=2 node=1
.node 1 name="trains" op="spikes" layer=0 site=""
.file "chip.yaml" from="../golden/chips/one-chip.yaml"
