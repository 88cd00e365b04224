.axb 2
.cores 128
.sram_words 49152
.cores_per_chip 128
.dram_bytes_per_chip 0
.meta "model" "mini"
.meta "chip" "loihi2-like"
.meta "chips_used" "1"
.meta "cores_per_chip" "128"
.meta "traffic_hop_bytes" "3471.3599999999997"
.meta "traffic_hop_bytes_naive" "3471.3599999999997"
.meta "weights" "none"
.meta "weights_sha256" "none"
.meta "model_sha256" "a12863846e8cc8cac603ec6df2ea903110bae4ed159734dc54a49098649bce14"
.meta "chip_sha256" "3653f2be33b24bbda0fd864bab600e5121cce24949bd1f8010a2d08a58f5deb1"
.meta "axon_version" "0.1.0"
.meta "precision" "w8spike"
.meta "spike" "released"
.meta "encoding" "bitwise"
.meta "k" "3"
.meta "steps" "0"
.const 3   # const 0
.const 9.99999997e-07   # const 1
.const 16   # const 2
.const 10000   # const 3
.const 1   # const 4
.const 0.865964353   # const 5
.const 0.749894202   # const 6
.const 0.649381638   # const 7
.const 0.562341332   # const 8
.const 0.486967534   # const 9
.const 0.421696514   # const 10
.const 0.365174115   # const 11
.const 0.316227764   # const 12
.const 0.273841977   # const 13
.const 0.237137377   # const 14
.const 0.2053525   # const 15
.const 0.177827939   # const 16
.const 0.153992653   # const 17
.const 0.133352146   # const 18
.const 0.115478195   # const 19
.const 0.100000001   # const 20
.const 0.0865964293   # const 21
.const 0.0749894232   # const 22
.const 0.0649381652   # const 23
.const 0.0562341325   # const 24
.const 0.0486967526   # const 25
.const 0.0421696492   # const 26
.const 0.0365174115   # const 27
.const 0.0316227749   # const 28
.const 0.0273841955   # const 29
.const 0.0237137377   # const 30
.const 0.0205352511   # const 31
.const 0.0177827943   # const 32
.const 0.0153992651   # const 33
.const 0.013335214   # const 34
.const 0.0115478197   # const 35
.const 0.00999999978   # const 36
.const 0.00865964312   # const 37
.const 0.00749894232   # const 38
.const 0.00649381615   # const 39
.const 0.00562341325   # const 40
.const 0.00486967526   # const 41
.const 0.00421696482   # const 42
.const 0.00365174119   # const 43
.const 0.00316227763   # const 44
.const 0.00273841969   # const 45
.const 0.00237137382   # const 46
.const 0.00205352507   # const 47
.const 0.00177827943   # const 48
.const 0.00153992651   # const 49
.const 0.00133352145   # const 50
.const 0.00115478202   # const 51
.const 0.00100000005   # const 52
.const 0.000865964335   # const 53
.const 0.000749894185   # const 54
.const 0.000649381604   # const 55
.const 0.000562341302   # const 56
.const 0.000486967532   # const 57
.const 0.000421696517   # const 58
.const 0.000365174114   # const 59
.const 0.000316227757   # const 60
.const 0.000273841957   # const 61
.const 0.00023713737   # const 62
.const 0.00020535251   # const 63
.const 0.00017782794   # const 64
.const 0.00015399266   # const 65
.const 0.00013335215   # const 66
.const 0.0001154782   # const 67
.weights core=0 tensor="model.embeddings.weight" rows=0+256 cols=0+256 sram   # weight 0
.weights core=0 tensor="model.layers.0.attn_norm.weight" rows=0+1 cols=0+256 sram float   # weight 1
.weights core=0 tensor="model.layers.0.attn.q_proj.weight" rows=0+256 cols=0+256 sram   # weight 2
.weights core=0 tensor="model.layers.0.attn.q_proj.bias" rows=0+1 cols=0+256 sram float   # weight 3
.weights core=0 tensor="model.layers.0.attn.k_proj.weight" rows=0+128 cols=0+256 sram   # weight 4
.weights core=0 tensor="model.layers.0.attn.k_proj.bias" rows=0+1 cols=0+128 sram float   # weight 5
.weights core=1 tensor="model.layers.0.attn.v_proj.weight" rows=0+128 cols=0+256 sram   # weight 6
.weights core=1 tensor="model.layers.0.attn.v_proj.bias" rows=0+1 cols=0+128 sram float   # weight 7
.weights core=1 tensor="model.layers.0.attn.gk_proj.0.weight" rows=0+16 cols=0+256 sram   # weight 8
.weights core=1 tensor="model.layers.0.attn.gk_proj.1.weight" rows=0+128 cols=0+16 sram   # weight 9
.weights core=1 tensor="model.layers.0.attn.gk_proj.1.bias" rows=0+1 cols=0+128 sram float   # weight 10
.weights core=1 tensor="model.layers.0.attn.g_norm.weight" rows=0+1 cols=0+256 sram float   # weight 11
.weights core=2 tensor="model.layers.0.attn.o_proj.weight" rows=0+256 cols=0+256 sram   # weight 12
.weights core=2 tensor="model.layers.0.mlp_norm.weight" rows=0+1 cols=0+256 sram float   # weight 13
.weights core=3 tensor="model.layers.0.mlp.gate_proj.weight" rows=0+512 cols=0+256 sram   # weight 14
.weights core=32 tensor="model.layers.0.mlp.up_proj.weight" rows=0+512 cols=0+256 sram   # weight 15
.weights core=33 tensor="model.layers.0.mlp.down_proj.weight" rows=0+256 cols=0+512 sram   # weight 16
.weights core=33 tensor="model.layers.1.attn_norm.weight" rows=0+1 cols=0+256 sram float   # weight 17
.weights core=34 tensor="model.layers.1.attn.q_proj.weight" rows=0+256 cols=0+256 sram   # weight 18
.weights core=34 tensor="model.layers.1.attn.q_proj.bias" rows=0+1 cols=0+256 sram float   # weight 19
.weights core=34 tensor="model.layers.1.attn.k_proj.weight" rows=0+128 cols=0+256 sram   # weight 20
.weights core=34 tensor="model.layers.1.attn.k_proj.bias" rows=0+1 cols=0+128 sram float   # weight 21
.weights core=34 tensor="model.layers.1.attn.v_proj.weight" rows=0+128 cols=0+256 sram   # weight 22
.weights core=34 tensor="model.layers.1.attn.v_proj.bias" rows=0+1 cols=0+128 sram float   # weight 23
.weights core=35 tensor="model.layers.1.attn.o_proj.weight" rows=0+256 cols=0+256 sram   # weight 24
.weights core=35 tensor="model.layers.1.mlp_norm.weight" rows=0+1 cols=0+256 sram float   # weight 25
.weights core=36 tensor="model.layers.1.mlp.gate_proj.weight" rows=0+512 cols=0+256 sram   # weight 26
.weights core=37 tensor="model.layers.1.mlp.up_proj.weight" rows=0+512 cols=0+256 sram   # weight 27
.weights core=38 tensor="model.layers.1.mlp.down_proj.weight" rows=0+256 cols=0+512 sram   # weight 28
.weights core=38 tensor="model.norm.weight" rows=0+1 cols=0+256 sram float   # weight 29
.weights core=39 tensor="lm_head.weight" rows=0+256 cols=0+256 sram   # weight 30
.buffer core=0 addr=0 words=16896 kind=weights ref=0 node=1 name=n1.w0   # buffer 0
.buffer core=0 addr=16896 words=256 kind=acc node=1 name=n1.acc0   # buffer 1
.buffer core=0 addr=17152 words=256 kind=value node=1 name=n1.value   # buffer 2
.buffer core=0 addr=17408 words=256 kind=value node=2 name=n2.value   # buffer 3
.buffer core=0 addr=17664 words=256 kind=counts node=2 name=n2.counts   # buffer 4
.buffer core=0 addr=17920 words=1 kind=scalar node=2 name=n2.vth   # buffer 5
.buffer core=0 addr=17921 words=256 kind=param ref=1 node=2 name=n2.param   # buffer 6
.buffer core=0 addr=18177 words=16896 kind=weights ref=2 node=3 name=n3.w0   # buffer 7
.buffer core=0 addr=35073 words=256 kind=acc node=3 name=n3.acc0   # buffer 8
.buffer core=0 addr=35329 words=256 kind=value node=3 name=n3.value   # buffer 9
.buffer core=0 addr=35585 words=256 kind=param ref=3 node=3 name=n3.param   # buffer 10
.buffer core=0 addr=35841 words=8448 kind=weights ref=4 node=4 name=n4.w0   # buffer 11
.buffer core=0 addr=44289 words=128 kind=acc node=4 name=n4.acc0   # buffer 12
.buffer core=0 addr=44417 words=128 kind=value node=4 name=n4.value   # buffer 13
.buffer core=0 addr=44545 words=128 kind=param ref=5 node=4 name=n4.param   # buffer 14
.buffer core=1 addr=0 words=8448 kind=weights ref=6 node=5 name=n5.w0   # buffer 15
.buffer core=1 addr=8448 words=128 kind=acc node=5 name=n5.acc0   # buffer 16
.buffer core=1 addr=8576 words=128 kind=value node=5 name=n5.value   # buffer 17
.buffer core=1 addr=8704 words=128 kind=param ref=7 node=5 name=n5.param   # buffer 18
.buffer core=1 addr=8832 words=1056 kind=weights ref=8 node=6 name=n6.w0   # buffer 19
.buffer core=1 addr=9888 words=16 kind=acc node=6 name=n6.acc0   # buffer 20
.buffer core=1 addr=9904 words=16 kind=value node=6 name=n6.value   # buffer 21
.buffer core=1 addr=9920 words=640 kind=weights ref=9 node=7 name=n7.w0   # buffer 22
.buffer core=1 addr=10560 words=128 kind=acc node=7 name=n7.acc0   # buffer 23
.buffer core=1 addr=10688 words=16 kind=inbox node=7 name=n7.in0   # buffer 24
.buffer core=1 addr=10704 words=128 kind=value node=7 name=n7.value   # buffer 25
.buffer core=1 addr=10832 words=128 kind=param ref=10 node=7 name=n7.param   # buffer 26
.buffer core=1 addr=10960 words=32768 kind=state ref=0 node=8 name=n8.state0   # buffer 27
.buffer core=1 addr=43728 words=256 kind=inbox node=8 name=n8.q0   # buffer 28
.buffer core=1 addr=43984 words=256 kind=scratch node=8 name=n8.out0   # buffer 29
.buffer core=1 addr=44240 words=256 kind=inbox node=8 name=n8.k0   # buffer 30
.buffer core=1 addr=44496 words=256 kind=inbox node=8 name=n8.v0   # buffer 31
.buffer core=1 addr=44752 words=256 kind=inbox node=8 name=n8.g0   # buffer 32
.buffer core=1 addr=45008 words=256 kind=value node=8 name=n8.value   # buffer 33
.buffer core=1 addr=45264 words=256 kind=value node=9 name=n9.value   # buffer 34
.buffer core=1 addr=45520 words=256 kind=counts node=9 name=n9.counts   # buffer 35
.buffer core=1 addr=45776 words=1 kind=scalar node=9 name=n9.vth   # buffer 36
.buffer core=1 addr=45777 words=256 kind=param ref=11 node=9 name=n9.param   # buffer 37
.buffer core=2 addr=0 words=16896 kind=weights ref=12 node=10 name=n10.w0   # buffer 38
.buffer core=2 addr=16896 words=256 kind=acc node=10 name=n10.acc0   # buffer 39
.buffer core=2 addr=17152 words=256 kind=value node=10 name=n10.value   # buffer 40
.buffer core=2 addr=17408 words=256 kind=value node=11 name=n11.value   # buffer 41
.buffer core=2 addr=17664 words=256 kind=inbox node=11 name=n11.in   # buffer 42
.buffer core=2 addr=17920 words=256 kind=value node=12 name=n12.value   # buffer 43
.buffer core=2 addr=18176 words=256 kind=counts node=12 name=n12.counts   # buffer 44
.buffer core=2 addr=18432 words=1 kind=scalar node=12 name=n12.vth   # buffer 45
.buffer core=2 addr=18433 words=256 kind=param ref=13 node=12 name=n12.param   # buffer 46
.buffer core=3 addr=0 words=33792 kind=weights ref=14 node=13 name=n13.w0   # buffer 47
.buffer core=3 addr=33792 words=512 kind=acc node=13 name=n13.acc0   # buffer 48
.buffer core=3 addr=34304 words=512 kind=value node=13 name=n13.value   # buffer 49
.buffer core=32 addr=0 words=33792 kind=weights ref=15 node=14 name=n14.w0   # buffer 50
.buffer core=32 addr=33792 words=512 kind=acc node=14 name=n14.acc0   # buffer 51
.buffer core=32 addr=34304 words=512 kind=value node=14 name=n14.value   # buffer 52
.buffer core=32 addr=34816 words=512 kind=value node=15 name=n15.value   # buffer 53
.buffer core=32 addr=35328 words=512 kind=inbox node=15 name=n15.in   # buffer 54
.buffer core=33 addr=0 words=33792 kind=weights ref=16 node=16 name=n16.w0   # buffer 55
.buffer core=33 addr=33792 words=256 kind=acc node=16 name=n16.acc0   # buffer 56
.buffer core=33 addr=34048 words=512 kind=inbox node=16 name=n16.in0   # buffer 57
.buffer core=33 addr=34560 words=256 kind=value node=16 name=n16.value   # buffer 58
.buffer core=33 addr=34816 words=256 kind=value node=17 name=n17.value   # buffer 59
.buffer core=33 addr=35072 words=256 kind=inbox node=17 name=n17.in   # buffer 60
.buffer core=33 addr=35328 words=256 kind=value node=18 name=n18.value   # buffer 61
.buffer core=33 addr=35584 words=256 kind=counts node=18 name=n18.counts   # buffer 62
.buffer core=33 addr=35840 words=1 kind=scalar node=18 name=n18.vth   # buffer 63
.buffer core=33 addr=35841 words=256 kind=param ref=17 node=18 name=n18.param   # buffer 64
.buffer core=34 addr=0 words=16896 kind=weights ref=18 node=19 name=n19.w0   # buffer 65
.buffer core=34 addr=16896 words=256 kind=acc node=19 name=n19.acc0   # buffer 66
.buffer core=34 addr=17152 words=256 kind=value node=19 name=n19.value   # buffer 67
.buffer core=34 addr=17408 words=256 kind=param ref=19 node=19 name=n19.param   # buffer 68
.buffer core=34 addr=17664 words=8448 kind=weights ref=20 node=20 name=n20.w0   # buffer 69
.buffer core=34 addr=26112 words=128 kind=acc node=20 name=n20.acc0   # buffer 70
.buffer core=34 addr=26240 words=128 kind=value node=20 name=n20.value   # buffer 71
.buffer core=34 addr=26368 words=128 kind=param ref=21 node=20 name=n20.param   # buffer 72
.buffer core=34 addr=26496 words=8448 kind=weights ref=22 node=21 name=n21.w0   # buffer 73
.buffer core=34 addr=34944 words=128 kind=acc node=21 name=n21.acc0   # buffer 74
.buffer core=34 addr=35072 words=128 kind=value node=21 name=n21.value   # buffer 75
.buffer core=34 addr=35200 words=128 kind=param ref=23 node=21 name=n21.param   # buffer 76
.buffer core=34 addr=35328 words=256 kind=value node=22 name=n22.value   # buffer 77
.buffer core=34 addr=35584 words=64 kind=const ref=4 node=22 name=n22.table   # buffer 78
.buffer core=34 addr=35648 words=128 kind=value node=23 name=n23.value   # buffer 79
.buffer core=34 addr=35776 words=64 kind=const ref=4 node=23 name=n23.table   # buffer 80
.buffer core=34 addr=35840 words=4224 kind=state ref=1 node=24 name=n24.state0   # buffer 81
.buffer core=34 addr=40064 words=256 kind=inbox node=24 name=n24.q0   # buffer 82
.buffer core=34 addr=40320 words=256 kind=scratch node=24 name=n24.out0   # buffer 83
.buffer core=34 addr=40576 words=128 kind=inbox node=24 name=n24.k0   # buffer 84
.buffer core=34 addr=40704 words=128 kind=inbox node=24 name=n24.v0   # buffer 85
.buffer core=34 addr=40832 words=256 kind=value node=24 name=n24.value   # buffer 86
.buffer core=34 addr=41088 words=256 kind=counts node=24 name=n24.counts   # buffer 87
.buffer core=34 addr=41344 words=1 kind=scalar node=24 name=n24.vth   # buffer 88
.buffer core=35 addr=0 words=16896 kind=weights ref=24 node=25 name=n25.w0   # buffer 89
.buffer core=35 addr=16896 words=256 kind=acc node=25 name=n25.acc0   # buffer 90
.buffer core=35 addr=17152 words=256 kind=value node=25 name=n25.value   # buffer 91
.buffer core=35 addr=17408 words=256 kind=value node=26 name=n26.value   # buffer 92
.buffer core=35 addr=17664 words=256 kind=inbox node=26 name=n26.in   # buffer 93
.buffer core=35 addr=17920 words=256 kind=value node=27 name=n27.value   # buffer 94
.buffer core=35 addr=18176 words=256 kind=counts node=27 name=n27.counts   # buffer 95
.buffer core=35 addr=18432 words=1 kind=scalar node=27 name=n27.vth   # buffer 96
.buffer core=35 addr=18433 words=256 kind=param ref=25 node=27 name=n27.param   # buffer 97
.buffer core=36 addr=0 words=33792 kind=weights ref=26 node=28 name=n28.w0   # buffer 98
.buffer core=36 addr=33792 words=512 kind=acc node=28 name=n28.acc0   # buffer 99
.buffer core=36 addr=34304 words=512 kind=value node=28 name=n28.value   # buffer 100
.buffer core=37 addr=0 words=33792 kind=weights ref=27 node=29 name=n29.w0   # buffer 101
.buffer core=37 addr=33792 words=512 kind=acc node=29 name=n29.acc0   # buffer 102
.buffer core=37 addr=34304 words=512 kind=value node=29 name=n29.value   # buffer 103
.buffer core=37 addr=34816 words=512 kind=value node=30 name=n30.value   # buffer 104
.buffer core=37 addr=35328 words=512 kind=inbox node=30 name=n30.in   # buffer 105
.buffer core=38 addr=0 words=33792 kind=weights ref=28 node=31 name=n31.w0   # buffer 106
.buffer core=38 addr=33792 words=256 kind=acc node=31 name=n31.acc0   # buffer 107
.buffer core=38 addr=34048 words=512 kind=inbox node=31 name=n31.in0   # buffer 108
.buffer core=38 addr=34560 words=256 kind=value node=31 name=n31.value   # buffer 109
.buffer core=38 addr=34816 words=256 kind=value node=32 name=n32.value   # buffer 110
.buffer core=38 addr=35072 words=256 kind=inbox node=32 name=n32.in   # buffer 111
.buffer core=38 addr=35328 words=256 kind=value node=33 name=n33.value   # buffer 112
.buffer core=38 addr=35584 words=256 kind=param ref=29 node=33 name=n33.param   # buffer 113
.buffer core=39 addr=0 words=16896 kind=weights ref=30 node=34 name=n34.w0   # buffer 114
.buffer core=39 addr=16896 words=256 kind=acc node=34 name=n34.acc0   # buffer 115
.buffer core=39 addr=17152 words=256 kind=inbox node=34 name=n34.in0   # buffer 116
.buffer core=39 addr=17408 words=256 kind=value node=34 name=n34.value   # buffer 117
.state core=1 node=8 kind=gla rows=0+2 row_bytes=65536 buffer=27   # state 0
.state core=34 node=24 kind=kv rows=0+64 row_bytes=264 buffer=81   # state 1
.route src=0 dst=0@17152 values   # route 0
.route src=0 dst=0 spikes   # route 1
.route src=0 dst=1 spikes   # route 2
.route src=0 dst=1@43728 values   # route 3
.route src=0 dst=1@44240 values   # route 4
.route src=0 dst=1@44368 values   # route 5
.route src=1 dst=2 spikes   # route 6
.route src=0 dst=2@17408 values   # route 7
.route src=2 dst=3 spikes   # route 8
.route src=2 dst=32 spikes   # route 9
.route src=3 dst=32@34816 values   # route 10
.route src=32 dst=33@34048 values   # route 11
.route src=2 dst=33@34816 values   # route 12
.route src=33 dst=34 spikes   # route 13
.route src=34 dst=35 spikes   # route 14
.route src=33 dst=35@17408 values   # route 15
.route src=35 dst=36 spikes   # route 16
.route src=35 dst=37 spikes   # route 17
.route src=36 dst=37@34816 values   # route 18
.route src=37 dst=38@34048 values   # route 19
.route src=35 dst=38@34816 values   # route 20
.route src=38 dst=39@17152 values   # route 21
.barrier cores=0   # barrier 0
.barrier cores=0   # barrier 1
.barrier cores=0,1   # barrier 2
.barrier cores=0,1   # barrier 3
.barrier cores=1,2   # barrier 4
.barrier cores=2,3   # barrier 5
.barrier cores=2,32   # barrier 6
.barrier cores=33,34   # barrier 7
.barrier cores=33,34   # barrier 8
.barrier cores=33,34   # barrier 9
.barrier cores=34,35   # barrier 10
.barrier cores=35,36   # barrier 11
.barrier cores=35,37   # barrier 12
.code 0
    setlen 256
    acczero n1.value
    lookup 0, 0
    psumrecv n1.value, 1
    rmsnorm n2.value, n1.value, n2.param .flags 1
    acczero n3.value
    thresh n2.value, n2.vth
    encode n2.value, n2.vth, n2.counts
    emit n2.counts, 1
    barrier 0
    acczero n3.acc0
    synacc 2, n3.acc0
    scale n3.acc0, n3.w0+16384, n3.acc0
    vadd n3.value, n3.value, n3.acc0
    vadd n3.value, n3.value, n3.param
    setlen 128
    acczero n4.value
    setlen 256
    emit n2.counts, 1
    barrier 1
    setlen 128
    acczero n4.acc0
    synacc 4, n4.acc0
    scale n4.acc0, n4.w0+8192, n4.acc0
    vadd n4.value, n4.value, n4.acc0
    vadd n4.value, n4.value, n4.param
    setlen 256
    emit n2.counts, 2
    barrier 2
    emit n2.counts, 2
    barrier 3
    psumsend n3.value, 3
    setlen 128
    psumsend n4.value, 4
    psumsend n4.value, 5
    setlen 256
    psumsend n1.value, 7
    halt
.code 1
    setlen 128
    acczero n5.value
    barrier 2
    acczero n5.acc0
    synacc 6, n5.acc0
    scale n5.acc0, n5.w0+8192, n5.acc0
    vadd n5.value, n5.value, n5.acc0
    vadd n5.value, n5.value, n5.param
    setlen 16
    acczero n6.value
    barrier 3
    acczero n6.acc0
    synacc 8, n6.acc0
    scale n6.acc0, n6.w0+1024, n6.acc0
    vadd n6.value, n6.value, n6.acc0
    setlen 128
    acczero n7.value
    vdot n7.acc0, n7.w0, n6.value
    vadd n7.value, n7.value, n7.acc0
    vadd n7.value, n7.value, n7.param
    setlen 256
    acczero n8.value
    acczero n8.q0
    psumrecv n8.q0, 1
    setlen 128
    acczero n8.k0
    psumrecv n8.k0, 1
    acczero n8.k0+128
    psumrecv n8.k0+128, 1
    vcopy n8.v0, n5.value
    vcopy n8.v0+128, n5.value
    vcopy n8.g0, n7.value
    vcopy n8.g0+128, n7.value
    setlen 256
    gladecay n8.state0, n8.g0 .flags 2
    glaupd n8.state0, n8.k0, n8.v0
    glaread n8.out0, n8.q0, n8.state0
    vadd n8.value, n8.value, n8.out0
    setlen 128
    rmsnorm n9.value, n8.value, n9.param .flags 1
    rmsnorm n9.value+128, n8.value+128, n9.param+128 .flags 1
    setlen 256
    thresh n9.value, n9.vth
    encode n9.value, n9.vth, n9.counts
    emit n9.counts, 6
    barrier 4
    halt
.code 2
    setlen 256
    acczero n10.value
    barrier 4
    acczero n10.acc0
    synacc 12, n10.acc0
    scale n10.acc0, n10.w0+16384, n10.acc0
    vadd n10.value, n10.value, n10.acc0
    acczero n11.value
    psumrecv n11.value, 1
    vadd n11.value, n11.value, n10.value
    rmsnorm n12.value, n11.value, n12.param .flags 1
    thresh n12.value, n12.vth
    encode n12.value, n12.vth, n12.counts
    emit n12.counts, 8
    barrier 5
    emit n12.counts, 9
    barrier 6
    psumsend n11.value, 12
    halt
.code 3
    setlen 512
    acczero n13.value
    barrier 5
    acczero n13.acc0
    synacc 14, n13.acc0
    scale n13.acc0, n13.w0+32768, n13.acc0
    vadd n13.value, n13.value, n13.acc0
    psumsend n13.value, 10
    halt
.code 32
    setlen 512
    acczero n14.value
    barrier 6
    acczero n14.acc0
    synacc 15, n14.acc0
    scale n14.acc0, n14.w0+32768, n14.acc0
    vadd n14.value, n14.value, n14.acc0
    acczero n15.value
    psumrecv n15.value, 1
    vmul n15.value, n15.value, n14.value .flags 1
    psumsend n15.value, 11
    halt
.code 33
    setlen 256
    acczero n16.value
    setlen 512
    acczero n16.in0
    psumrecv n16.in0, 1
    setlen 256
    vdot n16.acc0, n16.w0, n16.in0
    vadd n16.value, n16.value, n16.acc0
    acczero n17.value
    psumrecv n17.value, 1
    vadd n17.value, n17.value, n16.value
    rmsnorm n18.value, n17.value, n18.param .flags 1
    thresh n18.value, n18.vth
    encode n18.value, n18.vth, n18.counts
    emit n18.counts, 13
    barrier 7
    emit n18.counts, 13
    barrier 8
    emit n18.counts, 13
    barrier 9
    psumsend n17.value, 15
    halt
.code 34
    setlen 256
    acczero n19.value
    barrier 7
    acczero n19.acc0
    synacc 18, n19.acc0
    scale n19.acc0, n19.w0+16384, n19.acc0
    vadd n19.value, n19.value, n19.acc0
    vadd n19.value, n19.value, n19.param
    setlen 128
    acczero n20.value
    barrier 8
    acczero n20.acc0
    synacc 20, n20.acc0
    scale n20.acc0, n20.w0+8192, n20.acc0
    vadd n20.value, n20.value, n20.acc0
    vadd n20.value, n20.value, n20.param
    acczero n21.value
    barrier 9
    acczero n21.acc0
    synacc 22, n21.acc0
    scale n21.acc0, n21.w0+8192, n21.acc0
    vadd n21.value, n21.value, n21.acc0
    vadd n21.value, n21.value, n21.param
    setlen 256
    rope n22.value, n19.value, n22.table .flags 3
    setlen 128
    rope n23.value, n20.value, n23.table .flags 3
    setlen 256
    acczero n24.value
    vcopy n24.q0, n22.value
    setlen 128
    vcopy n24.k0, n23.value
    vcopy n24.v0, n21.value
    kvpush n24.state0, n24.k0, n24.v0
    thresh n24.q0, n24.k0
    encode n24.q0, n24.k0, n24.out0
    thresh n24.q0+128, n24.k0
    encode n24.q0+128, n24.k0, n24.out0+128
    setlen 256
    kvattn n24.q0, n24.out0, n24.state0 .flags 1
    vadd n24.value, n24.value, n24.q0
    thresh n24.value, n24.vth
    encode n24.value, n24.vth, n24.counts
    emit n24.counts, 14
    barrier 10
    halt
.code 35
    setlen 256
    acczero n25.value
    barrier 10
    acczero n25.acc0
    synacc 24, n25.acc0
    scale n25.acc0, n25.w0+16384, n25.acc0
    vadd n25.value, n25.value, n25.acc0
    acczero n26.value
    psumrecv n26.value, 1
    vadd n26.value, n26.value, n25.value
    rmsnorm n27.value, n26.value, n27.param .flags 1
    thresh n27.value, n27.vth
    encode n27.value, n27.vth, n27.counts
    emit n27.counts, 16
    barrier 11
    emit n27.counts, 17
    barrier 12
    psumsend n26.value, 20
    halt
.code 36
    setlen 512
    acczero n28.value
    barrier 11
    acczero n28.acc0
    synacc 26, n28.acc0
    scale n28.acc0, n28.w0+32768, n28.acc0
    vadd n28.value, n28.value, n28.acc0
    psumsend n28.value, 18
    halt
.code 37
    setlen 512
    acczero n29.value
    barrier 12
    acczero n29.acc0
    synacc 27, n29.acc0
    scale n29.acc0, n29.w0+32768, n29.acc0
    vadd n29.value, n29.value, n29.acc0
    acczero n30.value
    psumrecv n30.value, 1
    vmul n30.value, n30.value, n29.value .flags 1
    psumsend n30.value, 19
    halt
.code 38
    setlen 256
    acczero n31.value
    setlen 512
    acczero n31.in0
    psumrecv n31.in0, 1
    setlen 256
    vdot n31.acc0, n31.w0, n31.in0
    vadd n31.value, n31.value, n31.acc0
    acczero n32.value
    psumrecv n32.value, 1
    vadd n32.value, n32.value, n31.value
    rmsnorm n33.value, n32.value, n33.param .flags 1
    psumsend n33.value, 21
    halt
.code 39
    setlen 256
    acczero n34.value
    acczero n34.in0
    psumrecv n34.in0, 1
    vdot n34.acc0, n34.w0, n34.in0
    vadd n34.value, n34.value, n34.acc0
    halt
.opmap core=0 first=0 count=4 node=1
.opmap core=0 first=4 count=1 node=2
.opmap core=0 first=5 count=10 node=3
.opmap core=0 first=15 count=11 node=4
.opmap core=1 first=0 count=8 node=5
.opmap core=0 first=26 count=3 node=5
.opmap core=1 first=8 count=7 node=6
.opmap core=0 first=29 count=2 node=6
.opmap core=1 first=15 count=5 node=7
.opmap core=1 first=20 count=18 node=8
.opmap core=0 first=31 count=4 node=8
.opmap core=1 first=38 count=3 node=9
.opmap core=2 first=0 count=7 node=10
.opmap core=1 first=41 count=6 node=10
.opmap core=0 first=35 count=3 node=11
.opmap core=2 first=7 count=3 node=11
.opmap core=2 first=10 count=1 node=12
.opmap core=3 first=0 count=7 node=13
.opmap core=2 first=11 count=4 node=13
.opmap core=32 first=0 count=7 node=14
.opmap core=2 first=15 count=2 node=14
.opmap core=3 first=7 count=2 node=15
.opmap core=32 first=7 count=3 node=15
.opmap core=33 first=0 count=8 node=16
.opmap core=32 first=10 count=2 node=16
.opmap core=2 first=17 count=2 node=17
.opmap core=33 first=8 count=3 node=17
.opmap core=33 first=11 count=1 node=18
.opmap core=34 first=0 count=8 node=19
.opmap core=33 first=12 count=4 node=19
.opmap core=34 first=8 count=8 node=20
.opmap core=33 first=16 count=2 node=20
.opmap core=34 first=16 count=7 node=21
.opmap core=33 first=18 count=2 node=21
.opmap core=34 first=23 count=2 node=22
.opmap core=34 first=25 count=2 node=23
.opmap core=34 first=27 count=14 node=24
.opmap core=35 first=0 count=7 node=25
.opmap core=34 first=41 count=5 node=25
.opmap core=33 first=20 count=2 node=26
.opmap core=35 first=7 count=3 node=26
.opmap core=35 first=10 count=1 node=27
.opmap core=36 first=0 count=7 node=28
.opmap core=35 first=11 count=4 node=28
.opmap core=37 first=0 count=7 node=29
.opmap core=35 first=15 count=2 node=29
.opmap core=36 first=7 count=2 node=30
.opmap core=37 first=7 count=3 node=30
.opmap core=38 first=0 count=8 node=31
.opmap core=37 first=10 count=2 node=31
.opmap core=35 first=17 count=2 node=32
.opmap core=38 first=8 count=3 node=32
.opmap core=38 first=11 count=1 node=33
.opmap core=39 first=0 count=7 node=34
.opmap core=38 first=12 count=2 node=34
.node 0 name="model.input" op="input" layer=-1 site=""
.node 1 name="model.embeddings" op="embedding" layer=-1 site=""
.node 2 name="model.layers.0.attn_norm" op="rmsnorm" layer=0 site=""
.node 3 name="model.layers.0.attn.q_proj" op="linear" layer=0 site="model.layers.0.attn.q_proj"
.node 4 name="model.layers.0.attn.k_proj" op="linear" layer=0 site="model.layers.0.attn.k_proj"
.node 5 name="model.layers.0.attn.v_proj" op="linear" layer=0 site="model.layers.0.attn.v_proj"
.node 6 name="model.layers.0.attn.gk_proj.0" op="linear" layer=0 site="model.layers.0.attn.gk_proj.0"
.node 7 name="model.layers.0.attn.gk_proj.1" op="linear" layer=0 site=""
.node 8 name="model.layers.0.gla" op="gla" layer=0 site=""
.node 9 name="model.layers.0.attn.g_norm" op="rmsnorm" layer=0 site=""
.node 10 name="model.layers.0.attn.o_proj" op="linear" layer=0 site="model.layers.0.attn.o_proj"
.node 11 name="model.layers.0.add" op="add" layer=0 site=""
.node 12 name="model.layers.0.mlp_norm" op="rmsnorm" layer=0 site=""
.node 13 name="model.layers.0.mlp.gate_proj" op="linear" layer=0 site="model.layers.0.mlp.gate_proj"
.node 14 name="model.layers.0.mlp.up_proj" op="linear" layer=0 site="model.layers.0.mlp.up_proj"
.node 15 name="model.layers.0.swiglu" op="swiglu" layer=0 site=""
.node 16 name="model.layers.0.mlp.down_proj" op="linear" layer=0 site=""
.node 17 name="model.layers.0.add.1" op="add" layer=0 site=""
.node 18 name="model.layers.1.attn_norm" op="rmsnorm" layer=1 site=""
.node 19 name="model.layers.1.attn.q_proj" op="linear" layer=1 site="model.layers.1.attn.q_proj"
.node 20 name="model.layers.1.attn.k_proj" op="linear" layer=1 site="model.layers.1.attn.k_proj"
.node 21 name="model.layers.1.attn.v_proj" op="linear" layer=1 site="model.layers.1.attn.v_proj"
.node 22 name="model.layers.1.rope" op="rope" layer=1 site=""
.node 23 name="model.layers.1.rope.1" op="rope" layer=1 site=""
.node 24 name="model.layers.1.swa" op="swa" layer=1 site="model.layers.1.attn.swa_query"
.node 25 name="model.layers.1.attn.o_proj" op="linear" layer=1 site="model.layers.1.attn.o_proj"
.node 26 name="model.layers.1.add" op="add" layer=1 site=""
.node 27 name="model.layers.1.mlp_norm" op="rmsnorm" layer=1 site=""
.node 28 name="model.layers.1.mlp.gate_proj" op="linear" layer=1 site="model.layers.1.mlp.gate_proj"
.node 29 name="model.layers.1.mlp.up_proj" op="linear" layer=1 site="model.layers.1.mlp.up_proj"
.node 30 name="model.layers.1.swiglu" op="swiglu" layer=1 site=""
.node 31 name="model.layers.1.mlp.down_proj" op="linear" layer=1 site=""
.node 32 name="model.layers.1.add.1" op="add" layer=1 site=""
.node 33 name="model.norm" op="rmsnorm" layer=-1 site=""
.node 34 name="lm_head" op="lm_head" layer=-1 site=""
.node 35 name="model.output" op="output" layer=-1 site=""
.file "chip.yaml" size=7002
.data IyBBIExvaWhpIDItbGlrZSBjaGlwLiBJbnRlbCBwdWJsaXNoZXMgbm8gcGVyLW9wZXJhdGlvbiBl
.data bmVyZ3kgZm9yIExvaWhpIDIKIyAoZG9jcy9zb3VyY2VzLm1kOiBsb2loaTItYnJpZWY7IGFsc28g
.data YSB0aGlyZC1wYXJ0eSBhdWRpdCdzIGNvbmNsdXNpb24pLCBzbwojIHRoaXMgcHJlc2V0IHN0YXRl
.data cyBpdHMgYXNzdW1wdGlvbnM6IExvaWhpIDEncyBzaWxpY29uLWZpdHRlZCBlbmVyZ2llcwojIChk
.data b2NzL3NvdXJjZXMubWQ6IHNhbmFmZSkgYXMgYW4gdXBwZXItYm91bmQgZXN0aW1hdGUsIGFuZCBM
.data b2loaSAxJ3MgbGF0ZW5jaWVzIGRpdmlkZWQgYnkgdGhlIHNwZWVkLXVwcwojIEludGVsIHN0YXRl
.data cyBmb3IgTG9paGkgMiAoc3luYXB0aWMgb3AgNXgsIG5ldXJvbiB1cGRhdGUgMngsIHNwaWtlCiMg
.data Z2VuZXJhdGlvbiAxMHgpLiBQdWJsaXNoZWQ6IDEyOCBuZXVyb2NvcmVzLCB1cCB0byA4MTkyIG5l
.data dXJvbnMgYW5kIDE5MiBLQgojIHBlciBjb3JlLCBjaGlwLXdpZGUgdGltZSBzdGVwIHVuZGVyIDIw
.data MCBucyBbVCwgTG9paGkgMiB0ZWNobm9sb2d5IGJyaWVmXS4KIyBXaGF0IGVhY2ggbnVtYmVyIGlz
.data IHdvcnRoOiBkb2NzL2NhbGlicmF0aW9uLm1kLgp2ZXJzaW9uOiAxCm5hbWU6IGxvaWhpMi1saWtl
.data CmRlc2NyaXB0aW9uOiA+LQogIExvaWhpIDItbGlrZSAoMTI4IGNvcmVzLCA4MTkyIG5ldXJvbnMg
.data YW5kIDE5MiBLQiBwZXIgY29yZSkuIEVuZXJnaWVzIGFyZQogIExvaWhpIDEgc2lsaWNvbiBmaXRz
.data IChlc3RpbWF0ZXM6IG5vbmUgcHVibGlzaGVkIGZvciBMb2loaSAyKTsgbGF0ZW5jaWVzCiAgc2Nh
.data bGVkIGJ5IEludGVsJ3Mgc3RhdGVkIHNwZWVkLXVwcy4Kc291cmNlczoKICAtICJJbnRlbCBMb2lo
.data aSAyIHRlY2hub2xvZ3kgYnJpZWYgW2xvaWhpMi1icmllZl06IDEyOCBjb3JlcywgODE5MiBuZXVy
.data b25zIGFuZCAxOTIgS0IgcGVyIGNvcmUsIHRpbWUgc3RlcCA8IDIwMCBucywgc3luYXB0aWMgb3Ag
.data NXgsIG5ldXJvbiB1cGRhdGUgMngsIHNwaWtlIGdlbmVyYXRpb24gMTB4IFtULCBWLWRvY10iCiAg
.data LSAiU0FOQS1GRSBhcmNoL2xvaWhpLnlhbWwgc2lsaWNvbi1maXR0ZWQgTG9paGkgMSBjb3N0cyBb
.data c2FuYWZlXSBbVi1zcmNdLCB1c2VkIGFzIGVuZXJneSBlc3RpbWF0ZXMgW2F4b24tZXN0aW1hdGVd
.data IgogIC0gIkZyYWR5IGV0IGFsLiAyMDIwOiBMb2loaSAxIHN0YXRpYyAxMDQgbVcgcGVyIGNoaXAg
.data W2ZyYWR5MjAyMF0gW1RdLCB1c2VkIGFzIGFuIGVzdGltYXRlIgogIC0gIkhvcm93aXR6LCBJU1ND
.data QyAyMDE0LCA0NSBubSBlbmVyZ2llcyBbaG9yb3dpdHoyMDE0XSwgdXNlZCBvbmx5IGZvciBlc3Rp
.data bWF0ZXMiCgpzeXN0ZW06CiAgY2hpcHM6IG9wZW4gICAgICAgICAgICAgICAgICAgICAgIyBIYWxh
.data IFBvaW50IGpvaW5zIDExNTIgTG9paGkgMiBjaGlwcyBbaGFsYS1wb2ludF07IG5vIGZpeGVkIGNv
.data dW50CiAgaW50ZXJjaGlwOgogICAgZW5lcmd5X3Blcl9ieXRlOiAxNiBwSi9CICAgICAgICMgZXN0
.data aW1hdGU6IFNlckRlcy1jbGFzcyAyIHBKL2JpdDsgbm9uZSBwdWJsaXNoZWQKICAgIGxhdGVuY3k6
.data IDEgdXMgICAgICAgICAgICAgICAgICAjIGVzdGltYXRlCiAgICBiYW5kd2lkdGg6IDEgR0IvcyAg
.data ICAgICAgICAgICAgIyBlc3RpbWF0ZQogICAgc291cmNlOiAiZXN0aW1hdGU7IG5vIHB1Ymxpc2hl
.data ZCBMb2loaSAyIGludGVyLWNoaXAgbGluayBjb3N0IFtheG9uLWVzdGltYXRlXSIKICAgIGVzdGlt
.data YXRlOiB0cnVlCgpjaGlwOgogIGNsb2NrOiAxIEdIeiAgICAgICAgICAgICAgICAgICAgICMgZXN0
.data aW1hdGU6IExvaWhpIDIgaXMgYXN5bmNocm9ub3VzOyBub21pbmFsIGNsb2NrIGZvciBjeWNsZSBj
.data b3VudHMKICBtZXNoOiB7d2lkdGg6IDgsIGhlaWdodDogNH0gICAgICAjIGVzdGltYXRlOiAxMjgg
.data Y29yZXMgbGFpZCBvdXQgYXMgTG9paGkgMSdzIDh4NCB0aWxlcyBvZiA0CiAgdGlsZToKICAgIGNv
.data cmVzOiA0ICAgICAgICAgICAgICAgICAgICAgICAjIGVzdGltYXRlOiBhcyBMb2loaSAxCiAgICBy
.data b3V0ZXI6CiAgICAgIGVuZXJneV9ub3J0aF9ob3A6IDQuMiBwSiAgICAgIyBlc3RpbWF0ZTogTG9p
.data aGkgMSBmaXQgKFNBTkEtRkUpIFtWLXNyY10KICAgICAgbGF0ZW5jeV9ub3J0aF9ob3A6IDYuNSBu
.data cyAgICAjIGVzdGltYXRlOiBMb2loaSAxIChEYXZpZXMgVDIgLyBTQU5BLUZFKQogICAgICBlbmVy
.data Z3lfc291dGhfaG9wOiA0LjIgcEogICAgICMgZXN0aW1hdGU6IExvaWhpIDEgZml0CiAgICAgIGxh
.data dGVuY3lfc291dGhfaG9wOiA2LjUgbnMgICAgIyBlc3RpbWF0ZTogTG9paGkgMQogICAgICBlbmVy
.data Z3lfZWFzdF9ob3A6IDMuMCBwSiAgICAgICMgZXN0aW1hdGU6IExvaWhpIDEgZml0CiAgICAgIGxh
.data dGVuY3lfZWFzdF9ob3A6IDQuMSBucyAgICAgIyBlc3RpbWF0ZTogTG9paGkgMQogICAgICBlbmVy
.data Z3lfd2VzdF9ob3A6IDMuMCBwSiAgICAgICMgZXN0aW1hdGU6IExvaWhpIDEgZml0CiAgICAgIGxh
.data dGVuY3lfd2VzdF9ob3A6IDQuMSBucyAgICAgIyBlc3RpbWF0ZTogTG9paGkgMQogICAgICBlbmVy
.data Z3lfbG9jYWw6IDEuNyBwSiAgICAgICAgICMgZXN0aW1hdGU6IExvaWhpIDEgd2l0aGluLXRpbGUg
.data c3Bpa2UgKERhdmllcyBUMikgW1RdCiAgICAgIGxhdGVuY3lfbG9jYWw6IDIuMSBucyAgICAgICAg
.data IyBlc3RpbWF0ZTogTG9paGkgMSB3aXRoaW4tdGlsZSBzcGlrZSAoRGF2aWVzIFQyKSBbVF0KICAg
.data ICAgbGlua193aWR0aDogMzIgYml0ICAgICAgICAgICAjIGVzdGltYXRlOiBncmFkZWQgc3Bpa2Vz
.data IGNhcnJ5IHVwIHRvIDMyLWJpdCBwYXlsb2FkcyAoYXNzdW1wdGlvbikKICAgICAgYnVmZmVyOiAx
.data NiAgICAgICAgICAgICAgICAgICAjIGVzdGltYXRlOiBhcyBTQU5BLUZFJ3MgTG9paGkKICAgICAg
.data c291cmNlOiAiTG9paGkgMSBob3AgY29zdHMgKERhdmllcyAyMDE4LCBTQU5BLUZFKSBhcyBlc3Rp
.data bWF0ZXMgW2RhdmllczIwMThdIFtzYW5hZmVdIFtheG9uLWVzdGltYXRlXSIKICAgICAgZXN0aW1h
.data dGU6IHRydWUKICBzdGF0aWNfcG93ZXI6CiAgICBjaGlwOiAxMDQgbVcgICAgICAgICAgICAgICAg
.data ICAgIyBlc3RpbWF0ZTogTG9paGkgMSdzIDEwNCBtVyAoRnJhZHkgMjAyMCk7IExvaWhpIDIgdG90
.data YWwgfjEgVyBbVi1kb2NdCiAgICBjb3JlOiAwIFcgICAgICAgICAgICAgICAgICAgICAgIyBpbmNs
.data dWRlZCBpbiB0aGUgY2hpcCBmaWd1cmUKICAgIHNvdXJjZTogImVzdGltYXRlOiBMb2loaSAxIHN0
.data YXRpYyBwb3dlciAoRnJhZHkgMjAyMCkgW2ZyYWR5MjAyMF0gW2F4b24tZXN0aW1hdGVdIgogICAg
.data ZXN0aW1hdGU6IHRydWUKICBzeW5jOgogICAgbW9kZWw6IGZpeGVkCiAgICBsYXRlbmN5OiAyMDAg
.data bnMgICAgICAgICAgICAgICAgIyBMb2loaSAyIGJyaWVmOiBjaGlwLXdpZGUgdGltZSBzdGVwIDwg
.data MjAwIG5zIFtUXTsgdGFrZW4gYXMgdGhlIGJhcnJpZXIKICAgIGVuZXJneTogMCBKICAgICAgICAg
.data ICAgICAgICAgICAjIG5vdCBwdWJsaXNoZWQKICAgIHNvdXJjZTogIkxvaWhpIDIgdGVjaG5vbG9n
.data eSBicmllZjogdGltZSBzdGVwIHVuZGVyIDIwMCBucyBbbG9paGkyLWJyaWVmXSIKICBjb3JlOgog
.data ICAgbWF4X25ldXJvbnM6IDgxOTIgICAgICAgICAgICAgICMgTG9paGkgMiBicmllZjogdXAgdG8g
.data ODE5MiBuZXVyb25zIHBlciBjb3JlIFtUXQogICAgbmV1cm9uX3N0YXRlX2J5dGVzOiA0ICAgICAg
.data ICAgICMgb25lIGludDMyIGFjY3VtdWxhdG9yIHBlciBuZXVyb24gKGF4b24ncyBtb2RlbCkKICAg
.data IHNyYW06CiAgICAgIGNhcGFjaXR5OiAxOTIgS2lCICAgICAgICAgICAgIyBMb2loaSAyIGJyaWVm
.data OiAxOTIgS0IgcGVyIGNvcmUgW1RdIChyZWFkIGFzIEtpQikKICAgICAgd2lkdGg6IDY0IGJpdCAg
.data ICAgICAgICAgICAgICAjIGVzdGltYXRlCiAgICAgIGVuZXJneV9yZWFkOiAyMCBwSiAgICAgICAg
.data ICAgIyBlc3RpbWF0ZTogSG9yb3dpdHogNDUgbm0gMzIgS0IgNjQtYml0IHJlYWQgW1RdCiAgICAg
.data IGVuZXJneV93cml0ZTogMjAgcEogICAgICAgICAgIyBlc3RpbWF0ZTogZXF1YWwgdG8gYSByZWFk
.data CiAgICAgIGxhdGVuY3k6IDEgbnMgICAgICAgICAgICAgICAgIyBlc3RpbWF0ZQogICAgICBzb3Vy
.data Y2U6ICJjYXBhY2l0eSBMb2loaSAyIGJyaWVmIFtsb2loaTItYnJpZWZdOyBhY2Nlc3MgY29zdHMg
.data SG9yb3dpdHogNDUgbm0gW2hvcm93aXR6MjAxNF0gKGVzdGltYXRlcyBbYXhvbi1lc3RpbWF0ZV0p
.data IgogICAgICBlc3RpbWF0ZTogdHJ1ZSAgICAgICAgICAgICAgICMgdGhlIGFjY2VzcyBlbmVyZ2ll
.data cyBhcmUgZXN0aW1hdGVzCiAgICBheG9uX2luOgogICAgICBlbmVyZ3lfbWVzc2FnZV9pbjogMCBw
.data SiAgICAgICMgZXN0aW1hdGU6IExvaWhpIDEgZml0CiAgICAgIGxhdGVuY3lfbWVzc2FnZV9pbjog
.data MTYgbnMgICAgIyBlc3RpbWF0ZTogTG9paGkgMSBmaXQgKG5vIExvaWhpIDIgZmlndXJlKQogICAg
.data ICBzb3VyY2U6ICJMb2loaSAxIHNpbGljb24gZml0IChTQU5BLUZFKSBhcyBhbiBlc3RpbWF0ZSBb
.data c2FuYWZlXSBbYXhvbi1lc3RpbWF0ZV0iCiAgICAgIGVzdGltYXRlOiB0cnVlCiAgICBzeW5hcHNl
.data OgogICAgICBlbmVyZ3lfcHJvY2Vzc19zcGlrZTogMzUuNSBwSiAgICMgZXN0aW1hdGU6IExvaWhp
.data IDEgZml0LCBhbiB1cHBlciBib3VuZCBmb3IgSW50ZWwgNAogICAgICBsYXRlbmN5X3Byb2Nlc3Nf
.data c3Bpa2U6IDAuNzYgbnMgICMgTG9paGkgMSBmaXQgMy44IG5zIC8gNSAoTG9paGkgMjogc3luYXB0
.data aWMgb3AgNXgpIFtUXQogICAgICBzb3VyY2U6ICJlbmVyZ3k6IExvaWhpIDEgZml0IFtzYW5hZmVd
.data IChlc3RpbWF0ZSk7IGxhdGVuY3k6IExvaWhpIDEgZml0IC8gNSBbbG9paGkyLWJyaWVmXSIKICAg
.data ICAgZXN0aW1hdGU6IHRydWUKICAgIGRlbmRyaXRlOgogICAgICBlbmVyZ3lfdXBkYXRlOiAwIHBK
.data ICAgICAgICAgICMgZXN0aW1hdGU6IExvaWhpIDEgZml0CiAgICAgIGxhdGVuY3lfdXBkYXRlOiAw
.data IG5zICAgICAgICAgIyBlc3RpbWF0ZTogTG9paGkgMSBmaXQKICAgICAgc291cmNlOiAiTG9paGkg
.data MSBzaWxpY29uIGZpdCAoU0FOQS1GRSkgYXMgYW4gZXN0aW1hdGUgW3NhbmFmZV0gW2F4b24tZXN0
.data aW1hdGVdIgogICAgICBlc3RpbWF0ZTogdHJ1ZQogICAgc29tYToKICAgICAgZW5lcmd5X2FjY2Vz
.data c19uZXVyb246IDUxLjIgcEogICAjIGVzdGltYXRlOiBMb2loaSAxIGZpdAogICAgICBsYXRlbmN5
.data X2FjY2Vzc19uZXVyb246IDMuMCBucyAgICMgTG9paGkgMSBmaXQgNi4wIG5zIC8gMiAobmV1cm9u
.data IHVwZGF0ZSAyeCkgW1RdCiAgICAgIGVuZXJneV91cGRhdGVfbmV1cm9uOiAyMS42IHBKICAgIyBl
.data c3RpbWF0ZTogTG9paGkgMSBmaXQKICAgICAgbGF0ZW5jeV91cGRhdGVfbmV1cm9uOiAxLjg1IG5z
.data ICAjIExvaWhpIDEgZml0IDMuNyBucyAvIDIgKG5ldXJvbiB1cGRhdGUgMngpIFtUXQogICAgICBl
.data bmVyZ3lfc3Bpa2Vfb3V0OiA2OS4zIHBKICAgICAgICMgZXN0aW1hdGU6IExvaWhpIDEgZml0CiAg
.data ICAgIGxhdGVuY3lfc3Bpa2Vfb3V0OiAzLjAgbnMgICAgICAgIyBMb2loaSAxIGZpdCAzMCBucyAv
.data IDEwIChzcGlrZSBnZW5lcmF0aW9uIDEweCkgW1RdCiAgICAgIHNvdXJjZTogImVuZXJnaWVzOiBM
.data b2loaSAxIGZpdCBbc2FuYWZlXSAoZXN0aW1hdGVzKTsgbGF0ZW5jaWVzOiBMb2loaSAxIGZpdCAv
.data IExvaWhpIDIgc3BlZWQtdXBzIFtsb2loaTItYnJpZWZdIgogICAgICBlc3RpbWF0ZTogdHJ1ZQog
.data ICAgYXhvbl9vdXQ6CiAgICAgIGVuZXJneV9tZXNzYWdlX291dDogMTExIHBKICAgIyBlc3RpbWF0
.data ZTogTG9paGkgMSBmaXQKICAgICAgbGF0ZW5jeV9tZXNzYWdlX291dDogNS4xIG5zICAjIGVzdGlt
.data YXRlOiBMb2loaSAxIGZpdAogICAgICBzb3VyY2U6ICJMb2loaSAxIHNpbGljb24gZml0IChTQU5B
.data LUZFKSBhcyBhbiBlc3RpbWF0ZSBbc2FuYWZlXSBbYXhvbi1lc3RpbWF0ZV0iCiAgICAgIGVzdGlt
.data YXRlOiB0cnVlCiAgICBkZW5zZToKICAgICAgIyBMb2loaSAyJ3MgbWljcm9jb2RlZCBuZXVyb24g
.data cHJvZ3JhbXMgaGFuZGxlIGdyYWRlZCAobXVsdGktYml0KSB2YWx1ZXM7CiAgICAgICMgbm8gcGVy
.data LW9wIGNvc3QgaXMgcHVibGlzaGVkLiBIb3Jvd2l0eiA0NSBubSBGUDMyIGVuZXJnaWVzIGFzIGVz
.data dGltYXRlcy4KICAgICAgbGFuZXM6IDEgICAgICAgICAgICAgICAgICAgICAjIGVzdGltYXRlCiAg
.data ICAgIGRlZmF1bHQ6IHtlbmVyZ3k6IDQuNiBwSiwgbGF0ZW5jeTogMSBuc30gICAjIGVzdGltYXRl
.data OiBGUDMyIE1BQywgSG9yb3dpdHogW0ldCiAgICAgIGFkZDoge2VuZXJneTogMC45IHBKLCBsYXRl
.data bmN5OiAxIG5zfSAgICAgICAjIGVzdGltYXRlOiBGUDMyIGFkZCwgSG9yb3dpdHogW1YtZG9jXQog
.data ICAgICBtdWw6IHtlbmVyZ3k6IDMuNyBwSiwgbGF0ZW5jeTogMSBuc30gICAgICAgIyBlc3RpbWF0
.data ZTogRlAzMiBtdWx0LCBIb3Jvd2l0eiBbVi1kb2NdCiAgICAgIG1hYzoge2VuZXJneTogNC42IHBK
.data LCBsYXRlbmN5OiAxIG5zfSAgICAgICAjIGVzdGltYXRlOiBGUDMyIG11bHQgKyBhZGQgW0ldCiAg
.data ICAgIG1heDoge2VuZXJneTogMC45IHBKLCBsYXRlbmN5OiAxIG5zfSAgICAgICAjIGVzdGltYXRl
.data OiBhcyBhbiBGUDMyIGFkZAogICAgICBleHA6IHtlbmVyZ3k6IDE4LjQgcEosIGxhdGVuY3k6IDQg
.data bnN9ICAgICAgIyBlc3RpbWF0ZTogfjQgRlAzMiBNQUNzCiAgICAgIHJzcXJ0OiB7ZW5lcmd5OiAx
.data OC40IHBKLCBsYXRlbmN5OiA0IG5zfSAgICAjIGVzdGltYXRlOiB+NCBGUDMyIE1BQ3MKICAgICAg
.data ZGl2OiB7ZW5lcmd5OiAxOC40IHBKLCBsYXRlbmN5OiA0IG5zfSAgICAgICMgZXN0aW1hdGU6IH40
.data IEZQMzIgTUFDcwogICAgICBzaWx1OiB7ZW5lcmd5OiAyMy4wIHBKLCBsYXRlbmN5OiA1IG5zfSAg
.data ICAgIyBlc3RpbWF0ZTogZXhwICsgZGl2aWRlICsgbXVsdGlwbHkKICAgICAgcXVhbnRpemU6IHtl
.data bmVyZ3k6IDQuNiBwSiwgbGF0ZW5jeTogMSBuc30gICMgZXN0aW1hdGU6IHNjYWxlLCByb3VuZCwg
.data Y2xhbXAKICAgICAgc291cmNlOiAiSG9yb3dpdHogNDUgbm0gRlAzMiBbaG9yb3dpdHoyMDE0XTsg
.data ZXN0aW1hdGVzIFtheG9uLWVzdGltYXRlXSIKICAgICAgZXN0aW1hdGU6IHRydWUK
.file "model/config.json" size=496
.data ewogICJhcmNoaXRlY3R1cmVzIjogWyJHTEFzd2FGb3JDYXVzYWxMTSJdLAogICJtb2RlbF90eXBl
.data IjogImdsYV9zd2EiLAogICJoaWRkZW5fc2l6ZSI6IDI1NiwKICAibnVtX2hpZGRlbl9sYXllcnMi
.data OiAyLAogICJudW1fYXR0ZW50aW9uX2hlYWRzIjogMiwKICAibnVtX2tleV92YWx1ZV9oZWFkcyI6
.data IDEsCiAgImludGVybWVkaWF0ZV9zaXplIjogNTEyLAogICJ2b2NhYl9zaXplIjogMjU2LAogICJo
.data aWRkZW5fYWN0IjogInN3aXNoIiwKICAibWF4X3Bvc2l0aW9uX2VtYmVkZGluZ3MiOiA0MDk2LAog
.data ICJyb3BlX3RoZXRhIjogMTAwMDAuMCwKICAic2xpZGluZ193aW5kb3ciOiA2NCwKICAiYXR0bl9s
.data YXllcnMiOiBbMV0sCiAgIm5vcm1fZXBzIjogMWUtMDYsCiAgInRpZV93b3JkX2VtYmVkZGluZ3Mi
.data OiBmYWxzZSwKICAidG9yY2hfZHR5cGUiOiAiYmZsb2F0MTYiLAogICJnYXRlX2xvd19yYW5rX2Rp
.data bSI6IDE2LAogICJnYXRlX2xvZ2l0X25vcm1hbGl6ZXIiOiAxNgp9Cg==
