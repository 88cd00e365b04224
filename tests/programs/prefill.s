# A two-stage pipeline run token by token and as a prefill (`--prefill`,
# docs/simulator.md, "Prefill"), on tests/golden/chips/one-chip.yaml (four
# cores in a row, x = 0..3). Core 0 (layer 0) computes y = silu(x) and sends
# it to core 1 (layer 1), which adds it into m and computes z = silu(m).
# One token at a time, core 0 idles while core 1 works; in a prefill it
# starts the next token as soon as it has halted one.
#
# ---- Inputs assumed --------------------------------------------------------
# No token enters (no lookup): core 0 reads a `param` buffer of zeros
# (.wdata below); the runs give token ids 0 (and 0, 0: --token-ids).
#
# ---- Values, by hand (docs/semantics.md) ------------------------------------
# silu(0) = 0 exactly: y = 0, m = 0 + 0 = 0, z = 0, every token.
#
# ---- Counts ----------------------------------------------------------------
# Instructions (9 a token): setlen 2, vsilu 2, halt 2, psumsend 1,
#   acczero 1, psumrecv 1.
# Messages: 1 a token, 5 words, 5 packets of 4 bytes. Events: none.
# Work a token: silu 10; add 5 (psumrecv adds 5 words); message_out 5,
#   message_in 5, hop_east 5 x 1 = 5.
#
# ---- axon inspect ------------------------------------------------------------
# Buffers: core 0 5 + 5 = 10 words (40 bytes), core 1 5 + 5 = 10 (40);
# free of 65536 bytes: 65496 on both.
# sram_free_bytes_min 65496, sram_free_bytes_median 65496
#
# ---- Cycles (ns at 1 GHz), by the rules of README.md ------------------------
# Costs used: axon_out 7; axon_in 9; east hop 15; add 11; silu is not
#   listed: dense.default 20.
# One token: core 0's vsilu 5 x 20 = 100; psumsend: 5 packets through
#   axon_out, 5 x 7 = 35, the message has left at 135; the hop 0->1: the
#   head at router 1 at 150, the last packet 4 x 15 = 60 behind it, so it
#   has arrived at 210; axon_in 5 x 9 = 45: served at 255. Core 1:
#   psumrecv at 255, add 5 x 11 = 55 (310), vsilu 100: 410.
# cycles 410
# Two tokens one at a time: 820. As a prefill of two: core 0 halts token 0
#   at 135 and starts token 1: vsilu to 235, axon_out (free since 135) to
#   270, the link 0->1 (busy with token 0 until 135 + 5 x 15 = 210) at once:
#   the head at 285, arrived at 345, served at 390 (axon_in free since 255).
#   Core 1 halted token 0 at 410: psumrecv at 410, 465, vsilu 565.
# cycles of the prefill: 565, its time to first token (the last prompt
#   token's end), 255 less than 820.
#
# ---- The lower bound, term by term --------------------------------------------
# One token: compute: core 1's dense unit 55 + 100 = 155 (core 0's 100,
#   its axon_out 35); link: 5 packets x 15 = 75; input: core 1 serves 5
#   packets: 45; chain: nothing contends, 410. bound = 410, by the chain.
# Prefill: the same units over both tokens: compute 310, link 150, input
#   90; chain, every shared resource free: token 1 as above with nothing
#   ahead of it, core 1 waiting for its own token 0 until 410: 565. bound =
#   565, by the chain; the terms below are per token (halves).
# Energy of the prefill: silu 20 x 40 pJ (dense.default) + add 10 x 15 pJ +
#   message_out 10 x 12 pJ + message_in 10 x 5 pJ + hop_east 10 x 20 pJ =
#   1320 pJ, and static 2 mW (a chip, 1 mW, and 4 cores, 0.25 mW each) x
#   565 ns = 1130 pJ: 2450 pJ, 1225 pJ a token.
#
# ---- What `axon sim` reports, from the figures above (programs.sim) ----------
# want cycles 410
# want bound 410 chain
# want term compute 155
# want term link 75
# want term input 45
# want term chain 410
# want executed instructions 9
# want executed messages 1
# want executed events 0
# want executed synaptic_ops 0
# want ledger silu 10
# want ledger add 5
# want ledger message_out 5
# want ledger message_in 5
# want ledger hop_east 5
# want values 1 z 0
# prefill want cycles 565
# prefill want bound 565 chain
# prefill want term compute 155
# prefill want term link 75
# prefill want term input 45
# prefill want term chain 282.5
# prefill want prefill tokens 2
# prefill want prefill time_to_first_token_s 565e-9
# prefill want prefill bound_s 565e-9
# prefill want prefill energy_j 2450e-12
# prefill want executed instructions 18
# prefill want executed messages 2
# prefill want executed events 0
# prefill want executed synaptic_ops 0
# prefill want ledger silu 20
# prefill want ledger add 10
# prefill want ledger message_out 10
# prefill want ledger message_in 10
# prefill want ledger hop_east 10
# prefill want values 1 z 0
.axb 2
.cores 4
.sram_words 16384            # 64 KiB / 4
.cores_per_chip 4
.dram_bytes_per_chip 0
.meta "model" "hand-written"
.meta "chip" "golden-one-chip"
.weights core=0 tensor="pf.x" rows=0+1 cols=0+5 sram float                # weight 0
# The numbers of the weight record: zeros.
.wdata 0 row=0 values=0
.buffer core=0 addr=0   words=5   kind=param   ref=0 name=x
.buffer core=0 addr=8   words=5   kind=value   node=1 name=y
.buffer core=1 addr=0   words=5   kind=value   node=2 name=m
.buffer core=1 addr=8   words=5   kind=value   node=2 name=z
.route src=0 dst=1@0 values                 # route 0: y to core 1's m
.code 0
    setlen 5
    vsilu y, x
    psumsend y, 0
    halt
.code 1
    setlen 5
    acczero m
    psumrecv m, 1
    vsilu z, m
    halt
.opmap core=0 first=0 count=4 node=1
.opmap core=1 first=0 count=5 node=2
.node 1 name="first" op="silu" layer=0 site=""
.node 2 name="second" op="silu" layer=1 site=""
.file "chip.yaml" from="../golden/chips/one-chip.yaml"
