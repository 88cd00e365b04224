# A hand-written program: one spiking projection split over two cores, its
# partial sums reduced on core 0. Not a real model; every section is used.
.axb 1
.cores 4
.sram_words 49152
.meta "model" "hand-written"
.meta "chip" "loihi2-like"
.const 3
.const 0.0078125
.const bits=0x7fc00000
.weights core=1 tensor="model.layers.0.attn.q_proj.weight" rows=0+256 cols=0+128 sram
.weights core=2 tensor="model.layers.0.attn.q_proj.weight" rows=0+256 cols=128+128 dram
.route src=0 dst=1,2
.route src=1 dst=0
.route src=2 dst=0
.code 0
    setlen 256
    thresh 0, 256
    encode 0, 256, 512 .flags 1
    emit 512, 0
    psumrecv 1024, 2
    barrier 1
    halt
.code 1
    acczero 2048
    synacc 0, 2048
    scale 2048, 4096, 6144
    psumsend 6144, 1
    halt
.code 2
    dma 8192, 1
    acczero 2048
    synacc 1, 2048
    scale 2048, 4096, 6144
    psumsend 6144, 2
    halt
.opmap core=0 first=0 count=4 node=3
.opmap core=1 first=0 count=4 node=3
.opmap core=2 first=1 count=4 node=3
