/* update_gpu: a GPU reading folded into the model (update stage).
 *
 * Each process seen on a GPU gets a GPU-memory series (struct gpu_series):
 * its memory summed over its GPUs and listed per GPU, its limit (its own use
 * plus the free memory of those GPUs: the card's total minus what every
 * other process uses), history and trend, exactly like its RSS series. A
 * tree's series sums its members'. Nothing here reads the system. */
#ifndef MEMSLOPE_UPDATE_GPU_H
#define MEMSLOPE_UPDATE_GPU_H

#include "model.h"
#include "sample_gpu.h"

/* The cards, and every live process's series. A reading that is not fresh
 * (the sampler's period has not passed) changes nothing. */
void update_gpu_procs(struct model *m, const struct gpu_sample *s);
/* Each live tree's series from its members (call after the trees are
 * rebuilt for the tick, with the same reading). */
void update_gpu_trees(struct model *m, const struct gpu_sample *s);

#endif
