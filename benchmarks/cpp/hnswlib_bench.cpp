// hnswlib (C++) anchor of the vecgrid benchmark: the same data, M, efConstruction and ef sweep as vecgrid's segment
// benchmark, built from Debian's libhnswlib-dev headers with -O3 -march=native (the SIMD path a pip-built hnswlib
// gets). Appends tab-separated records to the results file read by io.vecgrid.benchmarks.ReportWriter.
//
//   hnswlib_bench build  BASE.fvecs N M EFC THREADS INDEX RESULTS ENGINE [l2|cosine]
//   hnswlib_bench search BASE.fvecs N QUERY.fvecs GT.ivecs NQ INDEX EFS(comma) ROUND RESULTS ENGINE [l2|cosine]
//   hnswlib_bench cost   N QUERY.fvecs NQ INDEX EFS(comma) ROUND RESULTS ENGINE [l2|cosine]
//   hnswlib_bench probe  BASE.fvecs N PASSES ROUND RESULTS ENGINE
//
// The metric (default l2) must be the same for the build and the searches of one index. cosine is hnswlib's
// inner-product space over rows normalised to unit length, as hnswlib's Python binding does it: the base rows are
// normalised before the (timed) build, the queries before the (timed) searches; recall is by ids, so the distances'
// scale does not matter.
#include <hnswlib/hnswlib.h>

#include <atomic>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <immintrin.h>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <queue>
#include <unordered_set>
#include <vector>

using Clock = std::chrono::steady_clock;

static double seconds(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}

// CPU time of the whole process, s: not counted while descheduled, so less disturbed by a shared machine.
static double cpuSeconds() {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

// Reads the first n rows of an fvecs/ivecs file (each row: int32 dim, then dim 4-byte values).
template <typename T>
static std::vector<T> readVecs(const std::string &path, size_t n, int &dim) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    int32_t d = 0;
    in.read(reinterpret_cast<char *>(&d), 4);
    if (d <= 0) throw std::runtime_error("bad dimension in " + path);
    dim = d;
    in.seekg(0);
    std::vector<T> out(n * (size_t)d);
    for (size_t i = 0; i < n; i++) {
        int32_t di = 0;
        in.read(reinterpret_cast<char *>(&di), 4);
        if (!in || di != d) throw std::runtime_error("short or inconsistent file " + path);
        in.read(reinterpret_cast<char *>(out.data() + i * d), (std::streamsize)d * 4);
    }
    return out;
}

static void append(const std::string &results, const std::string &line) {
    std::ofstream out(results, std::ios::app);
    out << line << "\n";
}

static std::string simd() {
#if defined(USE_AVX512)
    return AVX512Capable() ? "AVX-512" : (AVXCapable() ? "AVX" : "SSE");
#elif defined(USE_AVX)
    return AVXCapable() ? "AVX" : "SSE";
#elif defined(USE_SSE)
    return "SSE";
#else
    return "scalar";
#endif
}

// Scales each of the n rows of `v` (dim floats each) to unit length in place; an all-zero row stays zero.
static void normalise(std::vector<float> &v, size_t n, int dim) {
    for (size_t i = 0; i < n; i++) {
        float *r = v.data() + i * dim, s = 0;
        for (int j = 0; j < dim; j++) s += r[j] * r[j];
        float inv = s > 0 ? 1.0f / std::sqrt(s) : 0.0f;
        for (int j = 0; j < dim; j++) r[j] *= inv;
    }
}

// The metric argument of a sub-command: true for cosine, false for l2 (also when absent).
static bool cosineArg(int argc, char **argv, int at) {
    if (argc <= at) return false;
    std::string m = argv[at];
    if (m == "cosine") return true;
    if (m == "l2") return false;
    throw std::runtime_error("unknown metric " + m + " (l2 or cosine)");
}

// hnswlib's space for a metric: L2, or inner product (cosine over normalised rows).
struct Space {
    hnswlib::L2Space l2;
    hnswlib::InnerProductSpace ip;
    bool cosine;
    Space(int dim, bool cos) : l2(dim), ip(dim), cosine(cos) {}
    hnswlib::SpaceInterface<float> &get() {
        return cosine ? static_cast<hnswlib::SpaceInterface<float> &>(ip) : l2;
    }
};

static int build(int argc, char **argv) {
    if (argc != 10 && argc != 11) throw std::runtime_error("build BASE N M EFC THREADS INDEX RESULTS ENGINE [l2|cosine]");
    std::string basePath = argv[2];
    size_t n = std::stoul(argv[3]);
    size_t m = std::stoul(argv[4]);
    size_t efc = std::stoul(argv[5]);
    int threads = std::stoi(argv[6]);
    std::string index = argv[7], results = argv[8], engine = argv[9];
    int dim = 0;
    std::vector<float> base = readVecs<float>(basePath, n, dim);
    // cosine as hnswlib's Python binding does it: rows normalised (before the timed build), inner-product space.
    bool cosine = cosineArg(argc, argv, 10);
    if (cosine) normalise(base, n, dim);
    Space space(dim, cosine);
    hnswlib::HierarchicalNSW<float> hnsw(&space.get(), n, m, efc);
    double c0 = cpuSeconds();
    auto t0 = Clock::now();
    // As hnswlib's Python binding does: the first point alone, then the rest from `threads` workers.
    hnsw.addPoint(base.data(), 0);
    std::atomic<size_t> next(1);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; t++) {
        pool.emplace_back([&]() {
            for (size_t i = next++; i < n; i = next++) hnsw.addPoint(base.data() + i * dim, i);
        });
    }
    for (auto &t : pool) t.join();
    double secs = seconds(t0, Clock::now());
    double cpu = cpuSeconds() - c0;
    hnsw.saveIndex(index);
    std::ostringstream b, i1;
    b << "build\t" << engine << "\t" << secs << "\t" << threads << "\t" << cpu;
    append(results, b.str());
    i1 << "info\t" << engine << "\tsimd\t" << simd() << " (g++ -O3 -march=native, hnswlib 0.6.2 headers)";
    append(results, i1.str());
    std::printf("[%s] built %zu x %d in %.1f s (%.1f CPU s) on %d threads (%s)\n", engine.c_str(), n, dim, secs, cpu, threads,
                simd().c_str());
    return 0;
}

static int search(int argc, char **argv) {
    if (argc != 12 && argc != 13)
        throw std::runtime_error("search BASE N QUERY GT NQ INDEX EFS ROUND RESULTS ENGINE [l2|cosine]");
    std::string basePath = argv[2];
    size_t n = std::stoul(argv[3]);
    std::string queryPath = argv[4], gtPath = argv[5];
    size_t nq = std::stoul(argv[6]);
    std::string index = argv[7], efsArg = argv[8], round = argv[9], results = argv[10], engine = argv[11];
    int dim = 0, gtDim = 0, baseDim = 0;
    (void)basePath;
    (void)baseDim;
    std::vector<float> queries = readVecs<float>(queryPath, nq, dim);
    std::vector<int32_t> gt = readVecs<int32_t>(gtPath, nq, gtDim);
    bool cosine = cosineArg(argc, argv, 12);
    if (cosine) normalise(queries, nq, dim);
    Space space(dim, cosine);
    hnswlib::HierarchicalNSW<float> hnsw(&space.get(), index, false, n);
    const size_t k = 10;
    std::vector<size_t> efs;
    std::stringstream ss(efsArg);
    for (std::string e; std::getline(ss, e, ',');)
        if (!e.empty()) efs.push_back(std::stoul(e));
    // Warm-up.
    hnsw.setEf(48);
    for (size_t i = 0; i < std::min<size_t>(nq, 2000); i++) hnsw.searchKnn(queries.data() + i * dim, k);
    std::vector<std::vector<size_t>> found(nq);
    for (size_t ef : efs) {
        hnsw.setEf(ef);
        double c0 = cpuSeconds();
        auto t0 = Clock::now();
        for (size_t i = 0; i < nq; i++) {
            auto res = hnsw.searchKnn(queries.data() + i * dim, k);
            std::vector<size_t> &f = found[i];
            f.clear();
            while (!res.empty()) {
                f.push_back(res.top().second);
                res.pop();
            }
        }
        double secs = seconds(t0, Clock::now());
        double cpu = cpuSeconds() - c0;
        size_t hits = 0;
        for (size_t i = 0; i < nq; i++) {
            std::unordered_set<size_t> truth;
            for (size_t j = 0; j < k; j++) truth.insert((size_t)gt[i * gtDim + j]);
            for (size_t id : found[i]) hits += truth.count(id);
        }
        double recall = (double)hits / (double)(nq * k);
        std::ostringstream r;
        r << "search\t" << engine << "\t" << round << "\t" << ef << "\t" << recall << "\t" << nq / secs << "\t" << nq / cpu;
        append(results, r.str());
        std::printf("[%s] round %s ef %zu: recall@10 %.4f, %.0f QPS, %.0f per CPU-second\n", engine.c_str(), round.c_str(), ef,
                    recall, nq / secs, nq / cpu);
    }
    return 0;
}

// Where a search's time goes: the rows each query scores (hnswlib's search, re-walked with the same algorithm to log
// them), then ns per scored row in hnswlib's own search, in the same distances replayed one row at a time, and
// replayed with hnswlib's software prefetch of the next row.
static int cost(int argc, char **argv) {
    if (argc != 10 && argc != 11) throw std::runtime_error("cost N QUERY NQ INDEX EFS ROUND RESULTS ENGINE [l2|cosine]");
    size_t n = std::stoul(argv[2]);
    std::string queryPath = argv[3];
    size_t nq = std::stoul(argv[4]);
    std::string index = argv[5], efsArg = argv[6], round = argv[7], results = argv[8], engine = argv[9];
    int dim = 0;
    std::vector<float> queries = readVecs<float>(queryPath, nq, dim);
    bool cosine = cosineArg(argc, argv, 10);
    if (cosine) normalise(queries, nq, dim);
    Space space(dim, cosine);
    hnswlib::HierarchicalNSW<float> h(&space.get(), index, false, n);
    std::stringstream ss(efsArg);
    std::vector<size_t> efs;
    for (std::string e; std::getline(ss, e, ',');)
        if (!e.empty()) efs.push_back(std::stoul(e));
    const size_t k = 10;
    for (size_t ef : efs) {
        std::vector<std::vector<unsigned>> visits(nq);
        size_t total = 0;
        for (size_t qi = 0; qi < nq; qi++) {
            const float *qv = queries.data() + qi * dim;
            std::vector<unsigned> &log = visits[qi];
            auto dist = [&](unsigned id) {
                log.push_back(id);
                return h.fstdistfunc_(qv, h.getDataByInternalId(id), h.dist_func_param_);
            };
            unsigned cur = h.enterpoint_node_;
            float cd = dist(cur);
            for (int l = h.maxlevel_; l > 0; l--) {
                for (bool changed = true; changed;) {
                    changed = false;
                    unsigned *data = (unsigned *)h.get_linklist(cur, l);
                    int sz = h.getListCount(data);
                    for (int i = 0; i < sz; i++) {
                        float d = dist(data[1 + i]);
                        if (d < cd) { cd = d; cur = data[1 + i]; changed = true; }
                    }
                }
            }
            size_t e = std::max(ef, k);
            std::unordered_set<unsigned> seen{cur};
            std::priority_queue<std::pair<float, unsigned>> top, cand;
            top.push({cd, cur});
            cand.push({-cd, cur});
            float bound = cd;
            while (!cand.empty()) {
                auto c = cand.top();
                if (-c.first > bound && top.size() == e) break;
                cand.pop();
                unsigned *data = (unsigned *)h.get_linklist0(c.second);
                int sz = h.getListCount(data);
                for (int i = 0; i < sz; i++) {
                    unsigned nb = data[1 + i];
                    if (!seen.insert(nb).second) continue;
                    float d = dist(nb);
                    if (top.size() < e || bound > d) {
                        cand.push({-d, nb});
                        top.push({d, nb});
                        if (top.size() > e) top.pop();
                        bound = top.top().first;
                    }
                }
            }
            total += log.size();
        }
        h.setEf(ef);
        double bestSearch = 1e30, bestOne = 1e30, bestPrefetch = 1e30, sink = 0;
        for (int rep = 0; rep < 4; rep++) {
            auto t0 = Clock::now();
            for (size_t i = 0; i < nq; i++) sink += h.searchKnn(queries.data() + i * dim, k).top().first;
            auto t1 = Clock::now();
            for (size_t i = 0; i < nq; i++)
                for (unsigned id : visits[i])
                    sink += h.fstdistfunc_(queries.data() + i * dim, h.getDataByInternalId(id), h.dist_func_param_);
            auto t2 = Clock::now();
            for (size_t i = 0; i < nq; i++) {
                const std::vector<unsigned> &v = visits[i];
                for (size_t j = 0; j < v.size(); j++) {
                    if (j + 1 < v.size()) _mm_prefetch(h.getDataByInternalId(v[j + 1]), _MM_HINT_T0);
                    sink += h.fstdistfunc_(queries.data() + i * dim, h.getDataByInternalId(v[j]), h.dist_func_param_);
                }
            }
            auto t3 = Clock::now();
            if (rep == 0) continue; // Warm-up.
            bestSearch = std::min(bestSearch, seconds(t0, t1) * 1e9 / total);
            bestOne = std::min(bestOne, seconds(t1, t2) * 1e9 / total);
            bestPrefetch = std::min(bestPrefetch, seconds(t2, t3) * 1e9 / total);
        }
        std::ostringstream r;
        r << "cost\t" << engine << "\t" << round << "\t" << ef << "\t" << (double)total / nq << "\t" << bestSearch << "\t"
          << bestOne << "\t" << bestPrefetch;
        append(results, r.str());
        std::printf("[%s] round %s ef %zu: %.1f rows scored per query; %.0f ns per scored row in the search, distances "
                    "alone %.0f ns per row one at a time, %.0f ns with prefetch of the next (%g)\n", engine.c_str(),
                    round.c_str(), ef, (double)total / nq, bestSearch, bestOne, bestPrefetch, sink > 0 ? 1.0 : 0.0);
    }
    return 0;
}

// Single-thread streaming sums over the base vectors at 128, 256 and (where the CPU has it) 512 bits, four
// accumulators each: one core's read bandwidth, as in the Java probe. The fastest width is recorded.
static float sum128(const float *a, size_t len) {
    __m128 s0 = _mm_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    size_t i = 0;
    for (; i + 16 <= len; i += 16) {
        s0 = _mm_add_ps(s0, _mm_loadu_ps(a + i));
        s1 = _mm_add_ps(s1, _mm_loadu_ps(a + i + 4));
        s2 = _mm_add_ps(s2, _mm_loadu_ps(a + i + 8));
        s3 = _mm_add_ps(s3, _mm_loadu_ps(a + i + 12));
    }
    alignas(16) float t[4];
    _mm_store_ps(t, _mm_add_ps(_mm_add_ps(s0, s1), _mm_add_ps(s2, s3)));
    float s = t[0] + t[1] + t[2] + t[3];
    for (; i < len; i++) s += a[i];
    return s;
}

#if defined(__AVX__)
static float sum256(const float *a, size_t len) {
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    size_t i = 0;
    for (; i + 32 <= len; i += 32) {
        s0 = _mm256_add_ps(s0, _mm256_loadu_ps(a + i));
        s1 = _mm256_add_ps(s1, _mm256_loadu_ps(a + i + 8));
        s2 = _mm256_add_ps(s2, _mm256_loadu_ps(a + i + 16));
        s3 = _mm256_add_ps(s3, _mm256_loadu_ps(a + i + 24));
    }
    alignas(32) float t[8];
    _mm256_store_ps(t, _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
    float s = t[0] + t[1] + t[2] + t[3] + t[4] + t[5] + t[6] + t[7];
    for (; i < len; i++) s += a[i];
    return s;
}
#endif

#if defined(__AVX512F__)
static float sum512(const float *a, size_t len) {
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    size_t i = 0;
    for (; i + 64 <= len; i += 64) {
        s0 = _mm512_add_ps(s0, _mm512_loadu_ps(a + i));
        s1 = _mm512_add_ps(s1, _mm512_loadu_ps(a + i + 16));
        s2 = _mm512_add_ps(s2, _mm512_loadu_ps(a + i + 32));
        s3 = _mm512_add_ps(s3, _mm512_loadu_ps(a + i + 48));
    }
    float s = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
    for (; i < len; i++) s += a[i];
    return s;
}
#endif

static int probe(int argc, char **argv) {
    if (argc != 8) throw std::runtime_error("probe BASE N PASSES ROUND RESULTS ENGINE");
    std::string basePath = argv[2];
    size_t n = std::stoul(argv[3]);
    int passes = std::stoi(argv[4]);
    std::string round = argv[5], results = argv[6], engine = argv[7];
    int dim = 0;
    std::vector<float> base = readVecs<float>(basePath, n, dim);
    const float *a = base.data();
    size_t len = base.size();
    std::vector<std::pair<int, float (*)(const float *, size_t)>> widths = {{128, sum128}};
#if defined(__AVX__)
    widths.push_back({256, sum256});
#endif
#if defined(__AVX512F__)
    widths.push_back({512, sum512});
#endif
    std::vector<double> best(widths.size(), 0.0);
    double sink = 0;
    for (int p = 0; p < passes + 2; p++) {
        for (size_t w = 0; w < widths.size(); w++) {
            auto t0 = Clock::now();
            sink += widths[w].second(a, len);
            double secs = seconds(t0, Clock::now());
            if (p >= 2) best[w] = std::max(best[w], 4.0 * len / secs / 1e9);
        }
    }
    size_t bw = 0;
    std::ostringstream detail;
    for (size_t w = 0; w < widths.size(); w++) {
        if (best[w] > best[bw]) bw = w;
        detail << (w ? " / " : "") << best[w];
    }
    std::ostringstream r, i1;
    r << "probe\t" << engine << "\t" << round << "\t" << best[bw];
    append(results, r.str());
    i1 << "info\t" << engine << "\tprobe\tC++ intrinsics (g++ -O3 -march=native), 4 accumulators, fastest width "
       << widths[bw].first << " bits (round " << round << ")";
    append(results, i1.str());
    std::printf("[%s] round %s: streaming sum %s GB/s by width, best %.2f (%d passes; %g)\n", engine.c_str(),
                round.c_str(), detail.str().c_str(), best[bw], passes, sink);
    return 0;
}

int main(int argc, char **argv) {
    try {
        std::string cmd = argc > 1 ? argv[1] : "";
        if (cmd == "build") return build(argc, argv);
        if (cmd == "search") return search(argc, argv);
        if (cmd == "cost") return cost(argc, argv);
        if (cmd == "probe") return probe(argc, argv);
        std::cerr << "usage: hnswlib_bench build|search|cost|probe ..." << std::endl;
        return 2;
    } catch (const std::exception &e) {
        std::cerr << "hnswlib_bench: " << e.what() << std::endl;
        return 1;
    }
}
