"""Times training updates of the joint embedding model in PyTorch (CPU) on the
batches that `larder train --benchmark FILE` wrote, for comparison with the
Swift trainer on the same machine.

Each update matches the Swift trainer's. It runs the recipe encoder and, for
paired batches, the image projection (linear + tanh) on the batch's features.
The loss is the bidirectional triplet loss over in-batch negatives plus the
self-supervised recipe loss over the six component pairs. Backward, global-norm
clipping and Adam follow. Dropout is off, as in the Swift trainer.

Usage: python pytorch_train_steps.py BATCHES.json [--threads N] [--warmup 2]
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools"))
from recipe_reference import COMPONENTS, RecipeModel, pad_batch  # noqa: E402


def triplet_loss(anchors, positives, margin):
    """Bidirectional hinge loss on cosine similarity, averaged over the n(n-1) negatives."""
    similarity = F.normalize(anchors, dim=-1) @ F.normalize(positives, dim=-1).t()
    positive = similarity.diag()
    off_diagonal = ~torch.eye(similarity.shape[0], dtype=torch.bool)
    anchor_costs = (margin - positive.unsqueeze(1) + similarity).clamp(min=0)[off_diagonal]
    positive_costs = (margin - positive.unsqueeze(0) + similarity).clamp(min=0)[off_diagonal]
    count = similarity.shape[0] * (similarity.shape[0] - 1)
    return (anchor_costs.sum() + positive_costs.sum()) / max(count, 1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("batches")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    with open(args.batches) as handle:
        spec = json.load(handle)
    config = spec["configuration"]
    model = RecipeModel(spec["vocabularySize"], dim=config["hiddenSize"], heads=config["headCount"],
                        layers=config["layerCount"], feed_forward=config["feedForwardSize"],
                        output=config["outputSize"])
    for module in model.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = 0.0
    image_fc = torch.nn.Linear(spec["imageFeatureSize"], config["outputSize"])
    parameters = list(model.parameters()) + list(image_fc.parameters())
    optimizer = torch.optim.Adam(parameters, lr=config["learningRate"])
    margin, weight, clip = config["margin"], config["recipeLossWeight"], config["gradientClipNorm"]
    model.train()

    batches = []
    for batch in spec["batches"]:
        tensors = pad_batch(batch["recipes"])
        features = torch.tensor(batch["imageFeatures"]) if batch.get("imageFeatures") else None
        batches.append((tensors, features, len(batch["recipes"])))

    recipes = 0
    started = time.perf_counter()
    for index, ((title, ingredients, instructions), features, count) in enumerate(batches):
        if index == args.warmup:
            started = time.perf_counter()
        optimizer.zero_grad()
        parts = model.components(title, ingredients, instructions)
        embedding = torch.tanh(model.merger_recipe(torch.cat([parts[c] for c in COMPONENTS], dim=1)))
        loss = torch.zeros(())
        if features is not None:
            loss = loss + triplet_loss(torch.tanh(image_fc(features)), embedding, margin)
        if weight > 0:
            terms = [triplet_loss(parts[target], model.projector_recipes[source][target](parts[source]), margin)
                     for target in COMPONENTS for source in COMPONENTS if source != target]
            loss = loss + weight * torch.stack(terms).mean()
        loss.backward()
        if clip > 0:
            torch.nn.utils.clip_grad_norm_(parameters, clip)
        optimizer.step()
        if index >= args.warmup:
            recipes += count
    seconds = time.perf_counter() - started
    print(json.dumps({"steps": len(batches) - args.warmup, "recipes": recipes, "seconds": seconds,
                      "recipesPerSecond": recipes / seconds, "threads": args.threads,
                      "torch": torch.__version__}, sort_keys=True))


if __name__ == "__main__":
    main()
