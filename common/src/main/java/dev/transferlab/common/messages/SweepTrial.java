package dev.transferlab.common.messages;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One finished trial of a sweep: what it tried and what it scored. Published in a {@code trial-completed} event (the
 * live leaderboard) and kept in object storage, so that a sweep resumed after its worker crashed runs no finished
 * trial again.
 *
 * @param trial           its number in the sweep's plan, from 0
 * @param hyperparameters what it trained with
 * @param epochsRun       how many epochs it trained
 * @param best            its stored epoch (the lowest validation loss), whose metrics the sweep ranks it by
 * @param score           the sweep's metric of that epoch
 * @param pruned          successive halving stopped it at a rung: others did better there
 * @param worker          the training worker that trained it last (a sweep's trials spread over the workers)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SweepTrial(int trial, Hyperparameters hyperparameters, int epochsRun, EpochMetrics best, double score,
                         boolean pruned, String worker) {
}
