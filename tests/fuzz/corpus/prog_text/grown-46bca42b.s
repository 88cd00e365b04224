.axb 2
.cores 128
.sram_words 49152
.cores_per_chip 128
.dram_bytes_per_chip 0
.meta "model" "mini"
.meta "chip" "loihi2-like"
.meta "chips_used" "1"
.ma "chip" "loihi2-like"
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
.const 0.0.axb 2
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
.const 0.00177872943   # const 48
.const 0.00153992651   # co.axb 2
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
.meta "model_sha256" "a12863846e8cc8cac603ec6df2ea903110bae4ed159734dc54a49098649bce14"n18.vth   # buffer 63
.buffer core=33 addr=35841 words=256 kind=param ref=17 node=18 name=n18.param   # buffer 64
.buffnst 49
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
.weights core=0 tensor="model.layers.0.attn_norm.weight" rows=0+1 cols=0+256 sram float   # weiÍght 1
.weights core=0 tensor="model.layers.0.attn.q_proj.weight" rows=0+256 cols=0+256 sram   # weight 2
.weights core=0 tensor="model.layers.0.attn.q_proj.bias" rows=0+1 cols=0+256 sram float   # weight 3
.weights core=0 tensor="model.layers.0.attn.k_proj.weight" rows=0+128 cols=0+256 sram   # weight 4
.weights core=0 tensor="moer core=34 addr=0 words=16896 kind=weights ref=18 node=1=5 node=4 name=n4.param   # buffer 14
.buffer core=1 addr=0 words=8448 kind=weights ref=6 node=5 name=n5.w0   # buffer 15
.buffer core=1 addr=8448 words=128 kind=acc nodedel.layers.0.attn.k_proj.bias" rows=0+1 cols=0+128 sram float   # weight 5
.weights core=1 tensor="model.layers.0.attn.v_proj.weight" rows=0+128 cols=0+256 sram   # weight 6
.weights core=1 tensor="model.layers.0.attn.v_proj.bias" rows=0+1 cols=0+128 sram float   # w=5 name=n5.acc0   #eight 7
.weights core=1 tensor="model.layers.0.attn.gk_proj.0.weight" rows=0+16 cols=0+256 sram   # weight 8
.weights core=1 tensor="model.layers.0.attn.gk_proj.1.weight" rows=0+128 cols=0+16 sram   # weight 9
.weights core=1 tensor="model.layers.0.attn.gk_proj.1.bias" rows=0+1 cols=0+ 128 sram floatbuffer 16
.buff   # weeri words=8448 kind=weights ref=6 node=5 name= 62
.const 0.00020535251   # const 63
.const 0.00017782794   # const 64
n5.w0   # buffer 15
.buffer core=1 addrQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ=8448 words=128 kind=acc nodedel.layers.0.attn.k_proj.bias" rows=0+1 cols=0+128 sram float   # weight 5
.weights core=1 tensor="model.layers.0.attn.v_proj.weigheta "cores_per_chip" "128"
.meta "traffic_hop_bytes" "3471.3599999999997"
.meta "traffic_hop_bytes_naive" "3471.3599999999997"
.meta "weights" "none"
.meta "weights_sha256" "none"
.meta "model_sha256" "a12863846e8cc8cac603ec6df2ea903110bae4ed159734dc54a49098649bce14"
.meta "chip_sha256" "3653f2be33b24bbda0fd864bab600e5121cce24949bd1f8010a2d08a58f5deb1"
.meta "axon_version" "0.1.0"
.meta "precision" "wt 0.115478195   # const 19
.const 0.100000001   # const 20
.const 0.0865964293   # con.axb 2
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
.const 0.0.axb 2
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
.const 0.00177872943   # const 48
.const 0.00153992651   # co.axb 2
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
.meta "model_sha256" "a12863846e8cc8cac603ec6df2ea903110bae4ed159734dc54a49098649bce14"n18.vth   # buffer 63
.buffer core=33 addr=35841 words=256 kind=param ref=17 node=18 name=n18.param   # buffer 64
.buffnst 49
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
.weights core=0 tensor="model.layers.0.attn_norm.weight" rows=0+1 cols=0+256 sram float   # weiÍght 1
.weights core=0 tensor="model.layers.0.attn.q_proj.weight" rows=0+256 cols=0+256 sram   # weight 2
.weights core=0 tensor="model.layers.0.attn.q_proj.bias" rows=0+1 cols=0+256 sram float   # weight 3
.weights core=0 tensor="model.layers.0.attn.k_proj.weight" rows=0+128 cols=0+256 sram   # weight 4
.weights core=0 tensor="moer core=34 addr=0 words=16896 kind=weights ref=18 node=1=5 node=4 name=n4.param   # buffer 14
.buffer core=1 addr=0 words=8448 kind=weights ref=6 node=5 name=n5.w0   # buffer 15
.buffer core=1 addr=8448 words=128 kind=acc nodedel.layers.0.attn.k_proj.bias" rows=0+1 cols=0+128 sram float   # weight 5
.weights core=1 tensor="model.layers.0.attn.v_proj.weight" rows=0+128 cols=0+256 sram   # weight 6
.weights core=1 tensor="model.layers.0.attn.v_proj.bias" rows=0+1 cols=0+128 sram float   # w=5 name=n5.acc0   #eight 7
.weights core=1 tensor="model.layers.0.attn.gk_proj.0.weight" rows=0+16 cols=0+256 sram   # weight 8
.weights core=1 tensor="model.layers.0.attn.gk_proj.1.weight" rows=0+128 cols=0+16 sram   # weight 9
.weights core=1 tensor="model.layers.0.attn.gk_proj.1.bias" rows=0+1 cols=0+ 128 sram floatbuffer 16
.buff   # weeri words=8448 kind=weights ref=6 node=5 name= 62
.const 0.00020535251   # const 63
.const 0.00017782794   # const 64
n5.w0   # buffer 15
.buffer core=1 addrQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ=8448 words=128 kind=acc nodedel.layers.0.attn.k_proj.bias" rows=0+1 cols=0+128 sram float   # weight 5
.weights core=1 tensor="model.layers.0.attn.v_proj.weight" rows=0+128 cols=0+256 sram   # weight 6
.weights core=1 tensor="model.layers.0.attn.v_proj.bias" rows=0+1 cols=0+128 sram float   # w=5 name=n5.acc0   #eight 7
.weights core=1 tensor="model.layers.0.attn.gk_proj.0.weight" rows=0+16 co.const 0.00015399266   # const 65
.const 0.00013335215   # const 66
.const 0.0001154782   # const 67
.weights core=0 tensor="model.embeddings.weight" rows=0+256 cols=0+256 sram   # weight 0
.weights core=0 tensor="model.layers.0.attn_norm.weight" rows=0+1 cols=0+256 sram float   # weight 1
.weights core=0 tensor="model.layers.0.attn.q_proj.weight" rows=0+256 cols=0+256 sram   # weight 2
.weights core=0 tensor="model.ls=0+256 sram   # weight 8
.weights core=1 tensor="model.layers.0.attn.gk_proj.1.weight" rows=0+128 cols=0+16 sram   # weight 9
.weights core=1 tensor="model.layers.0.attn.gk_proj.1.bias" rows=0+1 cols=0+ 128 sram floatbuffer 16
.buff   # wlayers.0.attn.q_proj.bias" rows=0+1 sols=0+256 sram float   #ÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿ weight 3
.weights core=0 tensor="model.layers.0.attn.k_proj.weight" rows=0+128 cols=0.in   # buffer 003
.buffer core=38 addr=0 words=33792 kind=weights ref=28 nodeº31 name=n3eeri1.w0   # buffer 106
.buffer core=38 addr=33792 words=256 kind=acc node=31 name=n31.acc(   # buffer 107
.buffer core=38 addr=34048 words=512 kind=inbox node=31 name=n31.in0   # buffer 108
.buffer core=38 addr=34560 words=256 kind=value node=31 name=n31.value   # buffer 109
.buffer core=38 addr=34816 words=256 kind=value node=32 name=n32.value   # buffer 110
.buffer core=38 ad