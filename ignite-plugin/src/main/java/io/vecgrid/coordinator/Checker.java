package io.vecgrid.coordinator;

import java.util.List;

/**
 * Compares what one collection should serve (its target) with what nodes report (the distribution) and says what
 * should be done. A checker only decides; {@link TaskExecutor} does. Checkers are stateless unless noted.
 */
interface Checker {
    List<CoordinatorTask> check(CollectionView view);
}
