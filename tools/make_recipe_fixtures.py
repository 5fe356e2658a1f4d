"""Writes the recipe encoder parity fixtures: a small Larder model file with
seeded random weights (recipe-encoder.safetensors) and token-id inputs with
PyTorch's outputs (recipe-encoder-cases.json), covering ragged, padded and
empty components. Run through tools/make-fixtures.sh."""
import argparse
import json
import os
import random

import torch
from safetensors.torch import save_file

from recipe_reference import COMPONENTS, RecipeModel, larder_metadata, pad_batch

SIZES = dict(dim=16, heads=2, layers=2, feed_forward=24, output=12, positions=50)
VOCAB = ["<pad>", "<start>", "<end>"] + [f"w{i}" for i in range(36)] + ["<unk>"]


def sentence(rng, length):
    words = [rng.randrange(3, len(VOCAB)) for _ in range(length - 2)]
    return ([1] + words + [2])[:15]


def cases(rng):
    recipes = [
        # Typical ragged recipe.
        dict(title=sentence(rng, 5), ingredients=[sentence(rng, rng.randrange(3, 12)) for _ in range(4)],
             instructions=[sentence(rng, rng.randrange(3, 18)) for _ in range(3)]),
        # Paper limits: 20 ingredients and instructions of 15 ids, cut sentences without <end>.
        dict(title=sentence(rng, 15), ingredients=[sentence(rng, 20) for _ in range(20)],
             instructions=[sentence(rng, 15) for _ in range(20)]),
        # Empty ingredient list.
        dict(title=sentence(rng, 3), ingredients=[], instructions=[sentence(rng, 6), sentence(rng, 2)]),
        # Empty instruction list and a single short ingredient.
        dict(title=[1, 2], ingredients=[sentence(rng, 2)], instructions=[]),
        # Both lists empty.
        dict(title=sentence(rng, 4), ingredients=[], instructions=[]),
    ]
    return recipes


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--dtypes-out", help="also write a safetensors file with one tensor per dtype here")
    args = parser.parse_args()
    torch.manual_seed(5)
    rng = random.Random(5)
    model = RecipeModel(len(VOCAB), **SIZES).eval()
    with torch.no_grad():
        # Give every layer norm a non-trivial affine transform so the test can catch swapped parameters.
        for name, p in model.named_parameters():
            if "norm" in name:
                p.copy_(torch.randn_like(p) * 0.3 + (1.0 if name.endswith("weight") else 0.0))

    recipes = cases(rng)
    with torch.no_grad():
        title, ingredients, instructions = pad_batch(recipes)
        parts = model.components(title, ingredients, instructions)
        output = model(title, ingredients, instructions)
        single = torch.cat([model(*pad_batch([r])) for r in recipes])
    assert torch.allclose(output, single, atol=1e-5), "batched and single outputs differ"
    assert torch.isfinite(output).all()

    config = {"format": 1,
              "recipe": {"vocabularySize": len(VOCAB), "hiddenSize": SIZES["dim"], "headCount": SIZES["heads"],
                         "layerCount": SIZES["layers"], "feedForwardSize": SIZES["feed_forward"],
                         "outputSize": SIZES["output"], "positionCount": SIZES["positions"]},
              "text": {"maxSentenceTokens": 15, "maxIngredients": 20, "maxInstructions": 20}}
    os.makedirs(args.out, exist_ok=True)
    tensors = {k: v.contiguous() for k, v in model.state_dict().items()}
    save_file(tensors, os.path.join(args.out, "recipe-encoder.safetensors"), metadata=larder_metadata(config, VOCAB))
    with open(os.path.join(args.out, "recipe-encoder-cases.json"), "w") as f:
        json.dump({"recipes": recipes,
                   "output": output.tolist(),
                   "components": {c: parts[c].tolist() for c in COMPONENTS}}, f)
    print(f"wrote {len(tensors)} tensors and {len(recipes)} cases to {args.out}")
    if args.dtypes_out:
        write_dtype_fixture(args.dtypes_out)


def write_dtype_fixture(path):
    """One small tensor per element type, all holding the same values, for the safetensors reader test."""
    values = torch.tensor([[0.0, 1.0, -2.0], [0.5, 65504.0, -0.125]])
    tensors = {"f32": values.float(), "f16": values.half(), "bf16": values.bfloat16(), "f64": values.double(),
               "i64": values.round().long(), "i32": values.round().int(), "u8": values.abs().clamp(max=255).byte(),
               "scalar": torch.tensor(3.0), "empty": torch.zeros(0, 4)}
    os.makedirs(os.path.dirname(path), exist_ok=True)
    save_file(tensors, path, metadata={"note": "dtype fixture"})


if __name__ == "__main__":
    main()
