/* Placeholder: replaced by the decoder in this same change. */
#include <stdio.h>

#include "cli.h"

int th_cli_decode(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "decode: not built yet\n");
    return 2;
}
