# A block streamed from DRAM, on tests/golden/chips/dram.yaml (one-chip.yaml
# plus 1 GiB of DRAM at 100 MB/s, 40 ns latency): the dense projection of the
# golden case dram-stream (4 rows x 128 inputs), written as a program.
#
#   core 0  the embedding table (4 tokens x 128): `lookup` sends the
#           token's row to core 1
#   core 1  `dma` copies proj.weight (a DRAM record) into a staging buffer,
#           receives x, and computes y = W x with `vdot`
#
# ---- Inputs assumed --------------------------------------------------------
# Token 0. emb.weight row 0: codes 0, 32, -64, 96 for i mod 4 = 0..3, scale
# 2^-6, so x_i = 0, 0.5, -1, 1.5. proj.weight: every code of row j is j + 1,
# every scale 2^-7.
#
# ---- Values, by hand (docs/semantics.md, "linear (dense)") ------------------
# sum_i x_i = 32 x (0 + 0.5 - 1 + 1.5) = 32; one group of 128:
# y_j = f32(2^-7 x (j + 1) x 32) = (j + 1) / 4: y = 0.25, 0.5, 0.75, 1.0.
#
# ---- Sizes -----------------------------------------------------------------
# The staging buffer holds codes and scales: ceil(4 x 128 / 4) + 4 x 1 = 132
# words (528 bytes). The chip's DRAM check counts ax_prog_weight_bytes, which
# adds an int32 accumulator a row: 512 + 16 + 16 = 544 bytes of 1 GiB.
#
# ---- Counts ----------------------------------------------------------------
# Instructions (9): setlen 2, halt 2, lookup 1, dma 1, acczero 1,
#   psumrecv 1, vdot 1.
# Messages: 1 of 128 packets, one east hop: message_out = message_in = 128,
#   hop_east 128.
# Work: stream 528 bytes; SRAM writes 132 (the block); SRAM reads 32 (lookup)
#   + 260 (vdot: 512 B of codes + 16 B of scales + 512 B of x, 32 bit a read)
#   = 292; mul 128 (dequantizing); add 128 (psumrecv); mac 512; update 4.
#
# ---- axon inspect ------------------------------------------------------------
# Buffers per core: core 0 132 words (528 bytes), core 1 132 + 128 + 4 = 264
# (1056); free of 65536 bytes: 65008, 64480 (the lower middle of two).
# sram_free_bytes_min 64480, sram_free_bytes_median 64480
#
# ---- Cycles (ns at 1 GHz), by the rules of README.md ------------------------
# Costs used (dram.yaml): DRAM 40 ns + 10 ns a byte; SRAM 32 bit, 1 ns;
#   mul 13; add 11; mac 12; dendrite 3; axon_out 7; axon_in 9; east hop 15.
# core 0: lookup 1696, axon_out 896: leaves at 2592; tail on core 1 at
#   2592 + 15 + 127 x 15 = 4512; core 1's axon_in 1152: done at 5664.
# core 1: dma 40 + 528 x 10 = 5320, + 132 writes: 5452; psumrecv waits for
#   x (5664), 128 adds: 7072; vdot: 260 reads (7332), 512 x 12 = 6144 mac
#   (13476), 4 updates x 3 (13488).
# cycles 13488
# On tests/golden/chips/dram-slow.yaml (the same with a DRAM latency of
# 500 ns) the fetch is on the critical path: dma 500 + 5280 = 5780, + 132
# writes: 5912, after x (5664); psumrecv 128 adds: 7320; vdot 260 reads
# (7580), 6144 mac (13724), 12 (13736). cycles 13736, the counts unchanged.
#
# ---- What `axon sim` reports, from the figures above (programs.sim) ----------
# `axon sim PROG.axb --token-ids 0` runs on the .wdata below; each `want` line
# is one figure worked out above (spiking-projection.s says how they are read).
# want cycles 13488
# want executed instructions 9
# want executed messages 1
# want executed events 0
# want executed synaptic_ops 0
# want ledger message_out 128
# want ledger message_in 128
# want ledger hop_east 128
# want ledger stream 528
# want ledger write 132
# want ledger read 292
# want ledger mul 128
# want ledger add 128
# want ledger mac 512
# want ledger update 4
# want values 1 x [0, 0.5, -1, 1.5][j % 4]
# want values 1 y (j + 1) / 4
.axb 2
.cores 4
.sram_words 16384            # 64 KiB / 4
.cores_per_chip 4
.dram_bytes_per_chip 1073741824             # 1 GiB
.meta "model" "hand-written"
.meta "chip" "golden-dram"
.weights core=0 tensor="emb.weight" rows=0+4 cols=0+128 sram              # weight 0
.weights core=1 tensor="proj.weight" rows=0+4 cols=0+128 dram             # weight 1
# The numbers of the weight records: emb.weight every row 0, 32, -64, 96
# repeated, scale 2^-6; proj.weight row j every code j + 1, scale 2^-7.
.wdata 0 row=0+4 codes=0,32,-64,96 scales=0.015625
.wdata 1 row=0 codes=1 scales=0.0078125
.wdata 1 row=1 codes=2 scales=0.0078125
.wdata 1 row=2 codes=3 scales=0.0078125
.wdata 1 row=3 codes=4 scales=0.0078125
.buffer core=0 addr=0   words=132 kind=weights ref=0 node=1 name=emb.w    # 128 + 4 scales
.buffer core=1 addr=0   words=132 kind=staging node=2 name=stage
.buffer core=1 addr=256 words=128 kind=value   node=1 name=x
.buffer core=1 addr=384 words=4   kind=value   node=2 name=y
.route src=0 dst=1@256 values               # route 0: the embedding row to x
.code 0
    lookup 0, 0
    halt
.code 1
    dma stage, 1             # proj.weight from DRAM
    setlen 128
    acczero x                # psumrecv adds into x
    psumrecv x, 1
    setlen 4                 # rows
    vdot y, stage, x
    halt
.opmap core=0 first=0 count=2 node=1
.opmap core=1 first=0 count=1 node=2
.opmap core=1 first=1 count=3 node=1
.opmap core=1 first=4 count=3 node=2
.node 1 name="emb" op="embedding" layer=-1 site=""
.node 2 name="proj" op="linear" layer=0 site=""
.file "chip.yaml" from="../golden/chips/dram.yaml"
