# A hand-written program (version 2): one spiking projection whose block
# lives on core 1, its partial sums sent back to core 0, then a norm, a
# rotary embedding and a GLA state update on core 2. Not a real model; every
# section is used, and operands are written by buffer name. The chip is
# tests/golden/chips/one-chip.yaml, embedded as `axon disasm` prints a file.
.axb 2
.cores 4
.sram_words 16384
.cores_per_chip 4
.dram_bytes_per_chip 0
.meta "model" "hand-written"
.meta "chip" "golden-one-chip"
.const 3                        # const 0: k of thresh
.const 1e-06                    # const 1: eps of rmsnorm
.const 1                        # consts 2..5: RoPE inverse frequencies
.const 0.1
.const 0.01
.const 0.001
.const bits=0x7fc00000          # const 6: a NaN keeps its bits
.weights core=1 tensor="layers.0.q.weight" rows=0+64 cols=0+128 sram          # weight 0
.weights core=2 tensor="layers.0.norm.weight" rows=0+1 cols=0+64 sram float   # weight 1
.buffer core=0 addr=0 words=128 kind=value node=1 name=x
.buffer core=0 addr=128 words=1 kind=scalar node=1 name=vth
.buffer core=0 addr=132 words=128 kind=counts node=1 name=cnt
.buffer core=0 addr=260 words=64 kind=value node=3 name=out
.buffer core=1 addr=0 words=2112 kind=weights ref=0 node=3 name=q.w0
.buffer core=1 addr=2112 words=64 kind=acc node=3 name=q.acc0
.buffer core=2 addr=0 words=64 kind=param ref=1 node=5 name=norm.w
.buffer core=2 addr=64 words=4 kind=const ref=2 node=5 name=rope.t
.buffer core=2 addr=128 words=64 kind=inbox node=5 name=in
.buffer core=2 addr=192 words=64 kind=scratch node=5 name=y
.buffer core=2 addr=256 words=64 kind=value node=7 name=o
.buffer core=2 addr=512 words=2048 kind=state ref=0 node=7 name=gla.s   # buffer 11
.state core=2 node=7 kind=gla rows=0+2 row_bytes=4096 buffer=11
.route src=0 dst=1 spikes                 # route 0: x's spikes to the block
.route src=1 dst=0@260 values             # route 1: partial sums into `out`
.route src=0 dst=2@128 values             # route 2: `out` to core 2's inbox
.barrier cores=0,1                        # barrier 0: spikes complete
.code 0
    setlen 128
    thresh x, vth
    encode x, vth, cnt .flags 1
    emit cnt, 0
    barrier 0
    setlen 64
    psumrecv out, 1
    psumsend out, 2
    halt
.code 1
    barrier 0
    setlen 64
    acczero q.acc0
    synacc 0, q.acc0
    scale q.acc0, q.w0+2048, q.acc0
    psumsend q.acc0, 1
    halt
.code 2
    setlen 64
    psumrecv in, 1
    rmsnorm y, in, norm.w .flags 1
    rope y, y, rope.t
    gladecay gla.s, y
    glaupd gla.s, y, y
    glaread o, y, gla.s
    halt
.opmap core=0 first=0 count=5 node=1
.opmap core=1 first=0 count=6 node=3
.opmap core=2 first=2 count=1 node=5
.opmap core=2 first=4 count=3 node=7
.node 1 name="layers.0.input" op="input" layer=0 site=""
.node 3 name="layers.0.q_proj" op="linear" layer=0 site="layers.0.q_proj"
.node 5 name="layers.0.norm" op="rmsnorm" layer=0 site=""
.node 7 name="layers.0.attn" op="gla" layer=-1 site=""
.file "config.json" size=37
.data eyJoaWRkZW5fc2l6ZSI6IDY0LCAibnVtX2xheWVycyI6IDF9Cg==
.file "chip.yaml" size=1911
.data IyBBIGhhbmQtY29tcHV0YXRpb24gY2hpcDogb25lIGNoaXAgb2YgZm91ciB0aWxlcyBpbiBhIHJv
.data dyAob25lIGNvcmUgZWFjaCksCiMgd2l0aCByb3VuZCwgcGFpcndpc2UgZGlzdGluY3QgY29zdHMg
.data c28gdGhhdCBhIGNvc3QgY2hhcmdlZCB0byB0aGUgd3JvbmcKIyBldmVudCwgb3IgYSB0aW1lIGNv
.data dW50ZWQgdHdpY2UsIGNoYW5nZXMgYSBmaWd1cmUgdGhlIGdvbGRlbiBzeXN0ZW1zIHBpbi4KIyBU
.data aGUgbnVtYmVycyBhcmUgdGVzdCB2YWx1ZXMsIG5vdCBhIHJlYWwgY2hpcCdzLiBBdCAxIEdIeiBv
.data bmUgY3ljbGUgaXMgMSBucy4KdmVyc2lvbjogMQpuYW1lOiBnb2xkZW4tb25lLWNoaXAKZGVzY3Jp
.data cHRpb246IGhhbmQtY29tcHV0YXRpb24gY2hpcCAodGVzdCB2YWx1ZXMpCnNvdXJjZXM6CiAgLSAi
.data dGVzdCB2YWx1ZXMgY2hvc2VuIGZvciBoYW5kIGNvbXB1dGF0aW9uOyBubyBwdWJsaXNoZWQgc291
.data cmNlIgpzeXN0ZW06CiAgY2hpcHM6IDEKY2hpcDoKICBjbG9jazogMSBHSHoKICBtZXNoOiB7d2lk
.data dGg6IDQsIGhlaWdodDogMX0gICAgICAgICMgY29yZXMgMC4uMyBhdCB4ID0gMC4uMwogIHRpbGU6
.data CiAgICBjb3JlczogMQogICAgcm91dGVyOgogICAgICBlbmVyZ3lfZWFzdF9ob3A6IDIwIHBKCiAg
.data ICAgIGxhdGVuY3lfZWFzdF9ob3A6IDE1IG5zCiAgICAgIGVuZXJneV93ZXN0X2hvcDogMjIgcEoK
.data ICAgICAgbGF0ZW5jeV93ZXN0X2hvcDogMTYgbnMKICAgICAgZW5lcmd5X3NvdXRoX2hvcDogMjQg
.data cEoKICAgICAgbGF0ZW5jeV9zb3V0aF9ob3A6IDE3IG5zCiAgICAgIGVuZXJneV9ub3J0aF9ob3A6
.data IDI2IHBKCiAgICAgIGxhdGVuY3lfbm9ydGhfaG9wOiAxOCBucwogICAgICBlbmVyZ3lfbG9jYWw6
.data IDI4IHBKCiAgICAgIGxhdGVuY3lfbG9jYWw6IDE5IG5zCiAgICAgIGxpbmtfd2lkdGg6IDMyIGJp
.data dCAgICAgICAgICAgICAjIGEgcGFja2V0IGNhcnJpZXMgNCBieXRlcwogICAgICBidWZmZXI6IDE2
.data CiAgc3RhdGljX3Bvd2VyOiB7Y2hpcDogMSBtVywgY29yZTogMC4yNSBtV30gICAjIDIgbVcgZm9y
.data IGEgY2hpcCBhbmQgaXRzIDQgY29yZXMKICBzeW5jOiB7bW9kZWw6IGZpeGVkLCBsYXRlbmN5OiA1
.data MCBucywgZW5lcmd5OiAzMCBwSn0KICBjb3JlOgogICAgbWF4X25ldXJvbnM6IDEwMjQKICAgIHNy
.data YW06IHtjYXBhY2l0eTogNjQgS2lCLCB3aWR0aDogMzIgYml0LCBlbmVyZ3lfcmVhZDogMiBwSiwg
.data ZW5lcmd5X3dyaXRlOiAzIHBKLCBsYXRlbmN5OiAxIG5zfQogICAgYXhvbl9pbjoge2VuZXJneV9t
.data ZXNzYWdlX2luOiA1IHBKLCBsYXRlbmN5X21lc3NhZ2VfaW46IDkgbnN9CiAgICBzeW5hcHNlOiB7
.data bGFuZXM6IDEsIGVuZXJneV9wcm9jZXNzX3NwaWtlOiAxIHBKLCBsYXRlbmN5X3Byb2Nlc3Nfc3Bp
.data a2U6IDIgbnN9CiAgICBkZW5kcml0ZToge2VuZXJneV91cGRhdGU6IDYgcEosIGxhdGVuY3lfdXBk
.data YXRlOiAzIG5zfQogICAgc29tYToKICAgICAgZW5lcmd5X2FjY2Vzc19uZXVyb246IDggcEoKICAg
.data ICAgbGF0ZW5jeV9hY2Nlc3NfbmV1cm9uOiA0IG5zCiAgICAgIGVuZXJneV91cGRhdGVfbmV1cm9u
.data OiA5IHBKCiAgICAgIGxhdGVuY3lfdXBkYXRlX25ldXJvbjogNSBucwogICAgICBlbmVyZ3lfc3Bp
.data a2Vfb3V0OiAxMCBwSgogICAgICBsYXRlbmN5X3NwaWtlX291dDogNiBucwogICAgYXhvbl9vdXQ6
.data IHtlbmVyZ3lfbWVzc2FnZV9vdXQ6IDEyIHBKLCBsYXRlbmN5X21lc3NhZ2Vfb3V0OiA3IG5zfQog
.data ICAgZGVuc2U6CiAgICAgIGxhbmVzOiAxCiAgICAgIGRlZmF1bHQ6IHtlbmVyZ3k6IDQwIHBKLCBs
.data YXRlbmN5OiAyMCBuc30KICAgICAgYWRkOiB7ZW5lcmd5OiAxNSBwSiwgbGF0ZW5jeTogMTEgbnN9
.data CiAgICAgIG1hYzoge2VuZXJneTogMTYgcEosIGxhdGVuY3k6IDEyIG5zfQogICAgICBtdWw6IHtl
.data bmVyZ3k6IDE3IHBKLCBsYXRlbmN5OiAxMyBuc30K
