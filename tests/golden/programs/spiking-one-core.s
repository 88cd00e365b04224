# A spiking projection on one core, as a program: the workload of the golden
# case spiking-one-core on tests/golden/chips/one-chip.yaml. The encoder
# (where the embedding's row lives) and the projection's only block share
# core 0, so no packet moves: the lookup and the spikes go to the core
# itself (routes whose destination is their source).
#
# The golden case charges the encoder's soma and the spike steps as the
# graph's steps, with a barrier after each of four; the program has the one
# barrier that spike delivery needs, and its `psumrecv` adds the row into x.
#
# ---- Inputs assumed --------------------------------------------------------
# Token 0. emb.weight row 0: codes +96 (even i), -96 (odd i), scale 2^-7,
# so x_i = +0.75, -0.75. proj.weight: code of row j, column i is j + 1
# (even i) or -(j + 1) (odd i), scale 2^-7. k = const 0 = 3.
#
# ---- Values, by hand -------------------------------------------------------
# thresh: V_th = f32(0.75 / 3) = 0.25 exactly; encode (bitwise, adaptive T):
#   s_i = rne(+-0.75 / 0.25) = +3 (even i), -3 (odd i): every |s| = 3 as the
#   case's activity; T = 2, and 3 = 0b11 is an event in both steps:
#   2 x 128 = 256 events.
# synacc: acc_j = sum_i s_i x code_ji = 128 x 3 (j + 1) = 384 (j + 1).
# scale: y_j = f32(0.25 x 2^-7 x 384 (j + 1)) = 0.75 (j + 1) (exact):
#   y = 0.75, 1.5, ..., 6.
#
# ---- Counts ----------------------------------------------------------------
# Instructions (13): setlen 2, acczero 2, lookup 1, psumrecv 1, thresh 1,
#   encode 1, emit 1, barrier 1, synacc 1, scale 1, halt 1.
# No packet: the row and the events stay on core 0.
# Work: lookup ceil(128 x 8 / 32) = 32 reads, 128 mul; psumrecv 128 add;
#   access_neuron 128; update_neuron 128; spike_out 256 (each event
#   generated once); synacc 256 events x 8 rows = 2048 process_spike, and
#   per event ceil(8 x 8 / 32) = 2 reads (512); scale ceil(8 x 4 x 8 / 32) =
#   8 reads, 8 updates. read 32 + 512 + 8 = 552; barrier 1 (one chip).
#
# ---- Cycles (ns at 1 GHz) --------------------------------------------------
# Costs used (one-chip.yaml): SRAM 32 bit, 1 ns; mul 13; add 11;
#   access_neuron 4; update_neuron 5; spike_out 6; synapse 2; dendrite 3;
#   sync 50.
# lookup: 32 reads (32) then 128 x 13 (1696); to itself: served at 1696.
# psumrecv x: 128 x 11 = 1408 (3104); thresh 128 x 4 = 512 (3616);
# encode 128 x 5 = 640 (4256); emit: the soma generates each of the 256
#   events, 6 ns each, and each is "sent" at once to the core itself:
#   4256 + 1536 = 5792, the last event in.
# barrier 0 (core 0 alone): 5792 + 50 = 5842.
# synacc: synapse 2048 x 2 = 4096 beside 512 SRAM reads: 9938.
# scale: 8 reads (9946), 8 x 3 = 24 (9970).
# cycles 9970
#
# ---- What `axon sim` reports (programs.sim's checker; tests/programs/README.md) --
# `axon sim PROG.axb --token-ids 0` on the .wdata below, against the figures above.
# want cycles 9970
# want executed instructions 13
# want ledger read 552
# want ledger mul 128
# want ledger add 128
# want ledger access_neuron 128
# want ledger update_neuron 128
# want ledger spike_out 256
# want ledger process_spike 2048
# want ledger update 8
# want ledger barrier 1
# want values 0 y 0.75 * (j + 1)
.axb 2
.cores 4
.sram_words 16384            # 64 KiB / 4
.cores_per_chip 4
.dram_bytes_per_chip 0
.meta "model" "hand-written"
.meta "chip" "golden-one-chip"
.const 3                                                                  # const 0: k
.weights core=0 tensor="emb.weight" rows=0+4 cols=0+128 sram              # weight 0
.weights core=0 tensor="proj.weight" rows=0+8 cols=0+128 sram             # weight 1
# The numbers: emb.weight every row +96, -96 repeated, scale 2^-7;
# proj.weight row j j + 1, -(j + 1) repeated, scale 2^-7.
.wdata 0 row=0+4 codes=96,-96 scales=0.0078125
.wdata 1 row=0 codes=1,-1 scales=0.0078125
.wdata 1 row=1 codes=2,-2 scales=0.0078125
.wdata 1 row=2 codes=3,-3 scales=0.0078125
.wdata 1 row=3 codes=4,-4 scales=0.0078125
.wdata 1 row=4 codes=5,-5 scales=0.0078125
.wdata 1 row=5 codes=6,-6 scales=0.0078125
.wdata 1 row=6 codes=7,-7 scales=0.0078125
.wdata 1 row=7 codes=8,-8 scales=0.0078125
.buffer core=0 addr=0    words=132 kind=weights ref=0 node=1 name=emb.w   # 128 + 4 scales
.buffer core=0 addr=256  words=264 kind=weights ref=1 node=2 name=w       # 256 + 8 scales
.buffer core=0 addr=520  words=8   kind=acc     node=2 name=acc
.buffer core=0 addr=528  words=8   kind=value   node=2 name=y
.buffer core=0 addr=640  words=128 kind=value   node=1 name=x
.buffer core=0 addr=768  words=1   kind=scalar  name=vth
.buffer core=0 addr=896  words=128 kind=counts  node=2 name=cnt
.route src=0 dst=0@640 values               # route 0: the embedding row to x
.route src=0 dst=0 spikes                   # route 1: x's events to the block
.barrier cores=0                            # barrier 0: after emit, before synacc
.code 0
    setlen 128
    acczero x                # psumrecv adds into x
    lookup 0, 0
    psumrecv x, 1
    thresh x, vth            # k = const 0
    encode x, vth, cnt       # bitwise, adaptive T
    emit cnt, 1
    barrier 0
    setlen 8
    acczero acc
    synacc 1, acc
    scale acc, w+256, y
    halt
.opmap core=0 first=0 count=4 node=1
.opmap core=0 first=4 count=9 node=2
.node 1 name="emb" op="embedding" layer=-1 site=""
.node 2 name="proj" op="linear" layer=0 site="proj"
.file "chip.yaml" from="../chips/one-chip.yaml"
