"""Turn benchmark JSON lines into the ANN section of docs/benchmarks.md and a recall/QPS plot.

The section sits between `<!-- NAME:begin -->` and `<!-- NAME:end -->`, where
NAME is `--section` (default `ann`), so runs of other sizes can keep their own
sections; the rest of the file is left as it is.
"""

import argparse
import datetime
import json
import os
import platform
import subprocess

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402



def machine():
    model = "unknown CPU"
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    load = os.getloadavg()[0]
    return f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, load average {load:.1f} at report time"


def best_at(records, library, target):
    """Highest CPU-time QPS among the ef values whose recall reaches `target`."""
    rows = [r for r in records if r["library"] == library and r["kind"] == "search" and r["recall"] >= target]
    return max(rows, key=lambda r: r["qps_cpu"]) if rows else None


def equal_ef_table(records, larder_libraries):
    """Rows comparing each Larder variant with hnswlib at the same ef (CPU-time QPS)."""
    def search(library, ef):
        return next((r for r in records if r["library"] == library and r["kind"] == "search" and r["ef"] == ef), None)

    def build(library):
        return next((r for r in records if r["library"] == library and r["kind"] == "build"), None)

    reference_build = build("hnswlib")
    if reference_build is None:
        return []
    lines = ["", "### Larder against hnswlib at equal ef", "",
             "Ratios are Larder's CPU-time QPS over hnswlib's at the same ef, in this run.", "",
             "| ef | hnswlib recall@10 | hnswlib QPS (CPU) | "
             + " | ".join(f"{name} recall@10 | {name} QPS (CPU) | {name} ratio" for name in larder_libraries) + " |",
             "| ---: | ---: | ---: | " + " | ".join("---: | ---: | ---:" for _ in larder_libraries) + " |"]
    for reference in (r for r in records if r["library"] == "hnswlib" and r["kind"] == "search"):
        cells = [str(reference["ef"]), f"{reference['recall']:.4f}", f"{reference['qps_cpu']:.0f}"]
        for name in larder_libraries:
            row = search(name, reference["ef"])
            cells += [f"{row['recall']:.4f}", f"{row['qps_cpu']:.0f}", f"{row['qps_cpu'] / reference['qps_cpu']:.2f}"]\
                if row else ["-", "-", "-"]
        lines.append("| " + " | ".join(cells) + " |")
    cells = [f"{name} {build(name)['build_cpu_seconds'] / reference_build['build_cpu_seconds']:.2f}x"
             for name in larder_libraries if build(name)]
    lines += ["", f"Build CPU time relative to hnswlib ({reference_build['build_cpu_seconds']:.1f} s, "
              f"{reference_build['threads']} threads): " + ", ".join(cells) + "."]
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--results", required=True)
    parser.add_argument("--command", required=True)
    parser.add_argument("--doc", required=True)
    parser.add_argument("--plot", required=True)
    parser.add_argument("--section", default="ann")
    parser.add_argument("--data-description", default="", help="replaces the generated-data line when given")
    args = parser.parse_args()
    begin = f"<!-- {args.section}:begin -->"
    end = f"<!-- {args.section}:end -->"

    with open(args.results) as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    builds = [r for r in records if r["kind"] == "build"]
    libraries = [r["library"] for r in builds]
    rows = builds[0]["rows"]
    dim = next((r["dim"] for r in builds if "dim" in r), "?")

    kind = "embeddings" if args.data_description else "clustered"
    lines = [begin, "", f"## ANN search: {kind} {rows:,} x {dim}, cosine", ""]
    lines += [f"- Date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
              f"- Machine: {machine()}",
              f"- Command: `{args.command}`",
              (f"- Data: {args.data_description}, {rows:,} x {dim}." if args.data_description else
               f"- Data: `benchmarks/ann/generate_data.py` (seeded Gaussian mixture, {rows:,} base vectors, "
               "held-out queries from the same mixture, exact top-10 from numpy inner products of the normalised "
               "vectors)."),
              f"- Size: set by `COUNT` and `DIM`, or by the `DATA` directory. This run is {rows:,} x {dim}; the "
              "larger sizes (`COUNT=1000000 DIM=128`, `COUNT=200000 DIM=1024`) use the same command.",
              f"- Every library: M={builds[0]['m']}, efConstruction={builds[0]['ef_construction']}, "
              f"{builds[0]['threads']} build threads, single-threaded search, k=10.",
              "- QPS (CPU) divides the queries by the CPU time of the search; QPS (wall) by the elapsed time. "
              "On a shared machine the CPU figure is the steadier one. Each search runs `REPEAT` times "
              "(see the command) and the fastest run counts, for every library alike, because other jobs "
              "on the machine only ever slow a run down.",
              "- Larder is timed through its public Swift API, one `HNSWIndex.search` call per query, so each "
              "query pays for input validation, the lock and the result's id strings. The Python peers are "
              "timed with one batch call over all queries on one thread, so they pay no Python per-call "
              "overhead; the peers' `qps_cpu_per_call` field in the results file has the one-call-per-query figure.",
              "", "### Build", "",
              "| library | build wall s | build CPU s | RSS growth bytes/vector | index bytes/vector |",
              "| --- | ---: | ---: | ---: | ---: |"]
    for build in builds:
        index_bytes = f"{build['index_bytes_per_vector']:.0f}" if "index_bytes_per_vector" in build else "n/a"
        lines.append(f"| {build['library']} | {build['build_seconds']:.1f} | {build.get('build_cpu_seconds', 0):.1f} | "
                     f"{build['rss_bytes_per_vector']:.0f} | {index_bytes} |")

    lines += ["", "### Search (recall@10 against QPS)", "",
              "| library | ef | recall@10 | QPS (CPU) | QPS (wall) |", "| --- | ---: | ---: | ---: | ---: |"]
    for library in libraries:
        for r in records:
            if r["library"] == library and r["kind"] == "search":
                lines.append(f"| {library} | {r['ef']} | {r['recall']:.4f} | {r['qps_cpu']:.0f} | {r['qps']:.0f} |")

    lines += equal_ef_table(records, [name for name in libraries if name.startswith("larder")])

    reference = best_at(records, "hnswlib", 0.95)
    lines += ["", "### At recall@10 >= 0.95", "", "| library | ef | recall@10 | QPS (CPU) | ratio to hnswlib |",
              "| --- | ---: | ---: | ---: | ---: |"]
    for library in libraries:
        best = best_at(records, library, 0.95)
        if best is None:
            lines.append(f"| {library} | - | below 0.95 at every ef | - | - |")
            continue
        ratio = f"{best['qps_cpu'] / reference['qps_cpu']:.2f}" if reference else "n/a"
        lines.append(f"| {library} | {best['ef']} | {best['recall']:.4f} | {best['qps_cpu']:.0f} | {ratio} |")
    lines += ["", f"![recall against QPS]({os.path.relpath(args.plot, os.path.dirname(args.doc))})", "", end]

    figure, axes = plt.subplots(figsize=(7, 4.5))
    for library in libraries:
        points = sorted((r["recall"], r["qps_cpu"]) for r in records if r["library"] == library and r["kind"] == "search")
        axes.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=library)
    axes.set_xlabel("recall@10")
    axes.set_ylabel("queries per second (single thread, CPU time)")
    axes.set_yscale("log")
    axes.set_title(f"{kind} {rows:,} x {dim}, cosine, M={builds[0]['m']}, efC={builds[0]['ef_construction']}")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(args.plot, dpi=120)

    section = "\n".join(lines)
    existing = open(args.doc).read() if os.path.exists(args.doc) else "# Benchmarks\n"
    if begin in existing and end in existing:
        head, rest = existing.split(begin, 1)
        tail = rest.split(end, 1)[1]
        updated = head + section + tail
    else:
        updated = existing.rstrip("\n") + "\n\n" + section + "\n"
    with open(args.doc, "w") as handle:
        handle.write(updated)


if __name__ == "__main__":
    main()
