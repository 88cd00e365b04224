# A chain of dense vector ops on two cores of tests/golden/chips/one-chip.yaml
# (four cores in a row, x = 0..3), with an explicit move between them:
#
#   core 0  the embedding table (4 tokens x 128): `lookup` sends the
#           token's row to core 1
#   core 1  h = rmsnorm(x) with the norm weight in a `param` buffer, then
#           moves h to core 2 (psumsend / psumrecv)
#   core 2  out = silu(h) x h + h  (vsilu, vmul, vadd)
#
# ---- Inputs assumed --------------------------------------------------------
# Token 0. emb.weight row 0: codes +64 (even i), -64 (odd i), scale 2^-7, so
# x_i = +0.5, -0.5 alternating. norm.weight: 1.0 everywhere. eps = const 0 =
# f32(1e-6) = 9.99999997e-07.
#
# ---- Values, by hand (docs/semantics.md, "Dense operations") ----------------
# rmsnorm over G = 128: ss = 128 x 0.25 = 32; r = 1 / sqrt(32 / 128 + eps)
#   = 1.99999600001201 (f64); h_i = f32(x_i r) x 1.0 = +-0.999997973
#   (0x3f7fffde, 0xbf7fffde).
# vsilu g = f32(h / (1 + exp(-h))): 0.73105669 (h > 0), -0.268941283 (h < 0).
# vmul m = f32(g h): 0.7310552, 0.268940747.
# vadd out = f32(m + h): 1.73105311 (even i, 0x3fdd9326),
#   -0.731057227 (odd i, 0xbf3b2691).
#
# ---- Counts ----------------------------------------------------------------
# Instructions (15): setlen 2, acczero 2, psumrecv 2, halt 3, lookup 1,
#   rmsnorm 1, psumsend 1, vsilu 1, vmul 1, vadd 1.
# Messages: 2, of 128 packets each (128 float32 words at 32 bit a packet),
#   one east hop each: message_out = message_in = 256, hop_east 256.
# Work: mul 128 (dequantizing) + 256 (rmsnorm) + 128 (vmul) = 512; mac 128;
#   rsqrt 1; silu 128; add 128 + 128 (the two psumrecv) + 128 (vadd) = 384;
#   SRAM reads 32 (lookup). No barrier, no spikes.
#
# ---- axon inspect ------------------------------------------------------------
# Buffers per core: core 0 132 words (528 bytes), core 1 3 x 128 (1536),
# core 2 4 x 128 (2048); free of 65536 bytes: 65008, 64000, 63488.
# sram_free_bytes_min 63488, sram_free_bytes_median 64000
#
# ---- Cycles (ns at 1 GHz), by the rules of README.md ------------------------
# Costs used (one-chip.yaml): SRAM 32 bit, 1 ns; mul 13; add 11; mac 12;
#   rsqrt and silu are not listed: dense.default 20; axon_out 7; axon_in 9;
#   east hop 15.
# core 0: lookup 32 reads + 128 x 13 = 1696, 128 x 7 = 896 through axon_out:
#   leaves at 2592; one east hop: tail at 2592 + 15 + 127 x 15 = 4512.
# core 1: axon_in 128 x 9 = 1152 (5664); psumrecv 128 x 11 = 1408 (7072);
#   rmsnorm 128 x 12 + 256 x 13 + 20 = 4884 (11956); psumsend 896: leaves at
#   12852; one east hop: tail at 12852 + 1920 = 14772 on core 2.
# core 2: axon_in 1152 (15924); psumrecv 1408 (17332); vsilu 128 x 20 = 2560
#   (19892); vmul 128 x 13 = 1664 (21556); vadd 128 x 11 = 1408 (22964).
# cycles 22964
#
# ---- The lower bound (docs/simulator.md, "The bound") -----------------------
# compute: core 2's dense unit, 1408 + 2560 + 1664 + 1408 = 7040.
# link: one message of 128 packets per link, 128 x 15 = 1920.
# input: core 1's or core 2's axon_in, 128 x 9 = 1152.
# chain: nothing above waited for a link or an axon_in, so the chain is the
#   run itself: 22964, the bound.
#
# ---- Layers (docs/report.md, latency.layers) --------------------------------
# embedding (node 1): core 0's lookup from 0 until its message is served on
#   core 1 (5664), core 1's psumrecv x 5664..7072: 7072.
# layer.0 (nodes 2-4): rmsnorm 7072..11956, psumsend until served on core 2
#   (15924), psumrecv 15924..17332, vsilu, vmul, vadd to 22964: 15892.
# Their spans in the chain are the same, nothing having waited: 7072, 15892.
#
# ---- What `axon sim` reports, from the figures above (programs.sim) ----------
# `axon sim PROG.axb --token-ids 0` runs on the .wdata below; each `want` line
# is one figure worked out above (spiking-projection.s says how they are read).
# want cycles 22964
# want bound 22964 chain
# want term compute 7040
# want term link 1920
# want term input 1152
# want layer embedding 7072
# want layer layer.0 15892
# want layer-chain embedding 7072
# want layer-chain layer.0 15892
# want executed instructions 15
# want executed messages 2
# want executed events 0
# want executed synaptic_ops 0
# want ledger message_out 256
# want ledger message_in 256
# want ledger hop_east 256
# want ledger mul 512
# want ledger mac 128
# want ledger rsqrt 1
# want ledger silu 128
# want ledger add 384
# want ledger read 32
# want values 1 x [0.5, -0.5][j % 2]
# want bits 1 h [0x3f7fffde, 0xbf7fffde][j % 2]
# want bits 2 out [0x3fdd9326, 0xbf3b2691][j % 2]
.axb 2
.cores 4
.sram_words 16384            # 64 KiB / 4
.cores_per_chip 4
.dram_bytes_per_chip 0
.meta "model" "hand-written"
.meta "chip" "golden-one-chip"
.const 1e-6                                                               # const 0: eps
.weights core=0 tensor="emb.weight" rows=0+4 cols=0+128 sram              # weight 0
.weights core=1 tensor="norm.weight" rows=0+1 cols=0+128 sram float       # weight 1
# The numbers of the weight records: emb.weight every row +64, -64
# repeated, scale 2^-7; norm.weight 1.0 everywhere.
.wdata 0 row=0+4 codes=64,-64 scales=0.0078125
.wdata 1 row=0 values=1
.buffer core=0 addr=0   words=132 kind=weights ref=0 node=1 name=emb.w    # 128 + 4 scales
.buffer core=1 addr=0   words=128 kind=param   ref=1 node=2 name=nw
.buffer core=1 addr=128 words=128 kind=value   node=1 name=x
.buffer core=1 addr=256 words=128 kind=value   node=2 name=h
.buffer core=2 addr=0   words=128 kind=inbox   node=2 name=hin
.buffer core=2 addr=128 words=128 kind=scratch name=g
.buffer core=2 addr=256 words=128 kind=scratch name=m
.buffer core=2 addr=384 words=128 kind=value   node=4 name=out
.route src=0 dst=1@128 values               # route 0: the embedding row to x
.route src=1 dst=2@0 values                 # route 1: h to core 2's inbox
.code 0
    lookup 0, 0
    halt
.code 1
    setlen 128
    acczero x                # psumrecv adds into x
    psumrecv x, 1
    rmsnorm h, x, nw         # eps = const 0
    psumsend h, 1            # the move
    halt
.code 2
    setlen 128
    acczero hin
    psumrecv hin, 1
    vsilu g, hin
    vmul m, g, hin
    vadd out, m, hin
    halt
.opmap core=0 first=0 count=2 node=1
.opmap core=1 first=0 count=3 node=1
.opmap core=1 first=3 count=3 node=2
.opmap core=2 first=0 count=3 node=2
.opmap core=2 first=3 count=2 node=3
.opmap core=2 first=5 count=2 node=4
.node 1 name="emb" op="embedding" layer=-1 site=""
.node 2 name="norm" op="rmsnorm" layer=0 site=""
.node 3 name="act" op="swiglu" layer=0 site=""
.node 4 name="residual" op="add" layer=0 site=""
.file "chip.yaml" from="../golden/chips/one-chip.yaml"
