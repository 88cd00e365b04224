# A prefill whose window binds (docs/simulator.md, "Prefill"), on
# tests/golden/chips/two-chips.yaml (two chips side by side, four cores in a
# row each: cores 0..3 at x = 0..3, cores 4..7 at x = 4..7). Core 0
# (layer 0) computes y = silu(x) and sends it across the chips to core 4
# (layer 1), which adds it into m and computes z = silu(m). The message
# takes longer than either stage, so the tokens in flight, at most one a
# row of the layer table (embedding, layer.0, layer.1, head: four), bound
# the prefill: core 0 starts token i + 4 only once core 4 has halted
# token i.
#
# ---- Inputs assumed --------------------------------------------------------
# No token enters (no lookup): core 0 reads a `param` word of zero (.wdata
# below); the runs give token id 0 (eight times for the prefill).
#
# ---- Values, by hand (docs/semantics.md) ------------------------------------
# silu(0) = 0 exactly: y = 0, m = 0 + 0 = 0, z = 0, every token.
#
# ---- Counts ----------------------------------------------------------------
# Instructions (9 a token): setlen 2, vsilu 2, halt 2, psumsend 1,
#   acczero 1, psumrecv 1.
# Messages: 1 a token, 1 word, one 4-byte packet. Events: none.
# Work a token: silu 2; add 1; message_out 1, message_in 1, hop_east 3
#   (x = 0 to 3), the inter-chip link 4 bytes (x = 3 to 4).
#
# ---- axon inspect ------------------------------------------------------------
# Buffers: core 0 1 + 1 = 2 words (8 bytes), core 4 1 + 1 = 2 (8); free of
# 65536 bytes: 65528 on both.
# sram_free_bytes_min 65528, sram_free_bytes_median 65528
#
# ---- Cycles (ns at 1 GHz), by the rules of README.md ------------------------
# Costs used: axon_out 7; axon_in 9; east hop 15; the inter-chip link
#   100 ns and 1 byte a ns; add 11; silu is not listed: dense.default 20.
# One token: core 0's vsilu 20, psumsend through axon_out 7: left at 27;
#   three router hops of 15 (72), the link between the chips 100 (172)
#   and its 4 bytes 4 ns behind the head: arrived at 176; axon_in 9: served
#   at 185. Core 4: psumrecv 185 + 11 = 196, vsilu 216.
# cycles 216
# A message leaves core 0 at L and is served at L + 158; nothing contends
#   (a token's stage takes 27 ns on core 0, 31 on core 4, a link 15 at
#   most). Prefill of eight: core 0 runs tokens 0..3 at once, leaving at 27,
#   54, 81, 108: served at 185, 212, 239, 266. Core 4: token 0 ends at 216,
#   1 at 247 (from 216), 2 at 278, 3 at 309. Core 0 halted token 3 at 108
#   and waits for token 0 to end: token 4 from 216, left at 243, served at
#   401; token 5 from 247 (token 1's end; it halted 4 at 243), served 432;
#   token 6 from 278, served 463; token 7 from 309, served 494. Core 4:
#   token 4 from 401 (it halted 3 at 309), ends 432; 5 from 432, 463; 6
#   from 463, 494; 7 from 494, 525.
# cycles of the prefill: 525 (without the window core 4 would be the pace:
#   216 + 7 x 31 = 433).
#
# ---- The lower bound, term by term --------------------------------------------
# One token: compute: core 4's dense unit 11 + 20 = 31; link: a router
#   link 15; input: 9; chain: nothing contends, 216. bound = 216, by the
#   chain.
# Prefill: eight tokens of the same work: compute 248, link 120, input
#   72; chain, every shared resource free and the window's waits kept:
#   nothing contends, so 525. bound = 525, by the chain; the terms below
#   are per token (eighths): 31, 15, 9, 65.625.
#
# ---- What `axon sim` reports, from the figures above (programs.sim) ----------
# want cycles 216
# want bound 216 chain
# want term compute 31
# want term link 15
# want term input 9
# want term chain 216
# want executed instructions 9
# want executed messages 1
# want executed events 0
# want executed synaptic_ops 0
# want ledger silu 2
# want ledger add 1
# want ledger message_out 1
# want ledger message_in 1
# want ledger hop_east 3
# want ledger link 4
# want values 4 z 0
# prefill tokens 8
# prefill want cycles 525
# prefill want bound 525 chain
# prefill want term compute 31
# prefill want term link 15
# prefill want term input 9
# prefill want term chain 65.625
# prefill want prefill tokens 8
# prefill want prefill time_to_first_token_s 525e-9
# prefill want executed instructions 72
# prefill want executed messages 8
# prefill want executed events 0
# prefill want executed synaptic_ops 0
# prefill want ledger silu 16
# prefill want ledger add 8
# prefill want ledger message_out 8
# prefill want ledger message_in 8
# prefill want ledger hop_east 24
# prefill want ledger link 32
# prefill want values 4 z 0
.axb 2
.cores 8
.sram_words 16384            # 64 KiB / 4
.cores_per_chip 4
.dram_bytes_per_chip 0
.meta "model" "hand-written"
.meta "chip" "golden-two-chips"
.meta "chip_grid_w" "2"
.weights core=0 tensor="pw.x" rows=0+1 cols=0+1 sram float                # weight 0
# The numbers of the weight record: zero.
.wdata 0 row=0 values=0
.buffer core=0 addr=0   words=1   kind=param   ref=0 name=x
.buffer core=0 addr=8   words=1   kind=value   node=1 name=y
.buffer core=4 addr=0   words=1   kind=value   node=2 name=m
.buffer core=4 addr=8   words=1   kind=value   node=2 name=z
.route src=0 dst=4@0 values                 # route 0: y to core 4's m
.code 0
    setlen 1
    vsilu y, x
    psumsend y, 0
    halt
.code 4
    setlen 1
    acczero m
    psumrecv m, 1
    vsilu z, m
    halt
.opmap core=0 first=0 count=4 node=1
.opmap core=4 first=0 count=5 node=2
.node 1 name="first" op="silu" layer=0 site=""
.node 2 name="second" op="silu" layer=1 site=""
.file "chip.yaml" from="../golden/chips/two-chips.yaml"
