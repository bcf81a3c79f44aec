#include "fuzz.h"

#define TH_TARGET(NAME, MAX_LEN, DICT, DESC) {#NAME, th_fuzz_##NAME, DESC, MAX_LEN, DICT},
const th_fuzz_target th_fuzz_targets[] = {
#include "targets.def"
};
#undef TH_TARGET

const size_t th_num_fuzz_targets = sizeof(th_fuzz_targets) / sizeof(th_fuzz_targets[0]);
