#!/usr/bin/python3
"""Anchors of the vecgrid benchmark, from Debian's packages: hnswlib (python3-hnswlib) and FAISS (python3-faiss).

Same data, M, efConstruction and ef sweep as vecgrid's segment benchmark; every search runs on one thread. Appends
tab-separated records to the results file read by io.vecgrid.benchmarks.ReportWriter (see ResultsFile.java):

  anchors.py build  --engine hnswlib-debian|faiss-hnsw --base F --n N --m M --efc E --threads T --index I --results R
  anchors.py search --engine hnswlib-debian|faiss-hnsw --base F --n N --query F --gt F --nq Q --index I --efs 10,20
                    --round r --results R
  anchors.py scan   --base F --n N --query F --passes P --round r --results R   (FAISS flat index, nq = 1)

Every command takes --metric l2|cosine (default l2); an index must be searched with the metric it was built with.
cosine: hnswlib with space='cosine' (the binding normalises rows and queries itself, inside add_items and
knn_query); FAISS over rows and queries normalised to unit length (faiss.normalize_L2, before the timed part) with
the inner-product metric: IndexHNSWFlat(d, M, METRIC_INNER_PRODUCT), and IndexFlatIP for the scan. Recall is by
ids against the ground truth file given, so the engines' distance scales do not matter.

Run with Debian's /usr/bin/python3, where apt installs these modules.
"""
import argparse
import os
import subprocess
import sys
import time

import numpy as np

K = 10


def read_vecs(path, n, dtype):
    raw = np.fromfile(path, dtype=np.int32, count=-1)
    dim = int(raw[0])
    rows = raw.reshape(-1, dim + 1)[:n, 1:]
    return np.ascontiguousarray(rows.view(dtype) if dtype != np.int32 else rows)


def unit_rows(x):
    """x (float32, C order) with every row scaled to unit length in place; an all-zero row stays zero."""
    import faiss
    faiss.normalize_L2(x)
    return x


def append(results, *cols):
    with open(results, "a", encoding="utf-8") as f:
        f.write("\t".join(str(c) for c in cols) + "\n")


def recall(found, truth):
    hits = 0
    for f, t in zip(found, truth):
        hits += len(set(int(x) for x in f[:K]) & set(int(x) for x in t[:K]))
    return hits / (len(found) * K)


def version(mod, package):
    """The module's own version, else the Debian package's."""
    v = getattr(mod, "__version__", None)
    if v:
        return v
    try:
        return subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True,
                              check=True).stdout.strip() or "?"
    except (OSError, subprocess.CalledProcessError):
        return "?"


def build(a):
    base = read_vecs(a.base, a.n, np.float32)
    n, dim = base.shape
    if a.engine == "hnswlib-debian":
        import hnswlib
        idx = hnswlib.Index(space="cosine" if a.metric == "cosine" else "l2", dim=dim)
        idx.init_index(max_elements=n, ef_construction=a.efc, M=a.m)
        c0, t0 = time.process_time(), time.perf_counter()
        idx.add_items(base, np.arange(n), num_threads=a.threads)
        secs, cpu = time.perf_counter() - t0, time.process_time() - c0
        idx.save_index(a.index)
        append(a.results, "info", a.engine, "package", "python3-hnswlib (Debian) " + version(hnswlib, "python3-hnswlib"))
    elif a.engine == "faiss-hnsw":
        import faiss
        faiss.omp_set_num_threads(a.threads)
        if a.metric == "cosine":
            unit_rows(base)
            idx = faiss.IndexHNSWFlat(dim, a.m, faiss.METRIC_INNER_PRODUCT)
        else:
            idx = faiss.IndexHNSWFlat(dim, a.m)
        idx.hnsw.efConstruction = a.efc
        c0, t0 = time.process_time(), time.perf_counter()
        idx.add(base)
        secs, cpu = time.perf_counter() - t0, time.process_time() - c0
        faiss.write_index(idx, a.index)
        append(a.results, "info", a.engine, "package", "python3-faiss (Debian) faiss " + version(faiss, "python3-faiss"))
    else:
        sys.exit("unknown engine " + a.engine)
    append(a.results, "build", a.engine, "%.3f" % secs, a.threads, "%.3f" % cpu)
    print("[%s] built %d x %d in %.1f s (%.1f CPU s) on %d threads" % (a.engine, n, dim, secs, cpu, a.threads), flush=True)


def search(a):
    queries = read_vecs(a.query, a.nq, np.float32)
    truth = read_vecs(a.gt, a.nq, np.int32)
    dim = queries.shape[1]
    efs = [int(x) for x in a.efs.split(",") if x.strip()]
    if a.engine == "hnswlib-debian":
        import hnswlib
        idx = hnswlib.Index(space="cosine" if a.metric == "cosine" else "l2", dim=dim)
        idx.load_index(a.index, max_elements=a.n)
        idx.set_num_threads(1)

        def run(ef):
            idx.set_ef(ef)
            labels, _ = idx.knn_query(queries, k=K, num_threads=1)
            return labels
    elif a.engine == "faiss-hnsw":
        import faiss
        faiss.omp_set_num_threads(1)
        idx = faiss.read_index(a.index)
        want = faiss.METRIC_INNER_PRODUCT if a.metric == "cosine" else faiss.METRIC_L2
        if idx.metric_type != want:
            sys.exit("%s was built with metric %d, searched as %s" % (a.index, idx.metric_type, a.metric))
        if a.metric == "cosine":
            unit_rows(queries)

        def run(ef):
            idx.hnsw.efSearch = max(ef, K)
            _, labels = idx.search(queries, K)
            return labels
    else:
        sys.exit("unknown engine " + a.engine)
    run(48)  # Warm-up.
    for ef in efs:
        c0, t0 = time.process_time(), time.perf_counter()
        labels = run(ef)
        secs, cpu = time.perf_counter() - t0, time.process_time() - c0
        r = recall(labels, truth)
        nq = len(queries)
        append(a.results, "search", a.engine, a.round, ef, "%.6f" % r, "%.3f" % (nq / secs), "%.3f" % (nq / cpu))
        print("[%s] round %s ef %d: recall@10 %.4f, %.0f QPS, %.0f per CPU-second" % (a.engine, a.round, ef, r, nq / secs,
              nq / cpu), flush=True)


def scan(a):
    import faiss
    faiss.omp_set_num_threads(1)
    base = read_vecs(a.base, a.n, np.float32)
    queries = read_vecs(a.query, max(a.passes, 4), np.float32)
    if a.metric == "cosine":
        unit_rows(base)
        unit_rows(queries)
        idx, kind = faiss.IndexFlatIP(base.shape[1]), "IndexFlatIP over unit-length rows (cosine)"
    else:
        idx, kind = faiss.IndexFlatL2(base.shape[1]), "IndexFlatL2"
    idx.add(base)
    nbytes = base.nbytes
    best = 0.0
    for p in range(a.passes + 2):
        q = queries[p % len(queries)].reshape(1, -1)
        t0 = time.perf_counter()
        idx.search(q, K)
        secs = time.perf_counter() - t0
        if p >= 2:
            best = max(best, nbytes / secs / 1e9)
    append(a.results, "scan", "faiss-flat", a.round, "%.4f" % best)
    append(a.results, "info", "faiss-flat", "package", "python3-faiss (Debian) faiss " + version(faiss, "python3-faiss") + ", " + kind)
    print("[faiss-flat] round %s: flat scan %.2f GB/s (best of %d)" % (a.round, best, a.passes), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("cmd", choices=["build", "search", "scan"])
    p.add_argument("--engine", default="")
    p.add_argument("--base", required=True)
    p.add_argument("--n", type=int, required=True)
    p.add_argument("--query")
    p.add_argument("--gt")
    p.add_argument("--nq", type=int, default=10000)
    p.add_argument("--m", type=int, default=16)
    p.add_argument("--efc", type=int, default=200)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--index")
    p.add_argument("--efs", default="")
    p.add_argument("--round", default="1")
    p.add_argument("--passes", type=int, default=12)
    p.add_argument("--results", required=True)
    p.add_argument("--metric", choices=["l2", "cosine"], default="l2")
    a = p.parse_args()
    {"build": build, "search": search, "scan": scan}[a.cmd](a)


if __name__ == "__main__":
    main()
