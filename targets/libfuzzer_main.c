/* The libFuzzer entry of one fuzz_<name> binary; TH_FUZZ_ENTRY names the
 * registry function (set by CMake per target). */
#include "fuzz.h"

int TH_FUZZ_ENTRY(const uint8_t *data, size_t len);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len) {
    (void)TH_FUZZ_ENTRY(data, len);
    return 0;
}
