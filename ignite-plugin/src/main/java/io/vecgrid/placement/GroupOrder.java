package io.vecgrid.placement;

/**
 * The order of replica groups inside each partition's node list: the one rule that both builds the lists
 * ({@link ReplicaGroupAffinityFunction}) and reads them back ({@link ReplicaGroups#decode}).
 *
 * <p>Given the set {@code S} of non-empty groups out of {@code R}, partition {@code p} lists the owner of group
 * {@code g0(p)} first (the primary), where {@code g0(p)} is {@code p mod R} if that group is non-empty, else the next
 * non-empty group cyclically; the owners of the other non-empty groups follow in cyclic group order after
 * {@code g0(p)}. Position {@code i} of the list therefore holds group {@code S[(j(p mod R) + i) mod |S|]}, with
 * {@code j(r)} the number of non-empty groups below {@code r}, modulo {@code |S|}.
 *
 * <p>Immutable and thread-safe.
 */
final class GroupOrder {
    /** Non-empty groups, ascending. */
    private final int[] groups;

    /** For each residue {@code r} in {@code [0, R)}: the index in {@link #groups} of the primary group. */
    private final int[] start;

    /**
     * @param nonEmpty for each group in {@code [0, R)}, whether it has a node; at least one must.
     */
    GroupOrder(boolean[] nonEmpty) {
        int k = 0;
        for (boolean b : nonEmpty)
            if (b)
                k++;
        if (k == 0)
            throw new IllegalArgumentException("at least one replica group must be non-empty, got none of "
                + nonEmpty.length);
        groups = new int[k];
        start = new int[nonEmpty.length];
        int below = 0;
        for (int r = 0; r < nonEmpty.length; r++) {
            start[r] = below % k;
            if (nonEmpty[r])
                groups[below++] = r;
        }
    }

    /** @return number of non-empty groups, which is the length of every partition's list. */
    int size() {
        return groups.length;
    }

    /** @return number of groups {@code R}, empty or not. */
    int replicas() {
        return start.length;
    }

    /**
     * @param part partition.
     * @return group of the partition's primary.
     */
    int primaryGroup(int part) {
        return groups[start[part % start.length]];
    }

    /**
     * @param part partition.
     * @param pos position in the partition's node list, in {@code [0, size())}.
     * @return group whose owner stands at that position.
     */
    int groupAt(int part, int pos) {
        assert pos >= 0 && pos < groups.length : pos;
        return groups[(start[part % start.length] + pos) % groups.length];
    }
}
