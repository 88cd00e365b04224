# Barriers across chips, as a program: the workload of the golden case
# barrier-three-chips on tests/golden/chips/three-chips.yaml (three chips of
# four tiles in a row, side by side; chip c holds cores 4c..4c+3). The work
# runs on core 8 (chip 2); the barriers' latency comes from the chip's table
# by the tiles of the chips their cores lie on, {4: 50, 8: 65, 16: 80} ns
# (the first entry with at least that many tiles), and each counts once per
# such chip.
#
#   core 8  the embedding table (4 tokens x 4): `lookup` sends the token's
#           row to x on the same core (no packet); then y = x + x
#   barrier 0, cores 4 and 8: two chips, 8 tiles: 65 ns, counted twice
#   barrier 1, cores 0, 4 and 8: three chips, 12 tiles: the 16-tile entry,
#           80 ns, counted three times
#
# The chip grid's width comes from the meta "chip_grid_w": 3 chips in a row.
#
# ---- Inputs assumed --------------------------------------------------------
# Token 0. emb.weight row 0: codes 0, 32, -64, 96, scale 2^-6, so
# x = 0, 0.5, -1, 1.5.
#
# ---- Values, by hand -------------------------------------------------------
# y = x + x = 0, 1, -2, 3.
#
# ---- Counts ----------------------------------------------------------------
# Instructions (13): setlen 1, acczero 1, lookup 1, psumrecv 1, vadd 1,
#   barrier 5, halt 3.
# No packet. Work: lookup ceil(4 x 8 / 32) = 1 read, 4 mul; psumrecv 4 add,
#   vadd 4 add: add 8; barrier 2 + 3 = 5.
#
# ---- Cycles (ns at 1 GHz) --------------------------------------------------
# Costs used (three-chips.yaml): SRAM 32 bit, 1 ns; mul 13; add 11.
# core 8: lookup 1 read (1), 4 x 13 (53); x served at once (its own core);
#   psumrecv x 4 x 11 = 44 (97).
# barrier 0: core 4 waits from 0; core 8 arrives at 97: 97 + 65 = 162.
# core 8: vadd 44 (206). barrier 1: cores 0 and 4 wait; 206 + 80 = 286.
# cycles 286
#
# ---- The lower bound (docs/simulator.md, "The bound") -----------------------
# compute: core 8's dense unit, 52 + 44 + 44 = 140; no packet, so no link or
#   input term. chain: nothing waited for a shared resource: the run, 286,
#   through both barriers' sync latencies.
#
# ---- What `axon sim` reports (programs.sim's checker; tests/programs/README.md) --
# `axon sim PROG.axb --token-ids 0` on the .wdata below, against the figures above.
# want cycles 286
# want bound 286 chain
# want term compute 140
# want term link 0
# want term input 0
# want executed instructions 13
# want ledger read 1
# want ledger mul 4
# want ledger add 8
# want ledger barrier 5
# want values 8 y [0, 1, -2, 3][j]
.axb 2
.cores 12
.sram_words 16384            # 64 KiB / 4
.cores_per_chip 4
.dram_bytes_per_chip 0
.meta "model" "hand-written"
.meta "chip" "golden-three-chips"
.meta "chip_grid_w" "3"
.weights core=8 tensor="emb.weight" rows=0+4 cols=0+4 sram                # weight 0
# The numbers: emb.weight every row 0, 32, -64, 96, scale 2^-6.
.wdata 0 row=0+4 codes=0,32,-64,96 scales=0.015625
.buffer core=8 addr=0  words=8 kind=weights ref=0 node=1 name=emb.w       # 4 + 4 scales
.buffer core=8 addr=8  words=4 kind=value   node=1 name=x
.buffer core=8 addr=12 words=4 kind=value   node=2 name=y
.route src=8 dst=8@8 values                 # route 0: the embedding row to x
.barrier cores=4,8                          # barrier 0: chips 1 and 2
.barrier cores=0,4,8                        # barrier 1: all three chips
.code 0
    barrier 1
    halt
.code 4
    barrier 0
    barrier 1
    halt
.code 8
    setlen 4
    acczero x                # psumrecv adds into x
    lookup 0, 0
    psumrecv x, 1
    barrier 0
    vadd y, x, x
    barrier 1
    halt
.opmap core=8 first=0 count=5 node=1
.opmap core=8 first=5 count=3 node=2
.node 1 name="emb" op="embedding" layer=-1 site=""
.node 2 name="add" op="add" layer=0 site=""
.file "chip.yaml" from="../chips/three-chips.yaml"
