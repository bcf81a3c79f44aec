/* Reading whole inputs for the CLI subcommands (decode, replay). */
#ifndef TH_CLI_IO_H
#define TH_CLI_IO_H

#include <stddef.h>
#include <stdint.h>

#include "th_base.h"

/* Reads all of |path| ("-": standard input) into a new buffer *out of *out_len
 * bytes, which the caller frees (never NULL on success, even when empty). An
 * input longer than |max_len| bytes is refused (SIZE_MAX: no limit). 0 when
 * the input cannot be opened or read, or is too long, with a message naming
 * it in |err| ("cannot open 'x.bin': No such file or directory"). */
int th_cli_read_file(const char *path, size_t max_len, uint8_t **out, size_t *out_len, char *err,
                     size_t err_len) TH_MUST_USE;

#endif
