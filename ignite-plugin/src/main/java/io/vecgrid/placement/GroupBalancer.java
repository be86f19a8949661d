package io.vecgrid.placement;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Assigns every partition to one node of a replica group: balanced and sticky.
 *
 * <p>Balance: with {@code m} nodes and {@code P} partitions each node owns {@code floor(P/m)} or
 * {@code ceil(P/m)} partitions; the {@code P mod m} larger quotas go to the nodes that already own the most
 * (ties: node order), which keeps the most partitions in place.
 *
 * <p>Steps:
 * <ol>
 *     <li>keep each partition on its previous owner in the group when that node is still in the group;</li>
 *     <li>a node above its quota gives up the excess (only on a join): primaries first while it holds more than its
 *     share of the group's primaries, else backups; within each kind, lowest {@linkplain #score score} first;</li>
 *     <li>orphaned partitions (first call, a leaver's, given-up ones), those whose primary is in this group first,
 *     each go to a node below quota: for a primary the node with the fewest primaries, then the fewest partitions;
 *     for a backup the node with the fewest partitions; ties to the highest rendezvous score.</li>
 * </ol>
 * On a leave only the leaver's partitions move; on a join only what the newcomer needs for balance. Primary counts
 * per node are balanced exactly on the first call and kept close afterwards.
 *
 * <p>Stateless; thread-safe.
 */
final class GroupBalancer {
    private GroupBalancer() {
    }

    /**
     * @param ids consistent ids of the group's nodes, in node order.
     * @param prevOwner per partition, the index in {@code ids} of its previous owner in the group, or {@code -1}.
     * @param primaryHere per partition, whether this group holds its primary.
     * @return per partition, the index in {@code ids} of its owner.
     */
    static int[] assign(Object[] ids, int[] prevOwner, boolean[] primaryHere) {
        int m = ids.length;
        int parts = prevOwner.length;
        assert m > 0 && primaryHere.length == parts;

        int[] owner = new int[parts];
        int[] load = new int[m];
        int[] prim = new int[m];
        int groupPrims = 0;
        for (int p = 0; p < parts; p++) {
            owner[p] = prevOwner[p];
            if (primaryHere[p])
                groupPrims++;
            if (owner[p] >= 0) {
                load[owner[p]]++;
                if (primaryHere[p])
                    prim[owner[p]]++;
            }
        }

        int[] cap = quotas(load, parts);

        for (int n = 0; n < m; n++)
            if (load[n] > cap[n])
                giveUp(n, ids[n], load, prim, cap[n], groupPrims, owner, primaryHere);

        for (int pass = 0; pass < 2; pass++) {
            boolean primPass = pass == 0;
            for (int p = 0; p < parts; p++) {
                if (owner[p] >= 0 || primaryHere[p] != primPass)
                    continue;
                int best = -1;
                long bestScore = 0;
                for (int n = 0; n < m; n++) {
                    if (load[n] >= cap[n])
                        continue;
                    long s = score(ids[n], p);
                    int cmp = best < 0 ? -1 : compareLoad(n, best, load, prim, primPass);
                    if (cmp < 0 || (cmp == 0 && s > bestScore)) {
                        best = n;
                        bestScore = s;
                    }
                }
                assert best >= 0 : "no room for partition " + p;
                owner[p] = best;
                load[best]++;
                if (primPass)
                    prim[best]++;
            }
        }
        return owner;
    }

    /** Quotas {@code floor(P/m)} or {@code ceil(P/m)}, the larger ones to the most loaded nodes (ties: node order). */
    private static int[] quotas(int[] load, int parts) {
        int m = load.length;
        Integer[] byLoad = new Integer[m];
        for (int n = 0; n < m; n++)
            byLoad[n] = n;
        Arrays.sort(byLoad, (a, b) -> load[a] != load[b] ? Integer.compare(load[b], load[a]) : Integer.compare(a, b));
        int[] cap = new int[m];
        for (int r = 0; r < m; r++)
            cap[byLoad[r]] = parts / m + (r < parts % m ? 1 : 0);
        return cap;
    }

    /** Node {@code n} gives up partitions until its load is {@code cap}. */
    private static void giveUp(int n, Object id, int[] load, int[] prim, int cap, int groupPrims, int[] owner,
        boolean[] primaryHere) {
        List<long[]> prims = new ArrayList<>();
        List<long[]> backups = new ArrayList<>();
        for (int p = 0; p < owner.length; p++)
            if (owner[p] == n)
                (primaryHere[p] ? prims : backups).add(new long[] {score(id, p), p});
        prims.sort(GroupBalancer::byScore);
        backups.sort(GroupBalancer::byScore);
        int pi = 0;
        int bi = 0;
        int m = load.length;
        while (load[n] > cap) {
            boolean dropPrim = pi < prims.size() && ((long)prim[n] * m > groupPrims || bi == backups.size());
            int p = (int)(dropPrim ? prims.get(pi++) : backups.get(bi++))[1];
            owner[p] = -1;
            load[n]--;
            if (dropPrim)
                prim[n]--;
        }
    }

    private static int byScore(long[] a, long[] b) {
        return a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]);
    }

    /** Negative if node {@code a} is a better target than {@code b} by load alone. */
    private static int compareLoad(int a, int b, int[] load, int[] prim, boolean primPass) {
        if (primPass && prim[a] != prim[b])
            return Integer.compare(prim[a], prim[b]);
        return Integer.compare(load[a], load[b]);
    }

    /**
     * Rendezvous score of a node for a partition: a 64-bit mix of the node's consistent id (its string form) and the
     * partition, the same on every JVM.
     */
    static long score(Object consistentId, int part) {
        String s = String.valueOf(consistentId);
        long h = 0xCBF29CE484222325L;
        for (int i = 0; i < s.length(); i++)
            h = (h ^ s.charAt(i)) * 0x100000001B3L;
        h ^= (part + 1L) * 0x9E3779B97F4A7C15L;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return h;
    }
}
