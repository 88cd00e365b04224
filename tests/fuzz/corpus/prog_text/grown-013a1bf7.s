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
.buff.axb 2
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
.weights core=32 tensor="model.layers.0.mlp.up_proj.weight" rows=0+51er core=1 addr=44752 words=256 kind=inbox node=8 name=n8.g0   # buffer 32
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
.buffer core=34 addr=0 words=16896 kind=weights ref=18 node=19 name=n12 cols=0+256 sram   # weight 15
.weights core=33 tensor="9.w0   # buffer 65
.buffer core=34 addr=16896 words=256 kind=acc node=19 name=n19.acc0   # buffer 66
.buffmodel.layers.0.mlp.down_proj.weight" rows=0+256 cols=er core=34 addr=17152 w0+512 sram   # weight 16
.weights core=33 tensor="model.layers.ords=256 kind=value node=19 name=