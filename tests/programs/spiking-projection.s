# A spiking projection of 128 inputs and 64 outputs, split by rows over two
# cores, on tests/golden/chips/one-chip.yaml (four cores in a row, x = 0..3).
#
#   core 3  the embedding table (4 tokens x 128): `lookup` sends the token's
#           row to core 0
#   core 0  the value core: receives x, thresholds and encodes it, emits the
#           spikes to cores 1 and 2 (one route, two destinations), then
#           gathers the 64 outputs y (rows 0..31 from core 1, 32..63 from 2)
#   core 1  weight block 0: proj.weight rows 0..31, columns 0..127
#   core 2  weight block 1: proj.weight rows 32..63, columns 0..127
#
# The input is one group of 128 columns, so one `emit` covers it; a wider
# input would emit each group with `setlen 128; emit cnt+128g, 0`.
#
# ---- Inputs assumed --------------------------------------------------------
# Token 0. emb.weight row 0: codes c_i = 0, 32, -64, 96 for i mod 4 = 0..3,
# scale 2^-6, so x_i = 0, 0.5, -1, 1.5 (exact in float32).
# proj.weight: every code of row j is j - 31 (-31..32), every scale 2^-7.
#
# ---- Values, by hand (docs/semantics.md, "The spiking linear layer") --------
# thresh, k = const 0 = 3: sum |x_i| = 32 x (0 + 0.5 + 1 + 1.5) = 96,
#   V_th = f32((96 / 128) / 3) = 0.25 exactly.
# encode (flags 0: bitwise, adaptive T): s_i = rne(x_i / 0.25) = 0, 2, -4, 6
#   (32 of each); T = bit length of 6 = 3.
# Events: 2 = 0b010 one (step 1, +2); -4 = 0b100 one (step 0, -4);
#   6 = 0b110 two (step 0 +4, step 1 +2); 0 none: 4 per 4 columns,
#   128 events (64 in step 0, 64 in step 1, none in step 2); 96 nonzero counts.
# synacc: acc_j = sum_i s_i x (j - 31) = 128 (j - 31), since
#   sum_i s_i = 32 x (0 + 2 - 4 + 6) = 128.
# scale: y_j = f32(0.25 x 2^-7 x 128 (j - 31)) = (j - 31) / 4, exact:
#   y_0 = -7.75, y_31 = 0, y_32 = 0.25, y_63 = 8.
# y is cleared, then each psumrecv adds one message into its rows: y_j as above.
#
# ---- Counts ----------------------------------------------------------------
# Instructions (29): setlen 5, acczero 4, psumrecv 3, barrier 3, halt 4,
#   synacc 2, scale 2, psumsend 2, lookup 1, thresh 1, encode 1, emit 1.
# Messages (one packet = link_width 32 bit = one float32 word or one event):
#   lookup: 1 message of 128 packets, 3 west hops (384 hop_west);
#   spikes: 128 events x 2 destinations = 256 packets; to core 1 1 east hop,
#     to core 2 2 east hops: 128 + 256 = 384 hop_east;
#   partial sums: 2 messages of 32 packets, 1 and 2 west hops (96 hop_west).
#   message_out = message_in = 128 + 256 + 64 = 448; hop_west 480; hop_east 384.
# Work: mul 128 (dequantizing); access_neuron 128; update_neuron 128;
#   spike_out 128; process_spike 2 x 128 x 32 = 8192; update 2 x 32 = 64;
#   add 128 + 32 + 32 = 192; SRAM reads 32 (lookup) + 2 x 128 x 8 (weight
#   columns) + 2 x 32 (accumulators) = 2144; barrier 1 (one chip).
#
# ---- axon inspect ------------------------------------------------------------
# Buffers per core: core 0 64 + 128 + 1 + 128 = 321 words (1284 bytes), cores 1
# and 2 1056 + 32 = 1088 (4352), core 3 132 (528); free of 65536 bytes:
# 64252, 61184, 61184, 65008.
# sram_free_bytes_min 61184, sram_free_bytes_median 61184
#
# ---- Cycles (ns at 1 GHz), by the rules of README.md ------------------------
# Costs used (one-chip.yaml): SRAM 32 bit, 1 ns; mul 13; add 11;
#   access_neuron 4; update_neuron 5; spike_out 6; axon_out 7; axon_in 9;
#   synapse 2; dendrite 3; east hop 15; west hop 16; sync 50.
# core 3: lookup: 32 reads + 128 x 13 = 1696; 128 x 7 = 896 through axon_out:
#   the message leaves at 2592; 3 west hops: tail at 2592 + 3 x 16 + 127 x 16
#   = 4672 on core 0.
# core 0: axon_in 128 x 9 = 1152 (5824); psumrecv x: 128 adds, 1408 (7232);
#   thresh 128 x 4 = 512 (7744); encode 128 x 5 = 640 (8384);
#   emit: axon_out carries 2 packets (14 ns) per event, slower than the soma's
#   6 ns, so event k's packets leave at 8390 + 14k + 7 and + 14; the last at
#   8390 + 14 x 127 + 14 = 10182: core 0 reaches barrier 0 at 10182.
# Link 0->1 east carries all 256 packets, 15 ns each, while they leave every
#   7 ns: packet m (0..255, in departure order) takes it at 8397 + 15m. To
#   core 1 (even m) arrives at 8412 + 15m, the last (m = 254) at 12222,
#   axon_in done 12231; to core 2 (odd m) one more hop on an idle link:
#   8427 + 15m, the last (m = 255) at 12252, axon_in done 12261.
# barrier 0: cores 1 and 2 wait from 0; the last event is in at 12261:
#   12261 + 50 = 12311.
# cores 1, 2: synacc 128 events x max(32 x 2 = 64, 8 reads) = 8192 (20503);
#   scale 32 reads + 32 x 3 = 128 (20631); psumsend 32 x 7 = 224: both
#   messages leave at 20855.
#   core 1's: 1 west hop, tail at 20855 + 16 + 31 x 16 = 21367; it holds link
#   1->0 west until 20855 + 32 x 16 = 21367.
#   core 2's: its head reaches router 1 at 20871, waits for link 1->0 until
#   21367, reaches router 0 at 21383, tail at 21383 + 31 x 16 = 21879.
# core 0: axon_in 32 x 9: 21655 (core 1's) and 22167 (core 2's);
#   psumrecv y: 21655 + 32 x 11 = 22007; psumrecv y+32: 22167 + 352 = 22519.
# cycles 22519
#
# ---- The lower bound (docs/simulator.md, "The bound") -----------------------
# compute: cores 1 and 2's synapse, 8192. link: 0->1 east, 256 x 15 = 3840.
# input: core 0's axon_in, (128 + 2 x 32) x 9 = 1728.
# chain, every link and axon_in free: as above to the emit, whose packets
#   still leave every 7 ns through core 0's own axon_out (m at 8397 + 7m).
#   To core 1 (even m): 8412 + 7m, the last (m = 254) 10190, served 10199;
#   to core 2 (odd m): 8427 + 7m, the last (m = 255) 10212, served 10221.
#   barrier 0: 10271; synacc 18463; scale 18591; psumsend leaves 18815;
#   core 1's tail 18815 + 16 + 31 x 16 = 19327, served 19615; core 2's, no
#   wait: 18815 + 2 x 16 + 31 x 16 = 19343, served 19631; psumrecv y
#   19615 + 352 = 19967; psumrecv y+32 19967 + 352 = 20319.
# bound 20319, by the chain: the 2200 cycles above it are link 0->1 and
#   1->0's waits and core 0's axon_in.
#
# ---- What `axon sim` reports, from the figures above (programs.sim) ----------
# `axon sim PROG.axb --token-ids 0` runs on the .wdata below; each `want` line
# is one figure worked out above, checked against the report (cycles, ledger
# counts: every count not listed must be 0) and --values (what the executor
# ran, the value buffers' words; EXPR is Python in the word index j).
# want cycles 22519
# want bound 20319 chain
# want term compute 8192
# want term link 3840
# want term input 1728
# want term chain 20319
# want executed instructions 29
# want executed messages 3          # lookup 1, psumsend 2
# want executed events 256         # 128 events x 2 destinations
# want executed synaptic_ops 8192
# want ledger message_out 448
# want ledger message_in 448
# want ledger hop_west 480
# want ledger hop_east 384
# want ledger mul 128
# want ledger access_neuron 128
# want ledger update_neuron 128
# want ledger spike_out 128
# want ledger process_spike 8192
# want ledger update 64
# want ledger add 192
# want ledger read 2144
# want ledger barrier 1
# want values 0 x [0, 0.5, -1, 1.5][j % 4]
# want values 0 y (j - 31) / 4
.axb 2
.cores 4
.sram_words 16384            # 64 KiB / 4
.cores_per_chip 4
.dram_bytes_per_chip 0
.meta "model" "hand-written"
.meta "chip" "golden-one-chip"
.const 3                                                                  # const 0: k
.weights core=1 tensor="proj.weight" rows=0+32 cols=0+128 sram            # weight 0
.weights core=2 tensor="proj.weight" rows=32+32 cols=0+128 sram           # weight 1
.weights core=3 tensor="emb.weight" rows=0+4 cols=0+128 sram              # weight 2
# The numbers of the weight records (rows count from each record's first):
# emb.weight every row 0, 32, -64, 96 repeated, scale 2^-6; proj.weight
# row j (of the tensor) every code j - 31, scale 2^-7.
.wdata 0 row=0 codes=-31 scales=0.0078125    # tensor row 0
.wdata 0 row=1 codes=-30 scales=0.0078125
.wdata 0 row=2 codes=-29 scales=0.0078125
.wdata 0 row=3 codes=-28 scales=0.0078125
.wdata 0 row=4 codes=-27 scales=0.0078125
.wdata 0 row=5 codes=-26 scales=0.0078125
.wdata 0 row=6 codes=-25 scales=0.0078125
.wdata 0 row=7 codes=-24 scales=0.0078125
.wdata 0 row=8 codes=-23 scales=0.0078125
.wdata 0 row=9 codes=-22 scales=0.0078125
.wdata 0 row=10 codes=-21 scales=0.0078125
.wdata 0 row=11 codes=-20 scales=0.0078125
.wdata 0 row=12 codes=-19 scales=0.0078125
.wdata 0 row=13 codes=-18 scales=0.0078125
.wdata 0 row=14 codes=-17 scales=0.0078125
.wdata 0 row=15 codes=-16 scales=0.0078125
.wdata 0 row=16 codes=-15 scales=0.0078125
.wdata 0 row=17 codes=-14 scales=0.0078125
.wdata 0 row=18 codes=-13 scales=0.0078125
.wdata 0 row=19 codes=-12 scales=0.0078125
.wdata 0 row=20 codes=-11 scales=0.0078125
.wdata 0 row=21 codes=-10 scales=0.0078125
.wdata 0 row=22 codes=-9 scales=0.0078125
.wdata 0 row=23 codes=-8 scales=0.0078125
.wdata 0 row=24 codes=-7 scales=0.0078125
.wdata 0 row=25 codes=-6 scales=0.0078125
.wdata 0 row=26 codes=-5 scales=0.0078125
.wdata 0 row=27 codes=-4 scales=0.0078125
.wdata 0 row=28 codes=-3 scales=0.0078125
.wdata 0 row=29 codes=-2 scales=0.0078125
.wdata 0 row=30 codes=-1 scales=0.0078125
.wdata 0 row=31 codes=0 scales=0.0078125    # tensor row 31
.wdata 1 row=0 codes=1 scales=0.0078125    # tensor row 32
.wdata 1 row=1 codes=2 scales=0.0078125
.wdata 1 row=2 codes=3 scales=0.0078125
.wdata 1 row=3 codes=4 scales=0.0078125
.wdata 1 row=4 codes=5 scales=0.0078125
.wdata 1 row=5 codes=6 scales=0.0078125
.wdata 1 row=6 codes=7 scales=0.0078125
.wdata 1 row=7 codes=8 scales=0.0078125
.wdata 1 row=8 codes=9 scales=0.0078125
.wdata 1 row=9 codes=10 scales=0.0078125
.wdata 1 row=10 codes=11 scales=0.0078125
.wdata 1 row=11 codes=12 scales=0.0078125
.wdata 1 row=12 codes=13 scales=0.0078125
.wdata 1 row=13 codes=14 scales=0.0078125
.wdata 1 row=14 codes=15 scales=0.0078125
.wdata 1 row=15 codes=16 scales=0.0078125
.wdata 1 row=16 codes=17 scales=0.0078125
.wdata 1 row=17 codes=18 scales=0.0078125
.wdata 1 row=18 codes=19 scales=0.0078125
.wdata 1 row=19 codes=20 scales=0.0078125
.wdata 1 row=20 codes=21 scales=0.0078125
.wdata 1 row=21 codes=22 scales=0.0078125
.wdata 1 row=22 codes=23 scales=0.0078125
.wdata 1 row=23 codes=24 scales=0.0078125
.wdata 1 row=24 codes=25 scales=0.0078125
.wdata 1 row=25 codes=26 scales=0.0078125
.wdata 1 row=26 codes=27 scales=0.0078125
.wdata 1 row=27 codes=28 scales=0.0078125
.wdata 1 row=28 codes=29 scales=0.0078125
.wdata 1 row=29 codes=30 scales=0.0078125
.wdata 1 row=30 codes=31 scales=0.0078125
.wdata 1 row=31 codes=32 scales=0.0078125    # tensor row 63
.wdata 2 row=0+4 codes=0,32,-64,96 scales=0.015625
# Weights buffers: 32 x 128 codes = 1024 words, then 32 scales: 1056.
.buffer core=0 addr=0    words=64   kind=value   node=2 name=y
.buffer core=0 addr=128  words=128  kind=value   node=1 name=x
.buffer core=0 addr=256  words=1    kind=scalar  name=vth
.buffer core=0 addr=384  words=128  kind=counts  name=cnt
.buffer core=1 addr=0    words=1056 kind=weights ref=0 node=2 name=w
.buffer core=1 addr=1056 words=32   kind=acc     node=2 name=acc
.buffer core=2 addr=0    words=1056 kind=weights ref=1 node=2 name=w
.buffer core=2 addr=1056 words=32   kind=acc     node=2 name=acc
.buffer core=3 addr=0    words=132  kind=weights ref=2 node=1 name=emb.w   # 128 + 4 scales
.route src=0 dst=1,2 spikes                 # route 0: x's events to both blocks
.route src=1 dst=0@0 values                 # route 1: rows 0..31 to y
.route src=2 dst=0@32 values                # route 2: rows 32..63 to y+32
.route src=3 dst=0@128 values               # route 3: the embedding row to x
.barrier cores=0,1,2                        # barrier 0: after emit, before synacc
.code 0
    setlen 128
    acczero x                # psumrecv adds into x
    psumrecv x, 1            # the embedding row from core 3
    thresh x, vth            # k = const 0
    encode x, vth, cnt       # bitwise, adaptive T
    emit cnt, 0
    barrier 0
    setlen 64
    acczero y
    setlen 32
    psumrecv y, 1            # rows 0..31 from core 1
    psumrecv y+32, 1         # rows 32..63 from core 2
    halt
.code 1
    setlen 32
    acczero acc
    barrier 0
    synacc 0, acc
    scale acc, w+1024, acc
    psumsend acc, 1
    halt
.code 2
    setlen 32
    acczero acc
    barrier 0
    synacc 1, acc
    scale acc, w+1024, acc
    psumsend acc, 2
    halt
.code 3
    lookup 2, 3
    halt
.opmap core=0 first=0 count=3 node=1
.opmap core=0 first=3 count=10 node=2
.opmap core=1 first=0 count=7 node=2
.opmap core=2 first=0 count=7 node=2
.opmap core=3 first=0 count=2 node=1
.node 1 name="emb" op="embedding" layer=-1 site=""
.node 2 name="proj" op="linear" layer=0 site="proj"
.file "chip.yaml" from="../golden/chips/one-chip.yaml"
