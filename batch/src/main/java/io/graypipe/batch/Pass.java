package io.graypipe.batch;

import io.graypipe.protocol.OpChain;

/**
 * One pass over the folder: every image through one op chain in one execution mode. Passes run one after the
 * other, so each has its own wall time and CPU figures and a threads pass is not slowed by a processes pass.
 *
 * @param mode  {@code processes} or {@code threads}; null leaves the choice to the front's worker
 * @param chain the op chain as the front takes it ({@code blur:2,contrast:1.5}), already checked by
 *              {@link OpChain#parse}; null for plain gray
 */
record Pass(String mode, String chain) {
    /** The variant's folder name, the same the front gives it in a batch's archive. */
    String variant() {
        return chain == null ? OpChain.EMPTY.variantName() : OpChain.parse(chain).variantName();
    }

    /** How the summary names this pass: {@code sepia}, or {@code threads/sepia}. */
    String label() {
        return mode == null ? variant() : mode + "/" + variant();
    }
}
