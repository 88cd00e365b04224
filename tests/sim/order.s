# Two messages that contend for the same links and the same axon_in, sent
# out of code-record order: core 1 sends first (one vadd before its
# psumsend), core 0 later (two vadds), both to core 3 across the east links
# of tests/golden/chips/one-chip.yaml. The engine that decides the order
# must route core 1's message first, as the native engine's heap does; on
# the chip with femtosecond latencies (test_session.c) both sends fall in
# one picosecond of the SystemC kernel, so only the exact clocks order them.
# Values do not matter (counting mode).
.axb 2
.cores 4
.sram_words 16384
.cores_per_chip 4
.dram_bytes_per_chip 0
.meta "model" "hand-written"
.meta "chip" "golden-one-chip"
.buffer core=0 addr=0 words=4 kind=value node=1 name=a
.buffer core=1 addr=0 words=4 kind=value node=1 name=b
.buffer core=3 addr=0 words=4 kind=value node=1 name=y
.route src=0 dst=3@0 values
.route src=1 dst=3@0 values
.code 0                      # sends second
    setlen 4
    vadd a, a, a
    vadd a, a, a
    psumsend a, 0
    halt
.code 1                      # sends first
    setlen 4
    vadd b, b, b
    psumsend b, 1
    halt
.code 3
    setlen 4
    acczero y
    psumrecv y, 2
    halt
.opmap core=0 first=0 count=5 node=1
.opmap core=1 first=0 count=4 node=1
.opmap core=3 first=0 count=4 node=1
.node 1 name="x" op="add" layer=-1 site=""
