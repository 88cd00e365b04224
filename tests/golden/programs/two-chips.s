# A route across a chip edge, as a program: the workload of the golden case
# two-chips on tests/golden/chips/two-chips.yaml (two chips of four tiles in
# a row, side by side: one row of 8 routers, cores 0..7 at x = 0..7). The
# input moves from core 2 (chip 0, x = 2) to core 5 (chip 1, x = 5): a router
# hop, the chip link, a router hop.
#
#   core 2  the embedding table (4 tokens x 8): `lookup` sends the token's
#           row to x on core 5
#   core 5  proj.weight (2 rows x 8 inputs, int8, one group): y = W x
#   a barrier across cores 2 and 5, one core on each chip: counted once
#   per chip (the golden case's barriers, one per step, count the same way)
#
# The chip grid's width comes from the meta "chip_grid_w": 2 chips in a row.
#
# ---- Inputs assumed --------------------------------------------------------
# Token 0. emb.weight row 0: codes 0, 32, -64, 96 for i mod 4 = 0..3, scale
# 2^-6, so x = 0, 0.5, -1, 1.5, 0, 0.5, -1, 1.5. proj.weight: every code of
# row j is j + 1, every scale 2^-7.
#
# ---- Values, by hand -------------------------------------------------------
# sum_i x_i = 2; y_j = f32(2^-7 x (j + 1) x 2) = (j + 1) / 64:
#   y = 0.015625, 0.03125.
#
# ---- Counts ----------------------------------------------------------------
# Instructions (10): setlen 2, acczero 1, lookup 1, psumrecv 1, vdot 1,
#   barrier 2, halt 2.
# Messages: 1 of 8 packets (8 float32, 32 bytes); 2 router hops east (x2 ->
#   x3, x4 -> x5): hop_east 16; the chip link x3 -> x4 carries the 32 bytes:
#   link 32. message_out = message_in = 8.
# Work: lookup ceil(8 x 8 / 32) = 2 reads, 8 mul; psumrecv 8 add;
#   vdot ceil((16 codes + 8 scale bytes + 32 input bytes) x 8 / 32) = 14
#   reads, 2 x 8 = 16 mac, 2 updates. read 16. barrier 2 (its cores lie on
#   two chips).
#
# ---- Cycles (ns at 1 GHz) --------------------------------------------------
# Costs used (two-chips.yaml): SRAM 32 bit, 1 ns; mul 13; add 11; mac 12;
#   dendrite 3; axon_out 7; axon_in 9; east hop 15; chip link 100 ns and
#   1 byte a ns; sync 50 (fixed, whatever the tiles).
# core 2: lookup 2 reads (2), 8 x 13 (106); axon_out 8 x 7 = 56: leaves at
#   162; core 2 reaches barrier 0 at 162.
#   x2 -> x3, a router hop: head 15 (177), the link held 8 x 15, lag 105;
#   x3 -> x4 crosses the chip edge: latency 100 (277), the 32 bytes 32 ns
#     (lag 32);
#   x4 -> x5, a router hop: head 15 (292), lag 105.
#   The tail arrives after the largest lag: 292 + 105 = 397.
# core 5: axon_in 8 x 9 = 72 (469); psumrecv x 8 x 11 = 88 (557);
#   vdot: 14 reads (571), 2 updates x 3 (577), 16 x 12 = 192 mac (769).
# barrier 0: 769 + 50 = 819.
# cycles 819
#
# ---- What `axon sim` reports (programs.sim's checker; tests/programs/README.md) --
# `axon sim PROG.axb --token-ids 0` on the .wdata below, against the figures above.
# want cycles 819
# want executed instructions 10
# want ledger read 16
# want ledger mul 8
# want ledger add 8
# want ledger mac 16
# want ledger update 2
# want ledger message_out 8
# want ledger message_in 8
# want ledger hop_east 16
# want ledger link 32
# want ledger barrier 2
# want values 5 y (j + 1) / 64
.axb 2
.cores 8
.sram_words 16384            # 64 KiB / 4
.cores_per_chip 4
.dram_bytes_per_chip 0
.meta "model" "hand-written"
.meta "chip" "golden-two-chips"
.meta "chip_grid_w" "2"
.weights core=2 tensor="emb.weight" rows=0+4 cols=0+8 sram                # weight 0
.weights core=5 tensor="proj.weight" rows=0+2 cols=0+8 sram               # weight 1
# The numbers: emb.weight every row 0, 32, -64, 96 repeated, scale 2^-6;
# proj.weight row j every code j + 1, scale 2^-7.
.wdata 0 row=0+4 codes=0,32,-64,96 scales=0.015625
.wdata 1 row=0 codes=1 scales=0.0078125
.wdata 1 row=1 codes=2 scales=0.0078125
.buffer core=2 addr=0  words=12 kind=weights ref=0 node=1 name=emb.w      # 8 + 4 scales
.buffer core=5 addr=0  words=6  kind=weights ref=1 node=2 name=w          # 4 + 2 scales
.buffer core=5 addr=8  words=8  kind=value   node=1 name=x
.buffer core=5 addr=16 words=2  kind=value   node=2 name=y
.route src=2 dst=5@8 values                 # route 0: the embedding row to x
.barrier cores=2,5                          # barrier 0: the end of the token
.code 2
    lookup 0, 0
    barrier 0
    halt
.code 5
    setlen 8
    acczero x                # psumrecv adds into x
    psumrecv x, 1
    setlen 2                 # rows
    vdot y, w, x
    barrier 0
    halt
.opmap core=2 first=0 count=3 node=1
.opmap core=5 first=0 count=3 node=1
.opmap core=5 first=3 count=4 node=2
.node 1 name="emb" op="embedding" layer=-1 site=""
.node 2 name="proj" op="linear" layer=0 site=""
.file "chip.yaml" from="../chips/two-chips.yaml"
