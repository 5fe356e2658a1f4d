"""PyTorch CPU side of benchmarks/image_encoder.sh: times the forward pass of
the same EfficientNet-Lite backbone and weights as `larder bench-image` and
prints one JSON line in the same format."""
import argparse
import json
import pathlib
import resource
import sys
import time

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tools"))
from efficientnet_lite import VARIANTS, EfficientNetLite  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--backbone", default="efficientnet-lite2")
    parser.add_argument("--weights", required=True, help="the .pth file larder loads for the same backbone")
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--iterations", type=int, default=10)
    args = parser.parse_args()

    width, depth, crop, _ = VARIANTS[args.backbone.replace("efficientnet-", "")]
    model = EfficientNetLite(width, depth)
    model.load_state_dict(torch.load(args.weights, map_location="cpu"))
    model.eval()
    inputs = torch.empty(args.batch, 3, crop, crop).uniform_(-2, 2)
    times = []
    with torch.inference_mode():
        model.features(inputs)
        for _ in range(args.iterations):
            start = time.perf_counter()
            model.features(inputs)
            times.append(time.perf_counter() - start)
    times.sort()
    median = times[len(times) // 2]
    print(json.dumps({
        "implementation": f"pytorch {torch.__version__} ({torch.get_num_threads()} threads)",
        "backbone": args.backbone, "batch": args.batch, "iterations": args.iterations,
        "median_ms": round(median * 1000, 2), "images_per_second": round(args.batch / median, 1),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }, sort_keys=True))


if __name__ == "__main__":
    main()
