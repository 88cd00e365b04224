# A dense projection one hop away, as a program: the workload of the golden
# case dense-two-cores on tests/golden/chips/one-chip.yaml. The float32
# input moves from core 0 (where the embedding's row lives) to core 1, which
# holds the whole matrix and computes y = W x with `vdot`.
#
#   core 0  the embedding table (4 tokens x 128): `lookup` sends the
#           token's row to x on core 1
#   core 1  proj.weight (4 rows x 128 inputs, int8, one group): y = W x
#
# The golden case stores the received inputs with SRAM writes and ends each
# of its two steps with a barrier; in the program `psumrecv` adds the row
# into x (128 adds, no SRAM write is charged) and no barrier is needed.
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
# ---- Counts ----------------------------------------------------------------
# Instructions (8): setlen 2, halt 2, lookup 1, acczero 1, psumrecv 1,
#   vdot 1.
# Messages: 1 of 128 packets (128 float32 at 4 bytes a packet), one east
#   hop: message_out = message_in = 128, hop_east 128.
# Work: lookup ceil(128 x 8 / 32) = 32 reads, 128 mul; psumrecv 128 add;
#   vdot ceil((512 codes + 16 scales + 512 input bytes) x 8 / 32) = 260
#   reads, 4 x 128 = 512 mac, 4 updates (4 rows x 1 group). read 292.
#
# ---- Cycles (ns at 1 GHz) --------------------------------------------------
# Costs used (one-chip.yaml): SRAM 32 bit, 1 ns; mul 13; add 11; mac 12;
#   dendrite 3; axon_out 7; axon_in 9; east hop 15.
# core 0: lookup 32 reads (32), 128 x 13 (1696); axon_out 128 x 7 = 896:
#   leaves at 2592; one east hop, cut through: head 15, the link held
#   128 x 15, so the tail is in at 2592 + 1920 = 4512.
# core 1: axon_in 128 x 9 = 1152 (5664); psumrecv x 128 x 11 = 1408 (7072);
#   vdot: 260 reads (7332), 4 updates x 3 (7344), 512 x 12 = 6144 mac
#   (13488), in the order of the core's units.
# cycles 13488
#
# ---- What `axon sim` reports (programs.sim's checker; tests/programs/README.md) --
# `axon sim PROG.axb --token-ids 0` on the .wdata below, against the figures above.
# want cycles 13488
# want executed instructions 8
# want ledger read 292
# want ledger mul 128
# want ledger add 128
# want ledger mac 512
# want ledger update 4
# want ledger message_out 128
# want ledger message_in 128
# want ledger hop_east 128
# want values 1 y (j + 1) / 4
.axb 2
.cores 4
.sram_words 16384            # 64 KiB / 4
.cores_per_chip 4
.dram_bytes_per_chip 0
.meta "model" "hand-written"
.meta "chip" "golden-one-chip"
.weights core=0 tensor="emb.weight" rows=0+4 cols=0+128 sram              # weight 0
.weights core=1 tensor="proj.weight" rows=0+4 cols=0+128 sram             # weight 1
# The numbers: emb.weight every row 0, 32, -64, 96 repeated, scale 2^-6;
# proj.weight row j every code j + 1, scale 2^-7.
.wdata 0 row=0+4 codes=0,32,-64,96 scales=0.015625
.wdata 1 row=0 codes=1 scales=0.0078125
.wdata 1 row=1 codes=2 scales=0.0078125
.wdata 1 row=2 codes=3 scales=0.0078125
.wdata 1 row=3 codes=4 scales=0.0078125
.buffer core=0 addr=0   words=132 kind=weights ref=0 node=1 name=emb.w    # 128 + 4 scales
.buffer core=1 addr=0   words=132 kind=weights ref=1 node=2 name=w        # 128 + 4 scales
.buffer core=1 addr=256 words=128 kind=value   node=1 name=x
.buffer core=1 addr=384 words=4   kind=value   node=2 name=y
.route src=0 dst=1@256 values               # route 0: the embedding row to x
.code 0
    lookup 0, 0
    halt
.code 1
    setlen 128
    acczero x                # psumrecv adds into x
    psumrecv x, 1
    setlen 4                 # rows
    vdot y, w, x
    halt
.opmap core=0 first=0 count=2 node=1
.opmap core=1 first=0 count=3 node=1
.opmap core=1 first=3 count=3 node=2
.node 1 name="emb" op="embedding" layer=-1 site=""
.node 2 name="proj" op="linear" layer=0 site=""
.file "chip.yaml" from="../chips/one-chip.yaml"
