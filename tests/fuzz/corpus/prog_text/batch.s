# A batch of two sequences (`--batch 2`, docs/simulator.md, "Batches") on
# tests/golden/chips/one-chip.yaml (four cores in a row, x = 0..3), through
# one GLA head of d = 2 cut by value columns (state kind glacol,
# docs/isa.md, "State"): core 0 holds column 0 of S, core 1 column 1.
# The program holds the state of two sequences (meta "batch" 2): each state
# buffer has a bank of d x w = 2 words per sequence, and a token of
# sequence q reads and writes bank q alone.
#
#   core 0, core 1  S += relu(x) x^T over its column; o = relu(x) S / sqrt(2)
#
# ---- Inputs assumed --------------------------------------------------------
# No token enters (no lookup): each core reads a `param` buffer x = (1, 2)
# (a float record's values, .wdata below), as the k, v and q of its head.
# The run: --token-ids 0,0,0,0 --batch 2, two tokens of each sequence,
# interleaved: run tokens 0 and 2 are sequence 0's, 1 and 3 sequence 1's.
#
# ---- Values, by hand (docs/isa.md, "State") ---------------------------------
# No gladecay: no decay is pending, so glaupd adds relu(k_c) v_e to S[c][e].
# After n tokens of a sequence its bank holds S[c][e] = n x_c x_e (exact in
# float32): column 0 (core 0) (n, 2n), column 1 (core 1) (2n, 4n).
# glaread: o_e = f32((sum_c f64(x_c) f64(S[c][e])) x (1 / sqrt(2))), with
# 1 / sqrt(2) = 0.7071067811865475 in f64: column 0 sums 1 n + 2 2n = 5n,
# column 1 1 2n + 2 4n = 10n. The block writes its one column at o[0]; o[1]
# is left as it was, 0.
# The run's last token is sequence 1's second: n = 2 in its own bank (a bank
# shared by the sequences would hold n = 4): core 0 o = (f32(10 x
# 0.7071067811865475), 0) = (7.07106781, 0), core 1 o = (f32(20 x
# 0.7071067811865475), 0) = (14.1421356, 0).
#
# ---- Counts ----------------------------------------------------------------
# Instructions (8): setlen 2, glaupd 2, glaread 2, halt 2.
# Messages: none. Work a token on each core: glaupd len x columns = 2 x 1 =
#   2 MACs, glaread 2 MACs. Four tokens, two cores: mac 4 x 2 x 4 = 32.
#
# ---- axon inspect ------------------------------------------------------------
# Buffers per core: x 2 words, S 2 banks of 2 words, o 2: 8 words (32
# bytes); free of 65536 bytes: 65504 on cores 0 and 1.
# sram_free_bytes_min 65504, sram_free_bytes_median 65504
#
# ---- Cycles (ns at 1 GHz), by the rules of README.md ------------------------
# Costs used: mac 12. A token on one core: glaupd 2 x 12 = 24, glaread
#   2 x 12 = 24: 48. Both cores work side by side.
# The batch: a window of 2 tokens (one per sequence). Each core halts run
#   token 0 at 48 and starts token 1 at once (48..96); token 2 (sequence 0's
#   second) may start once token 0 has ended on both cores, at 48, so at 96
#   (96..144), token 3 at 144 (144..192).
# cycles of the batch: 192; a sequence's time a token 192 / 2 = 96.
#
# ---- The lower bound, term by term --------------------------------------------
# compute: each core's dense unit 4 x 48 = 192; link and input 0; chain,
#   every shared resource free: each core's tokens one after another, 192.
#   bound = 192, first reached by compute; per token (the report's terms):
#   compute 48, chain 48.
# Energy: mac 32 x 16 pJ = 512 pJ, and static 2 mW (a chip, 1 mW, and 4
#   cores, 0.25 mW each) x 192 ns = 384 pJ: 896 pJ, 224 pJ a token.
#
# ---- What `axon sim` reports, from the figures above (programs.sim) ----------
# `# batch want` lines: `axon sim PROG.axb --token-ids 0,0,0,0 --batch 2`.
# batch want cycles 192
# batch want bound 192 compute
# batch want term compute 48
# batch want term link 0
# batch want term input 0
# batch want term chain 48
# batch want batch sequences 2
# batch want batch tokens 4
# batch want batch seconds 192e-9
# batch want batch seconds_per_token 96e-9
# batch want batch bound_s 192e-9
# batch want batch energy_j 896e-12
# batch want batch energy_per_token_j 224e-12
# batch want executed instructions 32
# batch want executed messages 0
# batch want executed events 0
# batch want executed synaptic_ops 0
# batch want ledger mac 32
# batch want layer layer.0 192
# batch want values 0 o [10 * 0.7071067811865475, 0][j]
# batch want values 1 o [20 * 0.7071067811865475, 0][j]
.axb 2
.cores 4
.sram_words 16384            # 64 KiB / 4
.cores_per_chip 4
.dram_bytes_per_chip 0
.meta "model" "hand-written"
.meta "chip" "golden-one-chip"
.meta "batch" "2"
.weights core=0 tensor="gla.x" rows=0+1 cols=0+2 sram float               # weight 0
.weights core=1 tensor="gla.x" rows=0+1 cols=0+2 sram float               # weight 1
# The numbers of the weight records: x = (1, 2).
.wdata 0 row=0 values=1,2
.wdata 1 row=0 values=1,2
.buffer core=0 addr=0   words=2   kind=param   ref=0 name=x
.buffer core=0 addr=8   words=4   kind=state   ref=0 node=1 name=S
.buffer core=0 addr=16  words=2   kind=value   node=1 name=o
.buffer core=1 addr=0   words=2   kind=param   ref=1 name=x
.buffer core=1 addr=8   words=4   kind=state   ref=1 node=1 name=S
.buffer core=1 addr=16  words=2   kind=value   node=1 name=o
# Column 0 of head 0 on core 0, column 1 on core 1: rows (head, column)
# pairs h x 2 + e of 8 bytes (the column's two float32).
.state core=0 node=1 kind=glacol rows=0+1 row_bytes=8 buffer=1
.state core=1 node=1 kind=glacol rows=1+1 row_bytes=8 buffer=4
.code 0
    setlen 2
    glaupd S, x, x
    glaread o, x, S
    halt
.code 1
    setlen 2
    glaupd S, x, x
    glaread o, x, S
    halt
.opmap core=0 first=0 count=4 node=1
.opmap core=1 first=0 count=4 node=1
.node 1 name="gla" op="gla" layer=0 site=""
.file "chip.yaml" from="../golden/chips/one-chip.yaml"
