# One source, three destinations, on routers that replicate packets
# (tests/golden/chips/one-chip-multicast.yaml: one-chip.yaml, four cores in
# a row at x = 0..3, with `multicast: true`, a copy 29 pJ and 3 ns). Each
# message leaves core 0 once and crosses each link of the tree of its routes
# once: the tree is the row 0 -> 1 -> 2 -> 3.
#
#   core 0     thresholds and encodes 4 words (ternary) and emits their
#              events along route 0 to cores 1, 2 and 3; barrier 0; then
#              sends the 4 words along route 1 to the value `in` of each
#   cores 1-3  barrier 0; then receive the 4 words into `in`
#
# ---- Inputs assumed --------------------------------------------------------
# No token enters (no lookup): core 0 reads a `param` buffer of ones (a
# float record's values, .wdata below). k = const 0 = 8.
#
# ---- Values, by hand (docs/semantics.md) ------------------------------------
# thresh: V = f32((sum |x| / n) / k) = 1 / 8 = 0.125. encode (flags 1:
#   ternary, adaptive T): s_i = rne(1 / 0.125) = 8: 8 events a word, 32.
# psumrecv adds the message into the zeroed value: 1.0 in each word of
#   cores 1, 2 and 3.
#
# ---- The tree (docs/simulator.md, "Multicast") ------------------------------
# The routes' destinations in order: core 1's route is the trunk (link
# 0->1); core 2's leaves it at router 1 (a copy, 3 ns, then link 1->2);
# core 3's at router 2 (a copy, then link 2->3). Per message: one departure,
# three east hops, two copies, three arrivals. (Sent one copy per
# destination from core 0, as without multicast, the same events would
# take 1 + 2 + 3 = 6 east hops and three departures each.)
#
# ---- Counts ----------------------------------------------------------------
# Instructions (22): setlen 4, barrier 4, halt 4, acczero 3, psumrecv 3,
#   thresh 1, encode 1, emit 1, psumsend 1.
# Events: 32, delivered to 3 cores: 96. Messages: the psumsend's 3 (one per
#   destination).
# Packets: the events one each, the message 4 (16 bytes at 4 a packet).
#   message_out 32 + 4 = 36; message_in 3 x 36 = 108; hop_east 3 x 36 =
#   108; copy 2 x 36 = 72.
# Work: access_neuron 4; update_neuron 4; spike_out 32; add 3 x 4 = 12
#   (psumrecv); barrier 1 (one chip).
#
# ---- axon inspect ------------------------------------------------------------
# Buffers per core: core 0 4 + 1 + 4 = 9 words (36 bytes), cores 1-3 4
# words (16); free of 65536 bytes: 65500, then 65520 three times (the lower
# middle of four: 65520).
# sram_free_bytes_min 65500, sram_free_bytes_median 65520
#
# ---- Cycles (ns at 1 GHz), by the rules of README.md ------------------------
# Costs used: access_neuron 4; update_neuron 5; spike_out 6; axon_out 7;
#   axon_in 9; east hop 15; copy 3; add 11; sync 50.
# core 0: thresh 4 x 4 = 16; encode 4 x 5 = 20 (36). emit: axon_out (7 an
#   event) is slower than the soma (6): event e (0..31) leaves at
#   36 + 6 + 7 + 7e = 49 + 7e, the last at 266: core 0 reaches barrier 0
#   at 266.
# Link 0->1 (15 a packet, slower than axon_out): event e takes it at
#   49 + 15e, its head reaches router 1 at 64 + 15e; core 1 serves it at
#   73 + 15e (axon_in 9 < 15, never behind).
# Link 1->2: the copy leaves router 1 3 later, 67 + 15e (the link freed
#   at 67 + 15(e - 1) + 15, just then); router 2 at 82 + 15e; core 2 serves
#   it at 91 + 15e.
# Link 2->3: 85 + 15e; router 3 at 100 + 15e; core 3 serves it at
#   109 + 15e, the last (e = 31) at 574.
# barrier 0: every event served at 574: 574 + 50 = 624, for all four cores.
# core 0: psumsend of 4 packets, axon_out 28: leaves at 652. Its head takes
#   link 0->1 at 652, reaching router 1 at 667, and the link for 60; the
#   last packet lags 45: at core 1 at 712, served (4 x 9) at 748; the add
#   (4 x 11) ends at 792.
# The copy to core 2 takes link 1->2 at 670: router 2 at 685, last packet
#   730, served 766, added 810.
# The copy to core 3 takes link 2->3 at 688: router 3 at 703, last packet
#   748, served 784, added 828.
# cycles 828
#
# ---- The lower bound of the token, term by term -----------------------------
# compute: core 0's axon_out 32 x 7 + 28 = 252 (its soma 16 + 20 + 32 x 6 =
#   228); cores 1-3 add 44. 252.
# link: each of the three links carries 32 + 4 packets: 36 x 15 = 540.
# input: each destination serves 36 packets: 36 x 9 = 324.
# chain: every shared resource free: the last event leaves core 0 at 266;
#   to core 3 the heads take 15 + 3 + 15 + 3 + 15 = 51: 317, served 326;
#   barrier 0 at max(266, 326) + 50 = 376. The psumsend leaves at
#   376 + 28 = 404; to core 3: 51 + the lag 45 = 500, served 536, added
#   580 (cores 1 and 2 end at 544 and 562).
# bound = max(252, 540, 324, 580) = 580, by the chain.
#
# ---- What `axon sim` reports, from the figures above (programs.sim) ----------
# want cycles 828
# want bound 580 chain
# want term compute 252
# want term link 540
# want term input 324
# want term chain 580
# want executed instructions 22
# want executed messages 3
# want executed events 96
# want executed synaptic_ops 0
# want ledger message_out 36
# want ledger message_in 108
# want ledger hop_east 108
# want ledger copy 72
# want ledger access_neuron 4
# want ledger update_neuron 4
# want ledger spike_out 32
# want ledger add 12
# want ledger barrier 1
# want values 1 in 1.0
# want values 2 in 1.0
# want values 3 in 1.0
.axb 2
.cores 4
.sram_words 16384            # 64 KiB / 4
.cores_per_chip 4
.dram_bytes_per_chip 0
.meta "model" "hand-written"
.meta "chip" "golden-one-chip-multicast"
.const 8                                                                  # const 0: k
.weights core=0 tensor="mc.x" rows=0+1 cols=0+4 sram float                # weight 0
# The numbers of the weight record: ones.
.wdata 0 row=0 values=1
.buffer core=0 addr=0   words=4   kind=param   ref=0 name=x
.buffer core=0 addr=4   words=1   kind=scalar  name=vth
.buffer core=0 addr=8   words=4   kind=counts  name=cnt
.buffer core=1 addr=0   words=4   kind=value   node=1 name=in
.buffer core=2 addr=0   words=4   kind=value   node=1 name=in
.buffer core=3 addr=0   words=4   kind=value   node=1 name=in
.route src=0 dst=1,2,3 spikes               # route 0: the events, one tree
.route src=0 dst=1@0,2@0,3@0 values         # route 1: the words, the same tree
.barrier cores=0,1,2,3                      # barrier 0: every event delivered
.code 0
    setlen 4
    thresh x, vth            # k = const 0
    encode x, vth, cnt .flags 1   # ternary, adaptive T
    emit cnt, 0
    barrier 0
    psumsend x, 1
    halt
.code 1
    barrier 0
    setlen 4
    acczero in
    psumrecv in, 1
    halt
.code 2
    barrier 0
    setlen 4
    acczero in
    psumrecv in, 1
    halt
.code 3
    barrier 0
    setlen 4
    acczero in
    psumrecv in, 1
    halt
.opmap core=0 first=0 count=7 node=1
.opmap core=1 first=0 count=5 node=1
.opmap core=2 first=0 count=5 node=1
.opmap core=3 first=0 count=5 node=1
.node 1 name="tree" op="multicast" layer=0 site=""
.file "chip.yaml" from="../golden/chips/one-chip-multicast.yaml"
