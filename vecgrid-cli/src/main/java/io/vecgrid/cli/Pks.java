package io.vecgrid.cli;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Primary keys given on the command line ({@code --ids 1,2,3}). */
final class Pks {
    /** Keys per get or delete call: well under the nodes' {@code maxBatchRows} (10000 by default). */
    static final int BATCH = 1000;

    private Pks() {
    }

    /**
     * @param values the option's values, each a primary key (comma-split already); white space around is ignored.
     * @param option the option, for messages.
     * @return the keys in the order given, each once.
     * @throws BadInputException naming a value that is not a 64-bit integer, or if there is none.
     */
    static long[] parse(List<String> values, String option) {
        Set<Long> res = new LinkedHashSet<>();
        for (String v : values) {
            String t = v.trim();
            try {
                res.add(Long.parseLong(t));
            }
            catch (NumberFormatException e) {
                throw new BadInputException(option + ": '" + t + "' is not a primary key (a 64-bit integer); give " +
                    "comma-separated integers, e.g. " + option + " 1,2,3");
            }
        }
        if (res.isEmpty())
            throw new BadInputException(option + ": no primary key given");
        return res.stream().mapToLong(Long::longValue).toArray();
    }

    /** @return keys {@code from} (inclusive) to {@code to} (exclusive) of {@code pks}. */
    static long[] slice(long[] pks, int from, int to) {
        return Arrays.copyOfRange(pks, from, Math.min(to, pks.length));
    }
}
