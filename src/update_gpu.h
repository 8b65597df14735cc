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

/* A launched job that ended with wait status `status` likely died of CUDA
 * out-of-memory: it failed (non-zero exit, or a signal other than SIGKILL,
 * which is the OOM killer's) while its last GPU reading holding memory sat within
 * LIMIT_NEAR_FRAC of its GPU limit (at least LIMIT_NEAR_MIN_BYTES), or its
 * GPU series was OOM-imminent. g may be NULL (never on a GPU): false. */
bool update_gpu_oom_likely(const struct gpu_series *g, int status);

#endif
