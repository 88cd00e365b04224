# Two messages contending for one link, as a program: the workload of the
# golden case link-contention (tests/golden/systems/link-contention) on
# tests/golden/chips/one-chip.yaml (four cores in a row, x = 0..3). One spike
# on core 0 goes to the two blocks of its column, on cores 2 and 3; both
# packets take the east link out of core 0's router (and of core 1's).
#
#   core 0  the embedding table (4 tokens x 1) and the encoder: `lookup`
#           sends the token's row to x on the same core (no packet),
#           thresholds and encodes it, emits the spike to cores 2 and 3
#   core 2  proj rows 0..1, the home of y: scales its partial sums into
#           y[0..1] and adds core 3's into y[2..3]
#   core 3  proj rows 2..3: sends its partial sums to core 2
#
# The golden case ends every step with a barrier (three of them); the
# program has the one barrier that spike delivery needs (after the emit,
# before the synacc), so its cycles differ from the case's 353.
#
# ---- Inputs assumed --------------------------------------------------------
# Token 0. emb.weight: every code 64, scale 2^-7, so x = 0.5.
# proj.weight: every code of row j is j + 1, scale 2^-7. k = const 0 = 1.
#
# ---- Values, by hand (docs/semantics.md, "The spiking linear layer") --------
# thresh: V_th = f32(0.5 / 1 / 1) = 0.5; encode: s = rne(0.5 / 0.5) = 1,
#   T = 1: one event (+1), |s| = 1 as the case's activity.
# synacc: acc_j = j + 1; scale: y_j = f32(0.5 x 2^-7 x (j + 1)) = (j + 1) / 256
#   (exact): y = 1/256, 2/256 (core 2's own), 3/256, 4/256 (from core 3).
#
# ---- Counts ----------------------------------------------------------------
# Instructions (25): setlen 4, acczero 4, barrier 3, halt 3, synacc 2,
#   scale 2, lookup 1, psumrecv 2, thresh 1, encode 1, emit 1, psumsend 1.
# Messages: the lookup goes to its own core (no packet); the spike: 1 event
#   x 2 destinations = 2 packets, 2 and 3 east hops (hop_east 5); core 3's
#   partial sums: 2 float32 = 2 packets, 1 west hop (hop_west 2).
#   message_out = message_in = 4.
# Work: lookup read ceil(1 x 8 / 32) = 1, mul 1; add 1 (psumrecv x) + 2
#   (psumrecv y+2) = 3; access_neuron 1; update_neuron 1; spike_out 1;
#   synacc 2 x (2 process_spike, ceil(2 x 8 / 32) = 1 read); scale 2 x
#   (8 bytes of accumulators: ceil(8 x 8 / 32) = 2 reads, 2 updates);
#   read 1 + 2 + 4 = 7, process_spike 4, update 4; barrier 1 (one chip).
#
# ---- Cycles (ns at 1 GHz), approx ------------------------------------------
# Costs used (one-chip.yaml): SRAM 32 bit, 1 ns; mul 13; add 11;
#   access_neuron 4; update_neuron 5; spike_out 6; axon_out 7; axon_in 9;
#   synapse 2; dendrite 3; east hop 15; west hop 16; sync 50.
# core 0: lookup 1 read (1), 1 mul (14); to itself: x served at 14.
#   psumrecv x: 1 add (25); thresh 4 (29); encode 5 (34);
#   emit: the soma generates the spike (40); axon_out 7 a packet: to core 2
#   leaves at 47, to core 3 at 54; core 0 reaches barrier 0 at 54.
#   to core 2: link 0 east 47..62, link 1 east 62..77: arrives 77,
#     axon_in 9: served 86.
#   to core 3: link 0 east is busy until 62 (8 ns of contention): 62..77,
#     link 1 east 77..92, link 2 east 92..107: arrives 107, served 116.
# barrier 0: cores 2 and 3 wait from 0; the last event is in at 116:
#   116 + 50 = 166.
# cores 2, 3: synacc: 4 ns synapse beside 1 ns SRAM (170); scale: 2 reads
#   (172), 2 updates x 3 (178).
# core 3: psumsend 2 packets, axon_out 14: leaves at 192; one west hop: head
#   16, the link held 2 x 16, tail at 192 + 32 = 224; core 2's axon_in
#   2 x 9: 242.
# core 2: psumrecv y+2 waits for it (242), 2 adds 22: 264.
# cycles 264
#
# ---- The lower bound (docs/simulator.md, "The bound") -----------------------
# compute: core 0's dense unit, 13 + 11 = 24. link: link 3 west holds core
#   3's 2 packets 2 x 16 = 32 (link 0 east: 2 x 15 = 30). input: core 2's
#   axon_in, 3 packets x 9 = 27.
# chain, every link free: the packet to core 3 leaves at 54 and takes link
#   0 east at once: 54..69, 69..84, 84..99, served 108; barrier 0 at 158;
#   synacc 162, scale 170; psumsend leaves 184, tail 216, served 234;
#   psumrecv y+2 256.
# bound 256, by the chain; the 8 ns of contention above make the rest.
#
# ---- Layers (docs/report.md, latency.layers) --------------------------------
# embedding (node 1, core 0's first four instructions): lookup 0..14, to its
#   own core; psumrecv x 14..25: 25 (the chain's span too).
# layer.0 (node 2): from thresh at 25 to the last psumrecv at 264: 239; in
#   the chain 25..256: 231. Its bound: link 3 west's 32 (core 2's axon_in
#   27, core 0's soma 15).
#
# ---- What `axon sim` reports (programs.sim's checker; tests/programs/README.md) --
# `axon sim PROG.axb --token-ids 0` on the .wdata below, against the figures above.
# want cycles 264
# want bound 256 chain
# want term compute 24
# want term link 32
# want term input 27
# want layer embedding 25
# want layer layer.0 239
# want layer-chain layer.0 231
# want executed instructions 25
# want ledger read 7
# want ledger mul 1
# want ledger add 3
# want ledger access_neuron 1
# want ledger update_neuron 1
# want ledger spike_out 1
# want ledger process_spike 4
# want ledger update 4
# want ledger message_out 4
# want ledger message_in 4
# want ledger hop_east 5
# want ledger hop_west 2
# want ledger barrier 1
# want values 2 y (j + 1) / 256
#
# ---- Cycles, analytic (the golden case link-contention-analytic) -----------
# The same program and counts under --timing analytic: no link waits for
# another message. The packet to core 3 leaves at 54 as before (axon_out is
# the core's own unit) and takes link 0 east at once: 54 + 3 x 15 = 99,
# served 108. barrier 0: 108 + 50 = 158; synacc (162), scale (170);
# psumsend leaves at 184, tail at 216, served 234; psumrecv y+2: 256.
# cycles 256: 8 ns less than approx, the contention.
.axb 2
.cores 4
.sram_words 16384            # 64 KiB / 4
.cores_per_chip 4
.dram_bytes_per_chip 0
.meta "model" "hand-written"
.meta "chip" "golden-one-chip"
.const 1                                                                  # const 0: k
.weights core=0 tensor="emb.weight" rows=0+4 cols=0+1 sram                # weight 0
.weights core=2 tensor="proj.weight" rows=0+2 cols=0+1 sram               # weight 1
.weights core=3 tensor="proj.weight" rows=2+2 cols=0+1 sram               # weight 2
# The numbers: emb.weight every code 64, scale 2^-7; proj.weight row j code j + 1.
.wdata 0 row=0+4 codes=64 scales=0.0078125
.wdata 1 row=0 codes=1 scales=0.0078125
.wdata 1 row=1 codes=2 scales=0.0078125
.wdata 2 row=0 codes=3 scales=0.0078125      # tensor row 2
.wdata 2 row=1 codes=4 scales=0.0078125
# Weights buffers: ceil(rows x 1 / 4) = 1 word of codes, then a scale a row.
.buffer core=0 addr=0  words=5 kind=weights ref=0 node=1 name=emb.w       # 1 + 4 scales
.buffer core=0 addr=8  words=1 kind=value   node=1 name=x
.buffer core=0 addr=9  words=1 kind=scalar  name=vth
.buffer core=0 addr=10 words=1 kind=counts  node=2 name=cnt
.buffer core=2 addr=0  words=3 kind=weights ref=1 node=2 name=w           # 1 + 2 scales
.buffer core=2 addr=3  words=2 kind=acc     node=2 name=acc
.buffer core=2 addr=8  words=4 kind=value   node=2 name=y
.buffer core=3 addr=0  words=3 kind=weights ref=2 node=2 name=w
.buffer core=3 addr=3  words=2 kind=acc     node=2 name=acc
.route src=0 dst=0@8 values                 # route 0: the embedding row to x
.route src=0 dst=2,3 spikes                 # route 1: x's events to both blocks
.route src=3 dst=2@10 values                # route 2: rows 2..3 to y+2
.barrier cores=0,2,3                        # barrier 0: after emit, before synacc
.code 0
    setlen 1
    acczero x                # psumrecv adds into x
    lookup 0, 0              # the token's row, to this core
    psumrecv x, 1
    thresh x, vth            # k = const 0
    encode x, vth, cnt       # bitwise, adaptive T
    emit cnt, 1
    barrier 0
    halt
.code 2
    setlen 4
    acczero y                # psumrecv adds core 3's rows into y+2
    setlen 2
    acczero acc
    barrier 0
    synacc 1, acc
    scale acc, w+1, y        # rows 0..1 of y
    psumrecv y+2, 1          # rows 2..3 from core 3
    halt
.code 3
    setlen 2
    acczero acc
    barrier 0
    synacc 2, acc
    scale acc, w+1, acc
    psumsend acc, 2
    halt
.opmap core=0 first=0 count=4 node=1
.opmap core=0 first=4 count=5 node=2
.opmap core=2 first=0 count=9 node=2
.opmap core=3 first=0 count=7 node=2
.node 1 name="emb" op="embedding" layer=-1 site=""
.node 2 name="proj" op="linear" layer=0 site="proj"
.file "chip.yaml" from="../chips/one-chip.yaml"
