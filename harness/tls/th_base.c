#include "th_base.h"

#include <stdlib.h>

void *th_array_grow(void *array, size_t num, size_t elem_size) {
    /* Capacity is max(4, the next power of two), so the count alone tells when
     * the array is full. */
    if (num != 0 && (num < 4 || (num & (num - 1)) != 0)) {
        return array;
    }
    size_t cap = num == 0 ? 4 : num * 2;
    if (cap < num || cap > SIZE_MAX / elem_size) {
        return NULL;
    }
    return realloc(array, cap * elem_size);
}
