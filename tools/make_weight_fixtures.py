"""Write small PyTorch checkpoints for LarderWeightsTests.

Run with a Python that has PyTorch (for example `/work/pyenv/bin/python
tools/make_weight_fixtures.py`). Each checkpoint is saved in both layouts of
`torch.save`: the zip layout and the legacy pickle layout
(`_use_new_zipfile_serialization=False`). A JSON file beside them lists every
tensor's shape and values, which the Swift tests compare against.
"""
import collections
import json
import pathlib

import torch

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "LarderWeightsTests" / "Fixtures"


def build_state():
    generator = torch.Generator().manual_seed(5)
    matrix = torch.randn(3, 4, generator=generator)
    state = collections.OrderedDict()
    state["module.linear.weight"] = matrix
    state["module.linear.bias"] = torch.randn(3, generator=generator)
    # A non-contiguous view: the transpose shares the storage of `matrix`.
    state["module.transposed"] = matrix.t()
    state["module.half"] = torch.randn(2, 3, generator=generator).half()
    state["module.bn.num_batches_tracked"] = torch.tensor(7, dtype=torch.int64)
    state["module.scalar"] = torch.tensor(2.5)
    state["module.empty"] = torch.zeros(0, 3)
    # A slice with a storage offset.
    state["module.row"] = matrix[1]
    return state


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    state = build_state()
    nested = {"epoch": 3, "state_dict": state, "name": "fixture"}
    torch.save(nested, OUT / "nested-zip.pt")
    torch.save(nested, OUT / "nested-legacy.pt", _use_new_zipfile_serialization=False)
    expected = {name: {"shape": list(t.shape), "values": t.float().flatten().tolist()} for name, t in state.items()}
    (OUT / "nested-expected.json").write_text(json.dumps(expected, indent=1) + "\n")


if __name__ == "__main__":
    main()
