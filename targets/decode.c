/* The decoder as a target: `tlsharness decode` reads untrusted captures, so it
 * meets fuzzer bytes in both stream modes. Oracles: two runs give the same
 * verdict and error; an error points inside the input and names an alert; the
 * tree renders as text and JSON. */
#include <stdio.h>
#include <stdlib.h>

#include "decode.h"
#include "fuzz.h"

static int decode_once(const uint8_t *data, size_t len, th_decode_mode mode, th_decode_error *err,
                       int render, char **out_json) {
    th_decode_opts opts;
    json_t *tree = NULL;
    memset(&opts, 0, sizeof(opts));
    memset(err, 0, sizeof(*err));
    opts.mode = mode;
    int ok = th_decode(data, len, &opts, &tree, err);
    if (tree == NULL) {
        abort(); /* only when out of memory */
    }
    if (!ok && (!err->set || err->offset > len)) {
        th_fuzz_oracle_failed("decode", "error without a position inside the input");
    }
    if (render) {
        FILE *devnull = fopen("/dev/null", "w");
        if (devnull == NULL) {
            abort();
        }
        th_decode_render_text(tree, devnull);
        if (!th_decode_render_json(tree, devnull)) {
            th_fuzz_oracle_failed("decode", "JSON rendering failed");
        }
        fclose(devnull);
    }
    *out_json = json_dumps(tree, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(tree);
    return ok;
}

int th_fuzz_decode(const uint8_t *data, size_t len) {
    int result = TH_FUZZ_ACCEPTED;
    for (int mode = TH_DECODE_RECORDS; mode <= TH_DECODE_HANDSHAKE; mode++) {
        th_decode_error e1, e2;
        char *j1 = NULL, *j2 = NULL;
        int ok1 = decode_once(data, len, (th_decode_mode)mode, &e1, 1, &j1);
        int ok2 = decode_once(data, len, (th_decode_mode)mode, &e2, 0, &j2);
        if (ok1 != ok2 || e1.offset != e2.offset || e1.alert != e2.alert ||
            (j1 == NULL) != (j2 == NULL) || (j1 != NULL && strcmp(j1, j2) != 0)) {
            th_fuzz_oracle_failed("decode", "same input gave two trees");
        }
        free(j1);
        free(j2);
        if (mode == TH_DECODE_RECORDS && !ok1) {
            result = e1.alert;
        }
    }
    return result;
}
