"""The oracle against the training module: bits per byte of the fp32 model on held-out text.

    training_test.py SCRIPTS_DIR MODEL_DIR TEXT [MAX_BYTES]

scripts/torch_ref.py (the oracle, written from docs/semantics.md, token by token) and
scripts/spikingbrain_torch.py (the module the model was trained with: chunked GLA over the whole
sequence, its own RoPE, norms and attention) share no code. Both evaluate the first MAX_BYTES
bytes of TEXT (all of it when absent) the training script's way: windows of 257 bytes
overlapping by one, each from an empty state, every byte but the first predicted once
(spikingbrain_torch.bits_per_byte; torch_ref.evaluate with segment 256). Their bits per byte
must agree within 1e-4: the oracle's fp32 is then the model that was trained, not only the one
docs/semantics.md describes, which the C reference follows too. Measured on the whole of
tests/data/heldout.txt (3656 bytes): 2.1839841 and 2.1839842, 5e-8 apart.

Exits 0 when they agree, 1 when not, 77 (skipped) when torch or numpy cannot be imported.
"""

import os
import sys

TOLERANCE = 1e-4
SEGMENT = 256          # spikingbrain_torch.bits_per_byte's default seq_len


def main(argv):
    if len(argv) not in (4, 5):
        print(__doc__)
        return 2
    scripts, model_dir, text = argv[1:4]
    max_bytes = int(argv[4]) if len(argv) == 5 else None
    try:
        import numpy  # noqa: F401
        import torch  # noqa: F401
    except ImportError as e:
        print("skipped: %s cannot import torch and numpy (%s)" % (sys.executable, e))
        return 77
    sys.path.insert(0, scripts)
    import spikingbrain_torch
    import torch_ref

    with open(text, "rb") as f:
        data = f.read()
    if max_bytes:
        data = data[:max_bytes]

    trained = spikingbrain_torch.load_model(model_dir, spike="none")
    bpb_training = spikingbrain_torch.bits_per_byte(trained, data, seq_len=SEGMENT)

    oracle = torch_ref.Oracle(model_dir, "fp32")
    ids = torch_ref.prompt_ids(oracle.cfg, text, max_bytes)
    res = torch_ref.evaluate(oracle, ids, SEGMENT)
    bpb_oracle = res["bits_per_byte"]

    diff = abs(bpb_oracle - bpb_training)
    print("%s, %d bytes (%d predicted), windows of %d: bits per byte %.7f (oracle), %.7f "
          "(training module), difference %.2e (tolerance %g)" %
          (os.path.basename(text), len(data), res["n_predicted"], SEGMENT + 1, bpb_oracle,
           bpb_training, diff, TOLERANCE))
    if res["n_predicted"] != len(data) - 1:
        print("FAIL: the oracle predicted %d bytes, not %d" % (res["n_predicted"], len(data) - 1))
        return 1
    if not diff <= TOLERANCE:
        print("FAIL: the oracle and the training module disagree on bits per byte")
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
