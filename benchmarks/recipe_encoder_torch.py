"""PyTorch CPU side of the recipe encoder benchmark (benchmarks/recipe-encoder.sh).

`make-model` writes a paper-size Larder model file with seeded random weights
and the given vocabulary. `run` loads such a file into the PyTorch reference
(tools/recipe_reference.py), tokenizes the recipes with NLTK, and times the
encoder alone (tokenization excluded, as in `larder encode --timing`).
"""
import argparse
import json
import os
import resource
import sys
import time

import torch
from safetensors.torch import load_file, save_file

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
from make_tokenizer_fixtures import english_punkt  # noqa: E402
from nltk.tokenize.destructive import NLTKWordTokenizer  # noqa: E402
from recipe_reference import RecipeModel, larder_metadata, pad_batch  # noqa: E402

PAPER = dict(dim=512, heads=4, layers=2, feed_forward=2048, output=1024, positions=50)


def make_model(vocab_path, out):
    vocab = open(vocab_path).read().splitlines()
    torch.manual_seed(0)
    model = RecipeModel(len(vocab), **PAPER)
    config = {"format": 1,
              "recipe": {"vocabularySize": len(vocab), "hiddenSize": 512, "headCount": 4, "layerCount": 2,
                         "feedForwardSize": 2048, "outputSize": 1024, "positionCount": 50},
              "text": {"maxSentenceTokens": 15, "maxIngredients": 20, "maxInstructions": 20}}
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, out, metadata=larder_metadata(config, vocab))


def run(model_path, recipes_path, batch_size):
    from safetensors import safe_open
    with safe_open(model_path, "pt") as f:
        metadata = f.metadata()
    vocab = metadata["larder.vocabulary"].splitlines()
    ids = {w: i for i, w in enumerate(vocab)}
    load_start = time.perf_counter()
    model = RecipeModel(len(vocab), **PAPER).eval()
    model.load_state_dict(load_file(model_path))
    load_time = time.perf_counter() - load_start

    sentences, words = english_punkt(), NLTKWordTokenizer()

    def encode_line(text):
        tokens = [t for s in sentences.tokenize(text.lower()) for t in words.tokenize(s)]
        return ([1] + [ids.get(t, ids["<unk>"]) for t in tokens] + [2])[:15]

    recipes = [json.loads(line) for line in open(recipes_path) if line.strip()]
    tokenized = [{"title": encode_line(r["title"]),
                  "ingredients": [encode_line(t) for t in r["ingredients"][:20]],
                  "instructions": [encode_line(t) for t in r["instructions"][:20]]} for r in recipes]
    latencies = []
    with torch.no_grad():
        model(*pad_batch(tokenized[:batch_size]))  # warm-up
        for start in range(0, len(tokenized), batch_size):
            batch = pad_batch(tokenized[start:start + batch_size])
            begin = time.perf_counter()
            model(*batch)
            latencies.append((time.perf_counter() - begin) * 1000)
    latencies.sort()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"timing: {len(recipes)} recipes in {len(latencies)} batches of up to {batch_size}: "
          f"median batch {latencies[len(latencies) // 2]:.2f} ms, "
          f"p90 {latencies[min(len(latencies) - 1, int(len(latencies) * 0.9))]:.2f} ms, "
          f"{len(recipes) / (sum(latencies) / 1000):.1f} recipes/s, peak RSS {peak:.0f} MiB, "
          f"model load {load_time:.2f} s, torch {torch.__version__}, {torch.get_num_threads()} threads")


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("make-model")
    make.add_argument("--vocab", required=True)
    make.add_argument("--out", required=True)
    bench = sub.add_parser("run")
    bench.add_argument("--model", required=True)
    bench.add_argument("--recipes", required=True)
    bench.add_argument("--batch-size", type=int, required=True)
    args = parser.parse_args()
    if args.command == "make-model":
        make_model(args.vocab, args.out)
    else:
        run(args.model, args.recipes, args.batch_size)


if __name__ == "__main__":
    main()
