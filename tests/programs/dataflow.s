# Unbalanced phases under barrier and dataflow synchronisation (docs/isa.md,
# `barrier`; `--sync`), on tests/golden/chips/one-chip.yaml (four cores in a
# row, x = 0..3). Barrier 0 lists cores 0, 1 and 2; only core 0 sends core 1
# events that belong to it, so under dataflow core 1 waits for core 0 alone,
# not for core 2's long phase.
#
#   core 0  thresholds and encodes 4 words (ternary), emits their events to
#           core 1, then barrier 0
#   core 1  barrier 0, then y = silu(x) over 8 words (160 ns)
#   core 2  z = silu(x) over 8 words (160 ns), then barrier 0
#
# ---- Inputs assumed --------------------------------------------------------
# No token enters (no lookup): core 0 reads a `param` buffer of ones, cores
# 1 and 2 one of zeros (float records' values, .wdata below). k = const 0 = 1.
#
# ---- Values, by hand (docs/semantics.md) ------------------------------------
# thresh: V = f32((sum |x| / n) / k) = 1. encode (flags 1: ternary, adaptive
#   T): s_i = rne(1 / 1) = 1: one event a word, 4. silu(0) = 0 exactly. The
#   same under both synchronisations.
#
# ---- Counts ----------------------------------------------------------------
# Instructions (14): setlen 3, halt 3, barrier 3, thresh 1, encode 1, emit 1,
#   vsilu 2.
# Events: 4, to one core. Messages: none.
# Work, both: access_neuron 4; update_neuron 4; spike_out 4; silu 16.
#   barrier: message_out 4, message_in 4, hop_east 4 x 1 = 4; barrier 1 (one
#   chip).
#   dataflow: core 0's arrival sends core 1 one handshake packet, so
#   message_out 5, message_in 5, hop_east 5; handshake 1; no barrier.
#
# ---- axon inspect ------------------------------------------------------------
# Buffers: core 0 4 + 1 + 4 = 9 words (36 bytes), cores 1 and 2 8 + 8 = 16
# (64); free of 65536 bytes: 65500, 65472 and 65472 (the middle: 65472).
# sram_free_bytes_min 65472, sram_free_bytes_median 65472
#
# ---- Cycles (ns at 1 GHz), by the rules of README.md ------------------------
# Costs used: access_neuron 4; update_neuron 5; spike_out 6; axon_out 7;
#   axon_in 9; east hop 15; sync 50; handshake 10; silu is not listed:
#   dense.default 20.
# core 0: thresh 4 x 4 = 16; encode 4 x 5 = 20 (36). emit: axon_out (7 an
#   event) is slower than the soma (6): event e (0..3) leaves at
#   36 + 6 + 7 + 7e = 49 + 7e, the last at 70: core 0 reaches barrier 0 at 70.
# Link 0->1 (15 a packet, slower than axon_out): event e takes it at
#   49 + 15e, reaches router 1 at 64 + 15e, and core 1 serves it at
#   73 + 15e (axon_in 9 < 15, never behind), the last at 118; the link is
#   free again at 49 + 4 x 15 = 109.
# core 2: vsilu 8 x 20 = 160: it reaches barrier 0 at 160; core 1 at 0.
# Barrier: barrier 0 at max(70, 0, 160, events 118) + 50 = 210; core 1's
#   vsilu 210 + 160 = 370.
# cycles 370
# Dataflow: core 0, arrived at 70, sends core 1 a handshake packet: it
#   leaves axon_out at 77, takes link 0->1 at 109 (after the last event),
#   reaches router 1 at 124, is served at 133; core 0 waits for no one and
#   goes on at 77. Core 1 passes at max(0, 118, 133) + 10 = 143 and its
#   vsilu ends at 303. Core 2 waits for no one: it passes at 160.
# cycles 303: 67 fewer, core 2's phase no longer held core 1.
#
# ---- The lower bound of the token, term by term -----------------------------
# Barrier: compute: cores 1 and 2's dense units 160 each; core 0's soma
#   16 + 20 + 4 x 6 = 60, its axon_out 4 x 7 = 28. link: link 0->1 carries 4
#   packets: 60. input: core 1 serves 4 packets: 36. chain: every shared
#   resource free: event e leaves core 0 at 49 + 7e and is served at
#   49 + 7e + 15 + 9, the last at 94; barrier 0 at max(70, 160, 94) + 50 =
#   210; core 1 ends at 370. bound = 370, by the chain.
# Dataflow: compute 160; link: 5 packets, 75; input: 5 packets, 45. chain:
#   the events served by 94 as above; the handshake leaves at 70 + 7 = 77
#   and is served at 77 + 15 + 9 = 101; core 1 passes at 101 + 10 = 111 and
#   ends at 271. bound = 271, by the chain (the latency waits 32 more: the
#   handshake queues 32 behind the events on link 0->1).
#
# ---- What `axon sim` reports, from the figures above (programs.sim) ----------
# want cycles 370
# want bound 370 chain
# want term compute 160
# want term link 60
# want term input 36
# want term chain 370
# want executed instructions 14
# want executed messages 0
# want executed events 4
# want executed synaptic_ops 0
# want ledger access_neuron 4
# want ledger update_neuron 4
# want ledger spike_out 4
# want ledger message_out 4
# want ledger message_in 4
# want ledger hop_east 4
# want ledger silu 16
# want ledger barrier 1
# want values 1 y 0
# want values 2 z 0
# dataflow want cycles 303
# dataflow want bound 271 chain
# dataflow want term compute 160
# dataflow want term link 75
# dataflow want term input 45
# dataflow want term chain 271
# dataflow want executed instructions 14
# dataflow want executed messages 0
# dataflow want executed events 4
# dataflow want executed synaptic_ops 0
# dataflow want ledger access_neuron 4
# dataflow want ledger update_neuron 4
# dataflow want ledger spike_out 4
# dataflow want ledger message_out 5
# dataflow want ledger message_in 5
# dataflow want ledger hop_east 5
# dataflow want ledger silu 16
# dataflow want ledger handshake 1
# dataflow want values 1 y 0
# dataflow want values 2 z 0
.axb 2
.cores 4
.sram_words 16384            # 64 KiB / 4
.cores_per_chip 4
.dram_bytes_per_chip 0
.meta "model" "hand-written"
.meta "chip" "golden-one-chip"
.const 1                                                                  # const 0: k
.weights core=0 tensor="df.x" rows=0+1 cols=0+4 sram float                # weight 0
# The numbers of the weight records: ones, then zeros.
.wdata 0 row=0 values=1
.weights core=1 tensor="df.y" rows=0+1 cols=0+8 sram float                # weight 1
.wdata 1 row=0 values=0
.weights core=2 tensor="df.z" rows=0+1 cols=0+8 sram float                # weight 2
.wdata 2 row=0 values=0
.buffer core=0 addr=0   words=4   kind=param   ref=0 name=x
.buffer core=0 addr=4   words=1   kind=scalar  name=vth
.buffer core=0 addr=8   words=4   kind=counts  name=cnt
.buffer core=1 addr=0   words=8   kind=param   ref=1 name=x
.buffer core=1 addr=8   words=8   kind=value   node=2 name=y
.buffer core=2 addr=0   words=8   kind=param   ref=2 name=x
.buffer core=2 addr=8   words=8   kind=value   node=3 name=z
.route src=0 dst=1 spikes                   # route 0: the events
.barrier cores=0,1,2                        # barrier 0
.code 0
    setlen 4
    thresh x, vth            # k = const 0
    encode x, vth, cnt .flags 1   # ternary, adaptive T
    emit cnt, 0
    barrier 0
    halt
.code 1
    barrier 0
    setlen 8
    vsilu y, x
    halt
.code 2
    setlen 8
    vsilu z, x
    barrier 0
    halt
.opmap core=0 first=0 count=6 node=1
.opmap core=1 first=0 count=4 node=2
.opmap core=2 first=0 count=4 node=3
.node 1 name="events" op="linear" layer=0 site=""
.node 2 name="after" op="silu" layer=0 site=""
.node 3 name="long" op="silu" layer=0 site=""
.file "chip.yaml" from="../golden/chips/one-chip.yaml"
