/**
 * Per-segment vector indexes (FLAT and HNSW), with no Ignite imports. Entry points: {@link io.vecgrid.index.VectorIndexes}.
 *
 * <h2>Where the vectors and the graph live</h2>
 * A segment's rows are either a {@code float[]} or a little-endian {@code ByteBuffer} (direct or heap, 4-byte aligned,
 * {@code rows * dim * 4} bytes from its position). Both go through one abstraction, {@code VectorData}, and the
 * kernels have one loop per reduction whose vector loads pick the storage on a loop-invariant test:
 * {@code FloatVector.fromArray} for arrays, {@code fromByteBuffer} on JDK 17-18, {@code fromMemorySegment} (through a
 * constant method handle, as the build targets 17) on JDK 19 and later, where {@code fromByteBuffer} no longer
 * exists. The scalar kernel reads buffers with absolute {@code getFloat}.
 *
 * <p>An HNSW graph is one little-endian region ({@code FrozenGraph}), the same bytes {@code VectorIndex.write} writes
 * after the header, so an index read from a direct buffer searches the graph in place: the loaded index holds a few
 * hundred bytes of heap (plus 4 bytes a row of norms for COSINE and each pooled searcher's visit marks, 4 bytes a
 * row). Serialized HNSW index (format version 2):
 * <pre>
 * big-endian int32: magic "VGIX" | version 2 | type 2 | metric | dim | rows | M | efConstruction | graph bytes G
 * G bytes, little-endian int32 (starts at byte 36):
 *   levels L | entry node | rows | maxDegree[L] | (count_l, edges_l) for each level
 *   per level: nodes_l[count_l] (l &gt; 0, ascending) | offsets_l[count_l + 1] (CSR) | adj_l[edges_l]
 * </pre>
 * A FLAT index is the 24-byte header alone.
 *
 * <h2>Speed by JDK (Fashion-MNIST 60k x 784, one thread; {@code SegmentBench storage})</h2>
 * On JDK 25 a direct buffer searches as fast as a {@code float[]} (HNSW and FLAT scan within noise, direct slightly
 * ahead: its rows start on 64-byte boundaries). On JDK 17 {@code fromByteBuffer} costs about 14 instructions per
 * 32-byte load (C2 treats the access as possibly on-heap, fences it, and reloads the buffer's limit, address, base
 * and memory-segment fields for every load), so HNSW over a direct buffer runs at about 0.75-0.85 of the array speed
 * and the FLAT scan at 0.8-1.0; copying rows to a scratch array first was slower still for the graph walk's random
 * rows (one memcpy stream instead of four interleaved).
 */
package io.vecgrid.index;
