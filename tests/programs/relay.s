# One encoder, three readers, the events passed on by the first reader
# (tests/golden/chips/one-chip.yaml: four cores in a row at x = 0..3, routers
# that do not replicate packets). Core 0 sends each event once, to core 1;
# core 1 relays them to cores 2 and 3 (`relay`), so core 0's axon_out sends
# 32 packets where it would send 96 to the three readers itself.
#
#   core 0     thresholds and encodes 4 words (ternary) and emits their
#              events along route 0 to core 1; barrier 0 (cores 0, 1)
#   core 1     barrier 0; relays columns 0..3 along route 1 to cores 2, 3;
#              barrier 1 (cores 1, 2, 3); synacc, scale into `y`
#   cores 2, 3 barrier 1; synacc, scale into `y`
# Barrier 1 brings core 1 no events: the ones of barrier 0 stay visible.
#
# ---- Inputs assumed --------------------------------------------------------
# No token enters (no lookup): core 0 reads a `param` buffer of ones (a
# float record's values, .wdata below). k = const 0 = 8. Each reader holds
# a weight record of one row and 4 columns, every code 1, scale 1.
#
# ---- Values, by hand (docs/semantics.md) ------------------------------------
# thresh: V = f32((sum |x| / n) / k) = 1 / 8 = 0.125. encode (flags 1:
#   ternary, adaptive T): s_i = rne(1 / 0.125) = 8: 8 events of weight +1
#   a word, 32. A relayed event keeps its column, weight and V.
# synacc (one row): acc = sum_i s_i x 1 = 32 on each reader.
# scale: y = f32(0.125 x 1 x 32) = 4.0 on cores 1, 2 and 3.
#
# ---- Counts ----------------------------------------------------------------
# Instructions (28): setlen 6, barrier 5, halt 4, acczero 3, synacc 3,
#   scale 3, thresh 1, encode 1, emit 1, relay 1.
# Events: the emit's 32 to one core, the relay's 32 to two: 96. No value
#   message.
# Packets (an event one packet): message_out 32 + 64 = 96; message_in 96;
#   hop_east: 0->1 32, 1->2 64, 2->3 32: 128.
# Work: access_neuron 4; update_neuron 4; spike_out 32 (a relay generates
#   none); process_spike 3 x 32 x 1 = 96; update 3 (scale, one row and
#   group each); SRAM reads: per event ceil(1 x 8 / 32) = 1 column read on
#   each reader, 3 x 32 = 96, and scale's 3: 99; barrier 2 (one chip each).
#
# ---- axon inspect ------------------------------------------------------------
# Buffers per core: core 0 4 + 1 + 4 = 9 words (36 bytes); cores 1-3 the
# weights 2 (one word of codes, one scale), acc 1, y 1: 4 words (16). Free
# of 65536 bytes: 65500, then 65520 three times.
# sram_free_bytes_min 65500, sram_free_bytes_median 65520
#
# ---- Cycles (ns at 1 GHz), by the rules of README.md ------------------------
# Costs used: access_neuron 4; update_neuron 5; spike_out 6; axon_out 7;
#   axon_in 9; east hop 15; synapse 2; SRAM read 1; dendrite 3; sync 50.
# core 0: thresh 4 x 4 = 16; encode 4 x 5 = 20 (36). emit: axon_out (7 an
#   event) is slower than the soma (6): event e (0..31) leaves at
#   36 + 6 + 7 + 7e = 49 + 7e, the last at 266.
# Link 0->1 (15 a packet, slower than axon_out): event e takes it at
#   49 + 15e, reaches router 1 at 64 + 15e, served on core 1 at 73 + 15e,
#   the last at 538.
# barrier 0: 538 + 50 = 588.
# core 1: relay: packet m (0..63; event m / 2, to core 2 when m is even,
#   to core 3 when odd) leaves axon_out at 588 + 7(m + 1) = 595 + 7m, the
#   last at 1036, when core 1 reaches barrier 1.
# Link 1->2 carries all 64 (15 each): packet m takes it at 595 + 15m,
#   router 2 at 610 + 15m. Core 2 serves its own (even m) at 619 + 15m,
#   the last (m = 62) at 1549. The odd ones take link 2->3 at once (it
#   carries one every 30): router 3 at 625 + 15m, served at 634 + 15m, the
#   last (m = 63) at 1579.
# barrier 1: 1579 + 50 = 1629.
# cores 1, 2, 3: synacc 32 events x max(1 x 2, 1 read) = 64 (1693); scale
#   one read and one update, 1 + 3 = 4: 1697.
# cycles 1697
#
# ---- The lower bound of the token, term by term -----------------------------
# compute: core 1's axon_out 64 x 7 = 448 (core 0's soma 16 + 20 + 32 x 6
#   = 228, its axon_out 224).
# link: 1->2 carries 64 packets: 64 x 15 = 960 (0->1 and 2->3 32 each).
# input: each reader serves 32 packets: 32 x 9 = 288.
# chain, links and axon_in free: event e leaves core 0 at 49 + 7e, reaches
#   core 1 at 64 + 7e, served 73 + 7e, the last 290; barrier 0 at
#   max(266, 290) + 50 = 340. Relay packet m leaves at 347 + 7m (the last
#   788); to core 2 (even m) served at 371 + 7m, the last 805; to core 3
#   (odd m, two hops) at 386 + 7m, the last 827. barrier 1 at 877; synacc
#   941; scale 945.
# bound = max(448, 960, 288, 945) = 960, by the link.
#
# ---- What `axon sim` reports, from the figures above (programs.sim) ----------
# want cycles 1697
# want bound 960 link
# want term compute 448
# want term link 960
# want term input 288
# want term chain 945
# want executed instructions 28
# want executed messages 0
# want executed events 96
# want executed synaptic_ops 96
# want ledger message_out 96
# want ledger message_in 96
# want ledger hop_east 128
# want ledger access_neuron 4
# want ledger update_neuron 4
# want ledger spike_out 32
# want ledger process_spike 96
# want ledger update 3
# want ledger read 99
# want ledger barrier 2
# want values 1 y 4.0
# want values 2 y 4.0
# want values 3 y 4.0
.axb 2
.cores 4
.sram_words 16384            # 64 KiB / 4
.cores_per_chip 4
.dram_bytes_per_chip 0
.meta "model" "hand-written"
.meta "chip" "golden-one-chip"
.const 8                                                                  # const 0: k
.weights core=0 tensor="relay.x" rows=0+1 cols=0+4 sram float             # weight 0
.weights core=1 tensor="relay.w1" rows=0+1 cols=0+4 sram                  # weight 1
.weights core=2 tensor="relay.w2" rows=0+1 cols=0+4 sram                  # weight 2
.weights core=3 tensor="relay.w3" rows=0+1 cols=0+4 sram                  # weight 3
# The numbers of the weight records: ones.
.wdata 0 row=0 values=1
.wdata 1 row=0 codes=1 scales=1
.wdata 2 row=0 codes=1 scales=1
.wdata 3 row=0 codes=1 scales=1
.buffer core=0 addr=0   words=4   kind=param   ref=0 name=x
.buffer core=0 addr=4   words=1   kind=scalar  name=vth
.buffer core=0 addr=8   words=4   kind=counts  name=cnt
.buffer core=1 addr=0   words=2   kind=weights ref=1 node=1 name=w
.buffer core=1 addr=2   words=1   kind=acc     node=1 name=acc
.buffer core=1 addr=3   words=1   kind=value   node=1 name=y
.buffer core=2 addr=0   words=2   kind=weights ref=2 node=1 name=w
.buffer core=2 addr=2   words=1   kind=acc     node=1 name=acc
.buffer core=2 addr=3   words=1   kind=value   node=1 name=y
.buffer core=3 addr=0   words=2   kind=weights ref=3 node=1 name=w
.buffer core=3 addr=2   words=1   kind=acc     node=1 name=acc
.buffer core=3 addr=3   words=1   kind=value   node=1 name=y
.route src=0 dst=1 spikes                   # route 0: the events to the relay
.route src=1 dst=2,3 spikes                 # route 1: passed on to the others
.barrier cores=0,1                          # barrier 0: the events at core 1
.barrier cores=1,2,3                        # barrier 1: relayed, at cores 2, 3
.code 0
    setlen 4
    thresh x, vth            # k = const 0
    encode x, vth, cnt .flags 1   # ternary, adaptive T
    emit cnt, 0
    barrier 0
    halt
.code 1
    setlen 1
    acczero acc
    barrier 0
    setlen 4
    relay 0, 1               # columns 0..3 along route 1
    barrier 1
    setlen 1
    synacc 1, acc
    scale acc, w+1, y
    halt
.code 2
    setlen 1
    acczero acc
    barrier 1
    synacc 2, acc
    scale acc, w+1, y
    halt
.code 3
    setlen 1
    acczero acc
    barrier 1
    synacc 3, acc
    scale acc, w+1, y
    halt
.opmap core=0 first=0 count=6 node=1
.opmap core=1 first=0 count=10 node=1
.opmap core=2 first=0 count=6 node=1
.opmap core=3 first=0 count=6 node=1
.node 1 name="relay" op="linear" layer=0 site=""
.file "chip.yaml" from="../golden/chips/one-chip.yaml"
