# The LM head's argmax (--logits argmax, docs/mapping.md) on two cores of
# tests/golden/chips/one-chip.yaml (four cores in a row, x = 0..3): each
# core holds the logits of a row range, takes the pair of its largest
# (`argmax`), and core 1 sends its pair to core 0, which keeps the larger
# (`argmerge`). The two ranges' largest logits tie: the pair of the smaller
# token id wins, as the reference's first index.
#
#   core 1  logits 4..7: copies them beside room for their pair, argmax
#           with base 4, sends the pair to core 0's value `p` (words 2, 3)
#   core 0  logits 0..3: the same with base 0, its pair into `p` (words 0,
#           1), receives core 1's, merges the two into words 0, 1
#
# ---- Inputs assumed --------------------------------------------------------
# No token enters (no lookup): each core reads its logits from a `param`
# buffer (a float record's values, .wdata below): core 0 3, 5, 0, -1; core 1
# 1, 5, 5, 2.
#
# ---- Values, by hand (docs/isa.md, "The LM head's argmax") -----------------
# core 0: the largest is 5, first at index 1: the pair (5, 0 + 1) = (5, 1).
# core 1: the largest is 5, first at index 1 (index 2 ties it later): the
#   pair (5, 4 + 1) = (5, 5).
# core 0's `p`: its pair (5, 1) copied into words 0, 1; core 1's (5, 5)
#   added into the zeroed words 2, 3 (0 + 5 = 5 exactly). argmerge of the
#   two: equal values, the smaller index 1 stays: p = 5, 1, 5, 5.
#
# ---- Counts ----------------------------------------------------------------
# Instructions (15): setlen 4, vcopy 3, argmax 2, halt 2, psumsend 1,
#   acczero 1, psumrecv 1, argmerge 1.
# Messages: 1 (core 1's pair, 2 words: 2 packets at 4 bytes a packet).
# Work: sram_read 4 + 2 (core 0's copies) + 4 (core 1's) = 10, sram_write
#   the same 10; max 4 + 4 (the argmaxes) + 1 (the merge compares one pair
#   after the first) = 9; add 2 (psumrecv, one a word); message_out 2,
#   message_in 2, hop_west 2 (one hop a packet).
#
# ---- axon inspect ------------------------------------------------------------
# Buffers per core: core 0 4 + 6 + 4 = 14 words (56 bytes), core 1 4 + 6 =
# 10 words (40 bytes); free of 65536 bytes: 65480 and 65496 (the lower
# middle of two: 65480).
# sram_free_bytes_min 65480, sram_free_bytes_median 65480
#
# ---- Cycles (ns at 1 GHz), by the rules of README.md ------------------------
# Costs used (one-chip.yaml): sram 1 a word read or written; max is not
#   listed: dense.default 20; add 11; axon_out 7; axon_in 9; west hop 16.
# core 1: vcopy 4 reads and 4 writes, 8 (0..8); argmax 4 x 20 = 80 (..88);
#   psumsend of 2 packets, axon_out 14: leaves at 102. Its head takes link
#   1->0 at 102, reaching router 0 at 118, the tail 16 later: 134; served
#   (2 x 9) at 152.
# core 0: vcopy 8 (..8); argmax 80 (..88); vcopy of 2 words, 4 (..92);
#   psumrecv waits for the message, served at 152, then 2 adds, 22 (..174);
#   argmerge one compare, 20 (..194).
# cycles 194
#
# ---- The lower bound of the token, term by term -----------------------------
# compute: core 0's dense unit 80 + 22 + 20 = 122 (its SRAM 12); core 1's
#   dense 80, axon_out 14. 122.
# link: link 1->0 carries 2 packets: 2 x 16 = 32.
# input: core 0's axon_in serves 2 packets: 18.
# chain: nothing is shared, so the latency: 194.
# bound = max(122, 32, 18, 194) = 194, by the chain.
#
# ---- What `axon sim` reports, from the figures above (programs.sim) ----------
# want cycles 194
# want bound 194 chain
# want term compute 122
# want term link 32
# want term input 18
# want term chain 194
# want executed instructions 15
# want executed messages 1
# want executed events 0
# want executed synaptic_ops 0
# want ledger read 10
# want ledger write 10
# want ledger max 9
# want ledger add 2
# want ledger message_out 2
# want ledger message_in 2
# want ledger hop_west 2
# want values 0 p [5, 1, 5, 5][j]
.axb 2
.cores 4
.sram_words 16384            # 64 KiB / 4
.cores_per_chip 4
.dram_bytes_per_chip 0
.meta "model" "hand-written"
.meta "chip" "golden-one-chip"
.weights core=0 tensor="head.x0" rows=0+1 cols=0+4 sram float            # weight 0
.wdata 0 row=0 values=3,5,0,-1
.weights core=1 tensor="head.x1" rows=0+1 cols=0+4 sram float            # weight 1
.wdata 1 row=0 values=1,5,5,2
.buffer core=0 addr=0   words=4   kind=param   ref=0 name=x
.buffer core=0 addr=4   words=6   kind=acc     name=s
.buffer core=0 addr=12  words=4   kind=value   node=1 name=p
.buffer core=1 addr=0   words=4   kind=param   ref=1 name=x
.buffer core=1 addr=4   words=6   kind=acc     name=s
.route src=1 dst=0@14 values                # route 0: core 1's pair to p + 2
.code 0
    setlen 4
    vcopy s, x
    argmax s, 0
    setlen 2
    vcopy p, s+4
    acczero p+2
    psumrecv p+2, 1
    argmerge p, 2
    halt
.code 1
    setlen 4
    vcopy s, x
    argmax s, 4
    setlen 2
    psumsend s+4, 0
    halt
.opmap core=0 first=0 count=9 node=1
.opmap core=1 first=0 count=6 node=1
.node 1 name="lm_head" op="lm_head" layer=-1 site=""
.file "chip.yaml" from="../golden/chips/one-chip.yaml"
