"""PyTorch reference of the hierarchical transformer recipe encoder of
Salvador et al. (CVPR 2021), with the module names of the authors' published
code so that state-dict keys match (text_encoder.word_embedding,
text_encoder.tfs.<component>, text_encoder.merger.<component>,
merger_recipe, projector_recipes.<source>.<target>).

Written for Larder's parity fixtures and benchmarks; an empty ingredient or
instruction list yields a zero component vector, as in Larder's Swift encoder.
"""
import torch
from torch import nn

COMPONENTS = ["title", "ingredients", "instructions"]


class PositionalTable(nn.Module):
    """Learned positional embedding added to a [batch, length, dim] input."""

    def __init__(self, positions, dim):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(positions, dim))
        nn.init.xavier_normal_(self.weight)

    def forward(self, x):
        return x + self.weight[: x.shape[1]].unsqueeze(0)


def masked_mean(valid, x, eps=1e-12):
    """Mean of x [batch, length, dim] over valid (bool [batch, length]) positions."""
    weights = valid.float() / (valid.sum(-1, keepdim=True).float() + eps)
    return (x * weights.unsqueeze(-1)).sum(-2)


class SequenceEncoder(nn.Module):
    def __init__(self, dim, heads, layers, feed_forward, positions):
        super().__init__()
        self.pos_encoder = PositionalTable(positions, dim)
        layer = nn.TransformerEncoderLayer(d_model=dim, nhead=heads, dim_feedforward=feed_forward, dropout=0.1)
        self.tf = nn.TransformerEncoder(layer, num_layers=layers, enable_nested_tensor=False)

    def forward(self, x, ignore):
        x = self.pos_encoder(x).permute(1, 0, 2)
        out = self.tf(x, src_key_padding_mask=ignore).permute(1, 0, 2)
        return masked_mean(torch.logical_not(ignore), out)


class TextEncoder(nn.Module):
    def __init__(self, vocab, dim, heads, layers, feed_forward, positions):
        super().__init__()
        self.word_embedding = nn.Embedding(vocab, dim)
        self.tfs = nn.ModuleDict({c: SequenceEncoder(dim, heads, layers, feed_forward, positions) for c in COMPONENTS})
        self.merger = nn.ModuleDict({c: SequenceEncoder(dim, heads, layers, feed_forward, positions)
                                     for c in COMPONENTS[1:]})

    def forward(self, ids, name):
        if ids.dim() == 2:
            return self.tfs[name](self.word_embedding(ids), ids == 0)
        batch, sentences, length = ids.shape
        if sentences == 0:
            return torch.zeros(batch, self.word_embedding.embedding_dim)
        flat = ids.reshape(batch * sentences, length)
        ignore = flat == 0
        ignore[:, 0] = False  # keeps all-padding sentences finite; they are masked out below
        words = self.tfs[name](self.word_embedding(flat), ignore).view(batch, sentences, -1)
        present = (ids > 0).sum(-1) > 0
        pooled = self.merger[name](words, torch.logical_not(present))
        has_any = present.any(-1, keepdim=True)
        return torch.where(has_any, pooled, torch.zeros_like(pooled))


class RecipeModel(nn.Module):
    def __init__(self, vocab, dim=512, heads=4, layers=2, feed_forward=2048, output=1024, positions=50):
        super().__init__()
        self.text_encoder = TextEncoder(vocab, dim, heads, layers, feed_forward, positions)
        self.merger_recipe = nn.Linear(3 * dim, output)
        self.projector_recipes = nn.ModuleDict({
            a: nn.ModuleDict({b: nn.Linear(dim, dim) for b in COMPONENTS if b != a}) for a in COMPONENTS})

    def components(self, title, ingredients, instructions):
        return {"title": self.text_encoder(title, "title"),
                "ingredients": self.text_encoder(ingredients, "ingredients"),
                "instructions": self.text_encoder(instructions, "instructions")}

    def forward(self, title, ingredients, instructions):
        parts = self.components(title, ingredients, instructions)
        return torch.tanh(self.merger_recipe(torch.cat([parts[c] for c in COMPONENTS], dim=1)))


def pad_batch(recipes):
    """Pads a list of {title, ingredients, instructions} id lists into the three id tensors."""
    def pad2(seqs):
        length = max([len(s) for s in seqs] + [1])
        out = torch.zeros(len(seqs), length, dtype=torch.long)
        for i, s in enumerate(seqs):
            out[i, : len(s)] = torch.tensor(s, dtype=torch.long)
        return out

    def pad3(lists):
        count = max(len(l) for l in lists)
        length = max([len(s) for l in lists for s in l] + [1])
        out = torch.zeros(len(lists), count, length, dtype=torch.long)
        for i, l in enumerate(lists):
            for j, s in enumerate(l):
                out[i, j, : len(s)] = torch.tensor(s, dtype=torch.long)
        return out

    return (pad2([r["title"] for r in recipes]), pad3([r["ingredients"] for r in recipes]),
            pad3([r["instructions"] for r in recipes]))


def larder_metadata(config, vocabulary):
    """Return the __metadata__ entries of a Larder model file."""
    import json
    return {"larder.config": json.dumps(config, sort_keys=True), "larder.vocabulary": "\n".join(vocabulary) + "\n"}
